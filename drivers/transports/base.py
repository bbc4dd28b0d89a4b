"""What a transport gives the PowerShell session: one long-running remote process and its pipes.

A transport (WinRM, SSH, local) starts a process from a command line and moves bytes::

    proc = transport.open_process(POWERSHELL_COMMAND)
    proc.write(b"Invoke-WccCall '...'\\n")
    out = proc.read(timeout=5.0)     # whatever arrived, waiting up to 5 s for something
    out.stdout, out.stderr, out.exit_code   # exit_code is None while the process runs

Transports count their own wire traffic into the :class:`~drivers.stats.CallStats` they are
given.  A shell or connection that is gone raises ``TransportError(lost=True)`` so the session
can re-open it once.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from typing import Protocol

# The session's PowerShell: the script comes over stdin (never on the command line, so no
# 8191-character limit), no profile, never prompts.
POWERSHELL_ARGS = ("-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", "-")
POWERSHELL_EXE = "powershell.exe"
POWERSHELL_COMMAND = " ".join((POWERSHELL_EXE, *POWERSHELL_ARGS))


@dataclass(frozen=True)
class ReadResult:
    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int | None = None  # set once the process has ended and its output is drained


class RemoteProcess(Protocol):
    def write(self, data: bytes) -> None:
        """Send bytes to the process's stdin (one wire request)."""

    def read(self, timeout: float) -> ReadResult:
        """Return output that is available, waiting up to ``timeout`` seconds for some."""

    def close(self) -> None:
        """End the process and release its shell/channel; never raises."""


class Transport(Protocol):
    name: str

    def open_process(self, command_line: str) -> RemoteProcess:
        """Start ``command_line`` on the host (opening the connection/shell if needed)."""

    def close(self) -> None:
        """Close the connection; never raises."""

    def heartbeat(self, timeout: float) -> bool:
        """True if the host's management service answers at all within ``timeout`` (no login)."""


def answers(address: str, port: int, hello: bytes, expect: bytes, timeout: float, tls: bool = False) -> bool:
    """Connect, send ``hello`` and see whether the reply starts with ``expect`` within ``timeout``.

    A heartbeat, not a login: nothing secret is sent, so the TLS certificate is not checked (the
    real connection checks it).  A frozen host accepts the TCP connection (the kernel does) but
    never replies.
    """
    try:
        with socket.create_connection((address, port), timeout=timeout) as raw:
            raw.settimeout(timeout)
            conn = raw
            if tls:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                conn = context.wrap_socket(raw, server_hostname=address)
            try:
                if hello:
                    conn.sendall(hello)
                return conn.recv(len(expect)).startswith(expect)
            finally:
                conn.close()
    except (OSError, ssl.SSLError):
        return False
