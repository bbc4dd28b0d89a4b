"""The module's log readers read exactly the records after a mark, however many a busy host wrote.

Before issue 20 they took the newest 5,000 (daemon log) or 2,000 (HCS events) records and then
filtered on the mark, so the oldest records after it fell outside the window and were lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from drivers.host import Host, connect
from tests.drivers.lab import Lab
from winsim.model.eventlog import HCS_OPERATIONAL, HCS_PROVIDER

BUSY_DAEMON = 5_100  # more than the old daemon-log window (5,000 records)
BUSY_HCS = 2_100  # more than the old event window (2,000 records)


@pytest.fixture
def busy_host(fresh_lab: Lab, via: str) -> Iterator[Host]:
    host = connect(fresh_lab.spec(via), run_id="busylog", timeout=120)
    yield host
    host.close()


def test_the_daemon_log_after_a_mark_is_read_whole_and_in_order(busy_host: Host, fresh_lab: Lab) -> None:
    events = fresh_lab.sim.model.events
    events.write("Application", "docker", 1, "before the mark")
    mark = busy_host.daemon.mark()
    for i in range(BUSY_DAEMON):  # a busy daemon, and another provider's records in between
        events.write("Application", "docker", 1, f"busy line {i}")
        if i % 1000 == 0:
            events.write("Application", "Service Control Manager", 7036, "not dockerd's")
    lines = busy_host.daemon.debug_log(mark)
    assert lines == [f"busy line {i}" for i in range(BUSY_DAEMON)]
    assert busy_host.daemon.debug_log(busy_host.daemon.mark()) == []


def test_hcs_events_since_a_time_are_read_whole(busy_host: Host, fresh_lab: Lab) -> None:
    events = fresh_lab.sim.model.events
    events.write(HCS_OPERATIONAL, HCS_PROVIDER, 2010, "before the start")
    since = datetime.now(UTC)
    written = [
        events.write(HCS_OPERATIONAL, HCS_PROVIDER, 2010, f"event {i}").message for i in range(BUSY_HCS)
    ]
    read = busy_host.events.hcs_operational(since=since)
    assert sorted(e.message for e in read) == sorted(written)
