"""Instances of the .NET classes scripts reach with ``New-Object`` or a static factory.

Each is a :class:`NetObject`: a .NET type name, readable/settable properties and methods, so
the interpreter reads ``$o.Name``, sets ``$o.Name = 1`` and calls ``$o.M(args)`` the same way
for all of them.  A member not listed raises "winsim does not model ...".

- ``[ref]$x`` (:class:`Ref`, System.Management.Automation.PSReference)
- ``[PowerShell]::Create()`` (:class:`PowerShellApi`): a fresh runspace on the same host
- ``System.Diagnostics.ProcessStartInfo`` and ``[Diagnostics.Process]::Start($info)``
- ``[xml]$text`` (:class:`XmlNode`) with ``SelectSingleNode`` for ``//*[local-name()='X']``
- regex ``Match`` objects handed to a ``[regex]::Replace`` evaluator
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from winsim.powershell.addtype import resolve
from winsim.powershell.errors import ErrorRecord, ExitSignal
from winsim.powershell.netbase import NetObject, Ref, not_modeled
from winsim.powershell.registry import PSError
from winsim.powershell.values import ScriptBlock, as_list, dotnet_pattern, to_bool, to_int, to_string, unwrap
from winsim.processes import run_captured

if TYPE_CHECKING:
    from winsim.powershell.runspace import Runspace


class Task(NetObject):
    """A completed ``Task<string>`` (winsim's programs have finished when their streams are read)."""

    net_type = "System.Threading.Tasks.Task`1[System.String]"

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.props = {"Result": result, "IsCompleted": True}


class TextReader(NetObject):
    net_type = "System.IO.StreamReader"

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {"readtoend": lambda a: self._take(), "readtoendasync": lambda a: Task(self._take())}

    def _take(self) -> str:
        text, self._text = self._text, ""
        return text


class TextWriter(NetObject):
    net_type = "System.IO.StreamWriter"

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {"close": lambda a: None, "dispose": lambda a: None, "flush": lambda a: None}


class ProcessStartInfo(NetObject):
    net_type = "System.Diagnostics.ProcessStartInfo"
    settable = frozenset(
        {
            "FileName",
            "Arguments",
            "UseShellExecute",
            "RedirectStandardOutput",
            "RedirectStandardError",
            "RedirectStandardInput",
            "CreateNoWindow",
            "StandardOutputEncoding",
            "StandardErrorEncoding",
            "WorkingDirectory",
        }
    )

    def __init__(self, file_name: str = "", arguments: str = "") -> None:
        super().__init__()
        self.props = {"FileName": file_name, "Arguments": arguments, "UseShellExecute": True}


class Process(NetObject):
    """A started program.  winsim's programs run to completion in ``Start``; the streams hold
    what they wrote."""

    net_type = "System.Diagnostics.Process"

    def __init__(self, pid: int, code: int, stdout: str, stderr: str) -> None:
        super().__init__()
        self.props = {
            "Id": pid,
            "ExitCode": code,
            "HasExited": True,
            "StandardOutput": TextReader(stdout),
            "StandardError": TextReader(stderr),
            "StandardInput": TextWriter(),
        }

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {
            "waitforexit": lambda a: True,
            "kill": lambda a: None,
            "dispose": lambda a: None,
            "close": lambda a: None,
        }


def start_process(session: Runspace, info: Any) -> Process:
    """``[Diagnostics.Process]::Start($info)`` with redirected streams (the only form modelled)."""
    if not isinstance(info, ProcessStartInfo):
        raise not_modeled("Process.Start() without a ProcessStartInfo")
    props = info.props
    if to_bool(props.get("UseShellExecute")) or not to_bool(props.get("RedirectStandardOutput")):
        raise not_modeled("Process.Start() without UseShellExecute=$false and redirected output")
    command_line = " ".join(
        filter(None, [to_string(props.get("FileName")), to_string(props.get("Arguments"))])
    )
    try:
        code, out, err = run_captured(session.host, command_line, env=session.env, cwd=session.cwd)
    except KeyError:
        raise PSError(
            'Exception calling "Start" with "1" argument(s): "The system cannot find the file specified"',
            "Win32Exception",
            "NotSpecified",
            exception_type="System.Management.Automation.MethodInvocationException",
        ) from None
    return Process(0, code, out, err)


class PowerShellApi(NetObject):
    """``[PowerShell]::Create()``: AddScript/AddParameter/Invoke in a runspace of its own."""

    net_type = "System.Management.Automation.PowerShell"

    def __init__(self, session: Runspace) -> None:
        super().__init__()
        self._session = session
        self._script = ""
        self._params: dict[str, Any] = {}
        self._runspace: Runspace | None = None
        self._errors: list[Any] = []
        self.props = {"Streams": _Streams(self._errors), "Runspace": _Runspace(self)}

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {
            "addscript": self._add_script,
            "addparameter": self._add_parameter,
            "invoke": lambda a: self._invoke(),
            "dispose": lambda a: None,
        }

    def _add_script(self, args: list[Any]) -> PowerShellApi:
        self._script = to_string(args[0])
        return self

    def _add_parameter(self, args: list[Any]) -> PowerShellApi:
        self._params[to_string(args[0])] = args[1] if len(args) > 1 else True
        return self

    def variable(self, name: str) -> Any:
        return self._runspace.get_var(name) if self._runspace is not None else None

    def _invoke(self) -> list[Any]:
        parent = self._session
        output: list[Any] = []
        runspace = parent.new_runspace(on_output=output.extend, on_error=self._errors.append)
        self._runspace = runspace
        # A script's top-level param() block binds the parameters by name.
        for key, value in self._params.items():
            runspace.set_var(key, value)
        try:
            runspace.run(self._script)
        except ExitSignal as signal:
            runspace.set_var("LASTEXITCODE", signal.code)
        except PSError as err:
            self._errors.append(ErrorRecord(err))
        return output


class _Streams(NetObject):
    net_type = "System.Management.Automation.PSDataStreams"

    def __init__(self, errors: list[Any]) -> None:
        super().__init__()
        self.props = {"Error": errors}


class _Runspace(NetObject):
    net_type = "System.Management.Automation.Runspaces.LocalRunspace"

    def __init__(self, owner: PowerShellApi) -> None:
        super().__init__()
        self.props = {"SessionStateProxy": _SessionState(owner)}


class _SessionState(NetObject):
    net_type = "System.Management.Automation.Runspaces.SessionStateProxy"

    def __init__(self, owner: PowerShellApi) -> None:
        super().__init__()
        self._owner = owner

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {"getvariable": lambda a: self._owner.variable(to_string(a[0]))}


class RegexMatch(NetObject):
    net_type = "System.Text.RegularExpressions.Match"

    def __init__(self, match: re.Match[str]) -> None:
        super().__init__()
        self.props = {
            "Value": match.group(0),
            "Index": match.start(),
            "Length": len(match.group(0)),
            "Success": True,
        }

    def to_string(self) -> str:
        return str(self.props["Value"])


def utf16_units(text: str) -> str:
    """``text`` with characters outside the BMP as surrogate pairs, as a .NET string holds them."""
    return (
        text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        if text.isascii()
        else "".join(
            c
            if ord(c) < 0x10000
            else chr(0xD800 + ((ord(c) - 0x10000) >> 10)) + chr(0xDC00 + ((ord(c) - 0x10000) & 0x3FF))
            for c in text
        )
    )


def regex_replace(session: Runspace, args: list[Any]) -> str:
    """``[regex]::Replace(input, pattern, replacement | { param($m) ... })``."""
    if len(args) != 3:
        raise not_modeled(f"[regex]::Replace() with {len(args)} arguments")
    text, pattern, replacement = utf16_units(to_string(args[0])), dotnet_pattern(to_string(args[1])), args[2]
    if isinstance(replacement, ScriptBlock):

        def evaluate(match: re.Match[str]) -> str:
            return to_string(unwrap(session.invoke_scriptblock(replacement, [RegexMatch(match)])))

        result = re.sub(pattern, evaluate, text)
    else:
        result = re.sub(pattern, re.sub(r"\$(\d+)", r"\\\1", to_string(replacement)), text)
    return result.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class XmlNode(NetObject):
    """An element of an ``[xml]`` document."""

    net_type = "System.Xml.XmlElement"

    def __init__(self, element: ET.Element) -> None:
        super().__init__()
        self._element = element
        self.props = {"InnerText": "".join(element.itertext()), "LocalName": _local(element.tag)}

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {"selectsinglenode": self._select_single}

    def _select_single(self, args: list[Any]) -> XmlNode | None:
        path = to_string(args[0])
        match = re.fullmatch(r"//\*\[local-name\(\)\s*=\s*'([^']+)'\]", path.strip())
        if match is None:
            raise not_modeled(f"the XPath '{path}'")
        found = next((e for e in self._element.iter() if _local(e.tag) == match.group(1)), None)
        return XmlNode(found) if found is not None else None


class XmlDocument(XmlNode):
    net_type = "System.Xml.XmlDocument"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(text: str) -> XmlDocument:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise PSError(
            f'Cannot convert value "{text[:40]}" to type "System.Xml.XmlDocument". Error: "{exc}"',
            "InvalidCastToXmlDocument",
            "InvalidArgument",
        ) from None
    wrapper = ET.Element("#document")
    wrapper.append(root)
    return XmlDocument(wrapper)


def new_object(session: Runspace, type_name: str, args: list[Any]) -> Any:
    """``New-Object <type> [args]`` for the types winsim models."""
    added = resolve(session, type_name)
    if added is not None and added.is_struct:
        return added.new()
    low = type_name.lower().removeprefix("system.")
    if low == "diagnostics.processstartinfo":
        values = [to_string(a) for a in as_list(args)]
        return ProcessStartInfo(*values[:2])
    raise not_modeled(f"New-Object {type_name}")


__all__ = [
    "NetObject",
    "PowerShellApi",
    "Ref",
    "new_object",
    "parse_xml",
    "regex_replace",
    "start_process",
    "to_int",
]
