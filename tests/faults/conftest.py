"""Fault injection against simulated hosts served as if they were lab hosts.

``fault_run(inventory, module, *args)`` runs pytest on a small conformance-style module in a
subprocess, as a user would, and returns its result, how long it took, and what the module
recorded about its run (``record(key=value)`` writes JSON the fault test reads back).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Imported by the modules a fault test runs: writes what the test outside must check.
RECORDER = """
import json, os
from pathlib import Path

def record(**values):
    path = Path(os.environ["WCC_FAULT_OUT"])
    seen = json.loads(path.read_text()) if path.exists() else {}
    seen.update(values)
    path.write_text(json.dumps(seen))
"""


@dataclass
class FaultRun:
    result: pytest.RunResult
    seconds: float
    seen: dict[str, Any]

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
        result = pytester.runpytest_subprocess("--inventory", "inv.yml", "-p", "no:cacheprovider", *args)
        seen = json.loads(out.read_text()) if out.exists() else {}
        return FaultRun(result, time.monotonic() - started, seen)

    return run
