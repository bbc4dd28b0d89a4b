"""Evaluate PowerShell over the tree-sitter concrete syntax tree.

One :class:`Interpreter` is one runspace: variables, functions and preferences persist between
:meth:`Interpreter.run` calls, so ``powershell -Command -`` can feed it one statement at a time.
Top-level output is handed to ``on_output`` after each statement (the program formats it);
errors go to ``on_error`` as :class:`ErrorRecord`.

>>> it = Interpreter(host, on_output=print_items, on_error=print_error)   # doctest: +SKIP
>>> it.run("$x = 1 + 2; $x")                                                 # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from winsim.powershell import dotnet, expressions, operators, session_vars
from winsim.powershell.commands import bind_script_params, run_pipeline
from winsim.powershell.errors import (
    BreakSignal,
    ContinueSignal,
    ErrorRecord,
    ExitSignal,
    Position,
    ReturnSignal,
    TerminatingError,
)
from winsim.powershell.netbase import NetObject
from winsim.powershell.objects import PSObject
from winsim.powershell.parser import descendants, parse, syntax_errors
from winsim.powershell.registry import PSError
from winsim.powershell.runspace import FunctionDef, Runspace, ScriptParam
from winsim.powershell.syntax import BINARY, named, strip, text_of, type_literal_name, var_name
from winsim.powershell.values import (
    COMPARISON_OPS,
    ScriptBlock,
    TypeRef,
    as_list,
    compare,
    is_collection,
    to_bool,
    to_number,
    to_string,
    unwrap,
)

if TYPE_CHECKING:
    from winsim.native import NativeProcess
    from winsim.powershell.addtype import AddedType
    from winsim.processes import HostServices, ProcessIO

# Statements the grammar knows but winsim does not run (named in the "does not model" error).
_NOT_MODELED = {
    "switch_statement": "the switch statement",
    "for_statement": "the for statement",
    "do_statement": "the do statement",
    "trap_statement": "the trap statement",
    "data_statement": "the data statement",
    "class_statement": "class definitions",
    "enum_statement": "enum definitions",
    "workflow_statement": "workflows",
    "parallel_statement": "parallel blocks",
    "sequence_statement": "sequence blocks",
    "inlinescript_statement": "inlinescript blocks",
    "configuration_statement": "DSC configurations",
    "using_statement": "the using statement",
}

MAX_DEPTH = 100  # recursion guard: a runaway function gets PowerShell's call-depth error, not a Python crash


class Interpreter:
    """A runspace.  ``run(text)`` executes a script; state persists across calls."""

    def __init__(
        self,
        host: HostServices,
        on_output: Callable[[list[Any]], None],
        on_error: Callable[[ErrorRecord], None],
        write_stdout: Callable[[str], None],
        flush: Callable[[], None] = lambda: None,
        env: dict[str, str] | None = None,
        cwd: str = "C:\\Users\\Administrator",
        on_warning: Callable[[str], None] | None = None,
        terminated: threading.Event | None = None,
        bounded: bool = True,
    ) -> None:
        self.host = host
        self.terminated = terminated or threading.Event()  # set when the process is ended
        self.bounded = bounded  # Start-Sleep waits at most a few seconds (winsim.processes.ProcessIO)
        self.on_output = on_output
        self.on_error = on_error
        self.write_stdout = write_stdout
        self.flush = flush
        self.on_warning = on_warning or (lambda text: write_stdout("WARNING: " + text + "\r\n"))
        self.env: dict[str, str] = dict(env or {})
        self.cwd = cwd
        self.scopes: list[dict[str, Any]] = [session_vars.initial_variables(host)]
        self.functions: dict[str, FunctionDef] = {}
        self.errors: list[ErrorRecord] = []
        self.last_success = True
        self.strict = False
        self.depth = 0
        self.source = ""  # text of the script being run (for error positions)
        self.current_function: str | None = None
        self.loaded_modules: list[str] = []
        self.function_modules: dict[str, str] = {}  # lower-case function name -> module that defined it
        self.module_scopes: dict[str, dict[str, Any]] = {}  # module name -> its script scope
        self.script_scope: dict[str, Any] = self.scopes[
            0
        ]  # what $script: names (a module's own scope inside it)
        self.added_types: dict[str, AddedType] = {}  # Add-Type's types by lower-case full name
        self.native: NativeProcess | None = None  # this process's native heap and handles, once used
        # 2>$null / 2>&1 in effect: where non-terminating errors go instead of the error stream
        self.error_sinks: list[Callable[[ErrorRecord], None]] = []
        # the powershell.exe process this runspace lives in (parent of what it starts), if any
        self.process: ProcessIO | None = None

    # ----- variables --------------------------------------------------------------------------

    def new_runspace(
        self, on_output: Callable[[list[Any]], None], on_error: Callable[[ErrorRecord], None]
    ) -> Interpreter:
        """A fresh runspace on this host, environment and location (``[powershell]::Create()``).

        Write-Host in a runspace without a host goes to its information stream, not stdout.
        """
        runspace = Interpreter(
            self.host,
            on_output,
            on_error,
            write_stdout=lambda text: None,
            env=self.env,
            cwd=self.cwd,
            terminated=self.terminated,
            bounded=self.bounded,
        )
        runspace.process = self.process
        return runspace

    def env_value(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.env.items() if k.lower() == low), None)

    def get_var(self, name: str, node: Node | None = None) -> Any:
        low = name.lower()
        if low.startswith("env:"):
            return self.env_value(name[4:])
        for prefix in ("script:", "global:", "local:", "private:"):
            if low.startswith(prefix):
                low = low[len(prefix) :]
                break
        if low == "?":
            return self.last_success
        if low == "error":
            return list(self.errors)
        if low == "pwd":
            return PSObject.of(
                "System.Management.Automation.PathInfo", {"Path": self.cwd, "__ToString": self.cwd}
            )
        for scope in reversed(self.scopes):
            if low in scope:
                return scope[low]
        if self.strict and node is not None:
            raise PSError(
                f"The variable '${name}' cannot be retrieved because it has not been set.",
                "VariableIsUndefined",
                "InvalidOperation",
                target=name,
                exception_type="System.Management.Automation.RuntimeException",
            )
        return None

    def set_var(self, name: str, value: Any) -> None:
        low = name.lower()
        if low.startswith("env:"):
            key = next((k for k in self.env if k.lower() == low[4:]), name[4:])
            if value is None or value == "":
                self.env.pop(key, None)
            else:
                self.env[key] = to_string(value)
            return
        if low in ("true", "false", "null", "?", "error", "pid", "host", "psversiontable"):
            if low == "null":
                return
            raise PSError(
                f"Cannot overwrite variable {name} because it is read-only or constant.",
                "VariableNotWritable",
                "WriteError",
                target=name,
                exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
            )
        if low.startswith("global:"):
            self.scopes[0][low.split(":", 1)[1]] = value
            return
        if low.startswith("script:"):
            self.script_scope[low.split(":", 1)[1]] = value
            return
        if low.startswith(("local:", "private:")):
            low = low.split(":", 1)[1]
        self.scopes[-1][low] = value

    # ----- entry points ------------------------------------------------------------------------
    def run(self, text: str, emit: bool = True) -> None:
        """Run a script; ``ExitSignal`` propagates (the program turns it into the exit code).

        Each top-level statement's output is passed to ``on_output`` as soon as it finishes.
        """
        if not text.strip():
            return
        issues = syntax_errors(text)
        if issues:
            first = issues[0]
            lines = text.split("\n")
            line_text = lines[first.line - 1].rstrip("\r") if first.line - 1 < len(lines) else ""
            record = ErrorRecord(
                PSError(
                    first.message,
                    first.error_id,
                    "ParserError",
                    exception_type="System.Management.Automation.ParentContainsErrorRecordException",
                ),
                position=Position(first.line, first.column, line_text, first.length),
                show_prefix=False,
            )
            self.report(record)
            self.last_success = False
            return
        tree = parse(text)
        saved = self.source
        self.source = text
        try:
            self._run_top(tree.root_node, emit)
        finally:
            self.source = saved

    def _run_top(self, root: Node, emit: bool) -> None:
        for stmt in self._statements(root):
            try:
                out = self.statement(stmt)
                if emit and out:
                    self.on_output(out)
            except TerminatingError as exc:
                self.report(exc.record)
                self.last_success = False
                # an unhandled terminating error stops the rest of this script
                return
            except RecursionError:  # nesting below MAX_TREE_DEPTH that still ran out of Python's stack
                overflow = PSError(
                    "The script failed due to call depth overflow.", "CallDepthOverflow", "InvalidOperation"
                )
                self.report(self.record(overflow, stmt))
                self.last_success = False
                return
            except (BreakSignal, ContinueSignal):
                return
            except ReturnSignal as ret:
                if emit and ret.values:
                    self.on_output(ret.values)
                return

    def _statements(self, node: Node) -> list[Node]:
        """The statements under a program / statement_list / block node, flattened."""
        result: list[Node] = []
        for child in named(node):
            if child.type in ("statement_list", "script_block", "script_block_body"):
                result.extend(self._statements(child))
            elif child.type in ("empty_statement", "param_block"):
                continue
            else:
                result.append(child)
        return result

    def report(self, record: ErrorRecord) -> None:
        self.errors.insert(0, record)
        if self.error_sinks:
            self.error_sinks[-1](record)
        else:
            self.on_error(record)

    # ----- positions and errors ----------------------------------------------------------------
    def position(self, node: Node, length: int | None = None) -> Position:
        lines = self.source.split("\n")
        row = node.start_point.row
        line_text = lines[row].rstrip("\r") if row < len(lines) else ""
        col_bytes = node.start_point.column
        col = len(line_text.encode("utf-8")[:col_bytes].decode("utf-8", "replace")) + 1
        span = length if length is not None else len(text_of(node).split("\n")[0])
        return Position(row + 1, col, line_text, span)

    def record(self, err: PSError, node: Node | None, command: str = "", activity: str = "") -> ErrorRecord:
        return ErrorRecord(
            err,
            command=command,
            position=self.position(node) if node is not None else None,
            activity=activity,
        )

    def write_error(self, record: ErrorRecord, action: str | None = None) -> None:
        """A non-terminating error: shown, added to ``$Error``, or raised when the preference is Stop."""
        pref = (action or to_string(self.get_var("ErrorActionPreference")) or "Continue").lower()
        self.last_success = False
        if record.error.terminating or pref == "stop":
            raise TerminatingError(record)
        if pref == "ignore":
            return
        if pref == "silentlycontinue":
            self.errors.insert(0, record)
            return
        if self.error_sinks:
            self.errors.insert(0, record)
            self.error_sinks[-1](record)
            return
        self.report(record)

    def warn(self, text: str) -> None:
        """Write-Warning: shown unless $WarningPreference silences it."""
        pref = to_string(self.get_var("WarningPreference")).lower()
        if pref in ("silentlycontinue", "ignore"):
            return
        self.on_warning(text)

    def expr_text(self, text: str) -> Any:
        """Evaluate a piece of text as an expression (used where the grammar misreads one as a command)."""
        tree = parse("(" + text + ")")
        saved = self.source
        self.source = "(" + text + ")"
        try:
            return unwrap(self.block(tree.root_node))
        finally:
            self.source = saved

    # ----- statements ---------------------------------------------------------------------------
    def block(self, node: Node) -> list[Any]:
        out: list[Any] = []
        for stmt in self._statements(node):
            out.extend(self.statement(stmt))
        return out

    def statement(self, node: Node) -> list[Any]:
        node = strip(node)
        kind = node.type
        handler = _STATEMENTS.get(kind)
        if handler is not None:
            try:
                return handler(self, node)
            except PSError as err:  # a .NET member or conversion failed inside the statement
                raise TerminatingError(self.record(err, node)) from err
        if kind in _NOT_MODELED:
            raise TerminatingError(self.record(dotnet.not_modeled(_NOT_MODELED[kind]), node))
        if kind in ("pipeline_chain", "command"):
            return self.pipeline(node)
        if kind == "ERROR":
            raise TerminatingError(
                self.record(
                    PSError(f"Unexpected token '{text_of(node)}'.", "UnexpectedToken", "ParserError"), node
                )
            )
        try:
            value = self.expr(node)
        except PSError as err:
            raise TerminatingError(self.record(err, node)) from err
        self.last_success = True
        return as_list(value) if is_collection(value) or value is None else [value]

    def st_assignment(self, node: Node) -> list[Any]:
        kids = named(node)
        target, op_node, value_node = kids[0], kids[1], kids[-1]
        op = text_of(op_node).strip()
        value = self.value_of(value_node)
        if op != "=":
            current = self.expr(target)
            value = self.binary(op[0], current, value, op_node)
        self.assign(strip(target), value, node)
        self.last_success = True
        return []

    def value_of(self, node: Node) -> Any:
        """The value a pipeline or expression produces when assigned (``$x = Get-Thing``)."""
        inner = strip(node)
        if inner.type in ("pipeline_chain", "command") or inner.type in _STATEMENTS:
            return unwrap(self.statement(inner))
        return self.expr(inner)

    def assign(self, target: Node, value: Any, stmt: Node) -> None:
        try:
            if target.type == "variable":
                self.set_var(var_name(text_of(target)), value)
            elif target.type == "cast_expression":
                kids = named(target)
                self.assign(strip(kids[-1]), dotnet.cast(type_literal_name(kids[0]), value), stmt)
            elif target.type == "member_access":
                obj = self.expr(named(target)[0])
                name = self.member_name(named(target)[-1])
                _set_member(obj, name, value)
            elif target.type == "element_access":
                kids = named(target)
                obj, key = self.expr(kids[0]), self.expr(kids[1])
                if isinstance(obj, dict):
                    existing = next((k for k in obj if str(k).lower() == to_string(key).lower()), key)
                    obj[existing] = value
                elif isinstance(obj, list):
                    obj[int(to_number(key))] = value
                else:
                    raise dotnet.not_modeled("assignment to an element of this value")
            elif target.type == "array_literal_expression":
                names = [strip(k) for k in named(target)]
                values = as_list(value)
                for i, var in enumerate(names):
                    rest = values[i:] if i == len(names) - 1 else values[i : i + 1]
                    self.assign(
                        var, unwrap(rest) if i == len(names) - 1 else (rest[0] if rest else None), stmt
                    )
            else:
                raise PSError(
                    "The assignment expression is not valid. The input to an assignment operator must be an object that "
                    "is able to accept assignments, such as a variable or a property.",
                    "InvalidLeftHandSide",
                    "ParserError",
                )
        except PSError as err:
            raise TerminatingError(self.record(err, stmt)) from err

    def st_if(self, node: Node) -> list[Any]:
        cond = node.child_by_field_name("condition")
        blocks = [c for c in node.children if c.type == "statement_block"]
        if cond is not None and to_bool(self.condition(cond)):
            return self.block(blocks[0])
        elseifs = node.child_by_field_name("elseif_clauses")
        if elseifs is not None:
            for clause in named(elseifs):
                c = clause.child_by_field_name("condition")
                if c is not None and to_bool(self.condition(c)):
                    return self.block(next(x for x in clause.children if x.type == "statement_block"))
        else_clause = node.child_by_field_name("else_clause")
        if else_clause is not None:
            return self.block(next(x for x in else_clause.children if x.type == "statement_block"))
        return []

    def condition(self, node: Node) -> Any:
        return self.value_of(node)

    def st_foreach(self, node: Node) -> list[Any]:
        kids = named(node)
        var = next(k for k in kids if k.type == "variable")
        body = next(k for k in kids if k.type == "statement_block")
        source = next(k for k in kids if k is not var and k is not body)
        items = as_list(self.value_of(source))
        out: list[Any] = []
        name = var_name(text_of(var))
        for item in items:
            self.set_var(name, item)
            if not self._loop_pass(body, out):
                break
        return out

    def st_while(self, node: Node) -> list[Any]:
        cond = node.child_by_field_name("condition")
        body = next(k for k in node.children if k.type == "statement_block")
        out: list[Any] = []
        guard = 0
        while cond is not None and to_bool(self.condition(cond)):
            guard += 1
            if guard > 1_000_000:
                raise TerminatingError(
                    self.record(
                        PSError("winsim stopped a loop after a million iterations.", "LoopLimit"), node
                    )
                )
            if not self._loop_pass(body, out):
                break
        return out

    def _loop_pass(self, body: Node, out: list[Any]) -> bool:
        """Run a loop body once, adding its output to ``out``; False when ``break`` ends the loop."""
        try:
            out.extend(self.block(body))
        except BreakSignal:
            return False
        except ContinueSignal:
            pass  # the rest of this pass is skipped; its output so far is dropped, as before
        return True

    def st_try(self, node: Node) -> list[Any]:
        body = next(k for k in node.children if k.type == "statement_block")
        catches = next((k for k in node.children if k.type == "catch_clauses"), None)
        fin = next((k for k in node.children if k.type == "finally_clause"), None)
        out: list[Any] = []
        try:
            try:
                out.extend(self.block(body))
            except TerminatingError as exc:
                clause = self._matching_catch(catches, exc.record)
                if clause is None:
                    raise
                self.scopes[-1]["_"] = exc.record
                self.scopes[-1]["psitem"] = exc.record
                self.errors.insert(0, exc.record)
                out.extend(self.block(next(k for k in clause.children if k.type == "statement_block")))
        finally:
            if fin is not None:
                out.extend(self.block(next(k for k in fin.children if k.type == "statement_block")))
        return out

    def _matching_catch(self, catches: Node | None, record: ErrorRecord) -> Node | None:
        if catches is None:
            return None
        for clause in named(catches):
            types = [t for t in clause.children if t.type == "catch_type_list"]
            if not types:
                return clause
            names = [type_literal_name(t).lower() for t in descendants(types[0], "type_literal")]
            exc_full = record.error.exception_type.lower()
            for name in names:
                short = name.rsplit(".", 1)[-1]
                if short in ("exception", "runtimeexception", "systemexception") or exc_full.endswith(short):
                    return clause
        return None

    def st_flow(self, node: Node) -> list[Any]:
        keyword = text_of(node.children[0]).lower()
        operand = named(node)
        if keyword == "exit":
            code = to_number(self.value_of(operand[0])) if operand else 0
            raise ExitSignal(int(code))
        if keyword == "return":
            raise ReturnSignal(as_list(self.value_of(operand[0])) if operand else [])
        if keyword == "break":
            raise BreakSignal()
        if keyword == "continue":
            raise ContinueSignal()
        if keyword == "throw":
            value = self.value_of(operand[0]) if operand else None
            if isinstance(value, ErrorRecord):
                raise TerminatingError(value)
            message = to_string(value) if value is not None else "ScriptHalted"
            err = PSError(message, message, "OperationStopped", target=value, terminating=True)
            raise TerminatingError(ErrorRecord(err, position=self.position(node), show_prefix=False))
        raise TerminatingError(self.record(dotnet.not_modeled(f"the {keyword} statement"), node))

    def st_function(self, node: Node) -> list[Any]:
        fn = self.define_function(node)
        self.functions[fn.name.lower()] = fn
        return []

    def define_function(self, node: Node) -> FunctionDef:
        name_node = next(k for k in node.children if k.type == "function_name")
        body = next(k for k in node.children if k.type == "script_block")
        params: list[ScriptParam] = []
        decl = next((k for k in node.children if k.type == "function_parameter_declaration"), None)
        param_block = decl or _find_param_block(node)
        if param_block is not None:
            params = self.script_params(param_block)
        has_process = any(c.type == "named_block_list" for c in _walk_shallow(body))
        return FunctionDef(text_of(name_node), params, body, self.source, has_process)

    def script_params(self, node: Node) -> list[ScriptParam]:
        result = []
        for p in descendants(node, "script_parameter"):
            var = next(k for k in named(p) if k.type == "variable")
            type_name = None
            mandatory = from_pipeline = False
            valid_values: list[str] | None = None
            for attr in descendants(p, "attribute"):
                attr_name = next((k for k in named(attr) if k.type == "attribute_name"), None)
                if attr_name is not None and text_of(attr_name).lower() == "validateset":
                    valid_values = [
                        to_string(self.expr(a))
                        for a in descendants(attr, "attribute_argument")
                        for a in named(a)
                    ]
                lit = next((k for k in named(attr) if k.type == "type_literal"), None)
                if lit is not None:
                    type_name = type_literal_name(lit)
                text = text_of(attr).lower().replace(" ", "")
                mandatory = mandatory or "mandatory" in text and "mandatory=$false" not in text
                from_pipeline = (
                    from_pipeline or "valuefrompipeline" in text and "valuefrompipeline=$false" not in text
                )
            default = _default_of(p)
            result.append(
                ScriptParam(
                    var_name(text_of(var)), type_name, default, mandatory, from_pipeline, valid_values
                )
            )
        return result

    # ----- pipelines ------------------------------------------------------------------------------
    def pipeline(self, node: Node) -> list[Any]:
        stages = list(named(node)) if node.type == "pipeline_chain" else [node]
        return run_pipeline(self, stages)

    # ----- expressions -------------------------------------------------------------------------------
    def expr(self, node: Node) -> Any:
        node = strip(node)
        handler = _EXPRESSIONS.get(node.type)
        if handler is not None:
            return handler(self, node)
        if node.type in BINARY:
            return self.binary_chain(node)
        if node.type in ("pipeline_chain", "command") or node.type in _STATEMENTS:
            return unwrap(self.statement(node))
        raise dotnet.not_modeled(f"the expression '{text_of(node)[:60]}' ({node.type})")

    def binary_chain(self, node: Node) -> Any:
        parts = node.children
        left = None
        i = 0
        # operands and operators alternate; comparison operators are wrapped in their own node
        first = parts[0]
        left = self.expr(first)
        i = 1
        while i < len(parts):
            op_node = parts[i]
            op = text_of(op_node).strip().lower()
            right_node = parts[i + 1] if i + 1 < len(parts) else None
            if op in ("-and", "-or", "-xor"):
                lb = to_bool(left)
                if op == "-and" and not lb:
                    left = False
                elif op == "-or" and lb:
                    left = True
                else:
                    rb = to_bool(self.expr(right_node)) if right_node is not None else False
                    left = (lb != rb) if op == "-xor" else rb
                i += 2
                continue
            right = self.expr(right_node) if right_node is not None else None
            if op == "-is" or op == "-isnot":
                type_name = right.name if isinstance(right, TypeRef) else to_string(right)
                hit = dotnet.is_instance(left, type_name)
                left = hit if op == "-is" else not hit
            elif op == "-as":
                type_name = right.name if isinstance(right, TypeRef) else to_string(right)
                if dotnet.canonical_type(type_name) == "System.Type":
                    left = dotnet.as_type(to_string(left), self)
                    i += 2
                    continue
                try:
                    left = dotnet.cast(type_name, left)
                except PSError:
                    left = None
            else:
                left = self.binary(op, left, right, op_node)
            i += 2
        return left

    def binary(self, op: str, left: Any, right: Any, node: Node) -> Any:
        if op in COMPARISON_OPS or op.lstrip("-") in COMPARISON_OPS:
            matches: dict[Any, Any] = {}
            result = compare(op, left, right, matches)
            if matches:
                self.set_var("Matches", dict(matches))
            return result
        return operators.apply(op, left, right)

    def member_name(self, node: Node) -> str:
        inner = strip(node)
        kids = named(inner)
        if inner.type == "member_name" and kids:
            inner = strip(kids[0])
        if inner.type in ("simple_name", "type_identifier"):
            return text_of(inner)
        return to_string(self.expr(inner))

    def create_scriptblock(self, text: str) -> ScriptBlock:
        issues = syntax_errors(text)
        if issues:
            i = issues[0]
            raise PSError(
                f'Exception calling "Create" with "1" argument(s): "At line:{i.line} char:{i.column}\r\n{i.message}"',
                "ParseException",
                "NotSpecified",
                exception_type="System.Management.Automation.MethodInvocationException",
            )
        root = parse(text).root_node
        return ScriptBlock(root, text, text)

    def invoke_scriptblock(
        self,
        block: ScriptBlock,
        args: list[Any],
        dollar_under: Any = None,
        new_scope: bool = True,
        named_args: dict[str, Any] | None = None,
        pipeline_input: list[Any] | None = None,
    ) -> list[Any]:
        """Run a script block (``& $sb``, ``.Invoke()``, Where-Object's filter)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.depth -= 1
            raise PSError(
                "The script failed due to call depth overflow.",
                "CallDepthOverflow",
                "InvalidOperation",
                terminating=True,
            )
        saved_source = self.source
        self.source = block.source
        scope: dict[str, Any] = {}
        if new_scope:
            self.scopes.append(scope)
        try:
            target = self.scopes[-1]
            if dollar_under is not None or not new_scope:
                target["_"] = dollar_under
                target["psitem"] = dollar_under
            params_node = _find_param_block(block.node)
            params = self.script_params(params_node) if params_node is not None else []
            if params or named_args:
                bind_script_params(self, "<ScriptBlock>", params, named_args or {}, args, target)
            else:
                target["args"] = list(args)
            if pipeline_input is not None:
                target["input"] = list(pipeline_input)
            try:
                return self.block(_body_of(block.node))
            except ReturnSignal as ret:
                return ret.values
        finally:
            if new_scope:
                self.scopes.pop()
            self.source = saved_source
            self.depth -= 1


def _walk_shallow(node: Node) -> Iterable[Node]:
    yield node
    for c in node.children:
        yield c
        yield from c.children


def _find_param_block(node: Node) -> Node | None:
    """The param block of a script block / function / program, including the grammar's ERROR-wrapped form."""
    for child in node.children:
        if child.type == "param_block":
            return child
        if child.type == "ERROR" and any(k.type == "param_block" for k in child.children):
            return next(k for k in child.children if k.type == "param_block")
        if child.type in ("script_block", "script_block_expression"):
            found = _find_param_block(child)
            if found is not None:
                return found
    return None


def _default_of(param: Node) -> Node | None:
    holder = next((c for c in param.children if c.type == "script_parameter_default"), param)
    seen_eq = False
    for child in holder.children:
        if child.type == "=":
            seen_eq = True
        elif seen_eq and child.is_named:
            return child
    return None


def _body_of(node: Node) -> Node:
    if node.type == "script_block_expression":
        inner = next((c for c in node.children if c.type == "script_block"), None)
        return inner if inner is not None else node
    return node


def _set_member(obj: Any, name: str, value: Any) -> None:
    if isinstance(obj, NetObject):
        obj.set_member(name, value)
    elif isinstance(obj, PSObject):
        obj.set(name, value)
    elif isinstance(obj, dict):
        existing = next((k for k in obj if str(k).lower() == name.lower()), name)
        obj[existing] = value
    else:
        raise PSError(
            f"The property '{name}' cannot be found on this object. Verify that the property exists and can be set.",
            "PropertyAssignmentException",
            "InvalidOperation",
        )


_STATEMENTS: dict[str, Callable[[Interpreter, Node], list[Any]]] = {
    "assignment_expression": Interpreter.st_assignment,
    "if_statement": Interpreter.st_if,
    "foreach_statement": Interpreter.st_foreach,
    "while_statement": Interpreter.st_while,
    "try_statement": Interpreter.st_try,
    "flow_control_statement": Interpreter.st_flow,
    "function_statement": Interpreter.st_function,
}


# Expression handlers live in their own module, below this one.
_EXPRESSIONS: dict[str, Callable[[Runspace, Node], Any]] = expressions.HANDLERS
