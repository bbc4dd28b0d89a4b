"""A recording proxy in front of a Docker endpoint: what API calls did a client make, in order?

The fallback for hosts whose dockerd does not write debug logs: a local docker CLI talks plain
HTTP to the proxy on loopback; the proxy forwards every byte to the real endpoint (TLS with the
inventory's client certificate when the endpoint uses it) and records each request line::

    with RecordingProxy("tcp://10.0.0.5:2376", tls=ctx) as proxy:
        subprocess.run(["docker", "-H", proxy.url, "run", "-id", ...])
    proxy.calls   # ['Calling POST /v1.47/containers/create?name=x', ...] (dockerd's own wording)
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
from types import TracebackType
from urllib.parse import urlsplit

REQUEST_LINE = re.compile(rb"(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (/\S*) HTTP/1\.[01]\r\n")
CHUNK = 65536


class RecordingProxy:
    def __init__(self, upstream: str, tls: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(upstream.replace("tcp://", "http://", 1))
        if not parts.hostname or not parts.port:
            raise ValueError(f"recording proxy: upstream {upstream!r} needs tcp://host:port")
        self._upstream = (parts.hostname, parts.port)
        self._tls = tls
        self._server = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()
        self.calls: list[str] = []

    @property
    def url(self) -> str:
        host, port = self._server.getsockname()[:2]
        return f"tcp://{host}:{port}"

    def __enter__(self) -> RecordingProxy:
        self._spawn(self._accept)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        self._server.close()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._upstream, timeout=30)
            upstream.settimeout(None)  # a wait?condition=... long-poll may last any time
            if self._tls is not None:
                upstream = self._tls.wrap_socket(upstream, server_hostname=self._upstream[0])
        except OSError:
            client.close()
            return
        self._pump(client, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Move bytes both ways from ONE thread: an SSL socket must not be read and written concurrently."""
        tail = b""
        try:
            while not self._closed.is_set():
                ready: list[socket.socket] = []
                if isinstance(upstream, ssl.SSLSocket) and upstream.pending():
                    ready = [upstream]
                if not ready:
                    ready, _, _ = select.select([client, upstream], [], [], 1.0)
                for source in ready:
                    data = source.recv(CHUNK)
                    if not data:
                        return
                    if source is client:
                        # Keep a little of the previous chunk so a request line split across reads is seen.
                        window = tail + data
                        with self._lock:
                            for match in REQUEST_LINE.finditer(window):
                                if match.end() > len(tail):
                                    self.calls.append(f"Calling {match[1].decode()} {match[2].decode()}")
                        tail = window[-512:]
                        upstream.sendall(data)
                    else:
                        client.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


def tls_context(docker: object) -> ssl.SSLContext | None:
    """Client TLS for the inventory's docker settings (``tls_verify``, ``ca_cert``, client cert/key)."""
    if not getattr(docker, "tls_verify", False) and not getattr(docker, "client_cert", None):
        return None
    context = ssl.create_default_context(cafile=getattr(docker, "ca_cert", None))
    if not getattr(docker, "tls_verify", False):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    cert, key = getattr(docker, "client_cert", None), getattr(docker, "client_key", None)
    if cert:
        context.load_cert_chain(cert, key)
    return context


def docker_through_proxy(
    docker: object, args: list[str], timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run this machine's docker CLI against the host's endpoint through a recording proxy."""
    cli = shutil.which("docker")
    url = getattr(docker, "url", None)
    if not cli or not url:
        raise RuntimeError(
            "cannot record the docker CLI's API calls: dockerd writes no debug log "
            f"({'no docker CLI on this machine' if not cli else 'no docker.url in the inventory'})"
        )
    with tempfile.TemporaryDirectory() as config, RecordingProxy(url, tls_context(docker)) as proxy:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_CONFIG"] = config
        done = subprocess.run(
            [cli, "-H", proxy.url, *args], capture_output=True, text=True, timeout=timeout, env=env
        )
        return done, list(proxy.calls)
