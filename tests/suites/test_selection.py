"""`-k <area>` and `-m <area>` select exactly that area's conformance tests (collect only: no host starts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.behaviour import ISOLATIONS
from suites import catalogue

ROOT = Path(__file__).resolve().parents[2]
HOSTS = 2  # inventory/sim.yml


def collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 5), done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


# areas whose behaviours live in more than one module
LIFE = "suites/test_lifecycle.py::"  # exec, stop and removal, across areas
AREA_FILES = {
    "hcs": ("suites/test_hcs.py::", "suites/test_isolation.py::", LIFE),
    "layers": ("suites/test_layers.py::", LIFE),
    "network": ("suites/test_network.py::", "suites/test_user_network.py::", LIFE),
}


def expected(area: str) -> int:
    # each test runs per host, via and isolation mode (every mode: one it does not hold under is n/a)
    per_test = HOSTS * len(ISOLATIONS)
    return per_test * sum(len(e["via"]) * len(e["tests"]) for e in catalogue.load() if e["area"] == area)


@pytest.mark.parametrize(
    ("how", "area"),
    [
        ("-k", "compartments"),
        ("-k", "layers"),
        ("-k", "network"),
        ("-k", "interfaces"),
        ("-m", "hcs"),
        ("-m", "daemon"),
    ],
)
def test_area_selects_its_tests_only(how, area):
    nodes = collected(how, area)
    assert nodes, f"{how} {area} selected nothing"
    homes = AREA_FILES.get(area, (f"suites/test_{area}.py::",))
    outside = [n for n in nodes if not n.startswith(homes)]
    assert outside == [], f"{how} {area} also selected {outside}"
    assert len(nodes) == expected(area), f"{how} {area}: {len(nodes)} tests, catalogue says {expected(area)}"
