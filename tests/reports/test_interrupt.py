"""Ctrl-C and SIGTERM at several points of ``python -m reports.run`` against a simulated host.

Each case starts from the reports of a complete run.  One interruption stops pytest, its worker
and the simulated host, writes the reports of the tests that ran (marked interrupted) and keeps
the complete run's matrix as the baseline; one before any test finished, or a second one, keeps
the previous reports.  Every way out leaves no process and nothing in the run's temporary folder
(the simulated host's keys and password live there).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reports.sample import ROOT

pytestmark = pytest.mark.slow  # a simulated host per case: a few seconds each

SELECT = ["--hosts", "ws2022-sim", "-p", "no:cacheprovider"]


@dataclass
class Run:
    returncode: int
    stderr: str
    out: Path
    temp: Path


def env(temp: Path) -> dict[str, str]:
    outer = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {**outer, "TMPDIR": str(temp)}


def start(out: Path, temp: Path, *pytest_args: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "reports.run", "--out", str(out), "--no-html", "--workers", "1", "--"]
    return subprocess.Popen(
        [*cmd, *SELECT, *pytest_args],
        cwd=ROOT,
        env=env(temp),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # signals reach it only from this test
    )


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def staged_records(out: Path) -> bool:
    return any(p.stat().st_size for p in out.glob(".run-*/results/*.jsonl"))


def processes_naming(folder: Path) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in text:
            found.append(text)
    return found


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports of a complete run: the baseline every case starts from."""
    out, temp = tmp_path_factory.mktemp("complete") / "out", tmp_path_factory.mktemp("complete-tmp")
    proc = start(out, temp, "-k", "layerchain")
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert json.loads((out / "matrix.json").read_text())["interrupted"] is False
    return out


def interrupt(complete: Path, tmp_path: Path, when: str, signals: list[int]) -> Run:
    out, temp = tmp_path / "out", tmp_path / "tmp"
    shutil.copytree(complete, out)
    temp.mkdir()
    proc = start(out, temp, "-m", "layers")
    if when == "start":
        # pytest has started (its command line names the staging folder); the host is not up yet
        wait_for(lambda: any(".run-" in p and "pytest" in p for p in processes_naming(out)))
    else:
        wait_for(lambda: staged_records(out))
    for number, signum in enumerate(signals):
        if number:
            time.sleep(0.3)
        proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    return Run(proc.returncode, stderr, out, temp)


def assert_nothing_left(run: Run) -> None:
    assert list(run.temp.iterdir()) == [], "the run's temporary folder is not empty"
    assert processes_naming(run.temp) == []
    assert list(run.out.glob(".run-*")) == []


def test_an_interruption_before_any_test_keeps_the_previous_reports(complete, tmp_path):
    run = interrupt(complete, tmp_path, "start", [signal.SIGINT])
    assert run.returncode == 128 + signal.SIGINT, run.stderr
    assert (run.out / "matrix.json").read_bytes() == (complete / "matrix.json").read_bytes()
    assert "previous reports" in run.stderr
    assert_nothing_left(run)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_reports_what_ran_and_keeps_the_baseline(complete, tmp_path, signum):
    run = interrupt(complete, tmp_path, "running", [signum])
    assert run.returncode == 128 + signum, run.stderr
    said = [line for line in run.stderr.splitlines() if line.startswith("wcc:")]
    assert len(said) == 1 and signal.Signals(signum).name in said[0], run.stderr
    matrix = json.loads((run.out / "matrix.json").read_text())
    assert matrix["interrupted"] is True
    statuses = [
        v["status"]
        for b in matrix["behaviours"]
        for c in b["cells"].values()
        for m in c["isolation"].values()
        for v in m["via"].values()
    ]
    assert "pass" in statuses and "error" in statuses  # what ran, and what the interruption stopped
    assert matrix["changes"] == []  # a test that did not run is not "newly failing"
    # the complete run stays the baseline for the next one
    assert (run.out / "matrix.previous.json").read_bytes() == (complete / "matrix.json").read_bytes()
    assert_nothing_left(run)


def test_a_second_interruption_stops_at_once_and_keeps_the_previous_reports(complete, tmp_path):
    run = interrupt(complete, tmp_path, "running", [signal.SIGINT, signal.SIGINT])
    assert run.returncode == 128 + signal.SIGINT, run.stderr
    assert "stopped at once" in run.stderr
    assert (run.out / "matrix.json").read_bytes() == (complete / "matrix.json").read_bytes()
    assert_nothing_left(run)
