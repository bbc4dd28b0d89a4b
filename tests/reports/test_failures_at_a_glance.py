r"""A failure read at a glance: the list atop the matrix, messages as facts, shown once in Allure."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

from reports.allure_results import tidy
from reports.catalogue_html import render as render_catalogue
from reports.matrix import apply_baseline, build_matrix, host_change, write_matrix
from reports.records import RunInfo
from reports.verdict import Verdict
from suites.expect import message, show
from tests.reports.conftest import SampleRun
from tests.reports.test_matrix import rec

CHAIN = [r"C:\ProgramData\docker\windowsfilter\4f1a", r"C:\ProgramData\docker\windowsfilter\9be0"]


def test_values_are_written_as_on_windows_not_as_python_literals():
    assert (
        show(CHAIN) == r"[C:\ProgramData\docker\windowsfilter\4f1a, C:\ProgramData\docker\windowsfilter\9be0]"
    )
    assert (show(""), show(" x"), show(None), show({"Type": "Native"})) == (
        '""',
        '" x"',
        "nothing",
        "{Type: Native}",
    )
    assert message("ws2022-sim", "type of compartment 1", "Native", "Unspecified") == (
        "ws2022-sim: type of compartment 1: expected Native, observed Unspecified"
    )


def test_a_failed_assertion_states_its_fact_without_the_class_name_or_pytest_explanation():
    v = Verdict()
    text = r"ws: path: expected C:\ProgramData, observed D:\data"
    v.add("call", failed=True, exc=AssertionError(text), message=f"AssertionError: {text}\nassert False")
    assert (v.outcome, v.reason) == ("failed", text)
    bare = Verdict()  # a bare assert: pytest's explanation is all there is
    bare.add("call", failed=True, exc=AssertionError(), message="AssertionError: assert 1 == 2")
    assert bare.reason == "assert 1 == 2"


def test_the_matrix_opens_with_what_fails_newly_na_or_errors_linked_to_cell_and_allure(tmp_path: Path):
    records = [
        rec("api/a", "h1", "failed", reason="h1: a: expected x, observed y"),
        rec("api/b", "h1", "error", reason="ProbeTimeout: no answer in 30 s"),
        rec("api/c", "h1", "not-applicable", reason="not applicable: needs build >= 26100"),
        rec("api/d", "h1", "passed"),
    ]
    m = build_matrix(records, RunInfo(expected={"h1"}, facts={"h1": {"os_revision": "20348.2966"}}))
    baseline = {
        "schema": 1,
        "hosts": [{"name": "h1", "facts": {"os_revision": "20348.2849"}}],
        "behaviours": [{"id": i, "cells": {"h1": {"status": "pass"}}} for i in ("api/a", "api/b", "api/c")],
    }
    apply_baseline(m, baseline, "last night")
    m.link_allure({"t.py::api/a[h1-docker-process]": "abc"})
    _, html_path = write_matrix(m, tmp_path)
    page = html_path.read_text()
    glance = page[page.index('<ul class="glance">') : page.index('<ul class="summary">')]
    assert [line.split('data-behaviour="')[1].split('"')[0] for line in glance.split("<li")[1:]] == [
        "api/a",
        "api/c",
        "api/b",
    ]
    assert (
        '<a href="#c-api/a@h1"><b>api/a</b> on h1</a> fails: docker: h1: a: expected x, observed y' in glance
    )
    assert 'href="allure-report/index.html#/abc">Allure</a>' in glance
    assert 'id="c-api/a@h1"' in page  # the cell the list links to
    assert "newly n/a: docker: not applicable: needs build &gt;= 26100" in glance
    changes = json.loads((tmp_path / "matrix.json").read_text())["changes"]
    assert {c["host_change"] for c in changes} == {"OS 20348.2849 → 20348.2966 (engine unchanged)"}


def test_host_change_names_each_fact_that_moved():
    before = {"os_revision": "20348.2849", "engine": "Docker Engine - Community", "docker_version": "24.0.7"}
    assert host_change(before, dict(before)) == "host unchanged"
    assert (
        host_change(before, {**before, "docker_version": "25.0.3"})
        == "engine version 24.0.7 → 25.0.3 (OS unchanged)"
    )
    assert (
        host_change({"os_build": 17763}, {"os_build": 20348}) == "OS build 17763 → 20348 (engine unchanged)"
    )


def test_allure_shows_the_failure_once_without_the_class_name(tmp_path: Path):
    text = "ws: type of compartment 1: expected Native, observed Unspecified"
    step = {"name": "check", "status": "failed", "statusDetails": {"message": f"AssertionError: {text}"}}
    result = {
        "name": "t",
        "status": "failed",
        "statusDetails": {"message": f"AssertionError: {text}", "trace": "..."},
    }
    (tmp_path / "1-result.json").write_text(json.dumps({**result, "steps": [step]}))
    assert tidy(tmp_path) == 1
    tidied = json.loads((tmp_path / "1-result.json").read_text())
    assert tidied["statusDetails"]["message"] == text
    assert tidied["steps"] == [{"name": "check", "status": "failed", "steps": []}]
    assert tidy(tmp_path) == 0


def test_the_catalogue_link_of_each_test_resolves_inside_the_report_folder(sample_run: SampleRun):
    page = (sample_run.out / "allure-report" / "index.html").as_uri()
    links = {
        link["url"]
        for path in (sample_run.out / "allure-results").glob("*-result.json")
        for link in json.loads(path.read_text()).get("links", [])
        if link.get("name", "").startswith("catalogue: ")
    }
    assert links and all(
        urljoin(page, url).split("#")[0] == (sample_run.out / "catalogue.html").as_uri() for url in links
    )
    assert (sample_run.out / "catalogue.html").is_file()
    entry = {"id": "api/x", "must": "X MUST <y>.", "seed": "x.", "via": ["docker"], "tests": ["t.py::x"]}
    gated = {**entry, "id": "api/z", "gates": {"min_build": 20348, "evidence": "new in 2022"}}
    html = render_catalogue([entry, gated])
    assert '<section id="api/x">' in html and "X MUST &lt;y&gt;." in html
    assert "build ≥ 20348 (new in 2022)" in html


def test_an_na_for_another_reason_is_listed_and_tests_that_never_ran_say_not_run(tmp_path: Path):
    info = RunInfo(
        expected={"h1"},
        selected={
            ("t.py::api/b[h1-docker-process]", "api/b", "h1", "docker", "process"),
            ("t.py::api/a[h1-docker-process]", "api/a", "h1", "docker", "process"),
        },
    )
    m = build_matrix(
        [rec("api/a", "h1", "not-applicable", reason="not applicable: needs build >= 26100")], info
    )
    m.interrupted = True  # api/b never ran
    baseline = {
        "schema": 1,
        "hosts": [{"name": "h1", "facts": {}}],
        "behaviours": [
            {
                "id": "api/a",
                "cells": {"h1": {"status": "na", "reason": "docker: not applicable: needs build >= 20348"}},
            }
        ],
    }
    apply_baseline(m, baseline, "last night")
    assert m.changes()[0]["change"] == "na-new-reason"
    _, html_path = write_matrix(m, tmp_path)
    page = html_path.read_text()
    glance = page[page.index('<ul class="glance">') : page.index('<ul class="summary">')]
    assert "n/a for a new reason: docker: not applicable: needs build &gt;= 26100" in glance
    assert "api/b" not in glance  # the interruption is said once, above
    cell = page[page.index('id="c-api/b@h1"') :].split("</td>", 1)[0]
    assert 'title="not run on h1' in cell and ">not run<" in cell
    assert 'tests that never ran show as "not run"' in page
