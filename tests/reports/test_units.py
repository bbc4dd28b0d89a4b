"""Records, redaction and verdicts in isolation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from reports.records import Record, RunInfo, append_record, read_records, read_run_info, update_run_info
from reports.redact import Redactor, env_secrets, redact_files
from reports.verdict import Verdict, classify


def test_records_round_trip_and_torn_lines_are_reported(tmp_path: Path):
    append_record(tmp_path, "gw0", Record("api/a", "h1", "docker", "passed", "t::a"))
    append_record(tmp_path, "gw0", Record("api/b", "h1", "docker", "failed", "t::b", reason="x"))
    with (tmp_path / "gw0.jsonl").open("a") as fh:
        fh.write('{"behaviour": "api/c", "ho')  # a worker died mid-line
    records, problems = read_records([tmp_path])
    assert [(r.behaviour, r.outcome) for r in records] == [("api/a", "passed"), ("api/b", "failed")]
    assert len(problems) == 1 and "gw0.jsonl:3" in problems[0]


def test_record_refuses_unknown_outcome():
    with pytest.raises(ValueError, match="'green'"):
        Record("api/a", "h1", "docker", "green", "t::a")


def test_run_info_merges_from_concurrent_writers(tmp_path: Path):
    def write(i: int) -> None:
        update_run_info(
            tmp_path,
            RunInfo(expected={f"h{i}"}, selected={(f"t::{i}", "api/a", f"h{i}", "docker", "process")}),
        )

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    info = read_run_info([tmp_path])
    assert info.expected == {f"h{i}" for i in range(8)}
    assert len(info.selected) == 8


def test_missing_result_dir_is_named(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        read_records([tmp_path / "nowhere"])


def test_redactor_masks_values_shapes_and_keys():
    r = Redactor(["Tr0ub4dor&3"])
    assert r.text("net use /user:bob Tr0ub4dor&3") == "net use /user:bob ***"
    assert r.text("New-LocalUser -Password 'abc123' -Name x") == "New-LocalUser -Password '***' -Name x"
    assert r.text("password=abc123;user=x") == "password=***;user=x"
    assert r.text("https://bob:pa55@host/wsman") == "https://bob:***@host/wsman"
    assert r.data({"user": "bob", "Password": "x", "nested": [{"api_key": "k"}]}) == {
        "user": "bob",
        "Password": "***",
        "nested": [{"api_key": "***"}],
    }
    assert "Tr0ub4dor" not in repr(r)


def test_env_secrets_by_name_and_by_inventory_reference():
    env = {"WCC_LAB_PASSWORD": "hunter22", "PWD": "/work/main", "LAB_CRED": "abcd1234", "OTHER": "visible"}
    assert env_secrets(env) == {"hunter22"}
    assert env_secrets(env, names=["LAB_CRED"]) == {"hunter22", "abcd1234"}


def test_redact_files_masks_json_and_xml_forms(tmp_path: Path):
    secret = 'p"w<d>1'
    (tmp_path / "a.json").write_text('{"m": "p\\"w<d>1"}')
    (tmp_path / "b.xml").write_text("<f>p&quot;w&lt;d&gt;1</f>")
    (tmp_path / "c.txt").write_text("nothing here")
    assert redact_files(sorted(tmp_path.iterdir()), [secret]) == 2
    assert "***" in (tmp_path / "a.json").read_text() and "***" in (tmp_path / "b.xml").read_text()


class HostUnreachable(Exception):
    pass


class SessionLost(ConnectionError):
    pass


def test_classify_by_exception():
    assert classify(AssertionError("x")) == ("failed", "product-deviation")
    assert classify(HostUnreachable("x")) == ("error", "host-unreachable")
    assert classify(SessionLost("x")) == ("error", "lost-shell")
    assert classify(KeyError("x")) == ("error", "broken")


def test_verdict_folding():
    v = Verdict()
    v.add("setup", skipped=True, exc=pytest.skip.Exception("not applicable: needs build 20348"))
    assert (v.outcome, v.reason) == ("not-applicable", "setup: not applicable: needs build 20348")
    v = Verdict()
    v.add("setup", skipped=True, exc=pytest.skip.Exception("no access"))
    assert (v.outcome, v.category) == ("error", "unexpected-skip")
    v = Verdict()
    v.add("call", failed=True, exc=AssertionError("type"), message="AssertionError: type")
    v.add("teardown", failed=True, exc=RuntimeError("cleanup"), message="RuntimeError: cleanup")
    assert v.outcome == "failed" and "also in teardown: RuntimeError: cleanup" in v.full_reason
    v = Verdict()
    v.add("setup", failed=True, exc=AssertionError("in a fixture"), message="AssertionError: in a fixture")
    assert (v.outcome, v.category) == ("error", "broken")
    v = Verdict()
    v.add("call", xfail=True, message="XFAIL")
    assert v.outcome == "error"


def test_run_joins_the_inventory_value_so_pytest_keeps_its_rootdir():
    from reports.run import join_option_values

    assert join_option_values(["--inventory", "/tmp/lab.yml", "-n", "4"]) == [
        "--inventory=/tmp/lab.yml",
        "-n",
        "4",
    ]
    assert join_option_values(["--inventory=/a.yml", "-k", "x"]) == ["--inventory=/a.yml", "-k", "x"]
    assert join_option_values(["--inventory"]) == ["--inventory"]


def test_auto_workers_is_one_per_selected_host_simulated_ones_at_most_one_per_core(monkeypatch):
    from reports import run

    monkeypatch.setattr(run.os, "cpu_count", lambda: 8)
    assert run.worker_args("auto", []) == ["-n", "2"]  # the default inventory's two simulated hosts
    assert run.worker_args("auto", ["--hosts", "ws2022-sim"]) == ["-n", "1"]
    assert run.worker_args("auto", ["--host-tags=ltsc2019"]) == ["-n", "1"]
    assert run.worker_args("auto", ["--hosts", "nosuchhost"]) == ["-n", "1"]  # pytest reports the error
    monkeypatch.setattr(run.os, "cpu_count", lambda: 1)
    assert run.worker_args("auto", []) == ["-n", "1"]
    assert run.worker_args("3", []) == ["-n", "3"]
    assert run.worker_args("auto", ["-n", "4"]) == [] and run.worker_args("2", ["-n4"]) == []
    # real hosts wait on the network: one worker each, whatever the cores
    lab = "--inventory=" + str(run.DEFAULT_INVENTORY.with_name("lab.example.yml"))
    assert run.worker_args("auto", [lab]) == ["-n", "2"]
