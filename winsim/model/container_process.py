r"""What a container's main process does, since no real image runs.

A shell started without a command (``powershell``, ``cmd``) stays up while its stdin is open
(``docker run -i``) and exits 0 at once otherwise; ``cmd /c exit 3`` exits 3; ``cmd /c echo hi`` and
``powershell -Command "Write-Output hi"`` print their text and exit 0; any other program runs
until it is stopped.  Exit codes for ``docker stop`` / ``docker kill`` are data (INFERRED from
field reports of Windows containers: stopped servercore processes show 1067, killed ones 1).

>>> plan(["cmd", "/c", "exit", "3"], open_stdin=False)
Plan(exit_code=3, output='')
>>> plan(["powershell"], open_stdin=True).exit_code is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOP_EXIT_CODE = 1067  # ERROR_PROCESS_ABORTED: what docker stop leaves on a Windows container
KILL_EXIT_CODE = 1  # TerminateProcess exit code used by the HCS shim
RESTORE_EXIT_CODE = 255  # containers dockerd finds dead when it starts again
SHELLS = {"cmd", "powershell", "pwsh"}


@dataclass(frozen=True)
class Plan:
    exit_code: int | None  # None: keeps running until stopped
    output: str


def command_line(argv: list[str]) -> str:
    """Join argv the way Windows expects (quote what has spaces)."""
    return " ".join(f'"{a}"' if (" " in a or not a) and not a.startswith('"') else a for a in argv)


def _exe(arg: str) -> str:
    base = arg.strip('"').replace("/", "\\").rsplit("\\", 1)[-1].lower()
    return base[:-4] if base.endswith(".exe") else base


def _script(text: str) -> Plan:
    text = text.strip().strip('"').strip()
    m = re.fullmatch(r"exit(?:\s+/b)?\s+(-?\d+)", text, re.IGNORECASE)
    if m:
        return Plan(int(m.group(1)), "")
    m = re.fullmatch(r"(?:echo|write-output|write-host)\s+(.*)", text, re.IGNORECASE | re.DOTALL)
    if m:
        return Plan(0, m.group(1).strip().strip("'\"") + "\r\n")
    return Plan(0, "")


def plan(argv: list[str], open_stdin: bool) -> Plan:
    if not argv:
        return Plan(0, "")
    exe, args = _exe(argv[0]), argv[1:]
    if exe not in SHELLS:
        return Plan(None, "")
    lowered = [a.lower() for a in args]
    if exe == "cmd":
        if "/c" in lowered:
            return _script(" ".join(args[lowered.index("/c") + 1 :]))
        return Plan(None if open_stdin else 0, "")
    for flag in ("-command", "-c"):
        if flag in lowered:
            return _script(" ".join(args[lowered.index(flag) + 1 :]))
    positional = [a for a in args if not a.startswith("-")]
    if positional:
        return _script(" ".join(positional))
    return Plan(None if open_stdin else 0, "")
