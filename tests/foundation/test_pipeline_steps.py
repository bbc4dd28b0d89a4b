"""The nightly HostedWindows stage's own steps, run here on a fresh clone against the simulated hosts.

The stage's PowerShell steps are translated line by line (``.venv/Scripts/python`` ->
``.venv/bin/python``, ``$(Agent.TempDirectory)`` -> a temporary folder) and run in a ``git
clone`` of HEAD, where nothing has been installed: so a missing install step fails here as it
would on a fresh agent.  Steps that only make sense on a Windows agent (waiting for dockerd,
pulling the base image) are named below; their one output, the inventory, is the simulated
hosts' inventory here.  A step or line this translation does not know fails the test, so the
pipeline cannot drift from what is checked.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.reports.sample import ROOT

pytestmark = pytest.mark.slow  # a fresh venv, npm ci and short conformance runs: ~60 s

AGENT_ONLY = {"Wait for dockerd", "Pull the base image for this build"}
# pwsh's "stop at the first failing command", as the stage's install step sets it
STOP_ON_ERROR = {"$ErrorActionPreference = 'Stop'", "$PSNativeCommandUseErrorActionPreference = $true"}
# A short selection keeps this test quick; the whole suite runs in `make conformance`.
SELECT = ["-k", "layerchain"]
GENERIC = ("fixtures", "reports", "drivers", "suites", "inventory", "winsim")


@dataclass
class Step:
    name: str
    lines: list[str]


def hosted_windows_steps() -> list[Step]:
    pipeline: dict[str, Any] = yaml.safe_load((ROOT / "azure-pipelines.yml").read_text())
    stage = next(s for s in pipeline["stages"] if s["stage"] == "HostedWindows")
    (job,) = stage["jobs"]
    steps = []
    for step in job["steps"]:
        if "pwsh" not in step:
            continue  # tasks (UsePythonVersion, NodeTool, publishing): this machine has python and node
        if step["displayName"] in AGENT_ONLY:
            continue
        lines = [ln.strip() for ln in step["pwsh"].splitlines()]
        steps.append(Step(step["displayName"], [ln for ln in lines if ln and not ln.startswith("#")]))
    return steps


def translate(line: str, temp: Path) -> list[str]:
    argv = shlex.split(line.replace("$(Agent.TempDirectory)", str(temp)))
    program = argv[0]
    if program == "python":
        argv[0] = sys.executable  # what UsePythonVersion puts on PATH
    elif program == ".venv/Scripts/python":
        argv[0] = ".venv/bin/python"
    elif program == "npm":
        pass
    else:
        raise AssertionError(f"the HostedWindows stage runs {program!r}, which this test cannot translate")
    if "reports.run" in argv:
        argv += SELECT
    return argv


def clean_env() -> dict[str, str]:
    """The environment of a fresh agent: none of this run's venv, paths or pytest settings."""
    venv = Path(sys.prefix)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p).parent != venv]
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST_")}
    return {**env, "PATH": os.pathsep.join(path)}


@dataclass
class Outcome:
    returncode: int
    log: str


def run_steps(steps: list[Step], clone: Path, temp: Path, skip: str = "") -> Outcome:
    """Run the translated steps as the agent would: a step fails with its last command, or its first
    failing one when it set pwsh's stop-on-error; the job stops at the first failed step."""
    log: list[str] = []
    for step in steps:
        stop = set(step.lines) >= STOP_ON_ERROR
        rc = 0
        for line in step.lines:
            if line in STOP_ON_ERROR or line == skip:
                continue
            argv = translate(line, temp)
            proc = subprocess.run(
                argv, cwd=clone, env=clean_env(), capture_output=True, text=True, timeout=600, check=False
            )
            log.append(
                f"$ {shlex.join(argv)}  -> {proc.returncode}\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
            )
            rc = proc.returncode
            if rc != 0 and stop:
                break
        if rc != 0:
            return Outcome(rc, "\n".join(log))
    return Outcome(0, "\n".join(log))


@pytest.fixture
def fresh_clone() -> Iterator[tuple[Path, Path]]:
    """A git clone of HEAD and the agent's temp folder, both removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="wcc-clone-") as where:
        clone, temp = Path(where) / "wcc", Path(where) / "agent-temp"
        temp.mkdir()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
        # the inventory the agent-only step writes: here, the simulated hosts
        shutil.copy(clone / "inventory" / "sim.yml", temp / "inventory.yml")
        yield clone, temp


def site_packages(clone: Path) -> list[str]:
    (lib,) = (clone / ".venv" / "lib").glob("python3*")
    return sorted(p.name for p in (lib / "site-packages").iterdir())


# Each install step, what it makes in the clone, and what the stage then says without it.
INSTALL_STEPS = [
    ("npm ci --no-audit --no-fund", "node_modules", "run `npm ci`"),
    (".venv/Scripts/python -m pip install -r requirements/base.txt", ".venv", "No module named"),
]


def test_the_stage_installs_and_runs_on_a_fresh_clone_and_fails_without_each_install_step(fresh_clone):
    clone, temp = fresh_clone
    steps = hosted_windows_steps()
    assert [s.name for s in steps][-1] == "Conformance suite"
    outcome = run_steps(steps, clone, temp)
    assert outcome.returncode == 0, outcome.log
    out = clone / "reports" / "out"
    for report in ("matrix.html", "matrix.json", "junit.xml", "allure-report/index.html"):
        assert (out / report).is_file(), f"{report} missing\n{outcome.log}"
    installed = site_packages(clone)
    assert not [n for n in installed if n in GENERIC or n.startswith(("wcc", "__editable__"))], installed
    # The same clone without what one install step made (so as if it had never run: a fresh venv
    # holds no packages), and the stage run without that step: it fails, saying what is missing.
    for install_line, made, said in INSTALL_STEPS:
        assert any(install_line in s.lines for s in steps), f"the stage no longer runs {install_line!r}"
        shutil.rmtree(clone / made)
        outcome = run_steps(steps, clone, temp, skip=install_line)
        assert outcome.returncode != 0, f"without {install_line!r}:\n{outcome.log}"
        assert said in outcome.log, f"without {install_line!r}:\n{outcome.log}"
