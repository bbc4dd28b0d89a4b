"""The matrix from hand-made records: missing results, precedence, baseline, HTML and JSON."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import yaml

from reports.matrix import apply_baseline, build_matrix, load_catalogue, main, write_matrix
from reports.records import Record, RunInfo, append_record, update_run_info


def rec(
    bid: str,
    host: str,
    outcome: str,
    via: str = "docker",
    reason: str = "",
    nodeid: str = "",
    isolation: str = "process",
) -> Record:
    return Record(
        bid, host, via, outcome, nodeid or f"t.py::{bid}[{host}-{via}-{isolation}]", isolation, reason=reason
    )


def status(m, bid: str, host: str) -> str:
    return next(r for r in m.rows if r.id == bid).cells[host].status


def test_a_host_without_results_is_an_error_never_a_pass():
    info = RunInfo(expected={"h1", "h2"})
    m = build_matrix([rec("api/a", "h1", "passed")], info)
    assert status(m, "api/a", "h1") == "pass"
    assert status(m, "api/a", "h2") == "error"
    assert "no result" in next(r for r in m.rows).cells["h2"].reason
    assert m.verdict("h2") == "incomplete" and not m.ok


def test_a_selected_test_that_did_not_report_is_an_error():
    info = RunInfo(
        expected={"h1"},
        selected={
            ("t.py::x[h1-docker]", "api/a", "h1", "docker", "process"),
            ("t.py::y[h1-docker]", "api/a", "h1", "docker", "process"),
        },
    )
    m = build_matrix([rec("api/a", "h1", "passed", nodeid="t.py::x[h1-docker]")], info)
    cell = m.rows[0].cells["h1"]
    assert cell.status == "error"
    assert [t.nodeid for t in cell.isolation["process"].via["docker"].tests if t.status == "error"] == [
        "t.py::y[h1-docker]"
    ]


def test_rows_follow_the_selection_not_the_whole_catalogue():
    catalogue = [
        {"id": "api/a", "must": "A MUST.", "seed": "a."},
        {"id": "hcs/b", "must": "B MUST.", "seed": "b."},
    ]
    info = RunInfo(expected={"h1"}, selected={("t.py::a[h1-docker]", "api/a", "h1", "docker", "process")})
    m = build_matrix([rec("api/a", "h1", "passed", nodeid="t.py::a[h1-docker]")], info, catalogue)
    assert [r.id for r in m.rows] == ["api/a"]
    assert m.rows[0].seed == "a."
    # without a recorded selection every catalogue behaviour is expected
    m = build_matrix([rec("api/a", "h1", "passed")], RunInfo(expected={"h1"}), catalogue)
    assert [(r.id, r.cells["h1"].status) for r in m.rows] == [("api/a", "pass"), ("hcs/b", "error")]


def test_catalogue_drivers_are_expected_per_host():
    catalogue = [{"id": "hcs/b", "must": "B MUST.", "seed": "b.", "via": ["docker", "direct"]}]
    m = build_matrix([rec("hcs/b", "h1", "passed", via="docker")], RunInfo(expected={"h1"}), catalogue)
    cell = m.rows[0].cells["h1"]
    assert cell.status == "error" and cell.isolation["process"].via["direct"].status == "error"


def test_precedence_fail_over_error_over_pass_over_na():
    records = [
        rec("api/a", "h1", "passed", "docker"),
        rec("api/a", "h1", "failed", "direct", reason="AssertionError: x"),
        rec("api/b", "h1", "error", "docker", reason="ProbeTimeout"),
        rec("api/b", "h1", "passed", "direct"),
        rec("api/c", "h1", "not-applicable", "docker"),
        rec("api/d", "h1", "not-applicable", "docker", nodeid="t::d1"),
        rec("api/d", "h1", "passed", "docker", nodeid="t::d2"),
    ]
    m = build_matrix(records, RunInfo(expected={"h1"}))
    assert [status(m, b, "h1") for b in ("api/a", "api/b", "api/c", "api/d")] == [
        "fail",
        "error",
        "na",
        "pass",
    ]
    assert m.rows[0].cells["h1"].reason == "direct: AssertionError: x"
    assert m.summary("h1") == {"pass": 1, "fail": 1, "na": 1, "error": 1}


def test_baseline_marks_newly_failing_and_newly_passing(tmp_path: Path):
    before = build_matrix(
        [rec("api/a", "h1", "passed"), rec("api/b", "h1", "failed"), rec("api/c", "h1", "passed")], RunInfo()
    )
    after = build_matrix(
        [rec("api/a", "h1", "failed"), rec("api/b", "h1", "passed"), rec("api/c", "h1", "passed")], RunInfo()
    )
    apply_baseline(after, before.to_json(), "last night")
    changes = {(c["behaviour"], c["change"]) for c in after.changes()}
    assert changes == {("api/a", "newly-failing"), ("api/b", "newly-passing")}
    _, html = write_matrix(after, tmp_path)
    page = html.read_text()
    assert "newly failing" in page and "newly passing" in page and "last night" in page


def test_html_is_self_contained_with_reasons_and_status_attributes(tmp_path: Path):
    m = build_matrix(
        [rec("api/a", "h1", "failed", reason="expected <Native> & more")], RunInfo(expected={"h1"})
    )
    json_path, html_path = write_matrix(m, tmp_path)
    page = html_path.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no external assets
    assert "<script" not in page
    assert 'data-status="fail"' in page
    assert "expected &lt;Native&gt; &amp; more" in page  # escaped: title, detail row, list at the top
    assert page.count("expected &lt;Native&gt;") == 3
    assert json.loads(json_path.read_text())["behaviours"][0]["cells"]["h1"]["status"] == "fail"


def test_cli_merges_dirs_and_exits_non_zero_on_failures(tmp_path: Path, capsys):
    job1, job2, out = tmp_path / "job1", tmp_path / "job2", tmp_path / "out"
    append_record(job1, "gw0", rec("api/a", "h1", "passed"))
    update_run_info(job1, RunInfo(expected={"h1"}, facts={"h1": {"os_build": 17763}}))
    append_record(job2, "main", rec("api/a", "h2", "passed"))
    update_run_info(job2, RunInfo(expected={"h2"}))
    catalogue = tmp_path / "none.yaml"
    assert main(["--out", str(out), "--catalogue", str(catalogue), str(job1), str(job2)]) == 0
    assert "h1 (build 17763): 1 pass, 0 fail, 0 error, 0 n/a -> conforms" in capsys.readouterr().out
    assert (
        main(["--out", str(out), "--catalogue", str(catalogue), "--expect-host", "h3", str(job1), str(job2)])
        == 1
    )
    hosts = [h["name"] for h in json.loads((out / "matrix.json").read_text())["hosts"]]
    assert hosts == ["h1", "h2", "h3"]


def test_load_catalogue(tmp_path: Path):
    assert load_catalogue(tmp_path / "missing.yaml") == []
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump([{"id": "api/a", "must": "A MUST.", "seed": "s"}]))
    assert load_catalogue(path)[0]["id"] == "api/a"
    path.write_text("just: a mapping\n")
    try:
        load_catalogue(path)
    except ValueError as exc:
        assert str(path) in str(exc)
    else:
        raise AssertionError("a catalogue that is not a list must be refused")


def test_one_behaviour_on_one_host_is_said_in_the_singular(tmp_path: Path):
    m = build_matrix([rec("api/a", "h1", "passed")], RunInfo(expected={"h1"}))
    write_matrix(m, tmp_path)
    assert "1 behaviour on 1 host," in (tmp_path / "matrix.html").read_text()


def test_an_unreachable_host_is_said_once_with_its_reason(tmp_path: Path):
    why = "setup: fixtures.hosts.HostUnreachable: HostUnreachable: h2 (winrm://10.0.0.9:5985): connection refused"
    records = [
        Record(b, "h2", "docker", "error", f"t.py::{b}[h2]", reason=why, category="host-unreachable")
        for b in ("api/a", "api/b")
    ] + [rec("api/a", "h1", "passed"), rec("api/b", "h1", "passed")]
    m = build_matrix(records, RunInfo(expected={"h1", "h2"}))
    assert m.unreachable("h2") == "h2 (winrm://10.0.0.9:5985): connection refused"
    assert m.unreachable("h1") == ""
    assert [h["unreachable"] for h in m.to_json()["hosts"]] == [
        "",
        "h2 (winrm://10.0.0.9:5985): connection refused",
    ]
    write_matrix(m, tmp_path)
    assert (tmp_path / "matrix.html").read_text().count("connection refused") == 1


def test_every_catalogued_behaviour_quotes_the_seed_or_names_its_source():
    from reports import seed

    text = seed.SEED.read_text(encoding="utf-8")
    # a behaviour beyond the seed carries its source instead
    unquoted = [
        e["id"] for e in load_catalogue() if not e.get("source") and not seed.clause_lines(text, e["seed"])
    ]
    assert unquoted == [], (
        "these behaviours' seed clauses are not in reports/seed.txt (no link in the matrix)"
    )
    assert all(bool(e["seed"]) != bool(e.get("source")) for e in load_catalogue())


def test_a_behaviour_beyond_the_seed_shows_its_source(tmp_path: Path):
    source = "moby daemon/stop.go; microsoft/dotnet-framework-docker#431"
    beyond = Record("hcs/x", "h1", "docker", "passed", "t.py::x[h1]", must="X MUST y.", source=source)
    m = build_matrix([beyond, rec("api/a", "h1", "passed")], RunInfo(expected={"h1"}))
    assert [(r.id, r.source) for r in m.rows] == [("api/a", ""), ("hcs/x", source)]
    write_matrix(m, tmp_path)
    html = (tmp_path / "matrix.html").read_text()
    assert '<a href="seed.html#beyond-hcs-x">Beyond the seed</a>' in html
    page = (tmp_path / "seed.html").read_text()
    assert '<li id="beyond-hcs-x"><a href="matrix.html#b-hcs/x">hcs/x</a>: X MUST y.' in page
    assert '<a href="https://github.com/microsoft/dotnet-framework-docker/issues/431">' in page
    assert '<a href="https://github.com/moby/moby/tree/master/daemon/stop.go">daemon/stop.go</a>' in page


HYPERV_NA = "not applicable: holds under process isolation only, not hyperv: its compartment is in the VM"


def test_each_cell_holds_one_sub_cell_per_isolation_mode_with_its_reason(tmp_path):
    catalogue: list[dict[str, object]] = [
        {
            "id": "compartments/c",
            "area": "compartments",
            "must": "C MUST hold.",
            "seed": "",
            "source": "docs",
            "isolation": ["process"],
            "isolation_evidence": {"hyperv": "its compartment is in the VM"},
        },
    ]
    records = [
        rec("compartments/c", "h1", "passed"),
        rec("compartments/c", "h1", "not-applicable", reason=HYPERV_NA, isolation="hyperv"),
        rec("compartments/c", "h2", "failed", reason="AssertionError: x"),
        rec("compartments/c", "h2", "passed", isolation="hyperv"),
    ]
    m = build_matrix(records, RunInfo(expected={"h1", "h2"}), catalogue)
    row = m.rows[0]
    assert [(h, mode, sub.status) for h, c in row.cells.items() for mode, sub in c.isolation.items()] == [
        ("h1", "process", "pass"),
        ("h1", "hyperv", "na"),
        ("h2", "process", "fail"),
        ("h2", "hyperv", "pass"),
    ]
    # the host's verdict is the worst of its modes; its reason says which mode each line is about
    assert (row.cells["h1"].status, row.cells["h2"].status) == ("pass", "fail")
    assert row.cells["h1"].reason == f"hyperv · docker: {HYPERV_NA}"
    cells = m.to_json()["behaviours"][0]["cells"]
    assert cells["h1"]["isolation"]["hyperv"]["via"]["docker"]["reason"] == HYPERV_NA
    assert m.to_json()["behaviours"][0]["isolation_evidence"] == {"hyperv": "its compartment is in the VM"}
    write_matrix(m, tmp_path)
    html = (tmp_path / "matrix.html").read_text()
    assert 'class="mode m-na" data-isolation="hyperv" data-status="na"' in html
    assert 'class="mode m-fail" data-isolation="process" data-status="fail"' in html
    assert "Holds under isolation: process" in html
    assert (
        '<span class="isolation-evidence" data-isolation="hyperv">hyperv: its compartment is in the VM'
        in html
    )
    assert f"<li><b>h1 / hyperv docker</b> n/a: {escape(HYPERV_NA)}</li>" in html


def test_records_and_selections_from_before_the_axis_read_as_process():
    old = {
        "behaviour": "api/a",
        "host": "h1",
        "via": "docker",
        "outcome": "passed",
        "nodeid": "t.py::a[h1-docker]",
    }
    assert Record.from_json(old).isolation == "process"
    info = RunInfo.from_json({"selected": [["t.py::a[h1-docker]", "api/a", "h1", "docker"]]})
    assert info.selected == {("t.py::a[h1-docker]", "api/a", "h1", "docker", "process")}


def test_a_baseline_from_before_the_axis_is_compared_with_the_process_mode():
    baseline = {
        "schema": 1,
        "behaviours": [{"id": "api/a", "cells": {"h1": {"status": "pass", "reason": "", "via": {}}}}],
    }
    records = [
        rec("api/a", "h1", "failed", reason="AssertionError: x"),
        rec("api/a", "h1", "passed", isolation="hyperv"),
    ]
    m = build_matrix(records, RunInfo(expected={"h1"}))
    apply_baseline(m, baseline, "last night")
    cell = m.rows[0].cells["h1"]
    assert (cell.change, cell.isolation["process"].change, cell.isolation["hyperv"].change) == (
        "newly-failing",
        "newly-failing",
        "",  # no hyperv then: nothing to compare
    )
    assert [(c["change"], c["isolation"]) for c in m.changes()] == [("newly-failing", "process")]
    # a baseline with the axis compares mode with mode
    now = m.to_json()
    m2 = build_matrix(
        [
            rec("api/a", "h1", "failed", reason="AssertionError: x"),
            rec("api/a", "h1", "failed", reason="AssertionError: y", isolation="hyperv"),
        ],
        RunInfo(expected={"h1"}),
    )
    apply_baseline(m2, now, "tonight")
    assert m2.rows[0].cells["h1"].change == ""  # the host's verdict did not move, its hyperv mode did
    assert [(c["change"], c["isolation"]) for c in m2.changes()] == [("newly-failing", "hyperv")]
