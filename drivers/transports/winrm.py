"""WinRM transport: one WinRS shell per session, one command (powershell.exe) kept running in it.

Uses pywinrm's ``Protocol`` directly: ``open_shell`` once, ``run_command`` once, then
``send_command_input`` (bytes) per call.  Output comes from a Receive kept *pending* on a second
HTTP connection (its own ``Protocol``, NTLM context and message encryption) of the same shell:
WinRM lets a Receive wait while a Send is made, so a call costs one round trip on its critical
path (the Send; the pending Receive answers as soon as the output exists) instead of two one
after the other.  A pending Receive that hears nothing within OperationTimeout ends in the
``w:TimedOut`` fault, which is normal: the next one is posted at once.

Every HTTP request is counted (``wire_requests``), NTLM legs and the empty request that sets up
message encryption included, from the first byte of the session open; ``wire_round_trips``
counts the ones the caller waited on (the Send; a Receive only when it had to be posted after
the Send, i.e. when one answer took more than one Receive).  A pending Receive is counted when
its answer arrives, so the counts between two snapshots do not depend on thread timing.

A shell-not-found fault (the shell was deleted: idle timeout, WinRM restart), a dropped
connection, or a 400/401 on an HTTP session that worked before (its NTLM context died with its
TCP connection) raises ``TransportError(lost=True)`` and drops the HTTP session, so the next
request opens a new one with a fresh handshake (and message encryption); a request the host
provably did not run (connection refused, rejected before it ran) is marked ``unsent``.  Wrong
credentials on a fresh session raise it with ``lost=False``.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
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


class _Meter:
    """Adds wire traffic to the host's stats, or holds it back for a pending Receive.

    A Receive's request is counted when its answer arrives (``deferred``), so a snapshot taken
    after a call never races the thread that posts the next pending Receive.
    """

    def __init__(self, stats: CallStats) -> None:
        self.stats = stats
        self._local = threading.local()

    def add(self, **deltas: int) -> None:
        held: dict[str, int] | None = getattr(self._local, "held", None)
        if held is None:
            self.stats.add(**deltas)
            return
        for name, delta in deltas.items():
            held[name] = held.get(name, 0) + delta

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        held: dict[str, int] = {}
        self._local.held = held
        try:
            yield
        finally:
            self._local.held = None
            if held:
                self.stats.add(**held)


class _CountingProtocol(Protocol):
    """pywinrm's Protocol with every HTTP request on the wire counted, auth handshakes included."""

    def __init__(self, endpoint: str, meter: _Meter, *, waited: bool, **kwargs: Any) -> None:
        super().__init__(endpoint, **kwargs)
        self.meter = meter
        # the current HTTP session has had an answer (so a 400/401 now means it went stale)
        self.answered = False
        transport = self.transport
        build, setup = transport.build_session, transport.setup_encryption

        def build_counted() -> requests.Session:
            session = build()  # pywinrm returns its cached session after the first call
            # pywinrm merged the environment's proxy and CA settings into the session when it
            # built it; without this, every send looks them up again, iterating (and briefly
            # setting) os.environ, which races with other threads (the pending Receive's)
            session.trust_env = False
            _count_session(session, meter, waited)
            return session

        def setup_counted(session: requests.Session) -> None:
            # pywinrm sets up message encryption (an NTLM handshake) inside build_session:
            # count its requests too
            _count_session(session, meter, waited)
            setup(session)

        transport.build_session = build_counted  # type: ignore[method-assign]
        transport.setup_encryption = setup_counted  # type: ignore[method-assign]

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


def counting_protocol(endpoint: str, stats: CallStats, **kwargs: Any) -> Protocol:
    """A pywinrm ``Protocol`` whose every HTTP request (NTLM legs included) is counted into ``stats``
    as one the caller waited on: how a plain pywinrm client's wire cost is measured alike::

        session = winrm.Session(endpoint, auth=(user, password), transport="ntlm")
        session.protocol = counting_protocol(endpoint, stats, transport="ntlm", username=user, password=password)
    """
    return _CountingProtocol(endpoint, _Meter(stats), waited=True, **kwargs)


def _count_session(session: requests.Session, meter: _Meter, waited: bool) -> None:
    if getattr(session, "_wcc_counted", False):
        return
    session._wcc_counted = True  # type: ignore[attr-defined]
    for adapter in {id(a): a for a in session.adapters.values()}.values():
        _count_adapter(adapter, meter, waited)


def _count_adapter(adapter: Any, meter: _Meter, waited: bool) -> None:
    # The adapter sees every request, including the ones auth handlers send for a 401 challenge.
    original = adapter.send

    def send(request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body or b""
        meter.add(wire_requests=1, wire_round_trips=int(waited), bytes_sent=len(body))
        response: requests.Response = original(request, *args, **kwargs)
        meter.add(bytes_received=int(response.headers.get("Content-Length") or 0))
        return response

    adapter.send = send


def _never_connected(exc: BaseException) -> bool:
    """The TCP connection was never made, so no byte of the request left this machine."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    inner = exc.args[0] if exc.args else None  # requests wraps urllib3's MaxRetryError
    reason = getattr(inner, "reason", inner)
    return isinstance(reason, NewConnectionError | ConnectionRefusedError)


@dataclass(frozen=True)
class _Answer:
    result: ReadResult | None = None
    error: TransportError | None = None
    posted_after: int = 0  # how many Sends had been made when this Receive was posted


class WinRMProcess:
    """The shell's command: Sends on the transport's connection, one Receive always pending on
    the receiver's (a thread per process posts them; answers wait in a queue for ``read``)."""

    def __init__(self, transport: WinRMTransport, shell_id: str, command_id: str) -> None:
        self._t = transport
        self._shell_id = shell_id
        self._command_id = command_id
        self._done = False
        self._exit = 0
        self._sends = 0
        self._answers: queue.Queue[_Answer] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._receive_loop, name=f"winrm-receive-{transport.host_name}", daemon=True
        )
        self._thread.start()

    def write(self, data: bytes) -> None:
        self._sends += 1
        with self._t.guard("Send"):
            self._t.protocol.send_command_input(self._shell_id, self._command_id, data)

    def read(self, timeout: float) -> ReadResult:
        if self._done:
            return ReadResult(exit_code=self._exit)
        try:
            answer = self._answers.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return ReadResult()
        if answer.error is not None:
            self._done, self._exit = True, -1
            raise answer.error
        assert answer.result is not None
        if answer.posted_after == self._sends and self._sends:
            # posted after the last Send: the caller waited on this Receive too
            self._t.meter.stats.add(wire_round_trips=1)
        if answer.result.exit_code is not None:
            self._done, self._exit = True, answer.result.exit_code
        return answer.result

    def close(self) -> None:
        self._stop.set()
        # deleting the shell also ends the pending Receive (the host answers it with a fault)
        self._t.discard_shell(self._shell_id, self._command_id)
        self._thread.join(timeout=DISCARD_TIMEOUT)

    def _receive_loop(self) -> None:
        proto = self._t.receiver
        meter = self._t.meter
        posted_after = self._sends
        while not self._stop.is_set():
            try:
                with meter.deferred(), self._t.guard("Receive", proto):
                    stdout, stderr, code, done = proto.get_command_output_raw(
                        self._shell_id, self._command_id
                    )
            except WinRMOperationTimeoutError:
                continue  # nothing to say within OperationTimeout: normal, post the next one
            except TransportError as exc:
                if not self._stop.is_set():
                    self._answers.put(_Answer(error=exc))
                return
            except Exception as exc:  # never die silently: the reader would wait forever
                if not self._stop.is_set():
                    message = f"{self._t.host_name}: WinRM Receive failed: {type(exc).__name__}: {exc}"
                    self._answers.put(_Answer(error=TransportError(message, lost=True)))
                return
            result = ReadResult(stdout, stderr, code if done else None)
            answer = _Answer(result=result, posted_after=posted_after)
            # taken before the caller can see this answer (and make its next Send): the next
            # Receive goes out at once, so it waits alongside that Send, not after it
            posted_after = self._sends
            self._answers.put(answer)
            if done:
                return


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
        self.meter = _Meter(stats)
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
            self.protocol = _CountingProtocol(endpoint, self.meter, waited=True, **kwargs)
            # the pending Receives' own HTTP session: its requests wait off the critical path
            self.receiver = _CountingProtocol(endpoint, self.meter, waited=False, **kwargs)
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

    def guard(self, operation: str, protocol: _CountingProtocol | None = None) -> _Guard:
        return _Guard(self, operation, protocol or self.protocol)

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
        for protocol in (self.protocol, self.receiver):
            with contextlib.suppress(Exception):
                protocol.reset_http()

    def heartbeat(self, timeout: float) -> bool:
        """An empty, unauthenticated POST: a live WinRM service answers it (with 401)."""
        url = urlparse(self.endpoint)
        hello = f"POST {url.path or '/'} HTTP/1.1\r\nHost: {url.hostname}\r\nContent-Length: 0\r\n\r\n"
        port = url.port or (5986 if url.scheme == "https" else 5985)
        return answers(url.hostname or "", port, hello.encode(), b"HTTP/", timeout, url.scheme == "https")


class _Guard:
    """Map pywinrm/requests errors to TransportError with the host and the operation."""

    def __init__(self, transport: WinRMTransport, operation: str, protocol: _CountingProtocol) -> None:
        self._t = transport
        self._op = operation
        self._proto = protocol

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is None or isinstance(exc, WinRMOperationTimeoutError):
            return
        proto = self._proto
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
