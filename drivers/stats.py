"""Counting what talking to a host costs: round trips, wire requests, bytes, time, reconnects.

One :class:`CallStats` per host connection.  Reports and benchmarks take a snapshot before a
test and subtract it after::

    before = host.stats.snapshot()
    host.net.compartments()
    cost = host.stats.since(before)
    cost.round_trips      # 1: one framed call and its answer
    cost.wire_requests    # WinRM: HTTP requests (Send + Receive); SSH: exec + stdin writes

A *round trip* is one framed request to the PowerShell session and the wait for its answer.  A
*wire request* is one message the transport puts on the network and waits on (one HTTP POST for
WinRM; one exec request or one stdin write for SSH).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class StatsSnapshot:
    round_trips: int = 0
    calls: int = 0  # probe function calls (a batch of ten counts ten)
    wire_requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0
    reconnects: int = 0
    process_starts: int = 0  # powershell.exe starts (session opens)
    timeouts: int = 0

    def __sub__(self, other: StatsSnapshot) -> StatsSnapshot:
        return StatsSnapshot(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})

    def __add__(self, other: StatsSnapshot) -> StatsSnapshot:
        return StatsSnapshot(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class CallStats:
    """Thread-safe counters for one host.  ``snapshot()``/``since()`` give per-test deltas."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = dict(StatsSnapshot().as_dict())

    def add(self, **deltas: float) -> None:
        with self._lock:
            for name, delta in deltas.items():
                if name not in self._values:
                    raise KeyError(f"unknown stats counter {name!r}")
                self._values[name] += delta

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            values = dict(self._values)
        return StatsSnapshot(**values)  # type: ignore[arg-type]

    def since(self, before: StatsSnapshot) -> StatsSnapshot:
        return self.snapshot() - before

    def __repr__(self) -> str:
        snap = self.snapshot()
        return (
            f"CallStats(round_trips={snap.round_trips}, calls={snap.calls}, wire_requests={snap.wire_requests}, "
            f"seconds={snap.seconds:.3f}, reconnects={snap.reconnects})"
        )
