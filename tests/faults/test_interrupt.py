"""Ctrl-C (SIGINT) on plain pytest, at start, mid-run and during teardown: the run stops in bounded
time, its simulated hosts are stopped and its run directory (passwords, host keys) is removed."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.faults.conftest import RECORDER, ROOT, start_pytest

INVENTORY = "hosts:\n  - {name: intr, transport: sim, sim: {profile: ws2022, via: %s}}\n"

MODULE = """
import time
import pytest
from fixtures.plugin import RUN_DIR
from wcc_fault_recorder import record

WHEN = "%s"

@pytest.fixture
def slow_teardown(host):
    yield
    if WHEN == "teardown":
        record(phase="teardown")
        time.sleep(30)

def test_a_runs(host, request):
    record(run_dir=str(request.config.stash[RUN_DIR]))
    assert host.net.compartments()

def test_b_waits(host, slow_teardown):
    record(phase="call")
    if WHEN == "call":
        time.sleep(30)
"""


def _winsim_processes(under: Path) -> list[str]:
    """Command lines of running ``winsim serve`` processes whose state lives under ``under``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue  # it ended meanwhile
        text = " ".join(a.decode(errors="replace") for a in args)
        if "winsim" in text and " serve " in text and str(under) in text:
            found.append(text)
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("via", "when"), [("winrm", "start"), ("winrm", "call"), ("ssh", "teardown")])
def test_ctrl_c_leaves_no_host_and_no_run_directory(tmp_path: Path, via: str, when: str):
    (tmp_path / "inv.yml").write_text(INVENTORY % via)
    (tmp_path / "test_intr.py").write_text(MODULE % when)
    (tmp_path / "wcc_fault_recorder.py").write_text(RECORDER)
    seen_file = tmp_path / "seen.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), WCC_FAULT_OUT=str(seen_file), TMPDIR=str(tmp_path))
    proc = start_pytest(tmp_path, "inv.yml", "-q", env=env)
    run_dirs: list[Path] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run_dirs = [p for p in tmp_path.glob("wcc-*") if p.is_dir()]
        seen = json.loads(seen_file.read_text()) if seen_file.exists() else {}
        if when == "start" and run_dirs and list((run_dirs[0] / "sim").glob("*.lock")):
            break  # the host is being started
        if seen.get("phase") == when:
            break
        time.sleep(0.05)
    assert run_dirs, "the run never started"
    time.sleep(0.3)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=60)[0]
    assert time.monotonic() - started < 20, out
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out
    deadline = time.monotonic() + 5  # an orphan would be there for good; give exits a moment
    while _winsim_processes(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _winsim_processes(tmp_path) == [], out
    assert not run_dirs[0].exists(), out
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(("wcc-", "winsim-"))]
    assert leftovers == [], out
