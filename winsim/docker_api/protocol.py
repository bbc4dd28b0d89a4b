"""Request and response values passed between the HTTP plumbing (server.py) and the handlers."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from winsim.model import DockerError, ErrorKind

if TYPE_CHECKING:
    from winsim.processes import HostServices

_VERSIONED = re.compile(r"^/v(\d+)\.(\d+)(/.*)$")


@dataclass
class Request:
    host: HostServices
    method: str
    uri: str  # RequestURI as sent, e.g. /v1.43/containers/create?name=example
    body: bytes
    api_version: tuple[int, int]
    path: str = ""  # without the version prefix
    query: dict[str, str] = field(default_factory=dict)
    params: tuple[str, ...] = ()
    cancelled: Callable[[], bool] = lambda: False

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except json.JSONDecodeError as exc:
            raise DockerError(ErrorKind.INVALID_PARAMETER, f"invalid JSON: {exc.msg}") from exc
        if not isinstance(value, dict):
            raise DockerError(ErrorKind.INVALID_PARAMETER, "invalid JSON: expected an object")
        return value

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true", "yes")

    def filters(self) -> dict[str, list[str]]:
        """``filters`` query: ``{"name": ["x"]}`` or the legacy ``{"name": {"x": true}}``."""
        raw = self.query.get("filters")
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DockerError(ErrorKind.INVALID_PARAMETER, f"invalid filter: {exc.msg}") from exc
        # moby's filters.FromJSON takes map[string]map[string]bool, or the legacy map[string][]string;
        # anything else is a 400 (the Go decoder's wording here is INFERRED)
        if not isinstance(value, dict):
            raise DockerError(
                ErrorKind.INVALID_PARAMETER,
                f"invalid filter: json: cannot unmarshal {_go_type(value)} into Go value of type map[string]map[string]bool",
            )
        out: dict[str, list[str]] = {}
        for k, v in value.items():
            if isinstance(v, list) and all(isinstance(x, str) for x in v):
                out[k] = list(v)
            elif isinstance(v, dict) and all(isinstance(on, bool) for on in v.values()):
                out[k] = [x for x, on in v.items() if on]
            else:
                raise DockerError(
                    ErrorKind.INVALID_PARAMETER,
                    f"invalid filter: json: cannot unmarshal {_go_type(v)} into Go value of type map[string]bool",
                )
        return out


def _go_type(value: object) -> str:
    """The JSON kind as Go's encoding/json names it in an UnmarshalTypeError."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def split_uri(uri: str) -> tuple[str, tuple[int, int] | None, dict[str, str]]:
    parts = urlsplit(uri)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    m = _VERSIONED.match(parts.path)
    if m:
        return m.group(3), (int(m.group(1)), int(m.group(2))), query
    return parts.path, None, query


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON value, or bytes/str sent as is
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stream:
    """A chunked response: each item of ``chunks`` is flushed as it comes."""

    chunks: Iterator[bytes]
    status: int = 200
    content_type: str = "application/json"


@dataclass
class Hijack:
    """``Upgrade: tcp``: after a 101 the handler owns the raw connection."""

    run: Callable[[socket.socket], None]
    content_type: str = "application/vnd.docker.raw-stream"


Reply = Response | Stream | Hijack
