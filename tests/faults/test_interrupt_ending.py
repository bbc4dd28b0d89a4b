"""Ctrl-C while pytest ends the run (after the last test, in the plugins' session teardown) is one
line and exit status INTERRUPTED; it escaped pytest as an 80-line Python traceback."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.faults.conftest import ROOT, start_pytest

INVENTORY = "hosts:\n  - {name: intr, transport: sim, sim: {profile: ws2022, via: winrm}}\n"
CONFTEST = """
import time
from pathlib import Path

def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the controller, once its workers are done
        Path("ending").write_text("now")
        time.sleep(30)
"""


@pytest.mark.slow
@pytest.mark.parametrize("workers", [[], ["-n", "1"]], ids=["plain", "xdist"])
def test_ctrl_c_while_the_run_ends_is_one_line(tmp_path: Path, workers: list[str]):
    (tmp_path / "inv.yml").write_text(INVENTORY)
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_quick.py").write_text("def test_quick():\n    pass\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    proc = start_pytest(tmp_path, "inv.yml", "-q", *workers, env=env)
    deadline = time.monotonic() + 60
    while not (tmp_path / "ending").exists():
        assert time.monotonic() < deadline and proc.poll() is None, "the run never reached its end"
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=60)[0]
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
    said = [line for line in out.splitlines() if line.startswith("wcc: interrupted")]
    assert said == [
        "wcc: interrupted while pytest was ending the run (stopping workers and hosts); the shutdown goes on"
    ], out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("wcc-")] == []
