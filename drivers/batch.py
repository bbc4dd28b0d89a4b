"""Collecting several probe calls into one round trip.

Every driver method that is a single probe call is declared with :func:`drivers.base.probe`.
A :class:`Batch` is its own set of drivers over a recorder, so such a call hands back a
:class:`~drivers.probers.Deferred` (typed ``Deferred[T]``: mypy catches a missing ``.value``)
whose ``value`` is ready after the ``with`` block::

    with host.batch() as b:
        comps = b.net.compartments()     # Deferred[list[Compartment]]
        routes = b.net.routes(5)         # Deferred[list[Route]]
    comps.value, routes.value            # both came back in one round trip

A failed call raises its :class:`~drivers.errors.ProbeError` when its ``value`` is read, so one
failing probe does not hide the others.  Driver methods that need several dependent calls
(daemon restarts, the direct lifecycle) are typed for ``host`` only and refuse to run in a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drivers.driverset import Drivers
from drivers.probers import Call, Deferred, Recorder

if TYPE_CHECKING:
    from drivers.session import PowerShellSession
    from inventory.model import HostSpec


class Batch(Drivers[Recorder]):
    """``with host.batch() as b:`` - the same drivers as ``host``, but calls wait for one round trip."""

    def __init__(self, session: PowerShellSession, spec: HostSpec, timeout: float | None = None) -> None:
        self._session = session
        self._timeout = timeout
        self._recorder = Recorder(session)
        super().__init__(self._recorder, session, spec)

    def call(self, fn: str, **args: Any) -> Deferred[list[Any]]:
        """A raw probe call in the batch (its value is the list of output objects)."""
        return self._recorder.run(Call(fn, args, _identity))

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
