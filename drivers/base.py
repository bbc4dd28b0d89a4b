"""What every driver shares: a prober (immediate or batching), the session and the host's name."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from drivers.errors import DriverError, SessionError
from drivers.session import PowerShellSession

T = TypeVar("T")


class Prober(Protocol):
    batching: bool

    def probe(self, fn: str, args: dict[str, Any], convert: Callable[[list[Any]], T]) -> T: ...


class DriverBase:
    def __init__(self, prober: Prober, session: PowerShellSession) -> None:
        self._prober = prober
        self._session = session
        self.host_name = session.host_name

    def _probe(self, fn: str, args: dict[str, Any], convert: Callable[[list[Any]], T]) -> T:
        return self._prober.probe(fn, args, convert)

    def _immediate(self, what: str) -> None:
        """Refuse methods made of several dependent calls inside ``host.batch()``."""
        if self._prober.batching:
            raise DriverError(f"{what} makes several dependent calls and cannot run inside host.batch()")

    def _json(self, text: Any, what: str) -> Any:
        """Parse a JSON document a probe passed through as a string."""
        if not isinstance(text, str):
            raise SessionError(
                f"{self.host_name}: {what}: expected a JSON string, got {type(text).__name__}", self.host_name
            )
        try:
            return json.loads(text) if text.strip() else None
        except json.JSONDecodeError as exc:
            raise SessionError(f"{self.host_name}: {what}: not JSON: {exc}", self.host_name) from None


def first(value: list[Any], default: Any = None) -> Any:
    return value[0] if value else default
