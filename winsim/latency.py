"""Delays of a simulated host's link and of its slow operations (its ``host.latency`` profile).

What is charged, and where (figures and their sources: :class:`winsim.profiles.LatencyProfile`):

* a new TCP connection: its handshake, on the connection's own thread before the server reads
  (WinRM, SSH, the Docker API); a TLS handshake likewise (WinRM over HTTPS, Docker on 2376);
* the Docker Engine API: every HTTP request;
* WinRM: every HTTP request the client sends and waits on (NTLM handshake legs included, plus
  the host's work per leg), charged before the request is handled;
* SSH: the connection set-up and authentication; every exec request, charged on the channel's
  own thread; and every burst of stdin (one client write, however many packets it took),
  charged before the program reads it: whatever answers it reaches the client one round trip
  after it was sent, as on a real link;
* ``powershell.exe`` start, container create/start/stop and a dockerd restart: host time.

Each host keeps a tally of what it charged (:class:`Charges`): the round trips a client waited
on (one charged while another is still in flight on the same host overlaps it and is not
counted again: WinRM's pending Receive beside its Send) and each host operation with its time.
``winsim serve --charges DIR`` writes it to ``DIR/<host>.charges.json`` when the host stops.

>>> round_trip(host)    # doctest: +SKIP
>>> spend(host, "container_start")    # doctest: +SKIP
>>> host.charges.as_json(host.latency.round_trip)    # doctest: +SKIP
{'round_trip': 0.02, 'round_trips': 1, 'operations': {'container_start': {'count': 1, 'seconds': 2.0}}}
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from winsim.profiles import LatencyProfile


@dataclass
class Charges:
    """What a host charged so far: waited round trips and host operations (count, seconds)."""

    round_trips: int = 0
    operations: dict[str, list[float]] = field(default_factory=dict)  # what -> [count, seconds]
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def begin_round_trips(self, count: int) -> None:
        with self._lock:
            if not self._in_flight:  # one charged beside another in flight is waited on together
                self.round_trips += count
            self._in_flight += 1

    def end_round_trips(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def operation(self, what: str, seconds: float) -> None:
        with self._lock:
            tally = self.operations.setdefault(what, [0, 0.0])
            tally[0] += 1
            tally[1] += seconds

    def as_json(self, round_trip: float) -> dict[str, Any]:
        with self._lock:
            return {
                "round_trip": round_trip,
                "round_trips": self.round_trips,
                "operations": {
                    w: {"count": int(c), "seconds": s} for w, (c, s) in sorted(self.operations.items())
                },
            }


class LinkHost(Protocol):
    """What charging a delay needs of a host: its latency profile and its tally."""

    @property
    def latency(self) -> LatencyProfile: ...

    @property
    def charges(self) -> Charges: ...


def round_trip(host: LinkHost, count: int = 1, extra: float = 0.0) -> None:
    """Spend ``count`` round trips of ``host``'s link plus ``extra`` seconds of host work."""
    if not count:
        _sleep(extra)
        return
    host.charges.begin_round_trips(count)
    try:
        _sleep(count * host.latency.round_trip + extra)
    finally:
        host.charges.end_round_trips()


def spend(host: LinkHost, what: str) -> None:
    """Spend the profile's time for one host operation (``container_start``, ``dockerd_restart``...)."""
    seconds = float(getattr(host.latency, what))
    host.charges.operation(what, seconds)
    _sleep(seconds)


def new_connection(host: LinkHost, tls: bool = False) -> None:
    """What a client waits for before its first request on a new TCP (and TLS) connection."""
    profile = host.latency
    rounds = profile.tcp_connect_round_trips + (profile.tls_handshake_round_trips if tls else 0)
    round_trip(host, rounds, profile.tls_handshake_cpu if tls else 0.0)


def _sleep(delay: float) -> None:
    if delay > 0:
        time.sleep(delay)  # the modelled delay itself, not a stand-in for work
