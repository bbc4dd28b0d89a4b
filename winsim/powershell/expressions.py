"""Expression evaluation: literals, strings with ``$var``/``$(...)``, members, indexing, casts.

Each handler takes the interpreter and a syntax node and returns a value; the table
:data:`HANDLERS` maps node types to handlers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from winsim.powershell import dates, dotnet
from winsim.powershell.errors import ErrorRecord
from winsim.powershell.netbase import NetObject, Ref
from winsim.powershell.netobjects import parse_xml
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import PSError
from winsim.powershell.syntax import strip, type_literal_name, var_name
from winsim.powershell.values import (
    ScriptBlock,
    TypeRef,
    as_list,
    is_collection,
    to_bool,
    to_int,
    to_number,
    to_string,
    unwrap,
)

if TYPE_CHECKING:
    from winsim.powershell.runspace import Runspace

_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "e": "\x1b",
}
_MULTIPLIERS = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}


def _text(node: Node) -> str:
    return node.text.decode("utf-8") if node.text else ""


def _named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


def ev_variable(it: Runspace, node: Node) -> Any:

    return it.get_var(var_name(_text(node)), node)


def _split_multiplier(text: str) -> tuple[str, int]:
    """A numeric literal's text without its ``kb``..``pb`` suffix, and the suffix's factor: ``"4kb"`` -> ("4", 1024)."""
    for suffix, factor in _MULTIPLIERS.items():
        if text.endswith(suffix):
            return text[: -len(suffix)], factor
    return text, 1


def ev_integer(it: Runspace, node: Node) -> Any:
    text, mult = _split_multiplier(_text(node).lower())
    text = text.rstrip("ld")
    value = int(text, 16) if text.startswith("0x") else int(text)
    return value * mult


def ev_real(it: Runspace, node: Node) -> Any:
    text, mult = _split_multiplier(_text(node).lower())
    return float(text.rstrip("d")) * mult


def ev_string(it: Runspace, node: Node) -> Any:
    kids = _named(node)
    if not kids:
        return _unquote_verbatim(_text(node))
    inner = kids[0]
    if inner.type == "verbatim_string_characters":
        return _unquote_verbatim(_text(inner))
    if inner.type == "verbatim_here_string_characters":
        return _here_body(_text(inner))
    if inner.type in ("expandable_string_literal", "expandable_here_string_literal"):
        return expand(it, inner, here=inner.type == "expandable_here_string_literal")
    return _text(inner)


def _unquote_verbatim(text: str) -> str:
    if len(text) >= 2 and text[0] in "'\u2018\u2019" and text[-1] in "'\u2018\u2019":
        text = text[1:-1]
    return text.replace("''", "'")


def _here_body(text: str) -> str:
    body = text[2:-2]
    if body.startswith("\r\n"):
        body = body[2:]
    elif body.startswith("\n"):
        body = body[1:]
    if body.endswith("\r\n"):
        body = body[:-2]
    elif body.endswith("\n"):
        body = body[:-1]
    return body


def expand(it: Runspace, node: Node, here: bool = False) -> str:
    """Expand a double-quoted string: backtick escapes, ``$var``, ``$(...)``, ``""``."""
    raw = node.text or b""
    start = node.start_byte
    pieces: list[str] = []
    pos = 0
    for child in node.children:
        if child.type not in ("variable", "sub_expression"):
            continue
        pieces.append(_unescape(raw[pos : child.start_byte - start].decode("utf-8"), here))
        if child.type == "variable":
            pieces.append(to_string(ev_variable(it, child)))
        else:
            pieces.append(to_string(ev_subexpression(it, child)))
        pos = child.end_byte - start
    pieces.append(_unescape(raw[pos:].decode("utf-8"), here))
    text = "".join(pieces)
    if here:
        return _here_body(text)
    return text[1:-1] if len(text) >= 2 else text


def _unescape(text: str, here: bool) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "`" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if ch == '"' and not here and text[i + 1 : i + 2] == '"' and 0 < i < len(text) - 2:
            out.append('"')
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def ev_array_literal(it: Runspace, node: Node) -> Any:
    return [it.expr(k) for k in _named(node)]


def ev_parenthesized(it: Runspace, node: Node) -> Any:
    kids = _named(node)
    if not kids:
        return None
    return it.value_of(kids[0])


def ev_subexpression(it: Runspace, node: Node) -> Any:
    kids = _named(node)
    if not kids:
        return None
    return unwrap(it.block(kids[0]))


def ev_array_expression(it: Runspace, node: Node) -> Any:
    kids = _named(node)
    if not kids:
        return []
    return list(it.block(kids[0]))


def ev_hash(it: Runspace, node: Node) -> Any:
    result: dict[Any, Any] = {}
    body = next((c for c in node.children if c.type == "hash_literal_body"), None)
    if body is None:
        return result
    for entry in _named(body):
        if entry.type != "hash_entry":
            continue
        kids = _named(entry)
        key_node, value_node = kids[0], kids[-1]
        key_inner = _named(key_node)[0] if _named(key_node) else key_node
        key = _text(key_inner) if key_inner.type == "simple_name" else it.expr(key_inner)
        if isinstance(key, str):
            dup = next((k for k in result if isinstance(k, str) and k.lower() == key.lower()), None)
            if dup is not None:
                raise PSError(
                    f"Duplicate keys '{key}' are not allowed in hash literals.",
                    "DuplicateKeyInHashLiteral",
                    "ParserError",
                )
        result[key] = it.value_of(value_node)
    return result


def ev_scriptblock(it: Runspace, node: Node) -> Any:
    text = _text(node)
    inner = text[1:-1] if text.startswith("{") and text.endswith("}") else text
    return ScriptBlock(node, inner, it.source)


def ev_type_literal(it: Runspace, node: Node) -> Any:

    return TypeRef(type_literal_name(node))


def ev_cast(it: Runspace, node: Node) -> Any:

    kids = _named(node)
    type_name = type_literal_name(kids[0])
    operand = kids[-1]
    if type_name.lower() == "ref":
        return _reference(it, operand)
    if type_name.lower() in ("xml", "system.xml.xmldocument"):
        return parse_xml(to_string(it.expr(operand)))
    if type_name.lower() == "ordered" or (
        type_name.lower() == "pscustomobject" and _strip_to(operand).type == "hash_literal_expression"
    ):
        value = it.expr(operand)
        return (
            value
            if type_name.lower() == "ordered"
            else PSObject.custom({str(k): v for k, v in value.items()})
        )
    return dotnet.cast(type_name, it.expr(operand))


def _reference(it: Runspace, operand: Node) -> Any:
    """``[ref]$name``: a reference to the variable (to the value itself for any other operand)."""
    target = strip(operand)
    if target.type != "variable":
        holder = [it.expr(operand)]
        return Ref(lambda: holder[0], lambda v: holder.__setitem__(0, v))
    name = var_name(_text(target))
    return Ref(lambda: it.get_var(name, target), lambda v: it.set_var(name, v))


def _strip_to(node: Node) -> Node:

    return strip(node)


def ev_unary(it: Runspace, node: Node) -> Any:
    kids = node.children
    if len(kids) == 1:
        return it.expr(kids[0])
    first = kids[0]
    op = _text(first).lower()
    if first.is_named:  # postfix ++/-- or a cast chain
        if first.type == "cast_expression" or first.type == "type_literal":
            return it.expr(first)
        raise dotnet.not_modeled(f"the expression '{_text(node)}'")
    operand = kids[-1]
    if op in ("++", "--"):
        target = strip(operand)
        value = to_number(it.expr(target)) + (1 if op == "++" else -1)
        it.assign(target, value, node)
        return None
    value = it.expr(operand)
    if op == "-":
        number = to_number(value)
        return -number
    if op == "+":
        return to_number(value)
    if op in ("!", "-not"):
        return not to_bool(value)
    if op == ",":
        return [value]
    if op == "-join":
        return "".join(to_string(v) for v in as_list(value))
    if op == "-split":
        return to_string(value).split()
    if op == "-bnot":
        return ~to_int(value)
    raise dotnet.not_modeled(f"the unary operator {op}")


def ev_post_increment(it: Runspace, node: Node) -> Any:

    target = strip(node.children[0])
    op = _text(node.children[-1])
    it.assign(target, to_number(it.expr(target)) + (1 if op == "++" else -1), node)
    return None


def _strict_missing(it: Runspace, name: str) -> PSError:
    return PSError(
        f"The property '{name}' cannot be found on this object. Verify that the property exists.",
        "PropertyNotFoundStrict",
        "NotSpecified",
    )


def get_member(it: Runspace, obj: Any, name: str) -> Any:
    """``$obj.Name``: properties, dictionary keys, ``.Count``/``.Length``, member enumeration."""
    low = name.lower()
    if isinstance(obj, NetObject):
        return obj.member(name)
    if isinstance(obj, PSObject):
        if obj.has(name):
            return obj.get(name)
        if low == "psobject":
            return PSObject.of(
                "System.Management.Automation.PSMemberSet",
                {
                    "TypeNames": list(obj.type_names),
                    "Properties": [
                        PSObject.of("System.Management.Automation.PSNoteProperty", {"Name": k, "Value": v})
                        for k, v in obj.props.items()
                        if not k.startswith("__")
                    ],
                },
            )
        if low in ("count", "length"):
            return 1
        if it.strict:
            raise _strict_missing(it, name)
        return None
    if isinstance(obj, ErrorRecord):
        try:
            return obj.member(name)
        except KeyError:
            return None
    if isinstance(obj, dict):
        for key, value in obj.items():
            if str(key).lower() == low:
                return value
        if low == "count":
            return len(obj)
        if low == "keys":
            return list(obj.keys())
        if low == "values":
            return list(obj.values())
        if it.strict:
            raise _strict_missing(it, name)
        return None
    if isinstance(obj, str):
        if low == "length":
            return len(obj)
        if low == "count":
            return 1
    if is_collection(obj):
        if low in ("count", "length"):
            return len(obj)
        values = [get_member(it, item, name) for item in obj]
        flat: list[Any] = []
        for v in values:
            if is_collection(v):
                flat.extend(v)
            elif v is not None:
                flat.append(v)
        return unwrap(flat) if len(flat) != 1 else flat[0]
    if obj is None:
        if low == "count":
            return 0
        if it.strict:
            raise _strict_missing(it, name)
        return None
    if isinstance(obj, (datetime, timedelta)) and dates.has_member(obj, name):
        return dates.member(obj, name)
    if isinstance(obj, ScriptBlock) and low == "ast":
        raise dotnet.not_modeled("ScriptBlock.Ast")
    if isinstance(obj, TypeRef) and low in ("name", "fullname"):
        full = dotnet.canonical_type(obj.name)
        return full if low == "fullname" else full.rsplit(".", 1)[-1]
    if low == "count" or low == "length":
        return 1
    if it.strict:
        raise _strict_missing(it, name)
    return None


def ev_member_access(it: Runspace, node: Node) -> Any:
    kids = node.children
    target_node = kids[0]
    op = _text(kids[1])
    name = it.member_name(kids[-1])
    target = it.expr(target_node)
    if op == "::":
        type_name = target.name if isinstance(target, TypeRef) else to_string(target)
        return dotnet.static_property(type_name, name, it)
    return get_member(it, target, name)


def ev_invocation(it: Runspace, node: Node) -> Any:
    kids = node.children
    target_node = kids[0]
    op = _text(kids[1])
    name_node = next(k for k in kids if k.type == "member_name")
    name = it.member_name(name_node)
    arg_list = next((k for k in kids if k.type == "argument_list"), None)
    args: list[Any] = []
    if arg_list is not None:
        expr_list = arg_list.child_by_field_name("argument_expression_list")
        if expr_list is not None:
            args = [it.expr(a) for a in _named(expr_list)]
    target = it.expr(target_node)
    if op == "::":
        type_name = target.name if isinstance(target, TypeRef) else to_string(target)
        return dotnet.call_static(type_name, name, args, it)
    if target is None:
        raise PSError(
            "You cannot call a method on a null-valued expression.", "InvokeMethodOnNull", "InvalidOperation"
        )
    if isinstance(target, PSObject):
        value = target.get(name)
        if isinstance(value, ScriptBlock):  # ScriptMethod
            return unwrap(it.invoke_scriptblock(value, args))
    return dotnet.call_method(target, name, args, it)


def ev_element_access(it: Runspace, node: Node) -> Any:
    kids = _named(node)
    target = it.expr(kids[0])
    index = it.expr(kids[1])
    if isinstance(target, dict):
        for key, value in target.items():
            if (
                isinstance(key, str) and isinstance(index, str) and key.lower() == index.lower()
            ) or key == index:
                return value
        return None
    if target is None:
        raise PSError("Cannot index into a null array.", "NullArray", "InvalidOperation")
    seq: Any = target if is_collection(target) or isinstance(target, str) else [target]
    if is_collection(index):
        return [_index(seq, i) for i in index]
    return _index(seq, index)


def _index(seq: Any, index: Any) -> Any:
    i = to_int(index)
    try:
        return seq[i]
    except IndexError:
        return None


def ev_command_expression(it: Runspace, node: Node) -> Any:
    return unwrap(it.statement(node))


def ev_range(it: Runspace, node: Node) -> Any:
    return it.binary_chain(node)


HANDLERS: dict[str, Callable[[Runspace, Node], Any]] = {
    "variable": ev_variable,
    "integer_literal": lambda it, n: ev_integer(it, _named(n)[0] if _named(n) else n),
    "decimal_integer_literal": ev_integer,
    "hexadecimal_integer_literal": ev_integer,
    "real_literal": ev_real,
    "string_literal": ev_string,
    "expandable_string_literal": lambda it, n: expand(it, n),
    "verbatim_string_characters": lambda it, n: _unquote_verbatim(_text(n)),
    "array_literal_expression": ev_array_literal,
    "parenthesized_expression": ev_parenthesized,
    "sub_expression": ev_subexpression,
    "array_expression": ev_array_expression,
    "hash_literal_expression": ev_hash,
    "script_block_expression": ev_scriptblock,
    "type_literal": ev_type_literal,
    "cast_expression": ev_cast,
    "expression_with_unary_operator": ev_unary,
    "unary_expression": ev_unary,
    "post_increment_expression": ev_post_increment,
    "post_decrement_expression": ev_post_increment,
    "pre_increment_expression": ev_unary,
    "pre_decrement_expression": ev_unary,
    "member_access": ev_member_access,
    "invokation_expression": ev_invocation,
    "element_access": ev_element_access,
    "generic_token": lambda it, n: _text(n),
    "simple_name": lambda it, n: _text(n),
}

_NUMERIC = re.compile(r"^\d")
