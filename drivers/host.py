"""The facade a conformance test gets as ``host``: one per inventory host per worker.

    host = connect(spec)                 # opens the PowerShell session and loads the probe module
    host.os_build                        # as observed on the host
    host.net.compartments()              # one round trip
    with host.batch() as b:              # several probes, one round trip
        comps, routes = b.net.compartments(), b.net.routes(1)
    host.stats.since(before)             # what it cost
    host.close()

Nothing here knows whether the host is winsim or Windows.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

from drivers.batch import Batch
from drivers.driverset import Drivers
from drivers.liveness import Liveness
from drivers.probers import Immediate
from drivers.session import DEFAULT_TIMEOUT, PowerShellSession
from drivers.stats import CallStats
from drivers.transports.registry import create_transport

if TYPE_CHECKING:
    from inventory.model import HostSpec


def default_run_id() -> str:
    """``WCC_RUN_ID`` if set (xdist workers share it), else a fresh one."""
    return os.environ.get("WCC_RUN_ID") or secrets.token_hex(4)


class Host(Drivers[Immediate]):
    """The drivers (``host.docker``, ``host.hcs``...) over an immediate prober, and the session."""

    def __init__(self, spec: HostSpec, session: PowerShellSession, stats: CallStats, run_id: str) -> None:
        self.name = spec.name
        self.spec = spec
        self.session = session
        self.stats = stats
        self.run_id = run_id  # read by the direct lifecycle as it names what it makes
        super().__init__(Immediate(session), session, spec, direct=self)

    @property
    def os_build(self) -> int:
        return self.session.info.os_build

    def batch(self, timeout: float | None = None) -> Batch:
        return Batch(self.session, self.spec, timeout)

    def close(self) -> None:
        self.docker.close()
        self.session.close()

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Host({self.name!r}, {self.spec.describe()})"


def connect(
    spec: HostSpec, *, run_id: str | None = None, timeout: float = DEFAULT_TIMEOUT, open_now: bool = True
) -> Host:
    """Build the transport and session for ``spec``; with ``open_now`` load the probe module at once."""
    stats = CallStats()
    transport = create_transport(spec, stats)
    liveness = Liveness(spec.name, spec.lost_after, transport.heartbeat)
    session = PowerShellSession(spec.name, transport, stats, timeout=timeout, liveness=liveness)
    host = Host(spec, session, stats, run_id or default_run_id())
    if open_now:
        try:
            session.open()
        except BaseException:  # Ctrl-C included: a half-opened shell must not outlive the call
            session.close()
            raise
    return host
