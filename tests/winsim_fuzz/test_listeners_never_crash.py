"""winsim's Docker API and WinRM listeners answer malformed requests over real sockets the way a
server does (a status line, or closing the connection), never with an internal error, and stay up.

Hypothesis builds raw HTTP/1.1 requests: request lines, headers (lengths that lie, chunked
bodies, NTLM tokens cut short), JSON bodies of the wrong shape for the Docker routes, SOAP-ish
bodies for WS-Man.  After each one a well-formed request still gets its answer.  Derandomized.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winsim.docker_api import server as docker_server
from winsim.host import SimHost
from winsim.winrm import server as winrm_server

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
METHODS = st.sampled_from(["GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS", "G\x00T", ""])
DOCKER_PATHS = st.sampled_from(
    [
        "/_ping",
        "/v1.43/containers/create",
        "/v1.43/containers/create?name=%ff",
        "/v1.43/containers/json?all=1&filters=%7B",
        "/v1.43/containers/json?filters=%7B%22name%22%3A5%7D",
        "/v1.43/containers/nope/start",
        "/v1.43/networks/create",
        "/v1.43/volumes/create",
        "/v1.43/images/create?fromImage=",
        "/v99.99/version",
        "/v1.x/version",
        "//../../etc",
        "*",
    ]
)
WSMAN_PATHS = st.sampled_from(["/wsman", "/wsman?PSVersion=5.1", "/WSMAN/", "/other", "*", ""])
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**65), 2**65), st.floats(), st.text(max_size=6)
)
CREATE_KEYS = st.sampled_from(
    ["Image", "Env", "Cmd", "Entrypoint", "Labels", "HostConfig", "NetworkingConfig", "Binds", "Mounts"]
    + ["PortBindings", "RestartPolicy", "Isolation", "NetworkMode", "EndpointsConfig", "Name", "Driver", "x"]
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(CREATE_KEYS, inner, max_size=4)),
    max_leaves=12,
)
BODIES = st.one_of(
    st.binary(max_size=64),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(CREATE_KEYS, JSON_VALUES, max_size=5).map(lambda v: json.dumps(v).encode()),
)
NTLM = st.sampled_from([b"NTLMSSP\x00\x01\x00", b"NTLMSSP\x00\x03\x00\x00\x00", b"NTLMSSP\x00", b"\x60\x28"])


@st.composite
def requests_for(draw: st.DrawFn, paths: st.SearchStrategy[str], auth: str) -> tuple[bytes, bool]:
    """A raw request, and whether it is framed well enough that a server must answer it."""
    body = draw(BODIES)
    headers = ["Host: 127.0.0.1"]
    length = draw(st.sampled_from(["right", "short", "long", "none", "huge", "junk", "negative"]))
    headers.append(
        {
            "right": f"Content-Length: {len(body)}",
            "short": f"Content-Length: {max(0, len(body) - 3)}",
            "long": f"Content-Length: {len(body) + 5}",
            "none": "",
            "huge": "Content-Length: 99999999999",
            "junk": "Content-Length: ten",
            "negative": "Content-Length: -1",
        }[length]
    )
    framing = draw(st.sampled_from(["", "Transfer-Encoding: chunked", "Expect: 100-continue"]))
    headers.append(framing)
    headers.append(
        draw(
            st.sampled_from(
                [
                    "",
                    "Content-Type: application/json",
                    "Content-Type: application/soap+xml;charset=UTF-8",
                    'Content-Type: multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"',
                ]
            )
        )
    )
    token = draw(st.one_of(NTLM, st.binary(max_size=12)))
    headers.append(
        draw(
            st.sampled_from(
                [
                    "",
                    auth,
                    "Authorization: Negotiate " + base64.b64encode(token).decode(),
                    "Authorization: Basic %%%",
                    "Authorization: NTLM",
                ]
            )
        )
    )
    method, version = draw(METHODS), draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/9", ""]))
    line = f"{method} {draw(paths)} {version}"
    head = "\r\n".join([line, *[h for h in headers if h]]) + "\r\n\r\n"
    framed = (
        method.isalpha() and version.startswith("HTTP/1.") and length in ("right", "none") and not framing
    )
    return head.encode("latin-1", "replace") + body, framed


def exchange(address: tuple[str, int], raw: bytes, timeout: float = 5.0) -> bytes:
    """Send ``raw`` on a fresh connection; what came back before the server closed it or went quiet."""
    with socket.create_connection(address, timeout=timeout) as sock:
        try:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close as soon as it has read enough to refuse
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> SimHost:
    return SimHost.create("fuzz", "ws2022", Path(tmp_path_factory.mktemp("listeners")) / "state")


@pytest.fixture(scope="module")
def docker_address(host: SimHost) -> Iterator[tuple[str, int]]:
    surface = docker_server.start(host, "127.0.0.1", tls=False)
    url = urlsplit(surface.url.replace("tcp://", "http://"))
    yield (url.hostname or "127.0.0.1", url.port or 0)
    surface.close()


@pytest.fixture(scope="module")
def winrm_address(host: SimHost) -> Iterator[tuple[str, int]]:
    surface = winrm_server.start(host, "127.0.0.1")
    url = urlsplit(surface.endpoints["winrm"]["http"])
    yield (url.hostname or "127.0.0.1", url.port or 0)
    surface.close()


def basic(host: SimHost) -> str:
    pair = f"{host.credentials.username}:{host.credentials.password}".encode()
    return "Authorization: Basic " + base64.b64encode(pair).decode()


def assert_answered_like_a_server(answer: bytes, framed: bool) -> None:
    # a request the server cannot frame may be dropped; one it can must be answered
    assert (answer == b"" and not framed) or answer.startswith(b"HTTP/1."), answer[:200]
    assert b"internal error" not in answer.lower(), answer[:400]
    head, _, body = answer.partition(b"\r\n\r\n")
    # a 500 carries its fault (a SOAP fault, dockerd's message); an empty one is the last-resort net
    assert not (head[9:12] == b"500" and not body), answer[:400]
    assert b"InternalError" not in answer, answer[:400]


@FUZZ
@given(data=st.data())
def test_docker_listener(host: SimHost, docker_address: tuple[str, int], data: st.DataObject) -> None:
    raw, framed = data.draw(requests_for(DOCKER_PATHS, ""))
    assert_answered_like_a_server(exchange(docker_address, raw), framed)
    ping = exchange(docker_address, b"GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert ping.startswith(b"HTTP/1.1 200") and ping.endswith(b"OK"), ping


@FUZZ
@given(data=st.data())
def test_winrm_listener(host: SimHost, winrm_address: tuple[str, int], data: st.DataObject) -> None:
    raw, framed = data.draw(requests_for(WSMAN_PATHS, basic(host)))
    assert_answered_like_a_server(exchange(winrm_address, raw), framed)
    hello = exchange(
        winrm_address, b"POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", timeout=2
    )
    assert hello.startswith(b"HTTP/1.1 401"), hello


@FUZZ
@given(token=st.one_of(st.tuples(NTLM, st.binary(max_size=40)).map(b"".join), st.binary(max_size=40)))
def test_winrm_any_negotiate_token_gets_401(
    host: SimHost, winrm_address: tuple[str, int], token: bytes
) -> None:
    """Every leg of a handshake that is not NTLM's gets HTTP.sys's 401; a cut token killed the connection."""
    header = "Authorization: Negotiate " + base64.b64encode(token).decode()
    raw = f"POST /wsman HTTP/1.1\r\nHost: x\r\n{header}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    answer = exchange(winrm_address, raw.encode())
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
