"""Two runs at once against one simulated host, served as a lab host is: neither changes the
other's verdicts.  Without claims on the host, the second run's start-of-run sweep removed the
first run's container and its daemon kill stopped it, so the first run reported a false failure."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fixtures.simhosts import resolve
from inventory.model import HostSpec, SimSettings
from tests.faults.conftest import ROOT
from winsim.launcher import LaunchedHost, launch

MODULE = """
import time
import pytest

def test_a_container_lives_through_the_other_run(host, containers):
    container = containers.run()
    time.sleep(8)  # the other run starts, sweeps, and reaches its destructive test meanwhile
    container.reload()
    assert container.status == "running"

@pytest.mark.destructive
def test_b_the_daemon_is_killed_and_started(host):
    host.daemon.kill()
    assert host.daemon.start().status == "Running"
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[LaunchedHost, Path]]:
    """One simulated host started on its own, and an inventory that names it as a lab host."""
    launched = launch("shared", "ws2022", tmp_path / "host", detach=True)
    base = HostSpec(name="shared", transport="sim", sim=SimSettings(profile="ws2022", via="winrm"))
    (tmp_path / "sim").mkdir()
    spec = resolve(base, launched.endpoints, tmp_path)  # sets the password's environment variable
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data["os_build"] = 20348
    data["base_image"] = "mcr.microsoft.com/windows/servercore:ltsc2022"
    inventory = tmp_path / "shared.yml"
    inventory.write_text(yaml.safe_dump({"hosts": [data]}))
    yield launched, inventory
    launched.stop()


def _start(inventory: Path, where: Path) -> subprocess.Popen[str]:
    where.mkdir()
    (where / "test_shared.py").write_text(MODULE)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", f"--inventory={inventory}", "-p", "no:cacheprovider", "-rs"],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_two_runs_on_one_host_keep_their_verdicts(served, tmp_path: Path):
    _, inventory = served
    first = _start(inventory, tmp_path / "first")
    time.sleep(3)  # the first run has made its container when the second one starts
    second = _start(inventory, tmp_path / "second")
    outs = [p.communicate(timeout=120)[0] for p in (first, second)]
    for out in outs:
        summary = out.strip().splitlines()[-1]
        assert "1 passed" in summary and "1 skipped" in summary and "failed" not in summary, out
        assert "destructive test not run while run " in out, out
