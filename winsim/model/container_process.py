r"""A process in a compute system runs as a program of its host: what it prints, how long it lives, its exit code.

HCS starts the command line through a *launcher* the host gives the model (``SimHost`` starts
it as one of its programs: ``cmd.exe``, ``powershell.exe``, ``ping.exe``...), so ``cmd /c ver``
prints the build's version line, ``powershell -Command "Start-Sleep 300"`` keeps running and
``ping -t`` replies until the process is ended.  A :class:`Pump` thread moves what the program
writes to whoever watches the process (dockerd's log of a container, an exec's attach) and
reports its exit code once, under the model lock.

Stdin: a process created with a stdin pipe (``docker run -i``) reads what its client sends until
the client closes it; one with a console and no pipe (``docker run -t``) waits on a console that
never ends its input, so an interactive shell stays up (docker/for-win#872: ``docker run -d -t``
of servercore "comes up and stays around"); one with neither reads an empty stdin and a shell
exits 0 at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from winsim.model.paths import HostFiles

# How a compute system's processes end when it shuts down: those without a console (no `docker run -t`)
# take CTRL_SHUTDOWN_EVENT and end with STATUS_CONTROL_C_EXIT, what `docker stop` shows: "Exited (3221225786)" (servercore:1809
# on Server 2019, engine 19.03.2: microsoft/dotnet-framework-docker#431).
STOP_EXIT_CODE = 0xC000013A
KILL_EXIT_CODE = 1  # INFERRED: a process's exit code after HcsTerminateComputeSystem
RESTORE_EXIT_CODE = 255  # containers dockerd finds dead when it starts again


class ProgramOutput(Protocol):
    """What a read of a running program returns (``winsim.processes.Output``)."""

    @property
    def stdout(self) -> bytes: ...
    @property
    def stderr(self) -> bytes: ...
    @property
    def exit_code(self) -> int | None: ...


class RunningProgram(Protocol):
    """A started program (``winsim.processes.SimProcess``)."""

    def write_stdin(self, data: bytes, eof: bool = False) -> None: ...
    def read_output(self, timeout: float) -> ProgramOutput: ...
    def terminate(self) -> None: ...


# (command line, environment, working directory, stdin stays open, the files it sees: the
# container's C: drive, None for the host's own) -> the started program
Launcher = Callable[[str, dict[str, str], str, bool, "HostFiles | None"], RunningProgram]
# (stream "stdout" | "stderr", bytes) and (process id, exit code): called under the model lock
OutputSink = Callable[[str, bytes], None]
ExitSink = Callable[[int, int], None]


def command_line(argv: list[str]) -> str:
    """Join argv the way Windows expects (quote what has spaces)."""
    return " ".join(f'"{a}"' if (" " in a or not a) and not a.startswith('"') else a for a in argv)


class Pump:
    """Drains one program: output to ``on_output``, then its exit code to ``on_exit``, each under ``lock``."""

    def __init__(
        self,
        program: RunningProgram,
        lock: threading.RLock,
        on_output: OutputSink,
        on_exit: Callable[[int], None],
        name: str,
    ) -> None:
        self._program = program
        self._lock = lock
        self._on_output = on_output
        self._on_exit = on_exit
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Pump:
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            out = self._program.read_output(timeout=0.5)
            with self._lock:
                if out.stdout:
                    self._on_output("stdout", out.stdout)
                if out.stderr:
                    self._on_output("stderr", out.stderr)
                if out.exit_code is not None:
                    self._on_exit(out.exit_code)
                    return
