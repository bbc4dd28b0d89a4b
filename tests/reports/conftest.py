"""A sample conformance run shared by the report tests: run once per session, also under xdist."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from reports.allure_html import node_missing
from tests.reports import sample


@dataclass(frozen=True)
class SampleRun:
    project: Path
    out: Path
    returncode: int
    stdout: str
    html: bool


def _run_sample(base: Path) -> SampleRun:
    project = sample.write_project(base / "project")
    out = project / "out"  # inside the project: pytest finds its ini from the common ancestor of paths
    html = node_missing() is None
    args = ["--out", str(out), *([] if html else ["--no-html"]), "--", "-n", "2", "-q"]
    proc: subprocess.CompletedProcess[str] = sample.run("reports.run", *args, cwd=project)
    return SampleRun(project, out, proc.returncode, proc.stdout + proc.stderr, html)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> SampleRun:
    if worker_id == "master":
        return _run_sample(tmp_path_factory.mktemp("sample"))
    # xdist: the first worker runs it, the others read its outcome (pytest-xdist's documented recipe)
    shared = tmp_path_factory.getbasetemp().parent / "wcc-sample"
    done = shared / "run.json"
    with FileLock(str(shared) + ".lock"):
        if not done.exists():
            run = _run_sample(shared)
            done.write_text(json.dumps({**run.__dict__, "project": str(run.project), "out": str(run.out)}))
    data = json.loads(done.read_text())
    return SampleRun(
        Path(data["project"]), Path(data["out"]), data["returncode"], data["stdout"], data["html"]
    )
