"""Run an executable the host knows (``docker``, ``cmd``, ``hcsdiag``...) from PowerShell.

Its stdout lines become string output; its stderr lines become NativeCommandError records, as
Windows PowerShell 5.1 reports a native command's stderr when its own streams are redirected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from winsim.powershell.errors import ErrorRecord
from winsim.powershell.registry import PSError
from winsim.powershell.values import to_string
from winsim.processes import run_captured

if TYPE_CHECKING:
    from winsim.powershell.runspace import Runspace


def quote_arg(arg: str) -> str:
    """Quote one argument for a Windows command line (CommandLineToArgvW rules)."""
    if arg and not any(c in arg for c in ' \t"'):
        return arg
    out = ['"']
    backslashes = 0
    for ch in arg:
        if ch == "\\":
            backslashes += 1
            continue
        if ch == '"':
            out.append("\\" * (backslashes * 2 + 1) + '"')
        else:
            out.append("\\" * backslashes + ch)
        backslashes = 0
    out.append("\\" * (backslashes * 2) + '"')
    return "".join(out)


def run_native(it: Runspace, node: Node, name: str, args: list[str], pipeline_input: list[Any]) -> list[Any]:
    command_line = " ".join([quote_arg(name)] + [quote_arg(a) for a in args])
    stdin = "".join(to_string(v) + "\r\n" for v in pipeline_input) if pipeline_input else None
    parent = it.process.pid if it.process is not None else 0
    view = it.process.view if it.process is not None else None  # a container's shell's child sees its files
    code, out, err = run_captured(
        it.host, command_line, stdin=stdin, env=it.env, cwd=it.cwd, parent_pid=parent, view=view
    )
    lines = out.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(x for x in err.replace("\r\n", "\n").split("\n") if x):
        record = ErrorRecord(
            PSError(
                line,
                "NativeCommandError",
                "NotSpecified",
                target=line,
                exception_type="System.Management.Automation.RemoteException",
            ),
            command=name if i == 0 else "",
            position=it.position(node) if i == 0 else None,
        )
        if i > 0:  # continuation lines of the same stderr text are bare messages
            record.show_prefix = False
        it.report(record) if not it.error_sinks else it.error_sinks[-1](record)
    it.set_var("global:LASTEXITCODE", code)
    it.last_success = code == 0
    return list(lines)
