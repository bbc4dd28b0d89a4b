"""Two runs at once against one simulated host, served as a lab host is: neither changes the
other's verdicts, and both complete.  Without claims on the host, the second run's start-of-run
sweep removed the first run's container and its daemon kill stopped it, so the first run reported
a false failure; with claims that only skipped destructive tests, neither run ever ran them."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from drivers.host import connect
from fixtures.lease import HostClaims
from inventory import load_inventory
from tests.faults.conftest import ROOT, start_pytest

MODULE = """
import time
import pytest

def test_a_container_lives_through_the_other_run(host, containers):
    container = containers.run()
    time.sleep(8)  # the other run starts, sweeps, and reaches its destructive test meanwhile: it waits
    container.reload()
    assert container.status == "running"

@pytest.mark.destructive
def test_b_the_daemon_is_killed_and_started(host):
    host.daemon.kill()
    host.daemon.start()
    assert host.daemon.status() == "Running"
"""


def _start(inventory: Path, where: Path) -> subprocess.Popen[str]:
    where.mkdir()
    (where / "test_shared.py").write_text(MODULE)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return start_pytest(where, inventory, "-rs", env=env)


@pytest.mark.slow
def test_two_runs_on_one_host_keep_their_verdicts(served, tmp_path: Path):
    _, inventory = served
    first = _start(inventory, tmp_path / "first")
    time.sleep(3)  # the first run has made its container when the second one starts
    second = _start(inventory, tmp_path / "second")
    outs = [p.communicate(timeout=120)[0] for p in (first, second)]
    for out in outs:  # no false failure in either run
        summary = out.strip().splitlines()[-1]
        assert "failed" not in summary and "error" not in summary and "passed" in summary, out
    # each run's destructive test waited for its turn (the other run between two tests), then ran
    for out in outs:
        assert "2 passed" in out.strip().splitlines()[-1] and "skipped" not in out, out


WAITING_MODULE = """
import os, time
from pathlib import Path
import pytest

def test_1_in_a_test_while_the_other_run_asks_for_its_turn(host):
    Path(os.environ["WCC_TEST_SIGNAL"]).touch()
    time.sleep(4)  # the other run's turn waits until this run is between two tests

def test_2_an_ordinary_test(host):
    pass

@pytest.mark.destructive
def test_3_a_destructive_test(host):
    pass
"""


@pytest.mark.slow
def test_a_run_kept_waiting_past_its_deadline_names_the_other_run(served, tmp_path: Path):
    _, inventory = served
    where = tmp_path / "waiting"
    where.mkdir()
    (where / "test_waiting.py").write_text(WAITING_MODULE)
    signal = tmp_path / "in-test-1"
    env = dict(os.environ, PYTHONPATH=str(ROOT), WCC_LEASE_WAIT="3", WCC_TEST_SIGNAL=str(signal))
    run = start_pytest(where, inventory, "-rs", env=env)
    holder = connect(load_inventory(inventory).hosts[0], run_id="holder")
    claims = HostClaims(holder, "holder")
    try:
        deadline = time.monotonic() + 60
        while not signal.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        claims.take(exclusive=False, wait=0)
        claims.take_turn(wait=60)  # granted once the run is between tests 1 and 2
        out = run.communicate(timeout=120)[0]
        claims.end_turn()
    finally:
        claims.release()
        holder.close()
    assert "1 passed, 2 skipped" in out.strip().splitlines()[-1], out
    # each unrun test says why, naming the run that had the host, and no verdict is given
    assert "test not run: run holder of " in out and "has had the host to itself; waited 3 s" in out, out
    assert "test needing the host to itself not run: run holder of " in out, out
