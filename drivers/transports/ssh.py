"""SSH transport: one paramiko connection, one exec channel running powershell.exe, kept open.

Host keys are checked against the inventory's known_hosts file (``RejectPolicy``); an unknown or
changed key refuses the connection.  Auth by password (from the environment) or key file.
Windows OpenSSH runs an exec request through the default shell (cmd.exe), which starts
powershell.exe from the command line we send.

Counting: each exec request and each stdin write is one wire request and one wire round trip
(the client sends and then waits on the answer); so is each exchange of the connection set-up
(see :data:`SETUP_EXCHANGES`); output the server pushes is counted in bytes only.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import warnings
from typing import TYPE_CHECKING

import paramiko

from drivers.errors import ConfigError, LoginRefused, TransportError
from drivers.stats import CallStats
from drivers.transports.base import ReadResult, answers

if TYPE_CHECKING:
    from inventory.model import HostSpec

# What SSHClient.connect waits on, one after the other (RFC 4253/4252): the version lines and
# KEXINITs cross once, the Diffie-Hellman exchange, NEWKEYS + the service request, the password
# or public-key authentication.  (The TCP handshake before them is the network's, not a request.)
SETUP_EXCHANGES = 4

_warned: set[str] = set()
_warn_lock = threading.Lock()


class SSHProcess:
    def __init__(self, transport: SSHTransport, channel: paramiko.Channel) -> None:
        self._t = transport
        self._chan = channel

    def write(self, data: bytes) -> None:
        if self._chan.closed or not self._t.is_active():  # nothing can leave: safe to send again
            raise TransportError(f"{self._t.host_name}: SSH connection closed", lost=True, unsent=True)
        try:
            self._chan.sendall(data)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise TransportError(f"{self._t.host_name}: SSH channel write failed: {exc}", lost=True) from None
        self._t.stats.add(wire_requests=1, wire_round_trips=1, bytes_sent=len(data))

    def read(self, timeout: float) -> ReadResult:
        chan = self._chan
        if not (chan.recv_ready() or chan.recv_stderr_ready() or chan.exit_status_ready() or chan.closed):
            select.select([chan], [], [], max(timeout, 0.0))
        out, err = bytearray(), bytearray()
        while chan.recv_ready():
            out += chan.recv(65536)
        while chan.recv_stderr_ready():
            err += chan.recv_stderr(65536)
        self._t.stats.add(bytes_received=len(out) + len(err))
        if chan.exit_status_ready() and not chan.recv_ready() and not chan.recv_stderr_ready():
            return ReadResult(bytes(out), bytes(err), chan.recv_exit_status())
        if chan.closed or not self._t.is_active():
            if out or err:
                return ReadResult(bytes(out), bytes(err), None)
            raise TransportError(f"{self._t.host_name}: SSH connection closed", lost=True)
        return ReadResult(bytes(out), bytes(err), None)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead channel is fine
            self._chan.close()


class SSHTransport:
    name = "ssh"

    def __init__(
        self,
        host_name: str,
        address: str,
        port: int,
        stats: CallStats,
        *,
        username: str,
        password: str | None,
        key_file: str | None,
        known_hosts: str,
        insecure_host_key: bool = False,
        connect_timeout: float = 30.0,
    ) -> None:
        self.host_name = host_name
        self.address = address
        self.port = port
        self.stats = stats
        self._username = username
        self._password = password
        self._key_file = os.path.expanduser(key_file) if key_file else None
        self._known_hosts = os.path.expanduser(known_hosts)
        self._insecure = insecure_host_key
        self._timeout = connect_timeout
        self._client: paramiko.SSHClient | None = None

    @classmethod
    def from_spec(cls, spec: HostSpec, stats: CallStats) -> SSHTransport:
        if not spec.address or not spec.username:
            raise ConfigError(f"{spec.name}: SSH needs 'address' and 'username'")
        return cls(
            spec.name,
            spec.address,
            spec.effective_port or 22,
            stats,
            username=spec.username,
            password=spec.password(),
            key_file=spec.ssh.key_file,
            known_hosts=spec.ssh.known_hosts,
            insecure_host_key=spec.ssh.insecure_host_key,
        )

    def __repr__(self) -> str:
        return f"SSHTransport({self._username}@{self.address}:{self.port})"

    def is_active(self) -> bool:
        t = self._client.get_transport() if self._client else None
        return bool(t and t.is_active())

    def _connect(self) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        if self._insecure:
            with _warn_lock:
                if self.host_name not in _warned:
                    _warned.add(self.host_name)
                    warnings.warn(
                        f"{self.host_name}: SSH host key checking is off (ssh.insecure_host_key)",
                        stacklevel=2,
                    )
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        else:
            if not os.path.isfile(self._known_hosts):
                raise ConfigError(
                    f"{self.host_name}: ssh.known_hosts file {self._known_hosts} does not exist"
                )
            client.load_host_keys(self._known_hosts)
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            client.connect(
                self.address,
                port=self.port,
                username=self._username,
                password=self._password,
                key_filename=self._key_file,
                look_for_keys=False,
                allow_agent=False,
                timeout=self._timeout,
                auth_timeout=self._timeout,
                banner_timeout=self._timeout,
            )
        except paramiko.AuthenticationException:
            client.close()
            raise LoginRefused(f"{self.host_name}: SSH authentication as {self._username!r} failed") from None
        except paramiko.SSHException as exc:  # includes an unknown/changed host key (RejectPolicy)
            client.close()
            raise TransportError(
                f"{self.host_name}: SSH to {self.address}:{self.port} refused: {exc}"
            ) from None
        except (TimeoutError, OSError) as exc:
            client.close()
            raise TransportError(
                f"{self.host_name}: SSH connect to {self.address}:{self.port} failed: {exc}", lost=True
            ) from None
        self.stats.add(wire_requests=SETUP_EXCHANGES, wire_round_trips=SETUP_EXCHANGES)
        return client

    def open_process(self, command_line: str) -> SSHProcess:
        if not self.is_active():
            self.close()
            self._client = self._connect()
        assert self._client is not None
        transport = self._client.get_transport()
        assert transport is not None
        try:
            channel = transport.open_session(timeout=self._timeout)
            channel.exec_command(command_line)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise TransportError(f"{self.host_name}: SSH exec failed: {exc}", lost=True) from None
        # the channel open and the exec request: each waits for the server's answer
        self.stats.add(wire_requests=2, wire_round_trips=2, bytes_sent=len(command_line))
        return SSHProcess(self, channel)

    def heartbeat(self, timeout: float) -> bool:
        """A live SSH server greets a new connection with its version line."""
        return answers(self.address, self.port, b"", b"SSH-", timeout)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
