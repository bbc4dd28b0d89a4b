"""End to end: `python -m reports.run` over the sample project (xdist, fake hosts with known outcomes)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from reports.allure_html import generate
from reports.allure_meta import parse_properties
from reports.records import read_records
from tests.reports import sample
from tests.reports.conftest import SampleRun


def _allure_results(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((out / "allure-results").glob("*-result.json"))]


def _labels(result: dict, name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def test_exit_status_reports_the_failures(sample_run: SampleRun):
    assert sample_run.returncode == 1, sample_run.stdout
    assert "ws-bad (build 17763): 1 pass, 1 fail, 2 error, 1 n/a -> deviates" in sample_run.stdout
    assert (
        "ws-down: unreachable, no test ran: ws-down (winrm): logon refused for password ***"
        in sample_run.stdout
    )


def test_one_record_per_test_from_every_worker(sample_run: SampleRun):
    records, problems = read_records([sample_run.out / "results"])
    assert problems == []
    assert len(records) == sample.TESTS_PER_HOST * len(sample.HOSTS)
    assert {r.worker for r in records} == {"gw0", "gw1"}
    by_key = {(r.behaviour, r.host, r.via): r for r in records}
    bad = by_key[("compartments/default-native", "ws-bad", "direct")]
    assert (bad.outcome, bad.category) == ("failed", "product-deviation")
    assert "default compartment type 'Unspecified'" in bad.reason
    assert by_key[("layers/new-build-only", "ws-bad", "docker")].outcome == "not-applicable"
    assert by_key[("network/endpoint-query", "ws-bad", "docker")].category == "timeout"
    assert by_key[("hcs/owner-docker", "ws-bad", "docker")].category == "lost-shell"
    skipped = by_key[("daemon/log-readable", "ws-good", "docker")]
    assert (skipped.outcome, skipped.category) == ("error", "unexpected-skip")
    down = by_key[("hcs/owner-docker", "ws-down", "docker")]
    assert (down.outcome, down.category) == ("error", "host-unreachable")
    assert by_key[("hcs/owner-docker", "ws-good", "docker")].round_trips == 1


def test_matrix_json_matches_the_design(sample_run: SampleRun):
    matrix = json.loads((sample_run.out / "matrix.json").read_text())
    cells = {b["id"]: {h: c["status"] for h, c in b["cells"].items()} for b in matrix["behaviours"]}
    assert cells == sample.EXPECTED
    seeds = {b["id"]: b["seed"] for b in matrix["behaviours"]}
    assert seeds["hcs/owner-docker"] == "hcsshim::CreateComputeSystem creates container."
    hosts = {h["name"]: h for h in matrix["hosts"]}
    assert hosts["ws-down"]["summary"] == {"pass": 0, "fail": 0, "na": 0, "error": 5}
    assert hosts["ws-good"]["verdict"] == "incomplete"
    assert hosts["ws-bad"]["facts"]["os_build"] == 17763


def test_allure_results_carry_the_catalogue_labels(sample_run: SampleRun):
    results = _allure_results(sample_run.out)
    assert len(results) == sample.TESTS_PER_HOST * len(sample.HOSTS)
    native = [r for r in results if _labels(r, "feature") == ["compartments/default-native"]]
    assert len(native) == 6
    for r in native:
        assert _labels(r, "epic") == ["compartments"]
        assert _labels(r, "story") == [
            "There is one default compartment for OS which has CompartmentId = 1 and type Native."
        ]
        assert _labels(r, "as_id") == ["compartments/default-native"]
        params = {p["name"]: p for p in r["parameters"]}
        assert params["host"]["value"].strip("'") in sample.HOSTS
        assert params["via"]["value"].strip("'") in ("docker", "direct")
        assert any(link["url"] == "../catalogue.html#compartments/default-native" for link in r["links"])
    # one result per host and driver: history ids never collapse hosts together
    assert len({r["historyId"] for r in native}) == 6
    good = next(r for r in native if _labels(r, "target_host") == ["ws-good"])
    assert _labels(good, "os_build") == ["20348"]


def test_probe_calls_are_attached_with_secrets_masked(sample_run: SampleRun):
    results = _allure_results(sample_run.out)
    good = next(
        r
        for r in results
        if _labels(r, "feature") == ["compartments/default-native"]
        and _labels(r, "target_host") == ["ws-good"]
    )
    attachment = next(a for a in good["attachments"] if a["name"].startswith("probe calls"))
    calls = json.loads((sample_run.out / "allure-results" / attachment["source"]).read_text())
    assert [c["fn"] for c in calls["calls"]] == ["Get-WccCompartment"]
    assert calls["calls"][0]["args"]["script"] == "net use x /user:a ***"
    assert calls["totals"]["round_trips"] == 1
    record = calls["calls"][0]
    assert (record["ok"], record["round_trips"], record["output"]) == (True, 1, ["Native"])


def test_registered_secrets_are_masked_in_the_call_records(sample_run: SampleRun):
    results = _allure_results(sample_run.out)
    owner = [r for r in results if _labels(r, "feature") == ["hcs/owner-docker"]]
    shown = []
    for r in owner:
        for a in r.get("attachments", []):
            if a["name"].startswith("probe calls"):
                shown.append(json.loads((sample_run.out / "allure-results" / a["source"]).read_text()))
    assert len(shown) == 2  # ws-good and ws-bad; ws-down never connected
    for calls in shown:
        assert [c["args"] for c in calls["calls"]] == [{"Query": "***"}]


def test_no_report_file_shows_the_secret(sample_run: SampleRun):
    leaks = [
        p
        for p in sample_run.out.rglob("*")
        if p.is_file()
        and p.suffix != ".png"
        and (sample.SECRET.encode() in p.read_bytes() or sample.REGISTERED.encode() in p.read_bytes())
    ]
    assert leaks == []
    # the secret did reach the reports' inputs: the unreachable host's error names it (masked)
    junit = (sample_run.out / "junit.xml").read_text()
    assert "logon refused for password ***" in junit


def test_environment_and_categories_files(sample_run: SampleRun):
    props = parse_properties((sample_run.out / "allure-results" / "environment.properties").read_text())
    assert props["ws-good.os_build"] == "20348"
    assert props["ws-bad.os_build"] == "17763"
    names = [
        c["name"] for c in json.loads((sample_run.out / "allure-results" / "categories.json").read_text())
    ]
    assert "Product deviations" in names and "Broken runs: host unreachable" in names


def test_junit_counts(sample_run: SampleRun):
    suite = ET.parse(sample_run.out / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", 0)) == 18
    # pytest's JUnit semantics: exceptions in the test body are failures (2 deviations, 1 timeout, 1 lost shell),
    # in fixtures errors (the unreachable host's 6 tests); skips include the n/a one
    assert int(suite.get("failures", 0)) == 4
    assert int(suite.get("errors", 0)) == 6
    assert int(suite.get("skipped", 0)) == 2


def test_allure_categories_tell_deviations_from_broken_runs(sample_run: SampleRun, tmp_path: Path):
    if not sample_run.html:
        pytest.skip("node/npm not installed: the Allure HTML is not built here")
    assert (sample_run.out / "allure-report" / "index.html").is_file()
    report = generate([sample_run.out / "allure-results"], tmp_path / "report", single_file=False)
    tree = json.loads((report.parent / "widgets" / "categories.json").read_text())
    nodes = tree["nodes"]

    def tests_under(node_id: str) -> list[str]:
        node = nodes[node_id]
        if node["type"] == "tr":
            return [node["name"]]
        return [name for child in node.get("childrenIds", []) for name in tests_under(child)]

    by_category = {nodes[r]["name"]: sorted(tests_under(r)) for r in tree["roots"]}
    assert by_category["Product deviations"] == [
        "test_default_native[ws-bad-direct]",
        "test_default_native[ws-bad-docker]",
    ]
    assert len(by_category["Broken runs: host unreachable"]) == sample.TESTS_PER_HOST
    assert by_category["Broken runs: timeout"] == ["test_endpoint_query[ws-bad-docker]"]
    assert by_category["Broken runs: lost shell"] == ["test_owner[ws-bad-docker]"]
    assert by_category["Broken runs: unexpected skip"] == ["test_log_readable[ws-good-docker]"]
    counts = Counter(name for names in by_category.values() for name in names)
    assert max(counts.values()) == 1  # every test lands in one category only
