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
