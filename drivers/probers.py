"""Probers: how a driver method's probe call runs: at once, or recorded for one round trip.

A driver method that is one probe call says which (a :class:`Call`: the probe function, its
arguments and how its output becomes the result); the driver's prober runs it.
``Immediate.run`` calls the session now and returns the result; ``Recorder.run`` records the call
and returns a :class:`Deferred` whose ``value`` is ready once the batch that owns the recorder
has run.  A failed call raises its :class:`~drivers.errors.ProbeError` when its ``value`` is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from drivers.errors import DriverError, ProbeError
from drivers.session import CallOutcome, PowerShellSession, ProbeCall

T = TypeVar("T")
Convert = Callable[[list[Any]], T]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One probe call: the probe function, its arguments, and how its output objects become ``T``."""

    fn: str
    args: dict[str, Any]
    convert: Convert[T]


class Immediate:
    """Runs each probe call at once through the session."""

    batching = False

    def __init__(self, session: PowerShellSession) -> None:
        self.session = session

    def run(self, call: Call[T]) -> T:
        return call.convert(self.session.call(call.fn, **call.args))


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

    def run(self, call: Call[T]) -> Deferred[T]:
        deferred = Deferred(self.session.host_name, call.fn, call.convert)
        self.calls.append(ProbeCall(call.fn, dict(call.args)))
        self.results.append(deferred)
        return deferred
