"""Running probe calls now, or collecting several into one round trip.

Every driver method that is a single probe call goes through a *prober*.  The immediate prober
calls the session at once; a :class:`Batch` records the call and hands back a :class:`Deferred`
whose ``value`` is ready after the ``with`` block::

    with host.batch() as b:
        comps = b.net.compartments()
        routes = b.net.routes(5)
    comps.value, routes.value        # both came back in one round trip

A failed call raises its :class:`~drivers.errors.ProbeError` when its ``value`` is read, so one
failing probe does not hide the others.  Driver methods that need several dependent calls
(daemon restarts, the direct lifecycle) refuse to run inside a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from drivers.errors import DriverError, ProbeError
from drivers.session import CallOutcome, PowerShellSession, ProbeCall

if TYPE_CHECKING:
    from drivers.host import Host

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


class Batch:
    """``with host.batch() as b:`` - the same drivers as ``host``, but calls wait for one round trip.

    The attributes (``b.net``, ``b.hcs``...) are typed ``Any`` because their methods return
    :class:`Deferred` objects instead of values.
    """

    def __init__(self, host: Host, timeout: float | None = None) -> None:
        self._host = host
        self._timeout = timeout
        self._recorder = Recorder(host.session)
        drivers = host.make_drivers(self._recorder)
        self.docker: Any = drivers["docker"]
        self.hcs: Any = drivers["hcs"]
        self.hns: Any = drivers["hns"]
        self.net: Any = drivers["net"]
        self.layers: Any = drivers["layers"]
        self.events: Any = drivers["events"]
        self.daemon: Any = drivers["daemon"]
        self.filters: Any = drivers["filters"]

    def call(self, fn: str, **args: Any) -> Deferred[list[Any]]:
        """A raw probe call in the batch (its value is the list of output objects)."""
        deferred: Deferred[list[Any]] = Deferred(self._host.session.host_name, fn, _identity)
        self._recorder.calls.append(ProbeCall(fn, dict(args)))
        self._recorder.results.append(deferred)
        return deferred

    def __len__(self) -> int:
        return len(self._recorder.calls)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is not None or not self._recorder.calls:
            return
        outcomes = self._host.session.call_many(self._recorder.calls, timeout=self._timeout)
        for deferred, outcome in zip(self._recorder.results, outcomes, strict=True):
            deferred._resolve(outcome)


def _identity(value: list[Any]) -> list[Any]:
    return value
