"""One simulated host: its profile, state, credentials and the programs it can run.

Protocol surfaces (docker_api/, winrm/, ssh/), programs and cmdlets each hold a reference to a
SimHost and reach the Windows model only through ``host.model``.  None of them imports this
module: they take the :class:`~winsim.processes.HostServices` protocol SimHost satisfies (or
a narrower one, e.g. :class:`~winsim.latency.LinkHost`), so imports only point downwards.
"""

from __future__ import annotations

import secrets
import shlex
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from winsim.accounts import Credentials
from winsim.deviations import check_deviations
from winsim.latency import Charges
from winsim.model import HostModel
from winsim.processes import (
    MAX_COMMAND_LINE,
    ProcessTable,
    Program,
    SimProcess,
    command_line_too_long,
    not_recognized,
    spawn,
)

__all__ = ["Credentials", "SimHost"]
from winsim.profiles import LATENCY, PROFILES, HostProfile, LatencyProfile
from winsim.programs import install_programs

if TYPE_CHECKING:
    from winsim.tracing import FunctionTrace


def _random_password() -> str:
    return "Sim!" + secrets.token_urlsafe(12)


@dataclass
class SimHost:
    name: str
    profile: HostProfile
    state_dir: Path
    deviations: frozenset[str] = frozenset()
    latency: LatencyProfile = LATENCY["none"]
    daemon_debug: bool = False  # daemon.json says "debug": true (off on a stock host)
    hyperv: bool = False  # the Hyper-V role is installed (a stock container host has only Containers)
    credentials: Credentials = field(default_factory=lambda: Credentials("Administrator", _random_password()))
    programs: dict[str, Program] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    function_trace: FunctionTrace | None = None  # records which script functions ran (winsim.tracing)
    processes: ProcessTable = field(default_factory=ProcessTable)  # the programs running now, by pid
    charges: Charges = field(default_factory=Charges)  # what the latency profile charged (winsim.latency)
    _model: HostModel | None = None

    @classmethod
    def create(
        cls,
        name: str,
        profile: str,
        state_dir: Path,
        deviations: frozenset[str] = frozenset(),
        latency: str = "none",
        daemon_debug: bool = False,
        revision: int | None = None,
        hyperv: bool = False,
    ) -> SimHost:
        """``revision``: the build revision (UBR) the host is patched to, instead of its profile's."""
        if profile not in PROFILES:
            raise ValueError(f"unknown winsim profile {profile!r}; known: {', '.join(sorted(PROFILES))}")
        if latency not in LATENCY:
            raise ValueError(f"unknown latency profile {latency!r}; known: {', '.join(sorted(LATENCY))}")
        if revision is not None and not 0 <= revision <= 0xFFFFFFFF:
            raise ValueError(f"build revision {revision} is not a REG_DWORD (0 to 4294967295)")
        chosen = PROFILES[profile] if revision is None else replace(PROFILES[profile], ubr=revision)
        host = cls(
            name, chosen, state_dir, deviations, LATENCY[latency], daemon_debug=daemon_debug, hyperv=hyperv
        )
        check_deviations(deviations)
        return host

    def __post_init__(self) -> None:
        if not self.programs:  # a host runs its programs however it was made
            install_programs(self)

    @property
    def model(self) -> HostModel:
        if self._model is None:
            with self.lock:  # surfaces' threads may ask at once; build exactly one model
                if self._model is None:
                    self._model = HostModel(
                        self.profile,
                        self.state_dir,
                        self.deviations,
                        self.daemon_debug,
                        self._launch,
                        hyperv=self.hyperv,
                    )
        return self._model

    def _launch(self, command_line: str, env: dict[str, str], cwd: str, stdin_open: bool) -> SimProcess:
        """A compute system's process: the host's program, unbounded in time (it runs until it
        ends or its system stops), its stdin closed at once unless a pipe or console keeps it open."""
        process = spawn(self, command_line, env=env, cwd=cwd, bounded=False)
        if not stdin_open:
            process.write_stdin(b"", eof=True)
        return process

    def resolve_program(self, command_line: str) -> Program:
        """Find the program for the first token of a Windows command line."""
        if len(command_line) > MAX_COMMAND_LINE:
            return command_line_too_long
        try:
            first = shlex.split(command_line, posix=False)[0].strip('"')
        except (ValueError, IndexError):
            first = command_line.split(" ", 1)[0]
        exe = first.replace("/", "\\").rsplit("\\", 1)[-1].lower()
        if not exe.endswith(".exe"):
            exe += ".exe"
        return self.programs.get(exe, not_recognized)
