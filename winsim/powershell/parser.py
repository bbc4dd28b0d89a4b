"""Parse PowerShell text with the tree-sitter-powershell grammar, cache trees, report syntax errors.

>>> tree = parse("Get-Date | Select-Object -First 1")
>>> syntax_errors("if ($a) {")[0].message
"Missing closing '}' in statement block or type definition."
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter_powershell
from tree_sitter import Language, Node, Parser, Tree

LANGUAGE = Language(tree_sitter_powershell.language())
_local = threading.local()  # a tree_sitter.Parser is not safe to share between threads

# What PowerShell says when a closing token is missing (MISSING nodes).
_MISSING_MESSAGES = {
    "}": "Missing closing '}' in statement block or type definition.",
    ")": "Missing closing ')' in expression.",
    "]": "Missing ']' at end of attribute or type literal.",
}


@dataclass(frozen=True)
class SyntaxIssue:
    """One ParseException-style problem: where it is and what PowerShell would call it."""

    message: str
    error_id: str
    line: int  # 1-based
    column: int  # 1-based
    length: int
    incomplete: bool  # the input ends before the construct does (a continuation line may complete it)


def _parser() -> Parser:
    parser: Parser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = Parser(LANGUAGE)
    return parser


_REPAIR_ROUNDS = 8  # each round fixes at least one comma; scripts rarely have more per statement


@lru_cache(maxsize=1024)
def descendants(node: Node, kind: str) -> list[Node]:
    """The outermost nodes of type ``kind`` below ``node``, in source order (not inside one another)."""
    found: list[Node] = []
    stack = list(reversed(node.children))
    while stack:
        n = stack.pop()
        if n.type == kind:
            found.append(n)
            continue
        stack.extend(reversed(n.children))
    return found


def parse(text: str) -> Tree:
    """The concrete syntax tree of ``text`` (cached: probe calls repeat the same text).

    The grammar cannot read a bare word followed by ``, `` in argument mode
    (``Select-Object A, B``); PowerShell reads an array there.  When the tree has such an
    error, the comma is moved past the blank (``A ,B``), which keeps every byte offset of
    the words and which the grammar reads as ``A`` and ``,B`` (joined by the command binder).
    """
    source = text.encode("utf-8")
    tree = _parser().parse(source)
    for _ in range(_REPAIR_ROUNDS):
        if not tree.root_node.has_error:
            break
        repaired = _move_commas(tree, source)
        if repaired == source:
            break
        candidate = _parser().parse(repaired)
        if len(_issues(candidate, text)) > len(_issues(tree, text)):
            break
        tree, source = candidate, repaired
    return tree


def _bare_comma_spans(tree: Tree, source: bytes) -> list[tuple[int, int]]:
    """(comma, end of blanks) of ``word, word`` commas the grammar rejected (next to an ERROR node)."""
    spans: list[tuple[int, int]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if not node.has_error:
            continue
        stack.extend(node.children)
        kids = node.children
        for comma, after in zip(kids, kids[1:], strict=False):
            if comma.type != "," or comma.is_named or "ERROR" not in (node.type, after.type):
                continue
            word = after.children[0] if after.type == "ERROR" and after.children else after
            if word.type not in ("simple_name", "generic_token"):
                continue
            at = source.rfind(b",", comma.start_byte, comma.end_byte)  # the token may include blanks
            gap = source[at + 1 : word.end_byte]
            blanks = len(gap) - len(gap.lstrip(b" \t"))
            if at >= 0 and blanks > 0:
                spans.append((at, at + 1 + blanks))
    return spans


def _move_commas(tree: Tree, source: bytes) -> bytes:
    out = bytearray(source)
    for start, end in _bare_comma_spans(tree, source):
        out[start:end] = out[start + 1 : end] + b","
    return bytes(out)


def _is_param_block_quirk(node: Node) -> bool:
    """The grammar rejects ``function f { param($a) $a }`` (param block and body on one line).

    PowerShell accepts it, so an ERROR node that wraps only a param block is not an error.
    """
    named = [c for c in node.children if c.is_named]
    return len(named) == 1 and named[0].type == "param_block"


def _issues(tree: Tree, text: str) -> list[SyntaxIssue]:
    end = len(text.encode("utf-8"))
    issues: list[SyntaxIssue] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if not node.has_error:
            continue
        line, col = node.start_point.row + 1, node.start_point.column + 1
        if node.is_missing and node.type in (" ", "command_argument_sep"):
            continue  # "Select-Object a, b": the grammar wants a separator PowerShell does not need
        if node.is_missing:
            msg = _MISSING_MESSAGES.get(node.type, f"Missing '{node.type}' in statement.")
            issues.append(
                SyntaxIssue(
                    msg, "MissingEndCurlyBrace" if node.type == "}" else "MissingToken", line, col, 1, True
                )
            )
            continue
        if node.type == "ERROR" and not _is_param_block_quirk(node):
            token = node.text.decode("utf-8", "replace").strip() if node.text else ""
            first = token.split()[0] if token.split() else token
            incomplete = node.end_byte >= end and first[:1] in {'"', "'", "@", "{", "(", "["}
            if token.startswith(('"', "'")) and node.end_byte >= end:
                msg, err_id = (
                    "The string is missing the terminator: " + token[0] + ".",
                    "TerminatorExpectedAtEndOfString",
                )
            else:
                msg, err_id = f"Unexpected token '{first}' in expression or statement.", "UnexpectedToken"
            issues.append(SyntaxIssue(msg, err_id, line, col, max(1, len(first)), incomplete))
            continue
        stack.extend(reversed(node.children))
    return issues


# PowerShell's parser recurses; when its stack runs out (InsufficientExecutionStackException, also
# on the fresh thread it retries on) it reports ScriptTooComplicated at the token it had reached
# (Parser.ParseTask; text from ParserStrings.resx).  Windows PowerShell 5.1 does so for 5,000 nested
# parentheses.  The depth where it happens depends on the stack: winsim's limit is its own evaluator's
# (INFERRED), measured as syntax-tree depth: 328 nested ``if`` blocks, depth 1002, overflowed Python's
# recursion limit, and 60 nested parentheses are depth ~750.
MAX_TREE_DEPTH = 750
TOO_COMPLEX = "Processing was stopped because the script is too complex."


def _too_deep(tree: Tree) -> SyntaxIssue | None:
    """ScriptTooComplicated at the first node past :data:`MAX_TREE_DEPTH`, found without recursion."""
    stack = [(tree.root_node, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            line, col = node.start_point.row + 1, node.start_point.column + 1
            return SyntaxIssue(TOO_COMPLEX, "ScriptTooComplicated", line, col, 1, False)
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return None


def syntax_errors(text: str) -> list[SyntaxIssue]:
    """Every syntax problem in ``text``, in source order (empty when it parses)."""
    tree = parse(text)
    too_deep = _too_deep(tree)
    return [too_deep] if too_deep else _issues(tree, text)


def parse_check(text: str) -> list[str]:
    """Human-readable syntax errors of ``text``; an empty list means PowerShell would accept it.

    >>> parse_check("function f { 'ok' }")
    []
    """
    return [f"line {i.line} char {i.column}: {i.message}" for i in syntax_errors(text)]


_CONTINUES = ("`", "|", "+", "-", "*", "/", ",", "=", "(", "{", "[", '@"', "@'", "-and", "-or")


def _open_brackets(text: str) -> int:
    """Unclosed ``{ ( [`` and here-strings outside quotes: > 0 means the text stops mid-construct."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith(('@"', "@'"), i) and text[i + 2 : i + 3] in ("\n", "\r", ""):
            close = text.find("\n" + text[i + 1] + "@", i)
            if close < 0:
                return depth + 1
            i = close + 3
            continue
        if ch in "\"'":
            j = i + 1
            while j < n and not (text[j] == ch and not (ch == '"' and text[j - 1] == "`")):
                j += 1
            if j >= n:
                return depth + 1
            i = j + 1
            continue
        if ch == "#":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        depth += ch in "{([" and 1 or 0
        depth -= ch in "})]" and 1 or 0
        i += 1
    return depth


def is_incomplete(text: str) -> bool:
    """True when ``text`` only fails because it ends too early (an interactive host would prompt ``>>``)."""
    issues = syntax_errors(text)
    if not issues:
        return False
    if text.rstrip().endswith(_CONTINUES) or _open_brackets(text) > 0:
        return True
    return all(i.incomplete for i in issues)
