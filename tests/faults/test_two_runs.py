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
