"""A run's reports replace the previous ones only when it produced its own (reports.outdir, reports.run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reports.outdir import PREVIOUS, Staging
from tests.reports.sample import ROOT


def write_reports(folder: Path, tag: str, interrupted: bool = False) -> None:
    (folder / "results").mkdir(parents=True, exist_ok=True)
    (folder / "results" / "gw0.jsonl").write_text(tag)
    (folder / "junit.xml").write_text(tag)
    (folder / "matrix.html").write_text(tag)
    (folder / "matrix.json").write_text(json.dumps({"schema": 1, "tag": tag, "interrupted": interrupted}))


def tag(path: Path) -> str:
    return str(json.loads(path.read_text())["tag"])


def test_a_complete_run_replaces_the_reports_and_becomes_the_baseline(tmp_path: Path):
    out = tmp_path / "out"
    write_reports(out, "first")
    (out / "screenshots").mkdir()
    staging = Staging.create(out)
    assert staging.path.parent == out and staging.baseline() == out / "matrix.json"
    write_reports(staging.path, "second")
    staging.promote()
    assert tag(out / "matrix.json") == "second" and (out / "junit.xml").read_text() == "second"
    assert tag(out / PREVIOUS) == "first"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["results", "junit.xml", "matrix.html", "matrix.json", PREVIOUS, "screenshots"]
    )
    assert Staging.create(out).baseline() == out / "matrix.json"


def test_an_interrupted_run_is_shown_but_never_the_baseline(tmp_path: Path):
    out = tmp_path / "out"
    write_reports(out, "complete")
    staging = Staging.create(out)
    write_reports(staging.path, "interrupted", interrupted=True)
    staging.promote()
    assert tag(out / "matrix.json") == "interrupted"
    nxt = Staging.create(out)
    assert nxt.baseline() == out / PREVIOUS and tag(out / PREVIOUS) == "complete"
    # a second interrupted run still keeps the complete one
    write_reports(nxt.path, "interrupted again", interrupted=True)
    nxt.promote()
    assert tag(out / PREVIOUS) == "complete"


def test_a_discarded_run_leaves_everything_as_it_was(tmp_path: Path):
    out = tmp_path / "out"
    write_reports(out, "kept")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    staging = Staging.create(out)
    write_reports(staging.path, "half")
    staging.discard()
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(out.glob(".run-*"))


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path: Path):
    out = tmp_path / "out"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    abandoned = out / f".run-{dead.stdout.strip()}-x"
    abandoned.mkdir(parents=True)
    mine = Staging.create(out)
    assert not abandoned.exists() and mine.path.exists()
    mine.discard()


def test_a_usage_error_keeps_the_last_reports(tmp_path: Path):
    out = tmp_path / "out"
    write_reports(out, "last good")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "reports.run", "--out", str(out), "--no-html", "--", "--hosts", "nosuchhost"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "unknown host(s) nosuchhost" in proc.stdout + proc.stderr
    assert "the previous reports in" in proc.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(out.glob(".run-*"))


def test_report_files_share_one_lock_file_whatever_their_folder(tmp_path: Path):
    from reports.records import RunInfo, reports_lock, update_run_info

    update_run_info(tmp_path / "a" / "results", RunInfo(expected={"h1"}))
    update_run_info(tmp_path / "b" / "results", RunInfo(expected={"h2"}))
    assert reports_lock().lock_file == reports_lock().lock_file
    assert not list((tmp_path / "a").rglob("*.lock")) and not list((tmp_path / "b").rglob("*.lock"))
