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

>>> round_trip(host)    # doctest: +SKIP
>>> spend(host, "container_start")    # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from winsim.profiles import LatencyProfile


class LinkHost(Protocol):
    """What charging a delay needs of a host: its latency profile."""

    @property
    def latency(self) -> LatencyProfile: ...


def round_trip(host: LinkHost, count: int = 1, extra: float = 0.0) -> None:
    """Spend ``count`` round trips of ``host``'s link plus ``extra`` seconds of host work."""
    _sleep(count * host.latency.round_trip + extra)


def spend(host: LinkHost, what: str) -> None:
    """Spend the profile's time for one host operation (``container_start``, ``dockerd_restart``...)."""
    _sleep(float(getattr(host.latency, what)))


def new_connection(host: LinkHost, tls: bool = False) -> None:
    """What a client waits for before its first request on a new TCP (and TLS) connection."""
    profile = host.latency
    rounds = profile.tcp_connect_round_trips + (profile.tls_handshake_round_trips if tls else 0)
    round_trip(host, rounds, profile.tls_handshake_cpu if tls else 0.0)


def _sleep(delay: float) -> None:
    if delay > 0:
        time.sleep(delay)  # the modelled delay itself, not a stand-in for work
