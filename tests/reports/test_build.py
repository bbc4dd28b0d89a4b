"""Several CI jobs, one report: `python -m reports.build` merges run outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.reports import sample
from tests.reports.conftest import SampleRun


def _job(project: Path, name: str, selection: str) -> Path:
    out = project / name
    proc = sample.run("reports.run", "--out", str(out), "--no-html", "--", "-q", "-k", selection, cwd=project)
    assert (out / "matrix.json").exists(), proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two CI jobs of the sample, each on its own hosts."""
    project = sample.write_project(tmp_path_factory.mktemp("jobs") / "project")
    return project, _job(project, "job-a", "ws-good"), _job(project, "job-b", "ws-bad or ws-down")


def test_jobs_merge_into_one_matrix_and_one_allure_results_dir(jobs: tuple[Path, Path, Path]):
    project, job_a, job_b = jobs
    merged = project / "merged"
    proc = sample.run("reports.build", "--out", str(merged), "--no-html", str(job_a), str(job_b), cwd=project)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the sample has failures
    matrix = json.loads((merged / "matrix.json").read_text())
    cells = {b["id"]: {h: c["status"] for h, c in b["cells"].items()} for b in matrix["behaviours"]}
    assert cells == sample.EXPECTED
    results = list((merged / "allure-results").glob("*-result.json"))
    assert len(results) == sample.TESTS_PER_HOST * len(sample.HOSTS)
    props = (merged / "allure-results" / "environment.properties").read_text()
    assert "ws-good.os_build=20348" in props and "ws-bad.os_build=17763" in props


def test_a_lost_job_or_worker_shows_as_errors(sample_run: SampleRun, tmp_path: Path):
    project = sample_run.project
    job = tmp_path / "job"
    shutil.copytree(sample_run.out / "results", job / "results")
    # a worker that died after collection: its last ws-good test never reported
    records = job / "results" / "gw0.jsonl"
    if "ws-good" not in records.read_text():
        records = job / "results" / "gw1.jsonl"
    lines = records.read_text().splitlines()
    dropped = max(i for i, line in enumerate(lines) if '"host": "ws-good"' in line)
    records.write_text("\n".join(lines[:dropped] + lines[dropped + 1 :]) + "\n")
    merged = tmp_path / "merged"
    proc = sample.run(
        "reports.build", "--out", str(merged), "--no-html", "--expect-host", "ws-lab", str(job), cwd=project
    )
    assert proc.returncode == 1
    matrix = json.loads((merged / "matrix.json").read_text())
    hosts = {h["name"]: h for h in matrix["hosts"]}
    assert hosts["ws-lab"]["summary"]["error"] == len(sample.EXPECTED)  # a whole job lost
    assert hosts["ws-lab"]["summary"]["pass"] == 0
    assert hosts["ws-good"]["summary"]["error"] >= 1
    no_result = [
        b["id"]
        for b in matrix["behaviours"]
        if any(
            t["category"] == "no-result" for v in b["cells"]["ws-good"]["via"].values() for t in v["tests"]
        )
    ]
    assert len(no_result) == 1
