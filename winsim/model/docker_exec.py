r"""dockerd's exec, top, stats and container prune, as moby answers them on Windows.

- exec:  ``POST /containers/{id}/exec`` keeps an exec record; ``POST /exec/{id}/start`` creates a
         process in the container's compute system (HcsCreateProcess, moby's libcontainerd
         ``Exec``), whose output, stdin and exit code the exec carries (``GET /exec/{id}/json``).
- top:   HCS's process list of the compute system (moby daemon/top_windows.go: Name, PID, CPU,
         Private Working Set; no ps arguments on Windows).
- stats: the compute system's statistics summed from its processes (moby daemon/stats_windows.go
         fields; the figures are the model's INFERRED per-process memory).
- prune: every container that is not running is removed (``ContainersDeleted``, ``SpaceReclaimed``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from winsim.deviations import Deviation
from winsim.model import container_process
from winsim.model.docker_base import DaemonHost
from winsim.model.docker_containers import DockerdContainers
from winsim.model.docker_objects import Container
from winsim.model.errors import DockerError, ErrorKind, HcsError
from winsim.model.hcs import HcsProcess, ProcessConfig

TOP_TITLES = ("Name", "PID", "CPU", "Private Working Set")


@dataclass
class Exec:
    """One exec instance (moby's exec.Config)."""

    id: str
    container: Container
    argv: list[str]
    tty: bool
    open_stdin: bool
    open_stdout: bool
    open_stderr: bool
    env: list[str]
    working_dir: str
    user: str
    privileged: bool
    pid: int = 0
    running: bool = False
    started: bool = False
    exit_code: int | None = None
    output: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class ContainerStats:
    """One sample of a running container (what stats_windows.go reads from HCS)."""

    read: datetime
    total_100ns: int
    kernel_100ns: int
    user_100ns: int
    commit_bytes: int
    commit_peak_bytes: int
    private_working_set: int


class DockerdExec(DockerdContainers):
    """``/exec``, ``/containers/{id}/top``, ``/containers/{id}/stats`` and ``/containers/prune``."""

    def __init__(self, model: DaemonHost, debug: bool = False) -> None:
        super().__init__(model, debug)
        self.execs: dict[str, Exec] = {}

    # ---- exec ------------------------------------------------------------------------------
    def create_exec(self, ref: str, body: dict[str, Any]) -> Exec:
        """POST /containers/{id}/exec (409 when the container does not run)."""
        with self._lock:
            c = self.container(ref)
            if not c.running:
                raise DockerError(ErrorKind.CONFLICT, f"Container {c.id} is not running")
            argv = [str(a) for a in body.get("Cmd") or []]
            if not argv:
                raise DockerError(ErrorKind.INVALID_PARAMETER, "No exec command specified")
            ex = Exec(
                id=secrets.token_hex(32),
                container=c,
                argv=argv,
                tty=bool(body.get("Tty")),
                open_stdin=bool(body.get("AttachStdin")),
                open_stdout=bool(body.get("AttachStdout")),
                open_stderr=bool(body.get("AttachStderr")),
                env=[str(e) for e in body.get("Env") or []],
                working_dir=str(body.get("WorkingDir") or ""),
                user=str(body.get("User") or ""),
                privileged=bool(body.get("Privileged")),
            )
            self.execs[ex.id] = ex
            self._cevent(c, f"exec_create: {' '.join(argv)}", execID=ex.id)
            return ex

    def exec(self, exec_id: str) -> Exec:
        with self._lock:
            self.require_running()
            ex = self.execs.get(exec_id)
            if ex is None:
                raise DockerError(ErrorKind.NOT_FOUND, f"No such exec instance: {exec_id}")
            return ex

    def start_exec(self, exec_id: str) -> Exec:
        """POST /exec/{id}/start: the command becomes a process of the container's compute system."""
        with self._lock:
            ex = self.exec(exec_id)
            if ex.started:
                raise DockerError(ErrorKind.CONFLICT, f"Error: Exec command {ex.id} has already run")
            c = ex.container
            if not c.running:
                raise DockerError(ErrorKind.CONFLICT, f"Container {c.id} is not running")
            env = (e.split("=", 1) for e in [*(c.config.get("Env") or []), *ex.env] if "=" in e)
            try:
                ex.pid = self.model.hcs.create_process(
                    c.id,
                    ProcessConfig(
                        command_line=container_process.command_line(ex.argv),
                        working_directory=ex.working_dir or c.config.get("WorkingDir") or "C:\\",
                        environment=tuple(dict(env).items()),
                        emulate_console=ex.tty,
                        create_stdin_pipe=ex.open_stdin,
                        create_stdout_pipe=True,
                        create_stderr_pipe=not ex.tty,
                    ),
                    on_output=lambda stream, data: self._exec_output(ex, stream, data),
                    on_exit=lambda pid, code: self._exec_exit(ex, code),
                )
            except HcsError as exc:
                raise DockerError(ErrorKind.SYSTEM, str(exc)) from exc
            ex.started = ex.running = True
            self._cevent(c, f"exec_start: {' '.join(ex.argv)}", execID=ex.id)
            return ex

    def write_exec_stdin(self, exec_id: str, data: bytes, eof: bool = False) -> None:
        with self._lock:
            ex = self.exec(exec_id)
            if not (ex.running and ex.open_stdin):
                return
        self.model.hcs.write_process_stdin(ex.container.id, ex.pid, data, eof)

    def _exec_output(self, ex: Exec, stream: str, data: bytes) -> None:
        ex.output.append(("stdout" if ex.tty else stream, data))
        self.changed.notify_all()

    def _exec_exit(self, ex: Exec, code: int) -> None:
        ex.running = False
        ex.exit_code = 0 if self.model.deviates(Deviation.EXEC_EXIT_CODE_LOST) else code
        self._cevent(ex.container, "exec_die", execID=ex.id, exitCode=str(ex.exit_code))

    # ---- top and stats ---------------------------------------------------------------------
    def top(self, ref: str, ps_args: str = "") -> list[HcsProcess]:
        """GET /containers/{id}/top: HCS's list of the compute system's running processes."""
        with self._lock:
            c = self.container(ref)
            if not c.running:
                raise DockerError(ErrorKind.CONFLICT, f"Container {c.id} is not running")
            if ps_args:
                raise DockerError(ErrorKind.INVALID_PARAMETER, "Windows does not support arguments to top")
            system = self.model.hcs.get_compute_system_properties(c.id)
            return [p for p in system.processes.values() if p.exit_code is None]

    def stats(self, ref: str) -> ContainerStats | None:
        """One sample of GET /containers/{id}/stats; None for a container that does not run."""
        with self._lock:
            c = self.container(ref)
            if not c.running:
                return None
            procs = self.top(c.id)
            commit = sum(p.memory_commit_bytes for p in procs)
            return ContainerStats(
                read=datetime.now(UTC),
                total_100ns=sum(p.kernel_time_100ns + p.user_time_100ns for p in procs),
                kernel_100ns=sum(p.kernel_time_100ns for p in procs),
                user_100ns=sum(p.user_time_100ns for p in procs),
                commit_bytes=commit,
                commit_peak_bytes=commit,
                private_working_set=sum(p.memory_private_working_set for p in procs),
            )

    # ---- prune -----------------------------------------------------------------------------
    def prune_containers(self, labels: list[str] | None = None) -> list[str]:
        """POST /containers/prune: removes every container that does not run; their ids."""
        with self._lock:
            self.require_running()
            gone: list[str] = []
            for c in sorted(self.containers.values(), key=lambda c: c.created):
                if c.running or not all(_has_label(c, spec) for spec in labels or []):
                    continue
                self._remove(c)
                gone.append(c.id)
            self._event("container", "prune", "", {"reclaimed": "0"})
            return gone

    def _remove(self, c: Container) -> None:
        for exec_id in [e.id for e in self.execs.values() if e.container is c]:
            del self.execs[exec_id]
        super()._remove(c)


def _has_label(c: Container, spec: str) -> bool:
    labels = c.config.get("Labels") or {}
    key, _, value = spec.partition("=")
    return key in labels and (not value or labels[key] == value)
