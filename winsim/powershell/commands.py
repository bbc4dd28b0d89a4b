"""Run commands and pipelines: resolve a name, bind parameters, call the command.

Resolution order is PowerShell's: script functions, then registry commands (cmdlets, native
probe functions), then executables the host can start (``docker``, ``cmd``...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from winsim.powershell import dotnet, operators
from winsim.powershell.errors import ErrorRecord, ReturnSignal, TerminatingError
from winsim.powershell.native_commands import run_native
from winsim.powershell.parser import descendants
from winsim.powershell.registry import REGISTRY, Command, Invocation, Param, PSError
from winsim.powershell.syntax import strip
from winsim.powershell.values import ScriptBlock, as_list, is_collection, to_bool, to_string, unwrap

if TYPE_CHECKING:
    from winsim.powershell.runspace import FunctionDef, Runspace, ScriptParam

# Common parameters every cmdlet and advanced function accepts (name -> is switch).
COMMON_PARAMS: dict[str, bool] = {
    "ErrorAction": False,
    "WarningAction": False,
    "InformationAction": False,
    "ErrorVariable": False,
    "WarningVariable": False,
    "InformationVariable": False,
    "OutVariable": False,
    "OutBuffer": False,
    "PipelineVariable": False,
    "Verbose": True,
    "Debug": True,
}
COMMON_ALIASES = {
    "ea": "ErrorAction",
    "wa": "WarningAction",
    "ev": "ErrorVariable",
    "ov": "OutVariable",
    "vb": "Verbose",
    "db": "Debug",
}

_MISSING = object()


@dataclass
class Element:
    """One command-line element: ``-Name`` (with its colon value), an argument, or ``@splat``."""

    kind: str  # "param" | "arg" | "splat"
    name: str = ""
    value: Any = _MISSING
    node: Node | None = None
    text: str = ""  # the argument as written (native commands get this)


@dataclass
class Redirects:
    discard_output: bool = False
    errors: str = ""  # "" | "discard" | "merge"


def _text(node: Node) -> str:
    return node.text.decode("utf-8") if node.text else ""


def run_pipeline(it: Runspace, stages: Sequence[Node]) -> list[Any]:

    data: list[Any] = []
    for index, raw in enumerate(stages):
        stage = strip(raw)
        if stage.type == "command":
            data = run_command(it, stage, data, index > 0)
        elif index == 0:
            try:
                value = it.expr(stage)
            except PSError as err:
                raise TerminatingError(it.record(err, stage)) from err
            data = as_list(value) if is_collection(value) or value is None else [value]
            it.last_success = True
        else:
            raise TerminatingError(
                it.record(
                    PSError(
                        "Expressions are only allowed as the first element of a pipeline.",
                        "ExpressionsMustBeFirstInPipeline",
                        "ParserError",
                    ),
                    stage,
                )
            )
    return data


def _elements(it: Runspace, node: Node) -> tuple[list[Element], Redirects]:
    """Evaluate a command's elements left to right, pairing ``-Param:value``."""

    elements: list[Element] = []
    redirects = Redirects()
    container = node.child_by_field_name("command_elements")
    if container is None:
        return elements, redirects
    colon_pending = False
    for child in container.children:
        if child.type == "command_argument_sep":
            if _text(child) == ":" and elements and elements[-1].kind == "param":
                colon_pending = True
            continue
        if child.type == "redirection":
            _redirect(child, redirects)
            continue
        if child.type == "command_parameter":
            elements.append(Element("param", name=_text(child)[1:], node=child, text=_text(child)))
            colon_pending = False
            continue
        inner = strip(child)
        if inner.type == "generic_token" and _text(inner).startswith(",") and len(_text(inner)) > 1:
            # "A,B" / "A, B" (see parser.parse): the grammar yields "A" and ",B"; PowerShell one array
            word: Any = _bare_word(_text(inner)[1:])
            if elements and elements[-1].kind == "arg" and not colon_pending:
                elements[-1].value = as_list(elements[-1].value) + [word]
                elements[-1].text += " " + _text(inner)
                continue
            value: Any = [word]
        elif inner.type == "generic_token":
            value = _text(inner)
        elif inner.type == "variable" and _text(inner).startswith("@"):
            elements.append(
                Element("splat", value=it.get_var(_text(inner)[1:]), node=child, text=_text(child))
            )
            continue
        elif (
            inner.type == "expression_with_unary_operator"
            and _text(inner.children[0]) == ","
            and elements
            and elements[-1].kind == "arg"
            and elements[-1].node is not None
            and elements[-1].node.end_byte == child.start_byte
        ):
            # "a, @{...}": the grammar splits an array that starts with a bare word; PowerShell reads one array
            try:
                rest = it.expr(inner)
            except PSError as err:
                raise TerminatingError(it.record(err, child)) from err
            elements[-1].value = as_list(elements[-1].value) + as_list(rest)
            continue
        else:
            try:
                value = it.expr(child)
            except PSError as err:
                raise TerminatingError(it.record(err, child)) from err
        if colon_pending:
            elements[-1].value = value
            colon_pending = False
            continue
        elements.append(Element("arg", value=value, node=child, text=_text(child)))
    return elements, redirects


_RANGE = re.compile(r"^(-?\d+)\.\.(.*)$")


def _bare_word(text: str) -> Any:
    """A bare array element after a comma: digits are a number, anything else a string."""
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _range(it: Runspace, node: Node, bounds: re.Match[str], elements: list[Element]) -> list[Any]:
    rest = bounds.group(2)
    try:
        if rest and re.fullmatch(r"-?\d+", rest):
            right: Any = int(rest)
        elif rest:
            right = it.expr_text(rest)
        elif elements and elements[0].kind == "arg":
            right = elements[0].value
        else:
            raise PSError(
                "You must provide a value expression following the '..' operator.",
                "ExpectedValueExpression",
                "ParserError",
            )
        return list(operators.apply("..", int(bounds.group(1)), right))
    except PSError as err:
        raise TerminatingError(it.record(err, node)) from err


def _range_expression(it: Runspace, node: Node, bounds: re.Match[str]) -> list[Any]:
    """``1..3 -join ','``: re-read the statement with the range in parentheses."""
    name_node = node.child_by_field_name("command_name")
    whole = _text(node)
    assert name_node is not None
    split = name_node.end_byte - node.start_byte
    head = whole.encode("utf-8")[:split].decode("utf-8")
    tail = whole.encode("utf-8")[split:].decode("utf-8")
    if not bounds.group(2):  # "0..($n-1) ...": the right operand is the first element
        return as_list(it.expr_text(f"({head}{tail})"))
    return as_list(it.expr_text(f"({head}){tail}"))


def _redirect(node: Node, redirects: Redirects) -> None:
    text = re.sub(r"\s+", "", _text(node)).lower()
    if text in ("2>&1", "*>&1"):
        redirects.errors = "merge"
    elif text.endswith("$null"):
        op = text[: -len("$null")]
        if op in (">", "1>", ">>", "1>>"):
            redirects.discard_output = True
        elif op in ("2>", "2>>"):
            redirects.errors = "discard"
        elif op in ("*>", "*>>"):
            redirects.discard_output = True
            redirects.errors = "discard"
        else:
            raise dotnet.not_modeled(f"the redirection '{_text(node)}'")
    else:
        raise dotnet.not_modeled(f"the redirection '{_text(node)}' (only to $null and 2>&1)")


def _command_name(it: Runspace, node: Node) -> tuple[Any, str, str]:
    """(what to call, its name as written, invocation operator)."""
    operator = ""
    op_node = next((c for c in node.children if c.type == "command_invokation_operator"), None)
    if op_node is not None:
        operator = _text(op_node).strip()
    name_node = node.child_by_field_name("command_name")
    if name_node is None:
        raise PSError("The command has no name.", "MissingCommandName", "ParserError")
    if name_node.type == "command_name_expr":
        inner = next((c for c in name_node.children if c.is_named), name_node)
        if inner.type == "path_command_name":
            kids = [c for c in inner.children if c.is_named]
            if len(kids) == 1 and kids[0].type == "variable":
                value = it.expr(kids[0])
                return value, _text(kids[0]), operator
            return _text(inner), _text(inner), operator
        if inner.type == "command_name":
            return _text(inner), _text(inner), operator
        value = it.expr(inner)
        return value, _text(inner), operator
    return _text(name_node), _text(name_node), operator


def run_command(it: Runspace, node: Node, pipeline_input: list[Any], in_pipeline: bool) -> list[Any]:
    try:
        target, written, operator = _command_name(it, node)
        elements, redirects = _elements(it, node)
    except PSError as err:
        raise TerminatingError(it.record(err, node)) from err
    if isinstance(target, str) and not operator:
        bounds = _RANGE.match(target)
        if bounds:  # the grammar reads "1..3" at statement start as a command name; PowerShell reads a range
            if elements and (bounds.group(2) or len(elements) > 1):
                return _range_expression(it, node, bounds)
            return _range(it, node, bounds, elements)
    sink: list[Any] = []
    merged: list[ErrorRecord] = []
    if redirects.errors == "discard":
        it.error_sinks.append(lambda record: None)
    elif redirects.errors == "merge":
        it.error_sinks.append(merged.append)
    try:
        sink = _dispatch(it, node, target, written, operator, elements, pipeline_input)
    finally:
        if redirects.errors:
            it.error_sinks.pop()
    if merged:
        sink = sink + list(merged)
    return [] if redirects.discard_output else sink


def _dispatch(
    it: Runspace,
    node: Node,
    target: Any,
    written: str,
    operator: str,
    elements: list[Element],
    pipeline_input: list[Any],
) -> list[Any]:
    if isinstance(target, ScriptBlock):
        named_args, positional = _split_for_script(elements)
        result = it.invoke_scriptblock(
            target,
            positional,
            new_scope=operator != ".",
            named_args=named_args,
            pipeline_input=pipeline_input,
        )
        it.last_success = True
        return result
    if isinstance(target, Command):
        return call_registry(it, node, target, elements, pipeline_input)
    name = to_string(target)
    fn = it.functions.get(name.lower())
    if fn is not None:
        return call_function(it, node, fn, elements, pipeline_input)
    command = REGISTRY.find(name, it.host)
    if command is not None:
        return call_registry(it, node, command, elements, pipeline_input)
    program = _find_program(it, name)
    if program is not None:
        return run_native(it, node, name, _native_args(elements), pipeline_input)
    raise TerminatingError(command_not_found(it, name, node))


def command_not_found(it: Runspace, name: str, node: Node) -> ErrorRecord:
    err = PSError(
        f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
        "CommandNotFoundException",
        "ObjectNotFound",
        target=name,
        exception_type="System.Management.Automation.CommandNotFoundException",
    )
    name_node = node.child_by_field_name("command_name") or node
    return ErrorRecord(err, command=name, position=it.position(name_node, len(_text(name_node))))


def _find_program(it: Runspace, name: str) -> Any:
    exe = name.replace("/", "\\").rsplit("\\", 1)[-1].lower()
    if not exe.endswith(".exe"):
        exe += ".exe"
    return it.host.programs.get(exe)


def _native_arg(element: Element) -> str:
    if element.kind == "param":
        if element.value is not _MISSING:
            return f"-{element.name}:{to_string(element.value)}"
        return "-" + element.name
    if element.kind == "splat":
        return " ".join(to_string(v) for v in as_list(element.value))
    if isinstance(element.value, list):
        return " ".join(to_string(v) for v in element.value)
    return to_string(element.value)


def _native_args(elements: list[Element]) -> list[str]:
    """Arguments of a native program: each array element (``a,b``, ``$list``, ``@list``) is its own."""
    out: list[str] = []
    for e in elements:
        if e.kind != "param" and isinstance(e.value, list):
            out.extend(to_string(v) for v in e.value)
        else:
            out.append(_native_arg(e))
    return out


def _split_for_script(elements: list[Element]) -> tuple[dict[str, Any], list[Any]]:
    named_args: dict[str, Any] = {}
    positional: list[Any] = []
    i = 0
    while i < len(elements):
        e = elements[i]
        if e.kind == "splat":
            if isinstance(e.value, dict):
                named_args.update({str(k): v for k, v in e.value.items()})
            else:
                positional.extend(as_list(e.value))
        elif e.kind == "param":
            if e.value is not _MISSING:
                named_args[e.name] = e.value
            elif i + 1 < len(elements) and elements[i + 1].kind == "arg":
                named_args[e.name] = _PendingValue(elements[i + 1].value)
                i += 1
            else:
                named_args[e.name] = _SWITCH
        else:
            positional.append(e.value)
        i += 1
    return named_args, positional


class _PendingValue:
    """A value after ``-Name`` that may turn out to be positional if ``Name`` is a switch."""

    def __init__(self, value: Any) -> None:
        self.value = value


_SWITCH = object()


def _resolve_name(name: str, candidates: dict[str, str], command: str) -> str:
    """Exact or unambiguous-prefix match of a parameter name (case-insensitive)."""
    low = name.lower()
    if low in candidates:
        return candidates[low]
    matches = sorted({canon for key, canon in candidates.items() if key.startswith(low)})
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise PSError(
            f"Parameter cannot be processed because the parameter name '{name}' is ambiguous. "
            f"Possible matches include: {' '.join('-' + m for m in matches)}.",
            f"AmbiguousParameter,{command}",
            "InvalidArgument",
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    raise PSError(
        f"A parameter cannot be found that matches parameter name '{name}'.",
        f"NamedParameterNotFound,{command}",
        "InvalidArgument",
        exception_type="System.Management.Automation.ParameterBindingException",
    )


def _convert(param_type: str, value: Any, param: str, command: str) -> Any:
    kind = param_type.lower()
    try:
        if kind == "string":
            return to_string(unwrap(as_list(value))) if not is_collection(value) else to_string(value)
        if kind == "int":
            return dotnet.cast("int", value)
        if kind == "bool":
            return to_bool(value)
        if kind == "string[]":
            return [to_string(v) for v in as_list(value)]
        if kind == "int[]":
            return [dotnet.cast("int", v) for v in as_list(value)]
        if kind == "scriptblock" and not isinstance(value, ScriptBlock):
            raise PSError(
                f"Cannot bind parameter '{param}'. Cannot convert the \"{to_string(value)}\" value of type "
                '"System.String" to type "System.Management.Automation.ScriptBlock".',
                f"CannotConvertArgumentNoMessage,{command}",
                "InvalidArgument",
                exception_type="System.Management.Automation.ParameterBindingException",
            )
        if kind == "hashtable" and not isinstance(value, dict):
            raise PSError(
                f"Cannot bind parameter '{param}'. Cannot convert the \"{to_string(value)}\" value to type "
                '"System.Collections.Hashtable".',
                f"CannotConvertArgumentNoMessage,{command}",
                "InvalidArgument",
                exception_type="System.Management.Automation.ParameterBindingException",
            )
    except PSError as err:
        if err.error_id.startswith("CannotConvert"):
            raise
        raise PSError(
            f"Cannot process argument transformation on parameter '{param}'. {err.message}",
            f"ParameterArgumentTransformationError,{command}",
            "InvalidData",
            exception_type="System.Management.Automation.ParameterBindingArgumentTransformationException",
        ) from err
    return value


def bind(
    command: str, params: Sequence[Param], elements: list[Element], accept_common: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bind elements to ``params``: (args by canonical name, common parameters)."""
    candidates: dict[str, str] = {}
    by_name = {p.name: p for p in params}
    for p in params:
        candidates[p.name.lower()] = p.name
        for alias in p.aliases:
            candidates[alias.lower()] = p.name
    if accept_common:
        for c in COMMON_PARAMS:
            candidates.setdefault(c.lower(), c)
        for alias, c in COMMON_ALIASES.items():
            candidates.setdefault(alias, c)
    args: dict[str, Any] = {}
    common: dict[str, Any] = {}
    positional: list[Any] = []
    flat: list[Element] = []
    for e in elements:
        if e.kind == "splat" and isinstance(e.value, dict):
            for k, v in e.value.items():
                flat.append(Element("param", name=str(k), value=v))
        elif e.kind == "splat":
            flat.extend(Element("arg", value=v) for v in as_list(e.value))
        else:
            flat.append(e)
    i = 0
    while i < len(flat):
        e = flat[i]
        if e.kind != "param":
            positional.append(e.value)
            i += 1
            continue
        canon = _resolve_name(e.name, candidates, command)
        param = by_name.get(canon)
        is_switch = param.switch if param is not None else COMMON_PARAMS.get(canon, False)
        if canon in args or canon in common:
            raise PSError(
                f"Cannot bind parameter because parameter '{canon}' is specified more than once. To provide multiple "
                "values to parameters that can accept multiple values, use the array syntax. For example, "
                '"-parameter value1,value2,value3".',
                f"ParameterAlreadyBound,{command}",
                "InvalidArgument",
                exception_type="System.Management.Automation.ParameterBindingException",
            )
        if is_switch:
            value: Any = True if e.value is _MISSING else to_bool(e.value)
        elif e.value is not _MISSING:
            value = e.value
        elif i + 1 < len(flat) and flat[i + 1].kind == "arg":
            value = flat[i + 1].value
            i += 1
        else:
            type_shown = {
                "string": "System.String",
                "int": "System.Int32",
                "string[]": "System.String[]",
            }.get(param.type if param else "string", "System.Object")
            raise PSError(
                f"Missing an argument for parameter '{canon}'. Specify a parameter of type '{type_shown}' and try again.",
                f"MissingArgument,{command}",
                "InvalidArgument",
                exception_type="System.Management.Automation.ParameterBindingException",
            )
        if param is None:
            common[canon] = value
        else:
            args[canon] = _convert(param.type, value, canon, command)
        i += 1
    slots = sorted(
        (p for p in params if p.position is not None and p.name not in args), key=lambda p: p.position or 0
    )
    for value in positional:
        if not slots:
            raise PSError(
                f"A positional parameter cannot be found that accepts argument '{to_string(value)}'.",
                f"PositionalParameterNotFound,{command}",
                "InvalidArgument",
                target=value,
                exception_type="System.Management.Automation.ParameterBindingException",
            )
        p = slots.pop(0)
        args[p.name] = _convert(p.type, value, p.name, command)
    return args, common


def _check_mandatory(command: str, params: Sequence[Param], args: dict[str, Any], has_input: bool) -> None:
    missing = [
        p.name for p in params if p.mandatory and p.name not in args and not (p.from_pipeline and has_input)
    ]
    if missing:
        raise PSError(
            f"Cannot process command because of one or more missing mandatory parameters: {' '.join(missing)}.",
            f"MissingMandatoryParameter,{command}",
            "InvalidArgument",
            exception_type="System.Management.Automation.ParameterBindingException",
        )


def _error_action(common: dict[str, Any]) -> str | None:
    value = common.get("ErrorAction")
    return to_string(value) if value is not None else None


def call_registry(
    it: Runspace, node: Node, command: Command, elements: list[Element], pipeline_input: list[Any]
) -> list[Any]:
    raw_native = command.native and not command.params
    try:
        if raw_native:
            args: dict[str, Any] = {"ArgumentList": _native_args(elements)}
            common: dict[str, Any] = {}
        else:
            args, common = bind(command.name, command.params, elements)
            _check_mandatory(command.name, command.params, args, bool(pipeline_input))
    except PSError as err:
        raise TerminatingError(
            ErrorRecord(err, command=command.name, position=it.position(node), activity=command.name)
        ) from err
    inv = Invocation(
        name=command.name,
        args=args,
        input=list(pipeline_input),
        host=it.host,
        session=it,
        invoke_block=lambda block, *a, **kw: it.invoke_scriptblock(block, list(a), **kw),
        extras={"node": node, "common": common},
    )
    action = _error_action(common)
    saved_pref = it.scopes[-1].get("erroractionpreference", _MISSING)
    if action is not None:
        it.scopes[-1]["erroractionpreference"] = action
    out: list[Any] = []
    it.last_success = True
    try:
        for item in command.fn(inv):
            out.append(item)
    except PSError as err:
        record = ErrorRecord(err, command=command.name, position=it.position(node), activity=command.name)
        it.write_error(record, action)
    finally:
        if action is not None:
            if saved_pref is _MISSING:
                it.scopes[-1].pop("erroractionpreference", None)
            else:
                it.scopes[-1]["erroractionpreference"] = saved_pref
    if "exit_code" in inv.extras:
        it.set_var("global:LASTEXITCODE", inv.extras["exit_code"])
        it.last_success = inv.extras["exit_code"] == 0
    ov = common.get("OutVariable")
    if ov is not None:
        it.set_var(to_string(ov), list(out))
    return out


def _script_param_defs(params: list[ScriptParam]) -> list[Param]:
    return [
        Param(
            p.name,
            position=None if p.switch else i,
            switch=p.switch,
            mandatory=p.mandatory,
            from_pipeline=p.from_pipeline,
        )
        for i, p in enumerate(params)
    ]


def bind_script_params(
    it: Runspace,
    name: str,
    params: list[ScriptParam],
    named_args: dict[str, Any],
    positional: list[Any],
    scope: dict[str, Any],
) -> None:
    """Bind a script block's ``param()`` from already-split arguments (``& $sb -A 1 2``)."""
    elements: list[Element] = []
    for key, value in named_args.items():
        if value is _SWITCH:
            elements.append(Element("param", name=key))
        elif isinstance(value, _PendingValue):
            elements.append(Element("param", name=key))
            elements.append(Element("arg", value=value.value))
        else:
            elements.append(Element("param", name=key, value=value))
    elements.extend(Element("arg", value=v) for v in positional)
    _bind_into_scope(it, name, params, elements, scope)


def _validate_set(command: str, param: str, value: Any, valid: list[str]) -> None:
    for item in as_list(value):
        if to_string(item).lower() not in {v.lower() for v in valid}:
            raise PSError(
                f"Cannot validate argument on parameter '{param}'. The argument \"{to_string(item)}\" does not belong "
                f'to the set "{",".join(valid)}" specified by the ValidateSet attribute. Supply an argument that is in '
                "the set and then try the command again.",
                f"ParameterArgumentValidationError,{command}",
                "InvalidData",
                exception_type="System.Management.Automation.ParameterBindingValidationException",
            )


def _bind_into_scope(
    it: Runspace, name: str, params: list[ScriptParam], elements: list[Element], scope: dict[str, Any]
) -> None:
    defs = _script_param_defs(params)
    positional_count = sum(1 for p in defs if p.position is not None)
    # surplus positional arguments go to $args instead of failing, as in a simple function
    extra: list[Any] = []
    plain = [e for e in elements if e.kind == "arg"]
    if len(plain) > positional_count:
        keep = plain[:positional_count]
        extra = [e.value for e in plain[positional_count:]]
        elements = [e for e in elements if e.kind != "arg" or e in keep]
    args, _common = bind(name, defs, elements)
    for p in params:
        if p.name in args and p.valid_values is not None:
            _validate_set(name, p.name, args[p.name], p.valid_values)
        if p.name in args:
            value = args[p.name]
            if p.type_name and not p.switch:
                value = (
                    dotnet.cast(p.type_name, value)
                    if p.type_name.lower() not in ("object", "psobject")
                    else value
                )
            scope[p.name.lower()] = value
        elif p.switch:
            scope[p.name.lower()] = False
        elif p.default is not None:
            scope[p.name.lower()] = it.expr(p.default)
        else:
            scope[p.name.lower()] = None
    scope["args"] = extra
    scope["psboundparameters"] = dict(args)


def call_function(
    it: Runspace, node: Node, fn: FunctionDef, elements: list[Element], pipeline_input: list[Any]
) -> list[Any]:
    it.depth += 1
    if it.depth > 100:
        it.depth -= 1
        raise TerminatingError(
            it.record(
                PSError(
                    "The script failed due to call depth overflow.", "CallDepthOverflow", "InvalidOperation"
                ),
                node,
            )
        )
    if it.host.function_trace is not None:
        it.host.function_trace.record(fn.name)
    scope: dict[str, Any] = {}
    saved_source, saved_fn, saved_script = it.source, it.current_function, it.script_scope
    module_scope = it.module_scopes.get(it.function_modules.get(fn.name.lower(), ""))
    if module_scope is not None:  # a module's function sees its module's scope, not its caller's
        it.scopes.append(module_scope)
        it.script_scope = module_scope
    it.scopes.append(scope)
    it.source = fn.source
    it.current_function = fn.name
    try:
        try:
            if fn.params:
                _bind_into_scope(it, fn.name, fn.params, elements, scope)
                bound = {k.lower() for k in scope.get("psboundparameters", {})}
                missing = [p.name for p in fn.params if p.mandatory and p.name.lower() not in bound]
                missing = [
                    m
                    for m in missing
                    if not (pipeline_input and any(p.from_pipeline and p.name == m for p in fn.params))
                ]
                if missing:
                    raise PSError(
                        f"Cannot process command because of one or more missing mandatory parameters: {' '.join(missing)}.",
                        f"MissingMandatoryParameter,{fn.name}",
                        "InvalidArgument",
                        exception_type="System.Management.Automation.ParameterBindingException",
                    )
            else:
                scope["args"] = [_native_arg(e) if e.kind == "param" else e.value for e in elements]
        except PSError as err:
            raise TerminatingError(
                ErrorRecord(err, command=fn.name, position=it.position(node), activity=fn.name)
            ) from err
        scope["input"] = list(pipeline_input)
        pipe_param = next((p for p in fn.params if p.from_pipeline), None)
        out: list[Any] = []
        try:
            if fn.has_process:
                out = _run_named_blocks(it, fn, pipeline_input, pipe_param, scope)
            else:
                if pipeline_input:
                    scope["_"] = pipeline_input[-1]
                    if pipe_param is not None and pipe_param.name.lower() not in scope.get(
                        "psboundparameters", {}
                    ):
                        scope[pipe_param.name.lower()] = pipeline_input[-1]
                out = it.block(fn.body)
        except ReturnSignal as ret:
            out = out + ret.values
        it.last_success = True
        return out
    finally:
        it.scopes.pop()
        if module_scope is not None:
            it.scopes.pop()
        it.source, it.current_function, it.script_scope = saved_source, saved_fn, saved_script
        it.depth -= 1


def _run_named_blocks(
    it: Runspace, fn: FunctionDef, items: list[Any], pipe_param: ScriptParam | None, scope: dict[str, Any]
) -> list[Any]:
    blocks: dict[str, Node] = {}
    for nb in descendants(fn.body, "named_block"):
        name_node = next((c for c in nb.children if c.type == "block_name"), None)
        body = next((c for c in nb.children if c.type == "statement_block"), None)
        if name_node is not None and body is not None:
            blocks[_text(name_node).lower()] = body
    out: list[Any] = []
    if "begin" in blocks:
        out.extend(it.block(blocks["begin"]))
    if "process" in blocks:
        for item in items or [None]:
            scope["_"] = item
            if pipe_param is not None and items:
                scope[pipe_param.name.lower()] = item
            try:
                out.extend(it.block(blocks["process"]))
            except ReturnSignal as ret:
                out.extend(ret.values)
    if "end" in blocks:
        out.extend(it.block(blocks["end"]))
    return out
