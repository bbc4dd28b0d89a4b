"""Probers: how a driver method's probe call runs: at once, or recorded for one round trip.

``Immediate`` calls the session now; ``Recorder`` records the call and hands back a
:class:`Deferred` whose ``value`` is ready once the batch that owns the recorder has run.
A failed call raises its :class:`~drivers.errors.ProbeError` when its ``value`` is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from drivers.errors import DriverError, ProbeError
from drivers.session import CallOutcome, PowerShellSession, ProbeCall

T = TypeVar("T")
Convert = Callable[[list[Any]], T]


class Immediate:
    """Runs each probe call at once through the session."""

    batching = False

    def __init__(self, session: PowerShellSession) -> None:
        self.session = session

    def probe(self, fn: str, args: dict[str, Any], convert: Convert[T]) -> T:
        return convert(self.session.call(fn, **args))


class Deferred(Generic[T]):
    """The result of a batched call; ``value`` is available once the batch has run."""

    def __init__(self, host_name: str, fn: str, convert: Convert[T]) -> None:
        self._host = host_name
        self.fn = fn
        self._convert = convert
        self._outcome: CallOutcome | None = None

    def _resolve(self, outcome: CallOutcome) -> None:
        self._outcome = outcome

    @property
    def done(self) -> bool:
        return self._outcome is not None

    @property
    def value(self) -> T:
        if self._outcome is None:
            raise DriverError(f"{self.fn}: the batch has not run yet (read .value after the with block)")
        if not self._outcome.ok:
            raise ProbeError(self._host, self.fn, self._outcome.errors)
        return self._convert(self._outcome.value)

    def __repr__(self) -> str:
        state = "pending" if self._outcome is None else ("ok" if self._outcome.ok else "failed")
        return f"Deferred({self.fn}, {state})"


class Recorder:
    """Collects probe calls for a batch."""

    batching = True

    def __init__(self, session: PowerShellSession) -> None:
        self.session = session
        self.calls: list[ProbeCall] = []
        self.results: list[Deferred[Any]] = []

    def probe(self, fn: str, args: dict[str, Any], convert: Convert[T]) -> T:
        deferred: Deferred[T] = Deferred(self.session.host_name, fn, convert)
        self.calls.append(ProbeCall(fn, dict(args)))
        self.results.append(deferred)
        return deferred  # type: ignore[return-value]  # in a batch, methods hand back Deferreds
