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
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from winsim.powershell import dates
from winsim.powershell.addtype import resolve
from winsim.powershell.errors import ErrorRecord, ExitSignal
from winsim.powershell.netbase import NetObject, Ref, not_modeled
from winsim.powershell.registry import PSError
from winsim.powershell.values import ScriptBlock, as_list, dotnet_pattern, to_bool, to_int, to_string, unwrap
from winsim.processes import (
    ChildProcess,
    OutStream,
    ProcessTerminated,
    StdinStream,
    not_recognized,
    start_child,
)

if TYPE_CHECKING:
    from winsim.powershell.runspace import Runspace


class Task(NetObject):
    """``Task<string>`` of ``ReadToEndAsync()``: the read runs in a thread of its own.

    ``Result`` and ``Wait()`` block as .NET's do, until the stream reaches end-of-file (or the
    process doing the waiting is ended).
    """

    net_type = "System.Threading.Tasks.Task`1[System.String]"

    def __init__(self, read: Callable[[], str | None], cancel: threading.Event | None) -> None:
        super().__init__()
        self._cancel = cancel
        self._done = threading.Event()
        self._result: str | None = None
        threading.Thread(target=self._run, args=(read,), name="ReadToEndAsync", daemon=True).start()

    def _run(self, read: Callable[[], str | None]) -> None:
        self._result = read()
        self._done.set()

    def _wait(self, timeout: float | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._done.is_set():
            if self._cancel is not None and self._cancel.is_set():
                raise ProcessTerminated
            left = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
            if left <= 0:
                return False
            self._done.wait(left)
        return True

    def member(self, name: str) -> Any:
        low = name.lower()
        if low == "result":
            self._wait(None)
            return self._result if self._result is not None else ""
        if low == "iscompleted":
            return self._done.is_set()
        return super().member(name)

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        # Wait(ms) is true once the task has completed, false when the time ran out.
        return {"wait": lambda a: self._wait(to_int(a[0]) / 1000.0 if a and to_int(a[0]) >= 0 else None)}


class TextReader(NetObject):
    """The reading end of a redirected stream (``Process.StandardOutput``)."""

    net_type = "System.IO.StreamReader"

    def __init__(self, pipe: OutStream, encoding: str, cancel: threading.Event | None) -> None:
        super().__init__()
        self._pipe = pipe
        self._encoding = encoding
        self._cancel = cancel

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {"readtoend": lambda a: self._read_to_end(), "readtoendasync": self._read_async}

    def _read(self) -> str | None:
        raw = self._pipe.read_to_end(self._cancel)
        return None if raw is None else raw.decode(self._encoding, "replace")

    def _read_to_end(self) -> str:
        # Blocks until every holder of the pipe's write end has exited, as .NET's ReadToEnd does.
        text = self._read()
        if text is None:
            raise ProcessTerminated
        return text

    def _read_async(self, args: list[Any]) -> Task:
        return Task(self._read, self._cancel)


class TextWriter(NetObject):
    net_type = "System.IO.StreamWriter"

    def __init__(self, stdin: StdinStream | None = None) -> None:
        super().__init__()
        self._stdin = stdin

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {"close": self._close, "dispose": self._close, "flush": lambda a: None}

    def _close(self, args: list[Any]) -> None:
        if self._stdin is not None:
            self._stdin.close()


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
    """A started program, running in its own thread while the script goes on.

    The members .NET Framework 4.x gives a redirected process: ``WaitForExit(ms)`` is false
    when the time runs out, ``Kill()`` ends this process only (its children keep running and
    keep any pipe they inherited open), ``ExitCode`` throws until the process has exited.
    """

    net_type = "System.Diagnostics.Process"

    def __init__(
        self, child: ChildProcess, encodings: tuple[str, str], cancel: threading.Event | None
    ) -> None:
        super().__init__()
        self._child = child
        self._cancel = cancel
        io = child.io
        self.props = {
            "Id": io.pid,
            "ProcessName": io.image.removesuffix(".exe"),
            "StartTime": dates.local(io.started),
            "StandardOutput": TextReader(io.stdout, encodings[0], cancel),
            "StandardError": TextReader(io.stderr, encodings[1], cancel),
            "StandardInput": TextWriter(io.stdin),
        }

    def member(self, name: str) -> Any:
        low = name.lower()
        io = self._child.io
        if low == "hasexited":
            return io.exited.is_set()
        if low == "exitcode":
            if io.exit_code is None:
                raise _invalid_operation("Process must exit before requested information can be determined.")
            return io.exit_code
        return super().member(name)

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {
            "waitforexit": self._wait_for_exit,
            "kill": self._kill,
            "dispose": lambda a: None,
            "close": lambda a: None,
        }

    def _wait_for_exit(self, args: list[Any]) -> bool:
        ms = to_int(args[0]) if args else -1
        exited = self._child.wait(None if ms < 0 else ms / 1000.0, self._cancel)
        if not exited and self._cancel is not None and self._cancel.is_set():
            raise ProcessTerminated
        return exited

    def _kill(self, args: list[Any]) -> None:
        io = self._child.io
        # TerminateProcess(handle, -1); a process that already exited gives Access is denied.
        if not io.host.processes.terminate(io, -1):
            raise PSError(
                'Exception calling "Kill" with "0" argument(s): "Access is denied"',
                "Win32Exception",
                "NotSpecified",
                exception_type="System.Management.Automation.MethodInvocationException",
            )


def _invalid_operation(message: str) -> PSError:
    return PSError(
        message,
        "InvalidOperationException",
        "NotSpecified",
        exception_type="System.Management.Automation.GetValueInvocationException",
    )


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
    if session.host.resolve_program(command_line) is not_recognized:
        raise PSError(
            'Exception calling "Start" with "1" argument(s): "The system cannot find the file specified"',
            "Win32Exception",
            "NotSpecified",
            exception_type="System.Management.Automation.MethodInvocationException",
        )
    parent = session.process
    cond = threading.Condition()
    stdin = StdinStream()
    if not to_bool(props.get("RedirectStandardInput")):
        stdin.close()
    child = start_child(
        session.host,
        parent.pid if parent is not None else 0,
        command_line,
        stdin,
        OutStream(cond),
        OutStream(cond),
        env=session.env,
        cwd=session.cwd,
        view=parent.view if parent is not None else None,
    )
    # programs write UTF-8 (OutStream's encoding); an encoding the script set decodes it
    out_codec, err_codec = (
        str(getattr(props.get(key), "codec", "utf-8"))
        for key in ("StandardOutputEncoding", "StandardErrorEncoding")
    )
    return Process(child, (out_codec, err_codec), parent.terminated if parent is not None else None)


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
