"""Several CI jobs, one report: `python -m reports.build` merges run outputs."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module")
def shards(jobs: tuple[Path, Path, Path]) -> dict[str, Path]:
    """One job per host, and a second run of ws-good."""
    project = jobs[0]
    return {
        name: _job(project, f"shard-{name}", selection)
        for name, selection in (
            ("good", "ws-good"),
            ("bad", "ws-bad"),
            ("down", "ws-down"),
            ("good-again", "ws-good"),
        )
    }


def _build(project: Path, out: Path, *args: str) -> tuple[int, str]:
    proc = sample.run("reports.build", "--out", str(out), "--no-html", *args, cwd=project)
    assert (out / "matrix.json").is_file() or proc.returncode == 2, proc.stdout + proc.stderr
    return proc.returncode, proc.stderr


def _matrix(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "matrix.json").read_text())
    data.pop("generated")
    return data


def test_a_merge_of_merges_equals_the_merge_of_their_parts(
    jobs: tuple[Path, Path, Path], shards: dict[str, Path]
):
    project = jobs[0]
    good, bad, down = (str(shards[n]) for n in ("good", "bad", "down"))
    _build(project, project / "m-gb", good, bad)
    _build(project, project / "m-gb-d", str(project / "m-gb"), down)
    _build(project, project / "m-b-d", bad, down)
    _build(project, project / "m-g-bd", good, str(project / "m-b-d"))
    _build(project, project / "m-all", good, bad, down)
    whole = _matrix(project / "m-all")
    cells = {b["id"]: {h: c["status"] for h, c in b["cells"].items()} for b in whole["behaviours"]}
    assert cells == sample.EXPECTED
    assert _matrix(project / "m-gb-d") == whole
    assert _matrix(project / "m-g-bd") == whole
    for name in ("m-gb-d", "m-g-bd"):
        assert (project / name / "junit.xml").read_text() == (project / "m-all" / "junit.xml").read_text()
        allure = {p.name for p in (project / name / "allure-results").iterdir()}
        assert allure == {p.name for p in (project / "m-all" / "allure-results").iterdir()}


def test_the_same_run_given_twice_counts_once_and_says_so(
    jobs: tuple[Path, Path, Path], shards: dict[str, Path]
):
    project = jobs[0]
    copy = project / "copy-of-good"
    shutil.copytree(shards["good"], copy)
    _build(project, project / "once", str(shards["good"]))
    _, err = _build(project, project / "twice", str(shards["good"]), str(copy), str(project / "once"))
    assert _matrix(project / "twice")["hosts"] == _matrix(project / "once")["hosts"]
    tests = sample.TESTS_PER_HOST
    assert err.splitlines() == [
        f"reports.build: ws-good: {tests} results in {copy / 'results'} repeat those in "
        f"{shards['good'] / 'results'}; counted once",
        f"reports.build: ws-good: {tests} results in {project / 'once' / 'results'} repeat those in "
        f"{shards['good'] / 'results'}; counted once",
    ]


def test_two_runs_of_one_host_are_refused_with_one_line(
    jobs: tuple[Path, Path, Path], shards: dict[str, Path]
):
    project = jobs[0]
    out = project / "mixed"
    rc, err = _build(project, out, str(shards["good"]), str(shards["good-again"]))
    assert rc == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("reports.build: ws-good has results from two different runs, in ")
    assert str(shards["good-again"] / "results") in err and not out.exists()


def test_the_merged_junit_has_one_suite_per_host_with_wcc_properties(
    jobs: tuple[Path, Path, Path], shards: dict[str, Path]
):
    project = jobs[0]
    out = project / "junit-merge"
    _build(project, out, *(str(shards[n]) for n in ("good", "bad", "down")))
    suites = {s.get("name", ""): s for s in ET.parse(out / "junit.xml").getroot().iter("testsuite")}
    assert sorted(suites) == sorted(sample.HOSTS)
    bad = suites["ws-bad"]
    assert bad.get("tests") == str(sample.TESTS_PER_HOST)
    cases = {(c.get("name"), _props(c)["via"]): c for c in bad.iter("testcase")}
    deviating = cases[("test_default_native[ws-bad-direct]", "direct")]
    assert _props(deviating) == {
        "behaviour": "compartments/default-native",
        "host": "ws-bad",
        "via": "direct",
        "isolation": "process",  # the sample's tests are not parametrized by isolation: the default
        "build": "17763",
    }
    assert deviating.find("failure") is not None
    assert cases[("test_new_build_only[ws-bad-docker]", "docker")].find("skipped") is not None
    assert (bad.get("failures"), bad.get("errors"), bad.get("skipped")) == ("2", "2", "1")


def _props(case: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in case.iter("property")}


def test_an_expected_host_without_results_fails_the_merge_and_shows_not_run(
    jobs: tuple[Path, Path, Path], shards: dict[str, Path]
):
    project = jobs[0]
    out = project / "expecting"
    rc, err = _build(
        project,
        out,
        "--expect-host",
        "ws-lab=lab_ws2022",
        "--expect-host",
        "ws-good=lab_ws2025",
        str(shards["good"]),
    )
    assert rc == 1
    assert err.splitlines() == [
        "reports.build: expected host ws-lab is not run: no results from job lab_ws2022"
    ]
    hosts = {h["name"]: h for h in _matrix(out)["hosts"]}
    assert hosts["ws-lab"]["verdict"] == "not run"
    assert hosts["ws-lab"]["not_run"] == "not run: no results from job lab_ws2022"
    assert hosts["ws-good"]["not_run"] == ""
    page = (out / "matrix.html").read_text()
    assert page.count("not run: no results from job lab_ws2022") == 1 + len(
        sample.EXPECTED
    )  # summary, titles


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
            t["category"] == "no-result"
            for m in b["cells"]["ws-good"]["isolation"].values()
            for v in m["via"].values()
            for t in v["tests"]
        )
    ]
    assert len(no_result) == 1
