"""Local transport: a ``powershell.exe`` child process, for a Windows CI agent testing itself.

The executable can be replaced (``WCC_LOCAL_POWERSHELL``, a command line split on spaces) so the
project's tests can run the same pipes against a stand-in.  Two reader threads drain stdout and
stderr into a condition-guarded buffer; ``read`` waits on it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from typing import IO, TYPE_CHECKING

from drivers.errors import TransportError
from drivers.stats import CallStats
from drivers.transports.base import ReadResult

if TYPE_CHECKING:
    from inventory.model import HostSpec


class LocalProcess:
    def __init__(self, host_name: str, argv: list[str], stats: CallStats) -> None:
        self._host = host_name
        self._stats = stats
        try:
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
            )
        except OSError as exc:
            raise TransportError(f"{host_name}: cannot start {argv[0]}: {exc.strerror or exc}") from None
        self._cond = threading.Condition()
        self._out = bytearray()
        self._err = bytearray()
        self._open_streams = 2
        for stream, buf in ((self._proc.stdout, self._out), (self._proc.stderr, self._err)):
            assert stream is not None
            threading.Thread(target=self._drain, args=(stream, buf), daemon=True).start()

    def _drain(self, stream: IO[bytes], buf: bytearray) -> None:
        while chunk := stream.read(65536):  # unbuffered (FileIO): one read, what is there
            with self._cond:
                buf += chunk
                self._cond.notify_all()
        with self._cond:
            self._open_streams -= 1
            self._cond.notify_all()

    def write(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise TransportError(f"{self._host}: powershell stdin closed: {exc}", lost=True) from None
        self._stats.add(wire_requests=1, wire_round_trips=1, bytes_sent=len(data))  # one exchange, as SSH

    def read(self, timeout: float) -> ReadResult:
        with self._cond:
            if not self._out and not self._err and self._open_streams:
                self._cond.wait(timeout)
            out, err = bytes(self._out), bytes(self._err)
            self._out.clear()
            self._err.clear()
            drained = self._open_streams == 0
        self._stats.add(bytes_received=len(out) + len(err))
        code = self._proc.poll() if drained else None
        if drained and code is None:
            code = self._proc.wait()
        return ReadResult(out, err, code)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()


class LocalTransport:
    name = "local"

    def __init__(self, host_name: str, stats: CallStats, executable: str | None = None) -> None:
        self.host_name = host_name
        self.stats = stats
        self._executable = executable or os.environ.get("WCC_LOCAL_POWERSHELL")

    @classmethod
    def from_spec(cls, spec: HostSpec, stats: CallStats) -> LocalTransport:
        return cls(spec.name, stats)

    def open_process(self, command_line: str) -> LocalProcess:
        argv = shlex.split(command_line, posix=False)
        if self._executable:
            argv = shlex.split(self._executable) + argv[1:]
        return LocalProcess(self.host_name, argv, self.stats)

    def heartbeat(self, timeout: float) -> bool:
        return True  # this machine: if we run, it answers

    def close(self) -> None:
        return None
