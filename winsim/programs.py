"""Executables a simulated host can start (``cmd.exe``, ``powershell.exe``, ``docker.exe``...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from winsim.docker_api.cli_program import PROGRAMS as DOCKER_CLI
from winsim.powershell.hostcommands import PROGRAMS as HOST_COMMANDS
from winsim.shell.programs import PROGRAMS as SHELLS

if TYPE_CHECKING:
    from winsim.processes import HostServices


def install_programs(host: HostServices) -> None:
    """Register every program module's executables (keyed by lower-case ``name.exe``) on ``host``."""
    for programs in (SHELLS, DOCKER_CLI, HOST_COMMANDS):
        host.programs.update(programs)
