"""Output, error and session cmdlets: Write-*, Out-*, Format-*, Set-StrictMode, Get-Command."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winsim.powershell import dates
from winsim.powershell.errors import ErrorRecord, TerminatingError
from winsim.powershell.format import CONSOLE_WIDTH, render, render_list, render_table
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import REGISTRY, Invocation, Param, PSError, cmdlet
from winsim.powershell.values import as_list, is_collection, to_int, to_string, wildcard_regex


@cmdlet(
    "Write-Output",
    Param("InputObject", position=0, from_pipeline=True),
    Param("NoEnumerate", switch=True),
    aliases=("echo", "write"),
)
def write_output(inv: Invocation) -> Iterable[Any]:
    if "InputObject" in inv.args:
        value = inv.args["InputObject"]
        if inv.switch("NoEnumerate"):
            yield value
        else:
            yield from as_list(value) if is_collection(value) or value is None else [value]
    else:
        yield from inv.input


@cmdlet(
    "Write-Host",
    Param("Object", position=0, from_pipeline=True),
    Param("NoNewline", switch=True),
    Param("Separator"),
    Param("ForegroundColor"),
    Param("BackgroundColor"),
)
def write_host(inv: Invocation) -> Iterable[Any]:
    """Writes to the host (stdout of powershell.exe), not to the pipeline."""
    values = as_list(inv.args["Object"]) if "Object" in inv.args else list(inv.input)
    sep = to_string(inv.args.get("Separator", " "))
    text = sep.join(to_string(v) for v in values)
    inv.session.write_stdout(text + ("" if inv.switch("NoNewline") else "\r\n"))
    return []


@cmdlet(
    "Write-Error",
    Param("Message", position=0, from_pipeline=True),
    Param("Category"),
    Param("ErrorId"),
    Param("TargetObject"),
    Param("Exception"),
)
def write_error(inv: Invocation) -> Iterable[Any]:
    """A non-terminating error whose text starts with the calling command (or statement) text."""
    message = to_string(inv.args.get("Message", inv.args.get("Exception", "")))
    err = PSError(
        message,
        to_string(inv.args.get("ErrorId", "Microsoft.PowerShell.Commands.WriteErrorException")),
        to_string(inv.args.get("Category", "NotSpecified")),
        target=inv.args.get("TargetObject"),
        exception_type="Microsoft.PowerShell.Commands.WriteErrorException",
    )
    it = inv.session
    node = inv.extras.get("node")
    if it.current_function:
        record = ErrorRecord(
            err,
            command=it.current_function,
            position=it.position(node) if node is not None else None,
            activity="Write-Error",
        )
    else:
        # at script level PowerShell names the whole statement as the failing command
        statement = node.text.decode("utf-8") if node is not None and node.text else "Write-Error"
        record = ErrorRecord(err, command=statement, activity="Write-Error")
    common = inv.extras.get("common", {})
    action = common.get("ErrorAction")
    it.write_error(record, to_string(action) if action is not None else None)
    return []


@cmdlet("Write-Warning", Param("Message", position=0, mandatory=True, from_pipeline=True))
def write_warning(inv: Invocation) -> Iterable[Any]:
    inv.session.warn(to_string(inv.args.get("Message")))
    return []


@cmdlet("Write-Verbose", Param("Message", position=0, from_pipeline=True))
def write_verbose(inv: Invocation) -> Iterable[Any]:
    return []  # $VerbosePreference is SilentlyContinue


@cmdlet("Write-Debug", Param("Message", position=0, from_pipeline=True))
def write_debug(inv: Invocation) -> Iterable[Any]:
    return []


@cmdlet(
    "Write-Progress",
    Param("Activity", position=0),
    Param("Status", position=1),
    Param("PercentComplete"),
    Param("Completed", switch=True),
    Param("Id"),
)
def write_progress(inv: Invocation) -> Iterable[Any]:
    return []  # progress records are not emitted (allowed when redirected)


@cmdlet("Out-Null", Param("InputObject", from_pipeline=True))
def out_null(inv: Invocation) -> Iterable[Any]:
    return []


@cmdlet("Out-Default", Param("InputObject", from_pipeline=True))
def out_default(inv: Invocation) -> Iterable[Any]:
    return list(inv.input)


@cmdlet(
    "Out-String",
    Param("InputObject", from_pipeline=True),
    Param("Width", type="int"),
    Param("Stream", switch=True),
)
def out_string(inv: Invocation) -> Iterable[Any]:
    items = [inv.args["InputObject"]] if "InputObject" in inv.args else list(inv.input)
    width = to_int(inv.args.get("Width", CONSOLE_WIDTH))
    text = render(items, width)
    if inv.switch("Stream"):
        lines = text.split("\r\n")
        yield from lines[:-1] if lines and lines[-1] == "" else lines
        return
    yield text


def _selected(obj: Any, props: list[str] | None) -> Any:
    if props is None or props == ["*"]:
        return obj
    if isinstance(obj, PSObject):
        return PSObject(list(obj.type_names), {p: obj.get(p) for p in props}, list(props))
    return obj


@cmdlet(
    "Format-Table",
    Param("Property", position=0, type="string[]"),
    Param("AutoSize", switch=True),
    Param("HideTableHeaders", switch=True),
    Param("Wrap", switch=True),
    aliases=("ft",),
)
def format_table(inv: Invocation) -> Iterable[Any]:
    props = inv.args.get("Property")
    objs = [_selected(o, props) for o in inv.input if o is not None]
    if not objs:
        return
    if all(isinstance(o, (PSObject, dict)) for o in objs):
        yield from render_table(objs)
    else:
        yield from objs


@cmdlet("Format-List", Param("Property", position=0, type="string[]"), aliases=("fl",))
def format_list(inv: Invocation) -> Iterable[Any]:
    props = inv.args.get("Property")
    objs = []
    for o in inv.input:
        if isinstance(o, PSObject) and props is not None and props != ["*"]:
            objs.append(_selected(o, props))
        elif isinstance(o, PSObject):
            objs.append(
                PSObject(
                    list(o.type_names), dict(o.props), None if props else o.display, "list", o.enum_names
                )
            )
        elif isinstance(o, dict):
            objs.append(PSObject(["System.Collections.DictionaryEntry"], {"Name": "", "Value": ""}))
        else:
            objs.append(o)
    if objs and all(isinstance(o, PSObject) for o in objs):
        yield from render_list(objs)
    else:
        yield from objs


@cmdlet("Set-StrictMode", Param("Version"), Param("Off", switch=True))
def set_strict_mode(inv: Invocation) -> Iterable[Any]:
    inv.session.strict = not inv.switch("Off")
    return []


@cmdlet("Start-Sleep", Param("Seconds", position=0), Param("Milliseconds", type="int"))
def start_sleep(inv: Invocation) -> Iterable[Any]:
    """Sleeping is what the script asked for, until the process is ended; a remote shell's command
    is bounded so a script cannot stall the simulator (``ProcessIO.bounded``)."""
    seconds = max(
        float(to_string(inv.args.get("Seconds", 0)) or 0) + to_int(inv.args.get("Milliseconds", 0)) / 1000.0,
        0.0,
    )
    session = inv.session
    session.terminated.wait(min(seconds, 5.0) if session.bounded else seconds)
    return []


def _command_info(name: str, kind: str, source: str = "") -> PSObject:
    return PSObject.of(
        f"System.Management.Automation.{kind}Info",
        {"CommandType": kind, "Name": name, "Version": "", "Source": source},
        display=["CommandType", "Name", "Version", "Source"],
        view="table",
    )


@cmdlet(
    "Get-Command",
    Param("Name", position=0, type="string[]"),
    Param("Noun", type="string[]"),
    Param("Verb", type="string[]"),
    Param("Module", type="string[]"),
    Param("CommandType"),
)
def get_command(inv: Invocation) -> Iterable[Any]:
    """Registry commands and script functions; Name/Noun/Verb take wildcards."""
    it = inv.session
    found: dict[str, PSObject] = {}
    names = inv.args.get("Name")
    literal = names is not None and not any(c in n for n in names for c in "*?[")
    # Literal names need no scan of every command (the common `Get-Command -Name X` lookup).
    for name in list(names or []) if literal else REGISTRY.names():
        cmd = REGISTRY.find(name, inv.host)
        if cmd is not None:
            found[name.lower()] = _command_info(
                name, "Function" if cmd.native and cmd.params else "Cmdlet", ""
            )
    functions = (
        [it.functions[n.lower()] for n in names or [] if n.lower() in it.functions]
        if literal
        else list(it.functions.values())
    )
    for fn in functions:
        found[fn.name.lower()] = _command_info(
            fn.name, "Function", it.function_modules.get(fn.name.lower(), "")
        )
    programs = (
        [c.lower() for n in names or [] for c in (n, n + ".exe") if c.lower() in inv.host.programs]
        if literal
        else list(inv.host.programs)
    )
    for exe in programs:
        found.setdefault(exe.lower(), _command_info(exe, "Application", f"C:\\Windows\\system32\\{exe}"))

    def matches(values: list[str] | None, text: str) -> bool:
        return values is None or any(wildcard_regex(v).match(text) for v in values)

    result = []
    for _key, info in sorted(found.items()):
        name = to_string(info.get("Name"))
        verb, _, noun = name.partition("-")
        if not matches(names, name) and not (
            names and any(wildcard_regex(n).match(name[:-4]) for n in names if name.lower().endswith(".exe"))
        ):
            continue
        if inv.args.get("Noun") is not None and (not noun or not matches(inv.args.get("Noun"), noun)):
            continue
        if inv.args.get("Verb") is not None and (not noun or not matches(inv.args.get("Verb"), verb)):
            continue
        if inv.args.get("Module") is not None and not matches(
            inv.args.get("Module"), to_string(info.get("Source"))
        ):
            continue
        result.append(info)
    if names:
        for n in names:
            if not any(c in n for c in "*?[") and not any(
                wildcard_regex(n).match(to_string(i.get("Name")))
                or to_string(i.get("Name")).lower() == n.lower() + ".exe"
                for i in result
            ):
                err = PSError(
                    f"The term '{n}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
                    "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
                    "CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand",
                    "ObjectNotFound",
                    target=n,
                    exception_type="System.Management.Automation.CommandNotFoundException",
                )
                node = inv.extras.get("node")
                it.write_error(
                    ErrorRecord(
                        err,
                        command="Get-Command",
                        position=it.position(node) if node is not None else None,
                        activity="Get-Command",
                    )
                )
    yield from result


@cmdlet("Get-Variable", Param("Name", position=0), Param("ValueOnly", switch=True))
def get_variable(inv: Invocation) -> Iterable[Any]:
    name = to_string(inv.args.get("Name", ""))
    value = inv.session.get_var(name)
    exists = any(name.lower() in scope for scope in inv.session.scopes)
    if not exists:
        raise PSError(
            f"Cannot find a variable with the name '{name}'.",
            "VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand",
            "ObjectNotFound",
            target=name,
            exception_type="System.Management.Automation.ItemNotFoundException",
        )
    if inv.switch("ValueOnly"):
        yield value
    else:
        yield PSObject.of(
            "System.Management.Automation.PSVariable", {"Name": name, "Value": value}, view="table"
        )


@cmdlet("Set-Variable", Param("Name", position=0), Param("Value", position=1), Param("Scope"))
def set_variable(inv: Invocation) -> Iterable[Any]:
    inv.session.set_var(to_string(inv.args.get("Name")), inv.args.get("Value"))
    return []


@cmdlet(
    "Invoke-Expression",
    Param("Command", position=0, mandatory=True, from_pipeline=True, type="string"),
    aliases=("iex",),
)
def invoke_expression(inv: Invocation) -> Iterable[Any]:
    block = inv.session.create_scriptblock(to_string(inv.args.get("Command")))
    try:
        return inv.session.invoke_scriptblock(block, [], new_scope=False)
    except TerminatingError:
        raise


@cmdlet(
    "Get-Date",
    Param("Date", position=0, from_pipeline=True),
    Param("Format"),
    Param("UFormat"),
    Param("DisplayHint"),
)
def get_date(inv: Invocation) -> Iterable[Any]:
    """The host's local time (or ``-Date``); ``-Format`` is .NET's, ``-UFormat`` Unix-style; both give text."""
    given = inv.args.get("Date")
    when = dates.to_datetime(given) if given is not None else dates.now()
    if inv.args.get("Format") is not None:
        yield dates.format_date(when, to_string(inv.args["Format"]))
        return
    if inv.args.get("UFormat") is not None:
        yield _uformat(when, to_string(inv.args["UFormat"]))
        return
    yield dates.DisplayDate(*when.timetuple()[:6], when.microsecond, tzinfo=when.tzinfo)


def _uformat(when: Any, spec: str) -> str:
    """``Get-Date -UFormat``: strftime codes; ``%s`` is seconds since 1970 (UTC)."""
    epoch = str(int((when - dates.EPOCH).total_seconds()))
    return when.strftime(spec.replace("%s", epoch))
