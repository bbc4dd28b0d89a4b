"""Collecting several probe calls into one round trip.

Every driver method that is a single probe call goes through a *prober*
(:mod:`drivers.probers`).  A :class:`Batch` holds its own set of drivers over a recorder, so a
call hands back a :class:`~drivers.probers.Deferred` whose ``value`` is ready after the ``with``
block::

    with host.batch() as b:
        comps = b.net.compartments()
        routes = b.net.routes(5)
    comps.value, routes.value        # both came back in one round trip

A failed call raises its :class:`~drivers.errors.ProbeError` when its ``value`` is read, so one
failing probe does not hide the others.  Driver methods that need several dependent calls
(daemon restarts, the direct lifecycle) refuse to run inside a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drivers.driverset import Drivers
from drivers.probers import Deferred, Recorder
from drivers.session import ProbeCall

if TYPE_CHECKING:
    from drivers.session import PowerShellSession
    from inventory.model import HostSpec


class Batch:
    """``with host.batch() as b:`` - the same drivers as ``host``, but calls wait for one round trip.

    The attributes (``b.net``, ``b.hcs``...) are typed ``Any`` because their methods return
    :class:`Deferred` objects instead of values.
    """

    def __init__(
        self, session: PowerShellSession, spec: HostSpec, run_id: str, timeout: float | None = None
    ) -> None:
        self._session = session
        self._timeout = timeout
        self._recorder = Recorder(session)
        self._drivers = Drivers(self._recorder, session, spec, run_id)

    def __getattr__(self, name: str) -> Any:
        # only reached for names Batch itself lacks: the drivers of the shared list
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._drivers, name)

    def call(self, fn: str, **args: Any) -> Deferred[list[Any]]:
        """A raw probe call in the batch (its value is the list of output objects)."""
        deferred: Deferred[list[Any]] = Deferred(self._session.host_name, fn, _identity)
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
        outcomes = self._session.call_many(self._recorder.calls, timeout=self._timeout)
        for deferred, outcome in zip(self._recorder.results, outcomes, strict=True):
            deferred._resolve(outcome)


def _identity(value: list[Any]) -> list[Any]:
    return value
