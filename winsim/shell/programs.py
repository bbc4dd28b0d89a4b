"""Executables this package provides to every simulated host (see winsim/programs.py)."""

from __future__ import annotations

from collections.abc import Callable

import winsim.powershell.cmdlets  # noqa: F401 - registers the built-in cmdlets
from winsim.processes import ProcessIO
from winsim.shell.cmd import cmd_program
from winsim.shell.ping import ping_program
from winsim.shell.powershell_exe import powershell_program

PROGRAMS: dict[str, Callable[[ProcessIO], int]] = {
    "cmd.exe": cmd_program,
    "powershell.exe": powershell_program,
    "ping.exe": ping_program,
}
