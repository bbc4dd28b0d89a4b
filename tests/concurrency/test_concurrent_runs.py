"""Three conformance runs at once against one simulated host served as a lab host is (the `lab`
latency profile): every run completes and none reports a false failure.

Before tests looked only at what their own run made, two runs started 3 s apart gave a false
failure (the start test counted another run's wcifs instances), three at once gave none without
one, and runs sharing a host skipped their destructive tests.  The selection covers every test
that read a host-wide count, the one that can only read host-wide facts (it has the host to
itself) and a destructive test; two runs start together, the third a few seconds later.
"""

from __future__ import annotations

import os
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import ROOT, serve_lab_host, start_pytest

SELECTION = (
    "suites/test_layers.py::test_start_mounts_scratch_as_volume",
    "suites/test_network.py::test_endpoint_before_compute_system_is_virtual",
    "suites/test_network.py::test_compute_system_create_brings_vnic_and_compartment",
    "suites/test_compartments.py::test_compartments_cannot_be_changed[shared-docker-process]",
    "suites/test_daemon.py::test_killed_daemon_does_not_restore_containers",
)
OFFSETS = (0.0, 0.0, 3.0)  # seconds after the first run each run starts
RUN_TIMEOUT = 300.0


@pytest.fixture
def lab_host(tmp_path: Path) -> Iterator[Path]:
    """One ws2022 host with lab latency, started on its own; an inventory naming it as a lab host."""
    launched, inventory = serve_lab_host(tmp_path, latency="lab")
    yield inventory
    launched.stop()


def _verdicts(junit: Path) -> dict[str, tuple[str, str]]:
    """Test id -> (outcome, message) from one run's JUnit XML."""
    out: dict[str, tuple[str, str]] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        for outcome in ("failure", "error", "skipped"):
            found = case.find(outcome)
            if found is not None:
                out[name] = (outcome, found.get("message") or "")
                break
        else:
            out[name] = ("passed", "")
    return out


@pytest.mark.slow
def test_three_concurrent_runs_complete_with_true_verdicts(lab_host: Path, tmp_path: Path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    runs: list[tuple[subprocess.Popen[str], Path]] = []
    for index, offset in enumerate(OFFSETS):
        time.sleep(max(0.0, started + offset - time.monotonic()))
        where = tmp_path / f"run{index}"
        where.mkdir()
        junit = where / "junit.xml"
        # process isolation: the served host is a stock one (no Hyper-V role)
        args = [*(str(ROOT / s) for s in SELECTION), "-k", "not hyperv", f"--junitxml={junit}", "-q"]
        runs.append((start_pytest(where, lab_host, *args, env=env), junit))
    outs = [process.communicate(timeout=RUN_TIMEOUT)[0] for process, _ in runs]
    wall = time.monotonic() - started

    for (process, junit), out in zip(runs, outs, strict=True):
        verdicts = _verdicts(junit)
        false = {t: v for t, v in verdicts.items() if v[0] in ("failure", "error")}
        assert not false, out  # the host conforms: any failure is another run's doing
        # complete: nothing left unrun but what does not apply to this build
        unrun = {t: m for t, (o, m) in verdicts.items() if o == "skipped" and "not applicable" not in m}
        assert not unrun, out
        assert process.returncode == 0, out
        assert len(verdicts) == len(SELECTION) and all(o == "passed" for o, _ in verdicts.values()), out
    # the figures, reported (never asserted): shown with -s
    print(f"{len(runs)} runs started at {OFFSETS} s: 0 false failures, all complete, wall {wall:.1f} s")
