"""Fault injection against simulated hosts served as if they were lab hosts.

``fault_run(inventory, module, *args)`` runs pytest on a small conformance-style module in a
subprocess, as a user would, and returns its result, how long it took, and what the module
recorded about its run (``record(key=value)`` writes JSON the fault test reads back).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.simhosts import resolve
from inventory.model import HostSpec, SimSettings
from winsim.launcher import LaunchedHost, launch

ROOT = Path(__file__).resolve().parents[2]

# What a project outside the checkout gives pytest to load wcc (README), and no cache folder.
OUTSIDE_ARGS = ("-p", "fixtures.plugin", "-p", "reports.plugin", "-p", "no:cacheprovider")


def start_pytest(
    where: Path, inventory: str | Path, *args: str, env: dict[str, str]
) -> subprocess.Popen[str]:
    """pytest on the project in ``where``, as a user starts it, with stdout and stderr on one pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *OUTSIDE_ARGS, f"--inventory={inventory}", *args],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


# Imported by the modules a fault test runs: writes what the test outside must check.
RECORDER = """
import json, os
from pathlib import Path

def record(**values):
    path = Path(os.environ["WCC_FAULT_OUT"])
    seen = json.loads(path.read_text()) if path.exists() else {}
    seen.update(values)
    # whole or not at all: the test outside polls this file while the run writes it
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(seen))
    os.replace(part, path)
"""


@dataclass
class FaultRun:
    result: pytest.RunResult
    seconds: float
    seen: dict[str, Any]
    where: Path  # the directory it ran in

    @property
    def summary(self) -> str:
        return self.result.stdout.lines[-1] if self.result.stdout.lines else ""


@pytest.fixture
def fault_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Callable[..., FaultRun]:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    out = pytester.path / "seen.json"
    monkeypatch.setenv("WCC_FAULT_OUT", str(out))
    pytester.makepyfile(wcc_fault_recorder=RECORDER)

    def run(inventory: str, module: str, *args: str) -> FaultRun:
        pytester.makefile(".yml", inv=inventory)
        pytester.makepyfile(test_fault=module)
        started = time.monotonic()
        result = pytester.runpytest_subprocess(*OUTSIDE_ARGS, "--inventory", "inv.yml", *args)
        seen = json.loads(out.read_text()) if out.exists() else {}
        return FaultRun(result, time.monotonic() - started, seen, pytester.path)

    return run


def serve_lab_host(tmp_path: Path, latency: str = "none") -> tuple[LaunchedHost, Path]:
    """One ws2022 host started on its own (``winsim serve``), and an inventory naming it as a lab host."""
    launched = launch("shared", "ws2022", tmp_path / "host", detach=True, latency=latency)
    base = HostSpec(name="shared", transport="sim", sim=SimSettings(profile="ws2022", via="winrm"))
    (tmp_path / "sim").mkdir()
    spec = resolve(base, launched.endpoints, tmp_path)  # sets the password's environment variable
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data["os_build"] = 20348
    data["base_image"] = "mcr.microsoft.com/windows/servercore:ltsc2022"
    inventory = tmp_path / "shared.yml"
    inventory.write_text(yaml.safe_dump({"hosts": [data]}))
    return launched, inventory


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[LaunchedHost, Path]]:
    """One simulated host started on its own, and an inventory that names it as a lab host."""
    launched, inventory = serve_lab_host(tmp_path)
    yield launched, inventory
    launched.stop()
