"""A recording proxy in front of a Docker endpoint: what did a client ask, and what did the daemon answer?

The fallback for hosts whose dockerd writes no debug log (a stock daemon): a local docker CLI
talks plain HTTP to the proxy on loopback; the proxy forwards every byte to the real endpoint
(TLS with the inventory's client certificate when the endpoint uses it) and records each
HTTP exchange on every connection: the request line, when it arrived, the status and body of
the answer and when it came::

    with RecordingProxy("tcp://10.0.0.5:2376", tls=ctx) as proxy:
        run_cli(proxy, ["run", "-id", ...])
        proxy.settle()          # every connection the CLI opened has been read to its end
        proxy.exchanges         # [Exchange('POST', '/v1.47/containers/create?name=x', status=201, ...), ...]

A connection the client leaves while an answer is still pending (``docker run -d`` exits with
its ``wait?condition=next-exit`` outstanding) stays open towards the daemon, so the wait is
neither cancelled nor lost: its answer is recorded when the container stops.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from inventory.model import DockerSettings

CHUNK = 65536
CONNECT_TIMEOUT = 30.0  # TCP connect and TLS handshake to the daemon
BODY_KEPT = 65536  # answers are small JSON documents; keep at most this much of each
NO_BODY_STATUS = frozenset({204, 304})


@dataclass
class Exchange:
    """One request on one connection and the daemon's answer (times are time.monotonic())."""

    connection: int
    method: str
    target: str  # the request target as sent, e.g. /v1.43/containers/<id>/wait?condition=next-exit
    sent: float  # the request's head had arrived from the client
    status: int | None = None
    answered: float | None = None  # the answer's head had arrived from the daemon
    body: bytes = b""
    done: float | None = None  # the answer was complete

    @property
    def call(self) -> str:
        """dockerd's own debug wording for the request."""
        return f"Calling {self.method} {self.target}"


class _Framer:
    """Splits one direction of an HTTP/1.1 connection into messages: head, then body by its framing."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.state = "head"  # head | length | chunk-size | chunk-data | trailer | close | raw
        self.remaining = 0

    def feed(self, data: bytes) -> Iterator[tuple[str, object]]:
        """Yields ("head", bytes), ("body", bytes) and ("end", None) events as the bytes allow."""
        self.buffer += data
        while self.buffer:
            if self.state == "raw":
                self.buffer.clear()
                return
            if self.state == "head":
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buffer[:end])
                del self.buffer[: end + 4]
                yield "head", head
                continue
            if self.state in ("length", "chunk-data", "close"):
                take = len(self.buffer) if self.state == "close" else min(self.remaining, len(self.buffer))
                piece = bytes(self.buffer[:take])
                del self.buffer[:take]
                yield "body", piece
                if self.state == "close":
                    continue
                self.remaining -= take
                if self.remaining == 0:
                    if self.state == "length":
                        self.state = "head"
                        yield "end", None
                    else:
                        self.state = "chunk-crlf"
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            line = bytes(self.buffer[:line_end])
            del self.buffer[: line_end + 2]
            if self.state == "chunk-crlf":
                self.state = "chunk-size"
            elif self.state == "chunk-size":
                self.remaining = int(line.split(b";")[0].strip() or b"0", 16)
                self.state = "chunk-data" if self.remaining else "trailer"
            elif self.state == "trailer" and not line:
                self.state = "head"
                yield "end", None

    def body_follows(self, headers: dict[str, str], until_close: bool) -> bool:
        """Set the framing of the body after a head; False when the message ends with its head."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.state = "chunk-size"
            return True
        length = int(headers.get("content-length") or 0)
        if length:
            self.state, self.remaining = "length", length
            return True
        if until_close and "content-length" not in headers:
            self.state = "close"
            return True
        return False


def _parse_head(head: bytes) -> tuple[list[str], dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0].split(" ", 2), headers


class RecordingProxy:
    def __init__(self, upstream: str, tls: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(upstream.replace("tcp://", "http://", 1))
        if not parts.hostname or not parts.port:
            raise ValueError(f"recording proxy: upstream {upstream!r} needs tcp://host:port")
        self._upstream = (parts.hostname, parts.port)
        self._tls = tls
        self._server = socket.create_server(("127.0.0.1", 0))
        self._changed = threading.Condition()
        self._closed = threading.Event()
        self._ids = itertools.count(1)
        self._open_clients: set[int] = set()  # connections whose client has not closed yet
        self._last_accept = time.monotonic()
        self.exchanges: list[Exchange] = []

    @property
    def url(self) -> str:
        host, port = self._server.getsockname()[:2]
        return f"tcp://{host}:{port}"

    @property
    def calls(self) -> list[str]:
        """Every request so far in order of arrival, in dockerd's debug wording."""
        with self._changed:
            return [e.call for e in sorted(self.exchanges, key=lambda e: e.sent)]

    def __enter__(self) -> RecordingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        self._server.close()
        with self._changed:
            self._changed.notify_all()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Block until ``condition()`` (checked under the record's lock) holds; False on timeout."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    @property
    def open_connections(self) -> list[int]:
        """Connections whose client has not been read to its end yet."""
        with self._changed:
            return sorted(self._open_clients)

    def settle(self, timeout: float = 90.0, quiet: float = 0.3) -> bool:
        """Wait until every client connection has ended and none came for ``quiet`` s: all requests are recorded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._changed:
                idle = not self._open_clients and time.monotonic() - self._last_accept >= quiet
            if idle:
                return True
            time.sleep(0.05)
        return False

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            number = next(self._ids)
            with self._changed:
                self._open_clients.add(number)
                self._last_accept = time.monotonic()
            threading.Thread(target=self._serve, args=(number, client), daemon=True).start()

    def _serve(self, number: int, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._upstream, timeout=CONNECT_TIMEOUT)
            if self._tls is not None:
                upstream = self._tls.wrap_socket(upstream, server_hostname=self._upstream[0])
            upstream.settimeout(None)  # a wait?condition=... long-poll may last any time
        except OSError:
            self._client_gone(number)
            client.close()
            return
        _Connection(self, number, client, upstream).pump()

    def _client_gone(self, number: int) -> None:
        with self._changed:
            self._open_clients.discard(number)
            self._changed.notify_all()

    def _record(self, change: Callable[[], None]) -> None:
        with self._changed:
            change()
            self._changed.notify_all()


class _Connection:
    """One client connection and its upstream, pumped from ONE thread (an SSL socket must not be
    read and written concurrently); requests and answers are paired in order (HTTP/1.1)."""

    def __init__(self, proxy: RecordingProxy, number: int, client: socket.socket, upstream: socket.socket):
        self.proxy, self.number, self.client, self.upstream = proxy, number, client, upstream
        self.requests, self.responses = _Framer(), _Framer()
        self.unanswered: deque[Exchange] = deque()  # sent upstream, answer not yet complete
        self.answering: Exchange | None = None
        self.upgrading = False

    def pump(self) -> None:
        client_open = True
        try:
            while not self.proxy._closed.is_set() and (client_open or self.unanswered):
                sources = [self.client, self.upstream] if client_open else [self.upstream]
                ready: list[socket.socket] = []
                if isinstance(self.upstream, ssl.SSLSocket) and self.upstream.pending():
                    ready = [self.upstream]
                if not ready:
                    ready, _, _ = select.select(sources, [], [], 1.0)
                for source in ready:
                    data = self._recv(source)
                    if data is None:
                        continue  # TLS bytes that were no application data (e.g. a session ticket)
                    if source is self.client:
                        if not data:
                            # The client left; answers still owed are read to their end (not cancelled).
                            client_open = False
                            self.proxy._client_gone(self.number)
                            continue
                        self._from_client(data)
                        self.upstream.sendall(data)
                    else:
                        if not data:
                            self._from_upstream_closed()
                            return
                        self._from_upstream(data)
                        if client_open:
                            with contextlib.suppress(OSError):
                                self.client.sendall(data)
        except OSError:
            pass
        finally:
            self.proxy._client_gone(self.number)
            for sock in (self.client, self.upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _recv(self, source: socket.socket) -> bytes | None:
        """Read what is there without blocking: a readable TLS socket may hold no application data,
        and a blocking read would then stall this connection (and miss its client's close)."""
        if source is not self.upstream:
            return source.recv(CHUNK)
        source.settimeout(0.05)
        try:
            return source.recv(CHUNK)
        except (TimeoutError, ssl.SSLWantReadError, BlockingIOError):
            return None
        finally:
            source.settimeout(None)

    def _from_client(self, data: bytes) -> None:
        for kind, value in self.requests.feed(data):
            if kind != "head":
                continue
            assert isinstance(value, bytes)
            (method, target, *_), headers = _parse_head(value)
            exchange = Exchange(self.number, method, target, time.monotonic())
            self.unanswered.append(exchange)
            self.proxy._record(functools.partial(self.proxy.exchanges.append, exchange))
            self.upgrading = "upgrade" in headers.get("connection", "").lower()
            if not self.requests.body_follows(headers, until_close=False) and self.upgrading:
                self.requests.state = "raw"

    def _from_upstream(self, data: bytes) -> None:
        for kind, value in self.responses.feed(data):
            if kind == "head":
                assert isinstance(value, bytes)
                (_, status, *_), headers = _parse_head(value)
                code = int(status)
                if 100 <= code < 200 and code != 101:
                    continue  # interim answer; the real one follows
                exchange = self.unanswered[0] if self.unanswered else None
                if exchange is None:
                    continue
                self.answering = exchange
                self.proxy._record(functools.partial(self._answered, exchange, code))
                if code == 101:
                    self.requests.state = self.responses.state = "raw"
                    self._finish()
                else:
                    bodiless = exchange.method == "HEAD" or code in NO_BODY_STATUS
                    if bodiless or not self.responses.body_follows(headers, until_close=True):
                        self._finish()
            elif kind == "body" and self.answering is not None:
                assert isinstance(value, bytes)
                self.proxy._record(functools.partial(self._append, self.answering, value))
            elif kind == "end":
                self._finish()

    def _from_upstream_closed(self) -> None:
        if self.answering is not None and self.responses.state == "close":
            self._finish()

    @staticmethod
    def _answered(exchange: Exchange, code: int) -> None:
        exchange.status, exchange.answered = code, time.monotonic()

    @staticmethod
    def _done(exchange: Exchange) -> None:
        exchange.done = time.monotonic()

    @staticmethod
    def _append(exchange: Exchange, data: bytes) -> None:
        exchange.body = (exchange.body + data)[:BODY_KEPT]

    def _finish(self) -> None:
        if self.answering is None:
            return
        exchange, self.answering = self.answering, None
        if self.unanswered and self.unanswered[0] is exchange:
            self.unanswered.popleft()
        self.proxy._record(functools.partial(self._done, exchange))


def tls_context(docker: DockerSettings) -> ssl.SSLContext | None:
    """Client TLS for the inventory's docker settings (``tls_verify``, ``ca_cert``, client cert/key)."""
    if not docker.tls_verify and not docker.client_cert:
        return None
    context = ssl.create_default_context(cafile=docker.ca_cert)
    if not docker.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if docker.client_cert:
        context.load_cert_chain(docker.client_cert, docker.client_key)
    return context


def local_cli() -> str:
    """This machine's docker CLI, or a RuntimeError saying why the proxy cannot be used."""
    cli = shutil.which("docker")
    if not cli:
        raise RuntimeError(
            "cannot record the docker CLI's API calls: dockerd writes no debug log and there is no docker CLI "
            "on this machine"
        )
    return cli


def proxy_for(docker: DockerSettings) -> RecordingProxy:
    """A recording proxy in front of the inventory's docker endpoint (use it as a context manager)."""
    url = docker.url
    if not url:
        raise RuntimeError(
            "cannot record the docker CLI's API calls: dockerd writes no debug log and the inventory "
            "gives no docker.url"
        )
    return RecordingProxy(url, tls_context(docker))


def run_cli(proxy: RecordingProxy, args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run this machine's docker CLI through ``proxy`` with a clean configuration."""
    cli = local_cli()
    with tempfile.TemporaryDirectory() as config:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_CONFIG"] = config
        return subprocess.run(
            [cli, "-H", proxy.url, *args], capture_output=True, text=True, timeout=timeout, env=env
        )


def docker_through_proxy(
    docker: DockerSettings, args: list[str], timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """One CLI command through a fresh proxy: its result and every request it made, in order."""
    local_cli()
    with proxy_for(docker) as proxy:
        done = run_cli(proxy, args, timeout)
        proxy.settle()
        return done, proxy.calls
