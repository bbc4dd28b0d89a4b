"""The Docker Engine API of a simulated host: HTTP(S) on a loopback TCP port.

>>> surface = start(host, "127.0.0.1")       # doctest: +SKIP
>>> surface.endpoints["docker"]              # doctest: +SKIP
{'host': 'tcp://127.0.0.1:50123', 'tls': True, 'cert_path': '/tmp/h/docker-tls'}

TLS (client certificates required) is on unless ``tls=False`` or ``WINSIM_DOCKER_TLS=0``.
The port listens only while the model's dockerd runs: when dockerd is stopped or killed the
socket closes (clients get "connection refused"), and it reopens on the same port when dockerd
starts again.  Every request logs dockerd's ``Calling <METHOD> <RequestURI>`` debug line.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from winsim.docker_api import endpoints, exec_handlers  # noqa: F401 - exec_handlers registers its routes
from winsim.docker_api import tls as tls_material
from winsim.docker_api.errors import error_response
from winsim.docker_api.handlers import dispatch
from winsim.docker_api.protocol import Hijack, Reply, Request, Response, Stream, split_uri
from winsim.latency import new_connection, round_trip
from winsim.model import DaemonNotRunning, DockerError, ModelError

if TYPE_CHECKING:
    from winsim.processes import HostServices

MIN_VERSION = (1, 24)


def _version_tuple(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    host: HostServices
    ssl_context: ssl.SSLContext | None

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        if self.ssl_context is not None:
            # handshake later, in the handler's thread, so one slow client cannot block accept()
            conn = self.ssl_context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # TLS failures and dropped clients are the client's business, not a server crash


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # a request line that cannot be parsed still gets a status line (http.server would send a bare
    # HTTP/0.9 body; Go's net/http and HTTP.sys answer 400 in HTTP/1.1)
    default_request_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; no delayed-ACK stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        new_connection(self.server.host, tls=self.server.ssl_context is not None)
        super().setup()

    def do_GET(self) -> None:
        round_trip(self.server.host)  # each request of the Docker API is one on the link
        self._handle()

    do_POST = do_DELETE = do_HEAD = do_PUT = do_GET

    # ---- request ----------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _cancelled(self) -> bool:
        """The client closed (or sent something while waiting for us, which Go clients only do to close)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _handle(self) -> None:
        host = self.server.host
        dockerd = host.model.dockerd
        if not dockerd.running:
            self._drop()
            return
        body = self._read_body()
        path, version, query = split_uri(self.path)
        dockerd.log_api_call(self.command, self.path)
        if self.command == "POST" and body and "json" in self.headers.get("Content-Type", ""):
            with contextlib.suppress(ValueError):
                parsed = json.loads(body)
                if isinstance(parsed, dict):
                    dockerd.log_form_data(parsed)
        max_version = _version_tuple(host.profile.docker_api_version)
        reply: Reply
        if version is not None and version > max_version:
            reply = self._error(
                400,
                f"client version {version[0]}.{version[1]} is too new. Maximum supported API version is "
                f"{host.profile.docker_api_version}",
            )
        elif version is not None and version < MIN_VERSION:
            reply = self._error(
                400,
                f"client version {version[0]}.{version[1]} is too old. Minimum supported API version is "
                f"{MIN_VERSION[0]}.{MIN_VERSION[1]}, please upgrade your client to a newer version",
            )
        else:
            req = Request(
                host, self.command, self.path, body, version or max_version, path, query, (), self._cancelled
            )
            try:
                reply = dispatch(req)
            except DockerError as exc:
                reply = error_response(exc)
            except DaemonNotRunning:
                self._drop()
                return
            except ModelError as exc:
                reply = self._error(500, str(exc))
            except Exception as exc:  # a bug must answer 500, not kill the connection thread silently
                reply = self._error(500, f"winsim internal error: {exc!r}")
        self._send(reply)

    @staticmethod
    def _error(status: int, message: str) -> Response:
        return Response(status, {"message": message})

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # ---- response ---------------------------------------------------------------------
    def _common_headers(self) -> None:
        profile = self.server.host.profile
        self.send_header("Api-Version", profile.docker_api_version)
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "windows")

    def version_string(self) -> str:
        """The one ``Server`` header (send_response writes it): clients read the daemon's OS from it."""
        return f"Docker/{self.server.host.profile.docker_version} (windows)"

    def _send(self, reply: Reply) -> None:
        try:
            if isinstance(reply, Hijack):
                self._send_hijack(reply)
            elif isinstance(reply, Stream):
                self._send_stream(reply)
            else:
                self._send_plain(reply)
        except (OSError, ssl.SSLError):
            self.close_connection = True

    def _send_plain(self, reply: Response) -> None:
        if reply.body is None:
            data = b""
        elif isinstance(reply.body, bytes):
            data = reply.body
        elif isinstance(reply.body, str):
            data = reply.body.encode()
        else:
            data = json.dumps(reply.body).encode() + b"\n"
        self.send_response(reply.status)
        self._common_headers()
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if reply.status not in (204, 304):
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and reply.status not in (204, 304):
            self.wfile.write(data)
        self.wfile.flush()

    def _send_stream(self, reply: Stream) -> None:
        self.send_response(reply.status)
        self._common_headers()
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        try:
            for chunk in reply.chunks:
                if chunk:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
        finally:
            close = getattr(reply.chunks, "close", None)
            if close is not None:
                close()
        if not self.server.host.model.dockerd.running:
            self._drop()  # dockerd died mid-stream: the client sees the connection break
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _send_hijack(self, reply: Hijack) -> None:
        upgrade = "upgrade" in self.headers.get("Connection", "").lower()
        if upgrade:
            self.send_response_only(101, "UPGRADED")
            self.send_header("Connection", "Upgrade")
            self.send_header("Upgrade", "tcp")
        else:
            self.send_response_only(200)
        self.send_header("Server", self.version_string())
        self.send_header("Content-Type", reply.content_type)
        self._common_headers()
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        reply.run(self.connection)


class DockerSurface:
    """The running Docker endpoint of one host; follows dockerd's state (listening only while it runs)."""

    def __init__(self, host: HostServices, bind: str, use_tls: bool, port: int = 0) -> None:
        self.host = host
        self.model = host.model  # built now, before any request thread can race for it
        self.bind = bind
        self.cert_path = tls_material.ensure_material(host.state_dir / "docker-tls") if use_tls else None
        self._ctx = tls_material.server_context(self.cert_path) if self.cert_path else None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self.port = port
        self._listen()
        self._watcher = threading.Thread(target=self._follow_dockerd, name="winsim-docker-watch", daemon=True)
        self._watcher.start()
        endpoints.register(host, self)

    @property
    def url(self) -> str:
        return f"tcp://{self.bind}:{self.port}"

    @property
    def endpoints(self) -> dict[str, Any]:
        return {
            "docker": {
                "host": self.url,
                "tls": self.cert_path is not None,
                "cert_path": str(self.cert_path) if self.cert_path else None,
            }
        }

    def env(self) -> dict[str, str]:
        """Environment for the docker CLI / ``docker.from_env()`` pointed at this host."""
        out = {"DOCKER_HOST": self.url}
        if self.cert_path:
            out.update({"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(self.cert_path)})
        return out

    def _listen(self) -> None:
        server = _Server((self.bind, self.port), _Handler)
        server.host = self.host
        server.ssl_context = self._ctx
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"winsim-docker-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def _unlisten(self) -> None:
        # close() and the dockerd watcher may both get here; take the server once (a repeat is harmless)
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def _follow_dockerd(self) -> None:
        dockerd = self.host.model.dockerd
        while not self._closed.is_set():
            with dockerd.changed:
                dockerd.changed.wait(0.5)
                running = dockerd.running
            if self._closed.is_set():
                return
            if running and self._server is None:
                self._listen()
            elif not running and self._server is not None:
                self._unlisten()

    def close(self) -> None:
        endpoints.unregister(self.host)
        self._closed.set()
        with self.host.model.dockerd.changed:
            self.host.model.dockerd.changed.notify_all()
        self._unlisten()


def start(
    host: HostServices, bind: str = "127.0.0.1", tls: bool | None = None, port: int = 0
) -> DockerSurface:
    """Serve the host's Docker API (TLS unless ``tls=False`` or env ``WINSIM_DOCKER_TLS=0``)."""
    use_tls = tls if tls is not None else os.environ.get("WINSIM_DOCKER_TLS", "1") != "0"
    return DockerSurface(host, bind, use_tls, port)
