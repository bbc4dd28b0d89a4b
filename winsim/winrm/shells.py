"""WinRS shells of one simulated host: who owns them, their commands, quotas and idle expiry.

Nothing here knows HTTP or XML: :mod:`.operations` turns WS-Man requests into these calls.
A shell's processes keep running between requests and live until the shell is deleted,
dropped (``drop_all``, what ``Restart-Service WinRM`` does) or idles out.

>>> shells = ShellManager(host, WinRMConfig())                    # doctest: +SKIP
>>> shell = shells.create(owner="administrator")                  # doctest: +SKIP
>>> cmd = shells.start_command(shell.id, "cmd.exe /c echo hi")     # doctest: +SKIP
>>> shells.receive(shell.id, cmd.id, timeout=5.0)                  # doctest: +SKIP
Chunk(stdout=b'hi\\r\\n', stderr=b'', exit_code=0)
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from winsim.processes import SimProcess, spawn
from winsim.winrm import faults
from winsim.winrm.config import WinRMConfig

if TYPE_CHECKING:
    from winsim.processes import HostServices


@dataclass
class Chunk:
    """One Receive's worth of output; ``exit_code`` is set only once everything was delivered."""

    stdout: bytes
    stderr: bytes
    exit_code: int | None


@dataclass
class Command:
    id: str
    process: SimProcess
    pending_out: bytearray = field(default_factory=bytearray)
    pending_err: bytearray = field(default_factory=bytearray)
    receive_lock: threading.Lock = field(default_factory=threading.Lock)
    stdin_closed: bool = False


@dataclass
class Shell:
    id: str
    owner: str
    idle_timeout: float
    env: dict[str, str]
    cwd: str | None
    codepage: int
    noprofile: bool
    created: float
    last_used: float
    commands: dict[str, Command] = field(default_factory=dict)
    busy: int = 0  # requests in flight (a long-polling Receive keeps a shell from idling out)

    @property
    def idle_deadline(self) -> float:
        return self.last_used + self.idle_timeout


class ShellManager:
    """Thread-safe table of shells with a reaper thread that expires idle ones on time."""

    def __init__(
        self, host: HostServices, config: WinRMConfig, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.host = host
        self.config = config
        self._clock = clock
        self._shells: dict[str, Shell] = {}
        self._cond = threading.Condition()
        self._closed = False
        self._reaper = threading.Thread(target=self._reap_loop, name=f"winrm-reaper-{host.name}", daemon=True)
        self._reaper.start()

    # -- shells ------------------------------------------------------------------------------------

    def create(
        self,
        owner: str,
        idle_timeout: float | None = None,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        codepage: int = 437,
        noprofile: bool = False,
    ) -> Shell:
        now = self._clock()
        with self._cond:
            self._expire_locked(now)
            owned = sum(1 for s in self._shells.values() if s.owner == owner)
            if owned >= self.config.max_shells_per_user:
                raise faults.shell_quota_exceeded(self.config.max_shells_per_user)
            shell = Shell(
                id=str(uuid.uuid4()).upper(),
                owner=owner,
                idle_timeout=idle_timeout if idle_timeout is not None else self.config.idle_timeout,
                env=dict(env or {}),
                cwd=cwd,
                codepage=codepage,
                noprofile=noprofile,
                created=now,
                last_used=now,
            )
            self._shells[shell.id] = shell
            self._cond.notify_all()  # the reaper recomputes its next deadline
            return shell

    def use(self, shell_id: str) -> Shell:
        """The live shell with this id, marked busy until :meth:`release`; faults if it is gone."""
        now = self._clock()
        with self._cond:
            self._expire_locked(now)
            shell = self._shells.get(shell_id.upper())
            if shell is None:
                raise faults.shell_not_found(shell_id)
            shell.busy += 1
            shell.last_used = now
            return shell

    def release(self, shell: Shell) -> None:
        with self._cond:
            shell.busy -= 1
            shell.last_used = self._clock()
            self._cond.notify_all()

    def delete(self, shell_id: str) -> None:
        with self._cond:
            self._expire_locked(self._clock())
            shell = self._shells.pop(shell_id.upper(), None)
        if shell is None:
            raise faults.shell_not_found(shell_id)
        _end_processes(shell)

    def drop_all(self) -> int:
        """Delete every shell and end its processes (what restarting the WinRM service does)."""
        with self._cond:
            dropped = list(self._shells.values())
            self._shells.clear()
        for shell in dropped:
            _end_processes(shell)
        return len(dropped)

    def shell_ids(self) -> list[str]:
        with self._cond:
            self._expire_locked(self._clock())
            return sorted(self._shells)

    # -- commands ----------------------------------------------------------------------------------

    def start_command(self, shell: Shell, command_line: str) -> Command:
        with self._cond:
            running = sum(1 for c in shell.commands.values() if not c.process.done)
            if running >= self.config.max_processes_per_shell:
                raise faults.process_quota_exceeded(self.config.max_processes_per_shell)
        process = spawn(self.host, command_line, env=shell.env, cwd=shell.cwd)
        command = Command(id=str(uuid.uuid4()).upper(), process=process)
        with self._cond:
            shell.commands[command.id] = command
        return command

    def command(self, shell: Shell, command_id: str) -> Command:
        with self._cond:
            command = shell.commands.get(command_id.upper())
        if command is None:
            raise faults.command_not_found(shell.id, command_id)
        return command

    def send(self, shell: Shell, command_id: str, data: bytes, end: bool) -> None:
        command = self.command(shell, command_id)
        command.process.write_stdin(data, eof=end)
        command.stdin_closed = command.stdin_closed or end

    def receive(self, shell: Shell, command_id: str, timeout: float, max_bytes: int) -> Chunk:
        """Output available now, waiting up to ``timeout`` for some; the TimedOut fault if none came."""
        command = self.command(shell, command_id)
        with command.receive_lock:
            deadline = time.monotonic() + timeout
            exit_code: int | None = None
            while True:
                out = command.process.read_output(max(0.0, deadline - time.monotonic()))
                command.pending_out += out.stdout
                command.pending_err += out.stderr
                exit_code = out.exit_code
                if command.pending_out or command.pending_err or exit_code is not None:
                    break
                if time.monotonic() >= deadline:
                    raise faults.operation_timed_out()
            stdout = bytes(command.pending_out[:max_bytes])
            del command.pending_out[:max_bytes]
            room = max_bytes - len(stdout)
            stderr = bytes(command.pending_err[:room])
            del command.pending_err[:room]
            drained = not command.pending_out and not command.pending_err
            return Chunk(stdout, stderr, exit_code if drained else None)

    def signal(self, shell: Shell, command_id: str, remove: bool) -> None:
        """terminate (``remove=True``: the command is gone afterwards) or ctrl_c."""
        command = self.command(shell, command_id)
        command.process.terminate()
        if remove:
            with self._cond:
                shell.commands.pop(command.id, None)

    # -- lifecycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.drop_all()
        self._reaper.join(timeout=5)

    def _expire_locked(self, now: float) -> list[Shell]:
        expired = [s for s in self._shells.values() if not s.busy and now >= s.idle_deadline]
        for shell in expired:
            del self._shells[shell.id]
            threading.Thread(target=_end_processes, args=(shell,), daemon=True).start()
        return expired

    def _reap_loop(self) -> None:
        with self._cond:
            while not self._closed:
                now = self._clock()
                self._expire_locked(now)
                idle = [s.idle_deadline for s in self._shells.values() if not s.busy]
                self._cond.wait(timeout=max(0.01, min(idle) - now) if idle else None)


def _end_processes(shell: Shell) -> None:
    for command in list(shell.commands.values()):
        command.process.terminate()
