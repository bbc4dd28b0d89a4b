"""One SSH ``exec`` channel: start the command the way Windows OpenSSH does and move the bytes.

Windows OpenSSH runs an exec request through its DefaultShell, cmd.exe unless configured
otherwise, so ``exec_command("powershell -NoProfile -Command -")`` becomes
``cmd.exe /c powershell -NoProfile -Command -``.  Channel data feeds the process's stdin
(EOF when the client shuts its side), stdout/stderr go back as channel data and extended
data, and the exit code comes last as ``exit-status``.

>>> ExecSession(host, channel, "whoami").start()      # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import paramiko

from winsim.latency import round_trip
from winsim.processes import SimProcess, spawn

if TYPE_CHECKING:
    from winsim.processes import HostServices

log = logging.getLogger("winsim.ssh")

# HKLM:\SOFTWARE\OpenSSH\DefaultShell unset -> cmd.exe; how sshd prefixes the command line.
DEFAULT_SHELL_PREFIX = "cmd.exe /c "
_READ_SLICE = 0.5  # how often a waiting output pump checks that the client is still there
_CLOSE_GRACE = 1.0  # seconds the server waits for the client to close a finished channel


class ExecSession:
    def __init__(
        self,
        host: HostServices,
        channel: paramiko.Channel,
        command: str,
        on_done: Callable[[ExecSession], None] | None = None,
    ) -> None:
        self.host = host
        self._on_done = on_done
        self.channel = channel
        self.command_line = DEFAULT_SHELL_PREFIX + command
        self.process: SimProcess | None = None
        self._thread = threading.Thread(target=self._run, name=f"ssh-exec-{channel.get_id()}", daemon=True)

    def start(self) -> ExecSession:
        self._thread.start()
        return self

    def terminate(self) -> None:
        if self.process is not None:
            self.process.terminate()

    def _run(self) -> None:
        try:
            round_trip(self.host)
            self.process = spawn(self.host, self.command_line)
            threading.Thread(target=self._pump_stdin, args=(self.process,), daemon=True).start()
            self._pump_output(self.process)
        except (OSError, EOFError, paramiko.SSHException) as exc:  # the client went away
            log.debug("exec channel ended early: %s", exc)
            self.terminate()
        finally:
            # closing a channel sends a message: the transport may already be gone
            with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
                self.channel.close()
            if self._on_done is not None:
                self._on_done(self)

    def _pump_stdin(self, process: SimProcess) -> None:
        burst = False  # the next chunk was already here with the last one: same write, same trip
        try:
            while True:
                data = self.channel.recv(32768)
                if not data:
                    break
                if not burst:
                    round_trip(self.host)  # the answer to this input comes back one round trip later
                burst = self.channel.recv_ready()
                process.write_stdin(data)
        except (OSError, EOFError, paramiko.SSHException):
            pass
        process.write_stdin(b"", eof=True)
        # EOF only closes stdin; a channel close (client hung up) ends the process, as on Windows.
        self.channel.status_event.wait()
        if not process.done:
            process.terminate()

    def _pump_output(self, process: SimProcess) -> None:
        while True:
            out = process.read_output(_READ_SLICE)
            if out.stdout:
                self.channel.sendall(out.stdout)
            if out.stderr:
                self.channel.sendall_stderr(out.stderr)
            if out.exit_code is not None:
                self.channel.send_exit_status(out.exit_code & 0xFFFFFFFF)
                self.channel.shutdown_write()  # EOF
                # paramiko answers the exec request on its own thread after we have started; a
                # CLOSE overtaking that answer fails the client's exec_command.  So the client
                # gets a moment to close first (it normally does as soon as it has read).
                self.channel.status_event.wait(_CLOSE_GRACE)
                return
            transport = self.channel.get_transport()
            if self.channel.closed or transport is None or not transport.is_active():
                process.terminate()  # the client hung up: Windows ends the process too
                return
