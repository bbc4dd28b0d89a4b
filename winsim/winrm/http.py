"""The HTTP side of the WinRM listener: request limits, authentication, sealing, then WS-Man.

One handler instance serves one TCP connection (HTTP/1.1 keep-alive), which is also the
lifetime of an NTLM security context.  Answers follow Windows' HTTP.sys/WinRM service:
401 with ``WWW-Authenticate: Negotiate`` and ``Basic realm="WSMAN"``, 405 for other methods,
413 for oversized bodies, SOAP faults with status 500 (400 for unparseable XML).

The handler reads its collaborators from ``server.app`` (:class:`WinRMApp`).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from winsim.latency import new_connection, round_trip
from winsim.winrm import faults, injection
from winsim.winrm.auth import AuthError, NTLMAcceptor, UserDatabase
from winsim.winrm.config import WinRMConfig
from winsim.winrm.faults import WSManFault
from winsim.winrm.injection import DropConnection, InjectedStatus, Injector
from winsim.winrm.operations import Operations
from winsim.winrm.sealing import SealingError, is_sealed, seal, unseal
from winsim.winrm.soap import fault_envelope, parse_request

if TYPE_CHECKING:
    from winsim.processes import HostServices

log = logging.getLogger("winsim.winrm")

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"


@dataclass
class WinRMApp:
    """Everything a request needs, shared by the HTTP and HTTPS listeners of one host."""

    host: HostServices
    config: WinRMConfig
    users: UserDatabase
    operations: Operations
    injector: Injector = field(default_factory=Injector)

    def process(self, message: bytes, user: str) -> tuple[int, bytes]:
        """(HTTP status, SOAP envelope) for one plain request envelope."""
        relates_to: str | None = None
        try:
            if len(message) > self.config.max_envelope_size:
                raise faults.envelope_too_large(len(message), self.config.max_envelope_size)
            request = parse_request(message)
            relates_to = request.message_id
            rule = self.injector.take(request.action.rsplit("/", 1)[-1])
            injection.before(rule)
            answer = self.operations.handle(request, user)
            injection.after(rule)
            return 200, answer
        except (DropConnection, InjectedStatus):
            raise
        except WSManFault as fault:
            log.debug("WS-Man fault for %s: %s", user, fault)
            return fault.http_status, fault_envelope(fault, relates_to, self.host.name)
        except Exception:  # a bug must become a fault, never a dropped connection
            log.exception("internal error handling a WS-Man request")
            internal = WSManFault(
                faults.RECEIVER,
                "w:InternalError",
                "The WS-Management service encountered an internal error. ",
                2150858752,
            )
            return 500, fault_envelope(internal, relates_to, self.host.name)


class WSManServer(ThreadingHTTPServer):
    """Threaded listener; TLS (if any) is negotiated on the connection's own thread."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], app: WinRMApp, tls: ssl.SSLContext | None, cert_hash: bytes | None
    ) -> None:
        self.app = app
        self.tls = tls
        self.cert_hash = cert_hash
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        super().__init__(address, WSManHandler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        conn: socket.socket = request
        new_connection(self.app.host, tls=self.tls is not None)
        if self.tls is not None:
            conn.settimeout(10.0)
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                log.debug("TLS handshake with %s failed: %s", client_address, exc)
                return
        with self._lock:
            self._connections.add(conn)
        try:
            WSManHandler(conn, client_address, self)
        finally:
            with self._lock:
                self._connections.discard(conn)
            if conn is not request:
                conn.close()

    def close_connections(self) -> None:
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class WSManHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # a request line that cannot be parsed still gets a status line (http.server would send a bare
    # HTTP/0.9 body; Go's net/http and HTTP.sys answer 400 in HTTP/1.1)
    default_request_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    server: WSManServer

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        self.request.settimeout(self.server.app.config.connection_idle_timeout)
        super().setup()
        self.ntlm: NTLMAcceptor | None = None

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    # -- methods -----------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._reply(405, b"", extra={"Allow": "POST"})

    do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def do_POST(self) -> None:
        self._answered = False
        try:
            self._post()
        except Exception:  # a bug must become an answer, never a connection closed without one
            log.exception("internal error handling a POST")
            if not self._answered:
                self._reply(500, b"", close=True)
            self.close_connection = True

    def send_response(self, code: int, message: str | None = None) -> None:
        self._answered = True
        super().send_response(code, message)

    def _post(self) -> None:
        app = self.server.app
        round_trip(app.host)
        body = self._read_body(app.config.max_request_body)
        if body is None:
            return
        if self.path.split("?", 1)[0].rstrip("/").lower() != "/wsman":
            self._reply(404, b"")
            return
        user = self._authenticate(app.users)
        if user is None:
            return
        sealed = is_sealed(self.headers.get("Content-Type", ""))
        if sealed:
            if self.ntlm is None or not self.ntlm.complete:
                self._reply(400, b"", close=True)
                return
            try:
                message = unseal(self.ntlm, body)
            except (SealingError, AuthError) as exc:
                log.info("rejecting a sealed request: %s", exc)
                self._reply(400, b"", close=True)
                return
        else:
            if body and self.server.tls is None and not app.config.allow_unencrypted:
                self._unauthorized()  # what AllowUnencrypted=false looks like to a client
                return
            if body and not self.headers.get("Content-Type", "").lower().startswith("application/soap+xml"):
                self._reply(415, b"")
                return
            message = body
        if not message:  # the empty POST clients send to set up message encryption
            self._reply(200, b"")
            return
        try:
            status, response = app.process(message, user)
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        except InjectedStatus as injected:
            self._reply(injected.status, b"")
            return
        if sealed and self.ntlm is not None:
            payload, ctype = seal(self.ntlm, response)
            self._reply(status, payload, ctype)
        else:
            self._reply(status, response, SOAP_CONTENT_TYPE)

    # -- pieces ------------------------------------------------------------------------------------

    def _read_body(self, limit: int) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._reply(411, b"", close=True)
            return None
        raw = self.headers.get("Content-Length", "0")
        if not raw.strip().isdigit():
            self._reply(400, b"", close=True)
            return None
        length = int(raw)
        if length > limit:
            if length <= 16 * limit:  # drain a moderately large body so the client gets to read the 413
                self._discard(length)
            self._reply(413, b"", close=True)
            return None
        try:
            data = self.rfile.read(length)
        except OSError:
            self.close_connection = True
            return None
        if len(data) != length:
            self.close_connection = True
            return None
        return data

    def _discard(self, length: int) -> None:
        try:
            while length > 0:
                chunk = self.rfile.read(min(length, 65536))
                if not chunk:
                    return
                length -= len(chunk)
        except OSError:
            return

    def _authenticate(self, users: UserDatabase) -> str | None:
        """The account name, or None after answering 401 (a handshake leg or a rejection)."""
        header = self.headers.get("Authorization")
        if not header:
            if self.ntlm is not None and self.ntlm.complete and self.ntlm.user:
                return self.ntlm.user
            self._unauthorized()
            return None
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        try:
            if scheme == "basic" and self.server.app.config.allow_basic:
                self.ntlm = None
                return users.check_basic(header)
            if scheme in ("negotiate", "ntlm"):
                round_trip(self.server.app.host, 0, self.server.app.host.latency.ntlm_leg)
                if self.ntlm is None or self.ntlm.complete:
                    self.ntlm = NTLMAcceptor(users, self.server.cert_hash)
                token = base64.b64decode(value.strip(), validate=True)
                reply = self.ntlm.step(token)
                if self.ntlm.user:
                    return self.ntlm.user
                challenge = f"{scheme.capitalize()} {base64.b64encode(reply or b'').decode()}"
                self._reply(401, b"", extra={"WWW-Authenticate": challenge})
                return None
        except (AuthError, binascii.Error) as exc:
            log.info("authentication failed from %s: %s", self.address_string(), exc)
            self.ntlm = None
        self._unauthorized()
        return None

    def _unauthorized(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", "Negotiate")
        if self.server.app.config.allow_basic:
            self.send_header("WWW-Authenticate", 'Basic realm="WSMAN"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _reply(
        self,
        status: int,
        body: bytes,
        content_type: str | None = None,
        extra: dict[str, str] | None = None,
        close: bool = False,
    ) -> None:
        self.send_response(status)
        if content_type and body:
            self.send_header("Content-Type", content_type)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
