"""The catalogue stays true to the tests, the deviations pair with behaviours, tests never skip."""

from __future__ import annotations

import ast
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from suites import catalogue
from tests.suites.deviation_map import DEVIATION_BREAKS
from winsim.deviations import DEVIATIONS

ROOT = Path(__file__).resolve().parents[2]
SEED = Path("/work/shared/seed/000_db8bdef571f881ea.txt")
SKIPPING = {"skip", "skipif", "xfail", "importorskip", "skipTest"}


def test_checked_in_catalogue_matches_the_tests():
    diff = catalogue.drift()
    assert diff == "", f"suites/conformance.yaml drifted; run `python -m suites.catalogue --write`:\n{diff}"


def test_catalogue_counts_every_behaviour_once():
    checked_in = [e["id"] for e in catalogue.load()]
    collected = [e["id"] for e in catalogue.collect()]
    assert len(checked_in) == len(set(checked_in)), "duplicate ids in suites/conformance.yaml"
    assert len(checked_in) == len(collected), (
        f"catalogue has {len(checked_in)} behaviours, the tests {len(collected)}"
    )
    assert checked_in == sorted(checked_in), "catalogue entries must be sorted by id"


def test_check_command_reports_drift(tmp_path):
    suites = tmp_path / "suites"
    suites.mkdir()
    shutil.copy(ROOT / "suites" / "test_compartments.py", suites / "test_compartments.py")
    target = tmp_path / "conformance.yaml"
    target.write_text(catalogue.render(catalogue.collect(suites)))
    assert catalogue.drift(suites, target) == ""
    source = (suites / "test_compartments.py").read_text()
    (suites / "test_compartments.py").write_text(source.replace("type Native.", "type Native!", 1))
    for name in [m for m in sys.modules if m.startswith("_wcc_catalogue_")]:
        del sys.modules[name]
    diff = catalogue.drift(suites, target)
    assert "-  must: The default compartment MUST have CompartmentId 1 and type Native." in diff
    assert "+  must: The default compartment MUST have CompartmentId 1 and type Native!" in diff


def test_check_cli_exit_code():
    done = subprocess.run(
        [sys.executable, "-m", "suites.catalogue", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_deviation_breaks_one_behaviour_and_each_behaviour_has_one():
    ids = {e["id"] for e in catalogue.load()}
    assert set(DEVIATION_BREAKS) == set(DEVIATIONS), (
        f"unmapped deviations {sorted(set(DEVIATIONS) - set(DEVIATION_BREAKS))}, "
        f"unknown {sorted(set(DEVIATION_BREAKS) - set(DEVIATIONS))}"
    )
    targets = list(DEVIATION_BREAKS.values())
    assert set(targets) == ids, (
        f"behaviours without a deviation: {sorted(ids - set(targets))}; unknown: {sorted(set(targets) - ids)}"
    )


def _skip_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        name = None
        if isinstance(node, ast.Attribute) and node.attr in SKIPPING:
            name = node.attr
        elif isinstance(node, ast.Name) and node.id in SKIPPING:
            name = node.id
        elif isinstance(node, ast.alias) and node.name in SKIPPING:
            name = node.name
        if name:
            found.append(f"{path.name}:{getattr(node, 'lineno', '?')}: {name}")
    return found


def test_conformance_tests_never_skip():
    found = [hit for path in sorted((ROOT / "suites").rglob("*.py")) for hit in _skip_calls(path)]
    assert found == [], (
        "conformance tests must gate through @behaviour(min_build=/features=), not skip:\n" + "\n".join(found)
    )


def test_skip_scan_catches_skips(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\nfrom pytest import skip\ndef test_x():\n    pytest.skip('no')\n    skip('x')\n"
    )
    assert sorted(h.split(": ")[1] for h in _skip_calls(sample)) == ["skip", "skip", "skip"]


def test_every_conformance_test_takes_host_and_via():
    for entry in catalogue.collect():
        for node in entry["tests"]:
            file, name = node.split("::")
            module = catalogue._load(ROOT / file)
            params = inspect.signature(getattr(module, name)).parameters
            assert {"host", "via"} <= set(params), f"{node} must take 'host' and 'via'"


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif(not SEED.exists(), reason=f"the seed document is not on this machine ({SEED})")
def test_the_checked_in_seed_is_the_seeds_text_without_the_web_pages_leftovers():
    given = SEED.read_text(encoding="utf-8")
    checked_in = (ROOT / "reports" / "seed.txt").read_text(encoding="utf-8")
    assert given.startswith("Skip to content\n\n")  # the page's skip link, not the seed's text
    assert checked_in == given.removeprefix("Skip to content\n\n")
    assert checked_in.splitlines()[0] == "What exactly happens during container creation"


@pytest.mark.skipif(not SEED.exists(), reason=f"the seed document is not on this machine ({SEED})")
def test_seed_clauses_are_quotes_of_the_seed():
    seed = _normal(SEED.read_text(encoding="utf-8"))
    for entry in catalogue.load():
        for fragment in entry["seed"].split(" ... "):
            assert _normal(fragment) in seed, (
                f"{entry['id']}: seed clause is not a quote of the seed: {fragment!r}"
            )
