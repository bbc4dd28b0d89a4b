"""Simulated Windows processes: a program runs in a thread, fed by stdin and drained by its host's remote shells.

A *program* is a callable ``(proc: ProcessIO) -> int`` registered under an executable name
(``cmd.exe``, ``powershell.exe``, ``hcsdiag.exe``...).  WinRM and SSH never interpret command
lines themselves: they call :func:`spawn` and then move bytes in and out of the returned
:class:`SimProcess`.  This keeps protocol code (winrm/, ssh/) apart from Windows behaviour
(shell/, powershell/).

>>> p = spawn(host, "cmd.exe /c echo hi")   # doctest: +SKIP
>>> p.read_output(timeout=1.0).stdout        # doctest: +SKIP
b'hi\\r\\n'
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from winsim.accounts import Credentials
    from winsim.model import HostModel
    from winsim.profiles import HostProfile, LatencyProfile
    from winsim.tracing import FunctionTrace

# Windows' CreateProcess/cmd.exe limit on a command line, in characters.
MAX_COMMAND_LINE = 8191
# STATUS_CONTROL_C_EXIT: the exit code of a process ended by a terminate or ctrl_c signal.
TERMINATED_EXIT_CODE = 0xC000013A


class StdinStream:
    """Blocking byte stream the remote side writes into (WinRM Send, SSH channel data)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._eof = False
        self._cond = threading.Condition()

    def feed(self, data: bytes, eof: bool = False) -> None:
        with self._cond:
            self._buf.extend(data)
            self._eof = self._eof or eof
            self._cond.notify_all()

    def close(self) -> None:
        self.feed(b"", eof=True)

    def readline(self, timeout: float | None = None) -> bytes | None:
        """One line including its newline; b"" at EOF; None if nothing arrived within ``timeout``."""
        with self._cond:
            while b"\n" not in self._buf and not self._eof:
                if not self._cond.wait(timeout):
                    return None
            idx = self._buf.find(b"\n")
            end = len(self._buf) if idx < 0 else idx + 1
            line = bytes(self._buf[:end])
            del self._buf[:end]
            return line


class OutStream:
    """Output pipe shared by a program (writer) and a remote shell (reader)."""

    def __init__(self, notify: threading.Condition, encoding: str = "utf-8") -> None:
        self._buf = bytearray()
        self._cond = notify
        self.encoding = encoding
        self._broken = False

    def write(self, data: str | bytes) -> None:
        raw = data.encode(self.encoding, "replace") if isinstance(data, str) else data
        with self._cond:
            if not self._broken:
                self._buf.extend(raw)
                self._cond.notify_all()

    def break_pipe(self) -> None:
        """The writer was killed: what it wrote stays readable, anything later is dropped."""
        with self._cond:
            self._broken = True

    def take(self) -> bytes:
        data = bytes(self._buf)
        self._buf.clear()
        return data

    def __len__(self) -> int:
        return len(self._buf)


class HostServices(Protocol):
    """The host a process runs on, as programs, cmdlets and protocol surfaces use it.

    ``winsim.host.SimHost`` is the one implementation; layers below it take this protocol so
    that no import points back up at the host.
    """

    @property
    def name(self) -> str: ...
    @property
    def profile(self) -> HostProfile: ...
    @property
    def state_dir(self) -> Path: ...
    @property
    def latency(self) -> LatencyProfile: ...
    @property
    def credentials(self) -> Credentials: ...
    @property
    def programs(self) -> dict[str, Program]: ...
    @property
    def function_trace(self) -> FunctionTrace | None: ...
    @property
    def model(self) -> HostModel: ...
    def resolve_program(self, command_line: str) -> Program: ...


@dataclass
class Output:
    stdout: bytes
    stderr: bytes
    exit_code: int | None  # None while the process still runs


@dataclass
class ProcessIO:
    """What a program sees: its command line, streams, environment and the host it runs on."""

    host: HostServices
    command_line: str
    stdin: StdinStream
    stdout: OutStream
    stderr: OutStream
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = "C:\\Users\\Administrator"
    terminated: threading.Event = field(default_factory=threading.Event)
    # A remote shell's command waits at most a few seconds in Start-Sleep, so a script cannot stall
    # the simulator; a compute system's process is not bounded (it runs until ended).
    bounded: bool = True


# A program: runs with its ProcessIO and returns the exit code.
Program = Callable[["ProcessIO"], int]


_pids = itertools.count(4100, 4)


class SimProcess:
    """A running program.  Thread-safe; ``read_output`` long-polls like a WinRM Receive."""

    def __init__(self, program: Program, io: ProcessIO) -> None:
        self.pid = next(_pids)
        self.io = io
        self._program = program
        self._cond = io.stdout._cond
        self.exit_code: int | None = None
        self._thread = threading.Thread(target=self._run, name=f"simproc-{self.pid}", daemon=True)

    def start(self) -> SimProcess:
        self._thread.start()
        return self

    def _run(self) -> None:
        code = 1
        try:
            code = self._program(self.io)
        except Exception as exc:  # a bug in a simulated program must not kill the server
            self.io.stderr.write(
                f"winsim: internal error in {self.io.command_line.split(' ')[0]}: {exc!r}\r\n"
            )
            code = 1
        finally:
            with self._cond:
                self.exit_code = (
                    code if not self.io.terminated.is_set() else self.exit_code or TERMINATED_EXIT_CODE
                )
                self._cond.notify_all()

    def write_stdin(self, data: bytes, eof: bool = False) -> None:
        self.io.stdin.feed(data, eof)

    def read_output(self, timeout: float) -> Output:
        """Return what is buffered now; wait up to ``timeout`` seconds if nothing is."""
        with self._cond:
            if not len(self.io.stdout) and not len(self.io.stderr) and self.exit_code is None:
                self._cond.wait(timeout)
            # exit code only once the buffers are drained, as WinRM reports CommandState Done last
            return Output(self.io.stdout.take(), self.io.stderr.take(), self.exit_code)

    @property
    def done(self) -> bool:
        return self.exit_code is not None

    def terminate(self) -> None:
        """End the process now, as TerminateProcess does (signal terminate / ctrl_c, shell deleted).

        The program's thread sees ``io.terminated`` and stdin at EOF, but it can only wind down:
        the process has already exited, so nothing it writes from here on reaches a reader (a
        deleted shell's command never answers a request it was given before).
        """
        self.io.terminated.set()
        self.io.stdin.close()
        with self._cond:
            self.io.stdout.break_pipe()
            self.io.stderr.break_pipe()
            if self.exit_code is None:
                self.exit_code = TERMINATED_EXIT_CODE
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self.exit_code


def spawn(
    host: HostServices,
    command_line: str,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    bounded: bool = True,
) -> SimProcess:
    """Start ``command_line`` on ``host`` the way CreateProcess would.

    The executable is the first token (quotes allowed, ``.exe`` optional, case-insensitive);
    it is looked up in ``host.programs``.  An unknown executable behaves like cmd.exe's
    "is not recognized" (exit 1), a line over 8191 characters like cmd.exe's
    "The command line is too long." (exit 1).
    """
    cond = threading.Condition()
    io = ProcessIO(
        host=host,
        command_line=command_line,
        stdin=StdinStream(),
        stdout=OutStream(cond),
        stderr=OutStream(cond),
        env=dict(env or {}),
        bounded=bounded,
    )
    if cwd:
        io.cwd = cwd
    return SimProcess(host.resolve_program(command_line), io).start()


def command_line_too_long(proc: ProcessIO) -> int:
    proc.stderr.write("The command line is too long.\r\n")
    return 1


def not_recognized(proc: ProcessIO) -> int:
    """What runs for an executable the host does not have (cmd.exe compares against it by identity)."""
    name = proc.command_line.strip().split(" ", 1)[0].strip('"')
    proc.stderr.write(
        f"'{name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
    )
    return 1


# A parent (a PowerShell native command, Process.Start) that waits for a child runs it in its own
# thread with fresh pipes, and reads what it wrote.
def run_captured(
    host: HostServices,
    command_line: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> tuple[int, str, str]:
    """Run ``command_line`` with its own pipes: (exit code, stdout text, stderr text)."""
    program = host.resolve_program(command_line)
    cond = threading.Condition()
    child_in = StdinStream()
    child_in.feed((stdin or "").encode("utf-8"), eof=True)
    io = ProcessIO(
        host=host,
        command_line=command_line,
        stdin=child_in,
        stdout=OutStream(cond),
        stderr=OutStream(cond),
        env=dict(env or {}),
    )
    if cwd:
        io.cwd = cwd
    code = int(program(io))
    return code, io.stdout.take().decode("utf-8", "replace"), io.stderr.take().decode("utf-8", "replace")
