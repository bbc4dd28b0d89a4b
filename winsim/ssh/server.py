"""``start(host, bind)``: the simulated host's OpenSSH server (paramiko).

Password logins check the host's credentials (``Administrator``, ``.\\Administrator`` and
``HOST\\Administrator`` all work); public-key logins accept keys in
``<state_dir>/ssh/authorized_keys``.  Only ``exec`` requests are served (see :mod:`.session`).

>>> surface = start(host, "127.0.0.1")                  # doctest: +SKIP
>>> surface.endpoints["ssh"]["known_hosts"]              # doctest: +SKIP
'[127.0.0.1]:40022 ssh-ed25519 AAAA...'
>>> surface.close()                                      # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import paramiko
from paramiko.common import (
    AUTH_FAILED,
    AUTH_SUCCESSFUL,
    OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED,
    OPEN_SUCCEEDED,
)

from winsim.latency import new_connection, round_trip
from winsim.ssh.keys import fingerprint, is_authorized, known_hosts_line, load_host_key
from winsim.ssh.session import ExecSession
from winsim.winrm.auth import AuthError, account_name, check_password

if TYPE_CHECKING:
    from winsim.processes import HostServices

log = logging.getLogger("winsim.ssh")

# The OpenSSH build each Windows Server release ships (INFERRED from release notes; data).
SERVER_VERSIONS = {"ws2019": "OpenSSH_for_Windows_7.7", "ws2022": "OpenSSH_for_Windows_8.1"}


class _Server(paramiko.ServerInterface):
    """Auth and channel policy for one connection."""

    def __init__(self, host: HostServices, key_folder: Path, sessions: set[ExecSession]) -> None:
        self.host = host
        self.key_folder = key_folder
        self.sessions = sessions

    def get_allowed_auths(self, username: str) -> str:
        return "publickey,password"

    def check_auth_password(self, username: str, password: str) -> int:
        try:
            check_password(self.host, username, password)
        except AuthError as exc:
            log.info("ssh password login refused: %s", exc)
            return AUTH_FAILED
        return AUTH_SUCCESSFUL

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        if account_name(username) != account_name(self.host.credentials.username):
            return AUTH_FAILED
        return AUTH_SUCCESSFUL if is_authorized(self.key_folder, key) else AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return OPEN_SUCCEEDED
        return OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args: Any) -> bool:
        return True  # accepted and ignored: output is the same with or without a console

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        try:
            text = command.decode("utf-8")
        except UnicodeDecodeError:
            return False
        session = ExecSession(self.host, channel, text, on_done=self.sessions.discard)
        self.sessions.add(session)
        session.start()
        return True


class SSHSurface:
    def __init__(self, host: HostServices, bind: str) -> None:
        self.host = host
        self.folder = host.state_dir / "ssh"
        self.host_key = load_host_key(self.folder)
        self._sock = socket.create_server((bind, 0))
        self.port = self._sock.getsockname()[1]
        self._closing = threading.Event()
        self._transports: set[paramiko.Transport] = set()
        self._sessions: set[ExecSession] = set()
        self._lock = threading.Lock()
        address = "127.0.0.1" if bind in ("0.0.0.0", "") else bind
        self.endpoints: dict[str, Any] = {
            "ssh": {
                "host": address,
                "port": self.port,
                "known_hosts": known_hosts_line(address, self.port, self.host_key),
                "host_key_fingerprint": fingerprint(self.host_key),
                "authorized_keys": str(self.folder / "authorized_keys"),
            }
        }
        self._thread = threading.Thread(target=self._accept_loop, name=f"ssh-{host.name}", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:  # the listener was shut down by close()
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # the TCP handshake, the key exchange and the login: paid before the client can open a
        # channel (charged up front: the client waits on each of them in turn)
        profile = self.host.latency
        new_connection(self.host)
        round_trip(self.host, profile.ssh_setup_round_trips, profile.ssh_kex_cpu + profile.ssh_auth)
        transport = paramiko.Transport(conn)
        transport.local_version = "SSH-2.0-" + SERVER_VERSIONS.get(
            self.host.profile.name, SERVER_VERSIONS["ws2022"]
        )
        transport.add_server_key(self.host_key)
        with self._lock:
            if self._closing.is_set():
                transport.close()
                return
            self._transports.add(transport)
        try:
            transport.start_server(server=_Server(self.host, self.folder, self._sessions))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            log.debug("ssh handshake failed: %s", exc)
            transport.close()
            with self._lock:
                self._transports.discard(transport)

    def close(self) -> None:
        self._closing.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._sock.close()
        self._thread.join(timeout=5)
        with self._lock:
            transports = list(self._transports)
            self._transports.clear()
        for session in list(self._sessions):
            session.terminate()
        for transport in transports:
            transport.close()


def start(host: HostServices, bind: str = "127.0.0.1") -> SSHSurface:
    """Listen on an ephemeral port of ``bind`` and serve until :meth:`SSHSurface.close`."""
    return SSHSurface(host, bind)
