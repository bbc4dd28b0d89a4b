"""Lost shells are re-opened once and counted; a timed-out call raises and is not replayed."""

from __future__ import annotations

import time

import pytest

from drivers.errors import ProbeTimeout
from drivers.host import Host


def test_a_dropped_shell_is_reopened_once_and_counted(fresh_host: Host, fresh_lab, via: str):
    assert fresh_host.net.compartments()
    before = fresh_host.stats.snapshot()
    fresh_lab.drop_connections(via)
    assert fresh_host.net.compartments()  # transparently re-opened
    cost = fresh_host.stats.since(before)
    assert (cost.reconnects, cost.process_starts) == (1, 1)
    again = fresh_host.stats.snapshot()
    fresh_host.net.routes(1)
    assert fresh_host.stats.since(again).reconnects == 0


def test_a_timed_out_call_raises_and_the_next_call_reopens(fresh_host: Host):
    fresh_host.net.compartments()
    before = fresh_host.stats.snapshot()
    started = time.monotonic()
    with pytest.raises(ProbeTimeout) as info:
        fresh_host.session.run("Start-Sleep -Seconds 5; 'late'", timeout=0.5)
    assert time.monotonic() - started < 2.0  # raised at the deadline, not retried
    assert info.value.host == fresh_host.name
    assert not fresh_host.session.is_open
    mid = fresh_host.stats.since(before)
    assert (mid.timeouts, mid.round_trips, mid.process_starts) == (1, 0, 0)
    assert fresh_host.net.compartments()
    after = fresh_host.stats.since(before)
    assert (after.process_starts, after.reconnects) == (1, 1)
