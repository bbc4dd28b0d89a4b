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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from winsim.accounts import Credentials
    from winsim.latency import Charges
    from winsim.model import HostModel
    from winsim.model.paths import HostFiles
    from winsim.profiles import HostProfile, LatencyProfile
    from winsim.tracing import FunctionTrace

# Windows' CreateProcess/cmd.exe limit on a command line, in characters.
MAX_COMMAND_LINE = 8191
# STATUS_CONTROL_C_EXIT: the exit code of a process ended by a terminate or ctrl_c signal.
TERMINATED_EXIT_CODE = 0xC000013A


class ProcessTerminated(BaseException):
    """Raised in a program's thread blocked on a wait when its own process was terminated.

    A BaseException, so no script-level catch (PowerShell's try/catch) can swallow it: the
    thread unwinds, as a terminated Windows process's threads simply stop.
    """


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
    """Output pipe shared by a program (writer) and a remote shell (reader).

    As a Windows anonymous pipe, it reaches end-of-file only when every process holding its
    write end has exited: a child started with inherited handles keeps it open after its
    parent ends (``holders`` counts them; see :func:`start_child`).
    """

    def __init__(self, notify: threading.Condition, encoding: str = "utf-8") -> None:
        self._buf = bytearray()
        self._cond = notify
        self.encoding = encoding
        self._broken = False
        self.holders = 0

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

    def hold(self) -> None:
        with self._cond:
            self.holders += 1

    def release(self) -> None:
        with self._cond:
            self.holders -= 1
            self._cond.notify_all()

    def read_to_end(self, cancel: threading.Event | None = None) -> bytes | None:
        """Everything up to end-of-file (``StreamReader.ReadToEnd``): blocks while a holder lives.

        None if ``cancel`` (the reading process was ended) fired first.
        """
        with self._cond:
            while self.holders > 0:
                if cancel is not None and cancel.is_set():
                    return None
                self._cond.wait(0.2 if cancel is not None else None)
            return self.take()

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
    def charges(self) -> Charges: ...
    @property
    def credentials(self) -> Credentials: ...
    @property
    def programs(self) -> dict[str, Program]: ...
    @property
    def function_trace(self) -> FunctionTrace | None: ...
    @property
    def model(self) -> HostModel: ...
    @property
    def processes(self) -> ProcessTable: ...
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
    pid: int = 0
    parent_pid: int = 0
    exit_code: int | None = None  # set once, when the process exits or is terminated
    exited: threading.Event = field(default_factory=threading.Event)
    holds_streams: bool = False  # it holds stdout/stderr's write ends (released on exit)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    # A remote shell's command waits at most a few seconds in Start-Sleep, so a script cannot stall
    # the simulator; a compute system's process is not bounded (it runs until ended).
    bounded: bool = True
    # The files it sees: a compute system's process sees its container's C: drive; None, the host's.
    view: HostFiles | None = None

    @property
    def files(self) -> HostFiles:
        """The file system this process reads and writes."""
        return self.view if self.view is not None else self.host.model.files

    @property
    def image(self) -> str:
        """The executable's file name (``ping.exe``), as tasklist and taskkill name it."""
        first = self.command_line.strip()
        first = first[1:].split('"', 1)[0] if first.startswith('"') else first.split(" ", 1)[0]
        exe = first.replace("/", "\\").rsplit("\\", 1)[-1]
        return exe if exe.lower().endswith(".exe") else exe + ".exe"


class ProcessTable:
    """A host's running processes by id, with their parents' ids (what ``taskkill /T`` walks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, ProcessIO] = {}

    def register(self, io: ProcessIO, parent_pid: int = 0, inherit: bool = False) -> int:
        """Give ``io`` a pid; with ``inherit`` it holds its stdout/stderr pipes until it exits
        (handles inherited from its parent, so a reader sees end-of-file only after it too is gone)."""
        if inherit:
            io.holds_streams = True
            io.stdout.hold()
            io.stderr.hold()
        with self._lock:
            io.pid = next(_pids)
            io.parent_pid = parent_pid
            self._running[io.pid] = io
        return io.pid

    def get(self, pid: int) -> ProcessIO | None:
        with self._lock:
            return self._running.get(pid)

    def running(self) -> list[ProcessIO]:
        with self._lock:
            return list(self._running.values())

    def children(self, pid: int) -> list[ProcessIO]:
        with self._lock:
            return [io for io in self._running.values() if io.parent_pid == pid]

    def finish(self, io: ProcessIO, code: int) -> bool:
        """``io`` exited with ``code`` (once: False if it already had); its pipe ends close."""
        with self._lock:
            if io.exit_code is not None:
                return False
            io.exit_code = code
            self._running.pop(io.pid, None)
        if io.holds_streams:
            io.stdout.release()
            io.stderr.release()
        io.exited.set()
        return True

    def terminate(self, io: ProcessIO, code: int) -> bool:
        """TerminateProcess: the process ends now with ``code``; its children keep running."""
        io.terminated.set()
        io.stdin.close()
        return self.finish(io, code)

    def descendants(self, io: ProcessIO) -> list[ProcessIO]:
        """``io``'s running descendants, children before their parents."""
        out: list[ProcessIO] = []
        for child in self.children(io.pid):
            out.extend(self.descendants(child))
            out.append(child)
        return out

    def terminate_tree(self, io: ProcessIO, code: int) -> None:
        """End ``io`` and every descendant, as closing a job object with kill-on-close does."""
        for victim in [*self.descendants(io), io]:
            self.terminate(victim, code)


# A program: runs with its ProcessIO and returns the exit code.
Program = Callable[["ProcessIO"], int]


_pids = itertools.count(4100, 4)


class SimProcess:
    """A running program.  Thread-safe; ``read_output`` long-polls like a WinRM Receive."""

    def __init__(self, program: Program, io: ProcessIO) -> None:
        self.pid = io.host.processes.register(io)
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
        except ProcessTerminated:
            code = TERMINATED_EXIT_CODE
        except Exception as exc:  # a bug in a simulated program must not kill the server
            self.io.stderr.write(
                f"winsim: internal error in {self.io.command_line.split(' ')[0]}: {exc!r}\r\n"
            )
            code = 1
        finally:
            self.io.host.processes.finish(self.io, code)
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
        """End the process and what it started (signal terminate / ctrl_c, shell deleted).

        A remote shell's processes run in a job object that ends with the command (INFERRED from
        winrshost and OpenSSH's session jobs): nothing a command started outlives it.

        The program's thread sees ``io.terminated`` and stdin at EOF, but it can only wind down:
        the process has already exited, so nothing it writes from here on reaches a reader (a
        deleted shell's command never answers a request it was given before).
        """
        self.io.host.processes.terminate_tree(self.io, TERMINATED_EXIT_CODE)
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
    view: HostFiles | None = None,
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
        view=view,
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


def run_registered(io: ProcessIO, program: Program) -> int:
    """Run ``program`` in this thread as the registered process ``io``, until it exits.

    A program ended from outside unwinds with ProcessTerminated; that ends it, not the caller
    (a parent waiting for it in the same thread goes on with the code it was ended with).
    """
    code = 1
    try:
        code = int(program(io))
    except ProcessTerminated:
        pass
    finally:
        io.host.processes.finish(io, code)
    return io.exit_code if io.exit_code is not None else code


class ChildProcess:
    """A program started by another (CreateProcess with inherited pipe handles), in its own thread."""

    def __init__(self, program: Program, io: ProcessIO) -> None:
        self.io = io
        self._program = program
        self._thread = threading.Thread(target=self._run, name=f"simproc-{io.pid}", daemon=True)

    def _run(self) -> None:
        run_registered(self.io, self._guarded)

    def _guarded(self, io: ProcessIO) -> int:
        try:
            return int(self._program(io))
        except Exception as exc:  # a bug in a simulated program must not kill the server
            io.stderr.write(f"winsim: internal error in {io.image}: {exc!r}\r\n")
            return 1

    def wait(self, timeout: float | None = None, cancel: threading.Event | None = None) -> bool:
        """True once the process has exited; False after ``timeout`` s or when ``cancel`` fires."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.io.exited.is_set():
            if cancel is not None and cancel.is_set():
                return False
            left = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
            if left <= 0:
                return False
            self.io.exited.wait(left)
        return True


def start_child(
    host: HostServices,
    parent_pid: int,
    command_line: str,
    stdin: StdinStream,
    stdout: OutStream,
    stderr: OutStream,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    view: HostFiles | None = None,
) -> ChildProcess:
    """Start ``command_line`` as a child of process ``parent_pid`` writing into ``stdout``/``stderr``.

    The child holds both pipes' write ends until it exits or is terminated, so a reader waiting
    for end-of-file waits for it too, whatever became of its parent.
    """
    io = ProcessIO(
        host=host,
        command_line=command_line,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        env=dict(env or {}),
        view=view,
    )
    if cwd:
        io.cwd = cwd
    program = host.resolve_program(command_line)
    host.processes.register(io, parent_pid, inherit=True)
    child = ChildProcess(program, io)
    child._thread.start()
    return child


# A parent (a PowerShell native command, Process.Start) that waits for a child runs it in its own
# thread with fresh pipes, and reads what it wrote.
def run_captured(
    host: HostServices,
    command_line: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    parent_pid: int = 0,
    view: HostFiles | None = None,
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
        view=view,
    )
    if cwd:
        io.cwd = cwd
    host.processes.register(io, parent_pid)
    code = run_registered(io, program)
    return code, io.stdout.take().decode("utf-8", "replace"), io.stderr.take().decode("utf-8", "replace")
