"""WinRM transport: one WinRS shell per session, one command (powershell.exe) kept running in it.

Uses pywinrm's ``Protocol`` directly: ``open_shell`` once, ``run_command`` once, then
``send_command_input`` (bytes) per call and ``get_command_output_raw`` (single Receives, each a
long poll bounded by the caller's remaining time).  Every HTTP request is counted.

A shell-not-found fault (the shell was deleted: idle timeout, WinRM restart), a dropped
connection, or a 400/401 on an HTTP session that worked before (its NTLM context died with its
TCP connection) raises ``TransportError(lost=True)`` and drops the HTTP session, so the next
request opens a new one with a fresh handshake (and message encryption); a request the host
provably did not run (connection refused, rejected before it ran) is marked ``unsent``.  Wrong
credentials on a fresh session raise it with ``lost=False``.
"""

from __future__ import annotations

import contextlib
import math
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import requests
from urllib3.exceptions import NewConnectionError
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm.protocol import Protocol

from drivers.errors import ConfigError, LoginRefused, TransportError
from drivers.stats import CallStats
from drivers.transports.base import POWERSHELL_ARGS, POWERSHELL_EXE, ReadResult, answers

if TYPE_CHECKING:
    from inventory.model import HostSpec

SHELL_NOT_FOUND = 2150858843  # ERROR_WSMAN_SHELL_NOT_FOUND / invalid selectors
UTF8_CODEPAGE = 65001
# Deleting a shell we are leaving behind is best effort: never wait long on a host that went quiet.
DISCARD_TIMEOUT = 5


class _CountingProtocol(Protocol):
    """pywinrm's Protocol with every HTTP request on the wire counted, auth handshakes included."""

    stats: CallStats

    def __init__(self, endpoint: str, stats: CallStats, **kwargs: Any) -> None:
        super().__init__(endpoint, **kwargs)
        self.stats = stats
        # the current HTTP session has had an answer (so a 400/401 now means it went stale)
        self.answered = False
        build = self.transport.build_session

        def build_counted() -> requests.Session:
            session = build()  # pywinrm returns its cached session after the first call
            if not getattr(session, "_wcc_counted", False):
                session._wcc_counted = True  # type: ignore[attr-defined]
                for adapter in {id(a): a for a in session.adapters.values()}.values():
                    _count_adapter(adapter, stats)
            return session

        self.transport.build_session = build_counted  # type: ignore[method-assign]

    def send_message(self, message: str) -> bytes:
        try:
            reply: bytes = super().send_message(message)
        except (WSManFaultError, WinRMOperationTimeoutError):
            self.answered = True  # a fault is an answer from the service
            raise
        self.answered = True
        return reply

    def reset_http(self) -> None:
        """Forget the HTTP session (its connections, NTLM context and message encryption)."""
        self.transport.close_session()
        self.transport.encryption = None
        self.answered = False


def _count_adapter(adapter: Any, stats: CallStats) -> None:
    # The adapter sees every request, including the ones auth handlers send for a 401 challenge.
    original = adapter.send

    def send(request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body or b""
        stats.add(wire_requests=1, bytes_sent=len(body))
        response: requests.Response = original(request, *args, **kwargs)
        stats.add(bytes_received=int(response.headers.get("Content-Length") or 0))
        return response

    adapter.send = send


def _never_connected(exc: BaseException) -> bool:
    """The TCP connection was never made, so no byte of the request left this machine."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    inner = exc.args[0] if exc.args else None  # requests wraps urllib3's MaxRetryError
    reason = getattr(inner, "reason", inner)
    return isinstance(reason, NewConnectionError | ConnectionRefusedError)


class WinRMProcess:
    def __init__(self, transport: WinRMTransport, shell_id: str, command_id: str) -> None:
        self._t = transport
        self._shell_id = shell_id
        self._command_id = command_id
        self._done = False
        self._exit = 0

    def write(self, data: bytes) -> None:
        with self._t.guard("Send"):
            self._t.protocol.send_command_input(self._shell_id, self._command_id, data)

    def read(self, timeout: float) -> ReadResult:
        if self._done:
            return ReadResult(exit_code=self._exit)
        proto = self._t.protocol
        # The Receive long-polls on the server for OperationTimeout; keep it within our deadline.
        proto.operation_timeout_sec = max(1, min(self._t.operation_timeout, math.ceil(timeout)))
        try:
            with self._t.guard("Receive"):
                stdout, stderr, code, done = proto.get_command_output_raw(self._shell_id, self._command_id)
        except WinRMOperationTimeoutError:
            return ReadResult()
        finally:
            proto.operation_timeout_sec = self._t.operation_timeout
        if done:
            self._done, self._exit = True, code
            return ReadResult(stdout, stderr, code)
        return ReadResult(stdout, stderr, None)

    def close(self) -> None:
        self._t.discard_shell(self._shell_id, self._command_id)


class WinRMTransport:
    name = "winrm"

    def __init__(
        self,
        host_name: str,
        endpoint: str,
        stats: CallStats,
        *,
        auth: str,
        username: str | None,
        password: str | None,
        ca_cert: str | None = None,
        insecure: bool = False,
        cert_pem: str | None = None,
        cert_key_pem: str | None = None,
        message_encryption: str = "auto",
        operation_timeout: int = 20,
        read_timeout: int = 30,
    ) -> None:
        self.host_name = host_name
        self.endpoint = endpoint
        self.operation_timeout = operation_timeout
        self._lock = threading.Lock()
        kwargs: dict[str, Any] = {
            "transport": auth,
            "username": username,
            "password": password,
            "server_cert_validation": "ignore" if insecure else "validate",
            "message_encryption": message_encryption,
            "operation_timeout_sec": operation_timeout,
            "read_timeout_sec": read_timeout,
        }
        if endpoint.startswith("https:") and ca_cert and not insecure:
            kwargs["ca_trust_path"] = ca_cert
        if auth == "certificate":
            kwargs.update(cert_pem=cert_pem, cert_key_pem=cert_key_pem)
        try:
            self.protocol = _CountingProtocol(endpoint, stats, **kwargs)
        except WinRMError as exc:
            raise ConfigError(f"{host_name}: WinRM settings: {exc}") from None

    @classmethod
    def from_spec(cls, spec: HostSpec, stats: CallStats) -> WinRMTransport:
        w = spec.winrm
        endpoint = f"{w.scheme}://{spec.address}:{spec.effective_port}{w.path}"
        return cls(
            spec.name,
            endpoint,
            stats,
            auth=w.auth,
            username=spec.username,
            password=spec.password(),
            ca_cert=spec.tls.ca_cert,
            insecure=spec.tls.insecure,
            cert_pem=w.cert_pem,
            cert_key_pem=w.cert_key_pem,
            message_encryption=w.message_encryption,
            operation_timeout=w.operation_timeout,
            read_timeout=w.read_timeout,
        )

    def __repr__(self) -> str:
        return f"WinRMTransport({self.endpoint!r})"

    def guard(self, operation: str) -> _Guard:
        return _Guard(self, operation)

    def open_process(self, command_line: str) -> WinRMProcess:
        exe, _, rest = command_line.partition(" ")
        args = rest.split(" ") if rest else list(POWERSHELL_ARGS if exe == POWERSHELL_EXE else ())
        with self.guard("Create shell"):
            shell_id = self.protocol.open_shell(codepage=UTF8_CODEPAGE, noprofile=True)
        with self.guard("Command"):
            command_id = self.protocol.run_command(shell_id, exe, args, skip_cmd_shell=True)
        return WinRMProcess(self, shell_id, command_id)

    def discard_shell(self, shell_id: str, command_id: str) -> None:
        """Delete the shell (which ends its processes) but keep the HTTP session for the next one."""
        transport = self.protocol.transport
        transport.read_timeout_sec, usual = DISCARD_TIMEOUT, transport.read_timeout_sec
        try:
            with contextlib.suppress(Exception):  # the shell may already be gone; best effort
                self.protocol.close_shell(shell_id, close_session=False)
        finally:
            transport.read_timeout_sec = usual

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.protocol.reset_http()

    def heartbeat(self, timeout: float) -> bool:
        """An empty, unauthenticated POST: a live WinRM service answers it (with 401)."""
        url = urlparse(self.endpoint)
        hello = f"POST {url.path or '/'} HTTP/1.1\r\nHost: {url.hostname}\r\nContent-Length: 0\r\n\r\n"
        port = url.port or (5986 if url.scheme == "https" else 5985)
        return answers(url.hostname or "", port, hello.encode(), b"HTTP/", timeout, url.scheme == "https")


class _Guard:
    """Map pywinrm/requests errors to TransportError with the host and the operation."""

    def __init__(self, transport: WinRMTransport, operation: str) -> None:
        self._t = transport
        self._op = operation

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is None or isinstance(exc, WinRMOperationTimeoutError):
            return
        proto = self._t.protocol
        where = f"{self._t.host_name}: WinRM {self._op} at {self._t.endpoint}"
        rejected = isinstance(exc, InvalidCredentialsError) or (
            isinstance(exc, WinRMTransportError) and exc.code == 400
        )
        if rejected and proto.answered:  # ...by a host that accepted this HTTP session before
            # 401, or 400 for a sealed message the host cannot open: the connection's NTLM context
            # is gone (the TCP connection dropped).  The host rejected the request unrun.
            proto.reset_http()
            code = exc.code if isinstance(exc, WinRMTransportError) else 401
            raise TransportError(
                f"{where}: HTTP {code}: the host no longer accepts this connection's authentication",
                lost=True,
                unsent=True,
            ) from None
        if isinstance(exc, InvalidCredentialsError):
            raise LoginRefused(
                f"{self._t.host_name}: WinRM {self._op}: the credentials were rejected"
            ) from None
        if isinstance(exc, WSManFaultError) and exc.wsman_fault_code == SHELL_NOT_FOUND:
            raise TransportError(
                f"{where}: the shell is gone: {exc.reason or exc}", lost=True, unsent=True
            ) from None
        if isinstance(exc, WinRMError | WinRMTransportError | requests.RequestException | ConnectionError):
            detail = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            lost = not isinstance(exc, WinRMError)  # a WS-Man fault is an answer, not a loss
            if lost:
                proto.reset_http()
            raise TransportError(
                f"{where} failed: {detail}", lost=lost, unsent=lost and _never_connected(exc)
            ) from None
