"""What every driver shares: a prober (immediate or batching), the session and the host's name.

A driver method that is one probe call is declared once, with :func:`probe`: its body returns
the :class:`~drivers.probers.Call` to make, and the method's type follows the driver's prober::

    class NetDriver(DriverBase[PR]):
        @probe
        def routes(self, compartment_id: int) -> Call[list[Route]]:
            return Call("Get-WccRoute", {"CompartmentId": compartment_id}, parse_routes)

    host.net.routes(1)            # list[Route]            (NetDriver[Immediate])
    b.net.routes(1)               # Deferred[list[Route]]  (NetDriver[Recorder], in host.batch())

A method made of several dependent calls takes ``self: XDriver[Immediate]``, so mypy rejects it
inside a batch, and calls :meth:`DriverBase._immediate`, so it refuses at run time too.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from drivers.errors import DriverError, SessionError
from drivers.probers import Call, Deferred, Immediate, Recorder
from drivers.session import PowerShellSession

P = ParamSpec("P")
T = TypeVar("T")
# The prober a driver runs over.
PR = TypeVar("PR", bound=Immediate | Recorder)


class DriverBase(Generic[PR]):
    def __init__(self, prober: PR, session: PowerShellSession) -> None:
        self._prober: PR = prober
        self._session = session
        self.host_name = session.host_name

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


class probe(Generic[P, T]):  # lower case: used as a decorator
    """A driver method that is one probe call: returns ``T`` on ``host``, ``Deferred[T]`` in a batch."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self._build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, driver: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, driver: DriverBase[Immediate], owner: type | None = None) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, driver: DriverBase[Recorder], owner: type | None = None
    ) -> Callable[P, Deferred[T]]: ...
    def __get__(
        self, driver: DriverBase[Any] | None, owner: type | None = None
    ) -> Self | Callable[P, T | Deferred[T]]:
        if driver is None:
            return self
        build, prober = self._build, driver._prober

        @functools.wraps(build)
        def bound(*args: P.args, **kwargs: P.kwargs) -> T | Deferred[T]:
            return prober.run(build(driver, *args, **kwargs))

        return bound


def first(value: list[Any], default: Any = None) -> Any:
    return value[0] if value else default
