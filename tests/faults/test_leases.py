"""Claims live on the host: two runs (or one machine listed twice, over WinRM and over SSH) see
each other, an exclusive host is taken atomically, and an expired claim no longer counts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from drivers.host import Host, connect
from fixtures import lease
from fixtures.lease import HostBusy, HostClaims
from fixtures.resources import LABEL, sweep
from tests.drivers.lab import Lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    own = Lab.start(tmp_path_factory.mktemp("lease-lab"), name="leased")
    yield own
    own.close()


@pytest.fixture
def two(lab: Lab) -> Iterator[tuple[Host, Host]]:
    """The same simulated machine reached twice: over WinRM and over SSH."""
    a, b = connect(lab.spec("winrm"), run_id="runa"), connect(lab.spec("ssh"), run_id="runb")
    yield a, b
    for host in (a, b):
        host.session.run(
            f"Remove-Item -Recurse -Force -LiteralPath '{lease.RUNS_DIR}' -ErrorAction SilentlyContinue"
        )
        host.close()


def test_two_runs_see_each_others_claims(two):
    a, b = two
    claim_a, claim_b = HostClaims(a, "runa"), HostClaims(b, "runb")
    claim_a.take(exclusive=False, wait=0)
    claim_b.take(exclusive=False, wait=0)
    assert lease.live_runs(a, "runa") == {"runb"}
    assert lease.live_runs(b, "runb") == {"runa"}
    claim_b.release()
    assert lease.live_runs(a, "runa") == set()


def test_an_exclusive_run_waits_then_names_the_run_in_its_way(two):
    a, b = two
    HostClaims(a, "runa").take(exclusive=False, wait=0)
    started = time.monotonic()
    with pytest.raises(HostBusy, match=r"in use by run runa of .* \(shared, until "):
        HostClaims(b, "runb").take(exclusive=True, wait=1)
    assert time.monotonic() - started < 10


def test_a_host_held_exclusively_turns_other_runs_away(two):
    a, b = two
    holder = HostClaims(a, "runa")
    holder.take(exclusive=True, wait=0)
    with pytest.raises(HostBusy, match=r"run runa .*exclusive"):
        HostClaims(b, "runb").take(exclusive=False, wait=0)
    holder.release()
    HostClaims(b, "runb").take(exclusive=True, wait=0)  # free again


def test_only_one_of_two_exclusive_takers_gets_the_lock(two):
    a, b = two
    first, second = HostClaims(a, "runa"), HostClaims(b, "runb")
    first.mode = second.mode = "exclusive"
    assert [first._take_lock(None), second._take_lock(None)] == [True, False]


def test_an_expired_claim_no_longer_counts(two, monkeypatch):
    a, b = two
    monkeypatch.setattr(lease, "TTL", 1)
    HostClaims(a, "runa").take(exclusive=True, wait=0)
    time.sleep(1.5)  # the claim's expiry, by the host's clock
    monkeypatch.setattr(lease, "TTL", 900)
    HostClaims(b, "runb").take(exclusive=True, wait=0)  # the stale lock is taken over
    assert lease.live_runs(a, "runa") == {"runb"}


def test_the_sweep_spares_a_run_that_is_still_live(two):
    a, b = two
    still_running = HostClaims(b, "runb")
    still_running.take(exclusive=False, wait=0)
    image = "mcr.microsoft.com/windows/servercore:ltsc2022"
    container = b.docker.client.containers.create(image, "cmd /c exit 0", labels={LABEL: "runb"})
    assert sweep(a, "runa", mine=False) == []  # runb is not over: its container is not a leftover
    still_running.release()
    assert sweep(a, "runa", mine=False) == [f"container {container.id[:12]}"]


def test_a_turn_waits_for_a_run_in_a_test_and_names_it(two):
    a, b = two
    mine, other = HostClaims(a, "runa"), HostClaims(b, "runb")
    mine.take(exclusive=False, wait=0)
    other.take(exclusive=False, wait=0)  # active: it may be in a test
    with pytest.raises(HostBusy, match=r"run runb of .* is in a test; waited 0 s"):
        mine.take_turn(wait=0)
    other.gate(wait=0)  # the failed turn left no lock behind


def test_a_run_waits_between_tests_while_another_has_its_turn(two):
    a, b = two
    mine, other = HostClaims(a, "runa"), HostClaims(b, "runb")
    mine.take(exclusive=False, wait=0)
    other.take(exclusive=False, wait=0)
    with pytest.raises(HostBusy, match=r"run runb of .* is in a test"):
        mine.take_turn(wait=0)
    # runb reaches its next test: runa has not got the turn, so runb goes on
    other.gate(wait=0)
    assert mine._take_lock(None)  # runa now holds the lock (as take_turn's first step does)
    mine._turn = True
    with pytest.raises(HostBusy, match=r"run runa of .* has had the host to itself; waited 0 s"):
        other.gate(wait=0)
    # runb said it waits: runa's turn can go ahead, and runb goes on once it ends
    assert [c.state for c in mine.live()[0]] == [lease.WAITING]
    mine.take_turn(wait=0)
    mine.end_turn()
    other.gate(wait=0)
    assert [c.state for c in mine.live()[0]] == [lease.ACTIVE]


def test_a_run_waiting_for_the_lock_lets_the_holder_go_ahead(two):
    a, b = two
    mine, other = HostClaims(a, "runa"), HostClaims(b, "runb")
    mine.take(exclusive=False, wait=0)
    other.take(exclusive=False, wait=0)
    other._write(lease.WAITING)
    mine.take_turn(wait=0)  # runb waits between tests
    with pytest.raises(HostBusy, match=r"run runa .* has the host to itself; waited 0 s"):
        other.take_turn(wait=0)
    assert [c.state for c in mine.live()[0]] == [lease.WAITING]
    mine.end_turn()
    with pytest.raises(HostBusy, match=r"run runa .* is in a test"):
        other.take_turn(wait=0)  # runa is back at its tests


def test_an_exclusive_run_keeps_its_lock_after_a_turn(two):
    a, b = two
    holder = HostClaims(a, "runa")
    holder.take(exclusive=True, wait=0)
    holder.take_turn(wait=0)
    holder.end_turn()
    with pytest.raises(HostBusy, match=r"run runa .*exclusive"):
        HostClaims(b, "runb").take(exclusive=False, wait=0)
