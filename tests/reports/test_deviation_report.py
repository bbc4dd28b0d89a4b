"""End to end: a simulated host that breaks one behaviour shows up as such in the matrix and in Allure.

``make conformance``'s own runner (``python -m reports.run``) runs the compartment tests on a
faithful host and on one whose container compartments are ``Native``; the matrix must fail
exactly that behaviour on that host, and Allure must file its results as product deviations.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reports.allure_meta import categories

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "compartments/container-type-unspecified"

INVENTORY = """
hosts:
  - {name: faithful, transport: sim, sim: {profile: ws2022}}
  - {name: deviant, transport: sim, sim: {profile: ws2022, deviations: [container-compartment-native]}}
"""


def allure_category(result: dict) -> str | None:
    """The first category whose status and message rule match, as Allure files a result."""
    message = (result.get("statusDetails") or {}).get("message", "")
    for rule in categories():
        if result["status"] not in rule.get("matchedStatuses", []):
            continue
        regex = rule.get("messageRegex")
        if regex is None or re.fullmatch(regex, message):
            return str(rule["name"])
    return None


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    work = tmp_path_factory.mktemp("deviation-report")
    (work / "inv.yml").write_text(INVENTORY)
    out = work / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    cmd = [sys.executable, "-m", "reports.run", "--out", str(out), "--no-html", "--"]
    cmd += [
        f"--inventory={work / 'inv.yml'}",  # one token: a separate path would be taken as pytest's rootdir
        "-k",
        "compartments",
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert (out / "matrix.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode, out


@pytest.mark.slow
def test_matrix_fails_exactly_the_broken_behaviour_on_the_deviant_host(run):
    returncode, out = run
    assert returncode != 0, "a run with a failing behaviour must not exit 0"
    matrix = json.loads((out / "matrix.json").read_text())
    cells = {
        (b["id"], host): cell["status"] for b in matrix["behaviours"] for host, cell in b["cells"].items()
    }
    compartment_ids = {bid for bid, _ in cells if bid.startswith("compartments/")}
    assert BROKEN in compartment_ids and len(compartment_ids) >= 4
    for bid in compartment_ids:
        assert cells[(bid, "faithful")] == "pass", bid
        assert cells[(bid, "deviant")] == ("fail" if bid == BROKEN else "pass"), bid


@pytest.mark.slow
def test_allure_files_the_failures_as_product_deviations(run):
    _, out = run
    results = [json.loads(p.read_text()) for p in (out / "allure-results").glob("*-result.json")]
    failed = [r for r in results if r["status"] not in ("passed", "skipped")]
    assert failed, "the deviant host's failures are missing from the Allure results"
    for result in failed:
        params = {p["name"]: p["value"] for p in result.get("parameters", [])}
        assert "deviant" in json.dumps(params), params
        labels = {(lbl["name"], lbl["value"]) for lbl in result["labels"]}
        assert ("feature", BROKEN) in labels or any(BROKEN in v for _, v in labels), labels
        assert allure_category(result) == "Product deviations", result.get("statusDetails")
