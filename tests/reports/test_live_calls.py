"""The real thing end to end: a conformance run with the wcc plugin against a simulated host over
WinRM attaches each test's probe calls, and neither the inventory's password (from a variable
whose name does not look secret) nor a registered secret appears in any report file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.drivers.lab import Lab
from tests.reports.sample import ROOT
from winsim.profiles import PROFILES

PASSWORD_ENV = "WCC_LAB_LOGIN"  # not caught by name: only the inventory's password_env marks it
REGISTERED = "Tenant-Key-55821"

CONFTEST = f"""
import pytest
from reports.plugin import register_secret

@pytest.fixture(autouse=True, scope="session")
def _register(request):
    register_secret(request.config, {REGISTERED!r})
"""

TESTS = f"""
import os
from fixtures.behaviour import behaviour

@behaviour(id="compartments/default-native", must="The default compartment MUST have type Native.",
           seed="The default compartment has id 1 and type Native.")
def test_calls(host, via):
    with host.batch() as b:
        comps = b.net.compartments()
        b.call("Get-WccRoute", CompartmentId=1)
    result = host.session.run("param($Login, $Note) 'ok'", Login=os.environ["WCC_LAB_LOGIN"], Note={REGISTERED!r})
    assert result.stdout.strip() == "ok"
    assert comps.value[0].type == "Native"
"""


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    base = tmp_path_factory.mktemp("live")
    lab = Lab.start(base / "lab", name="live-ws2022")
    try:
        spec = lab.spec("winrm")
        password = spec.password()
        assert password
        entry = spec.model_dump(mode="json", exclude_none=True) | {
            "password_env": PASSWORD_ENV,
            "base_image": f"mcr.microsoft.com/windows/servercore:{PROFILES['ws2022'].ltsc_tag}",
        }
        project = base / "project"
        project.mkdir()
        (project / "inventory.yml").write_text(yaml.safe_dump({"hosts": [entry]}))
        (project / "conftest.py").write_text(CONFTEST)
        (project / "test_live.py").write_text(TESTS)
        # outside the checkout the root conftest does not apply: the project loads the plugin itself
        (project / "pytest.ini").write_text(
            "[pytest]\naddopts = -p no:cacheprovider -p fixtures.plugin -p reports.plugin\n"
        )
        out = project / "out"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.update({"PYTHONPATH": str(ROOT), PASSWORD_ENV: password, "PYTHONDONTWRITEBYTECODE": "1"})
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "--inventory", "inventory.yml",
             "--alluredir", str(out / "allure"), "--wcc-results", str(out / "results"),
             "--junitxml", str(out / "junit.xml"), "-q", "-W", "ignore"],
            cwd=project, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        yield out, password, proc.stdout + proc.stderr
    finally:
        lab.close()


def _attachment(out: Path) -> dict:
    results = [json.loads(p.read_text()) for p in (out / "allure").glob("*-result.json")]
    (result,) = [r for r in results if r["status"] != "skipped"]  # the hyperv case: n/a on a stock host
    assert result["status"] == "passed", result.get("statusDetails")
    (att,) = [a for a in result["attachments"] if a["name"].startswith("probe calls")]
    return json.loads((out / "allure" / att["source"]).read_text())


def test_the_test_s_calls_are_attached_in_order(run_out: tuple[Path, str, str]):
    out, _, log = run_out
    assert "1 passed" in log, log
    calls = _attachment(out)
    # the first test on the connection carries its opening (and the fixtures' calls before it)
    fns = [c["fn"] for c in calls["calls"]]
    assert fns[0] == "Get-WccHostInfo" and fns[-3:] == ["Get-WccCompartment", "Get-WccRoute", "script"]
    assert [c["round_trips"] for c in calls["calls"][-3:]] == [1, 0, 1]
    assert calls["totals"]["round_trips"] == sum(c["round_trips"] for c in calls["calls"])
    assert calls["calls"][-3]["output"][0]["Type"] == "Native"
    # counted from the first byte: NTLM's legs on both connections, Create, Command, the Sends
    totals, session = calls["totals"], calls["session"]
    assert totals["wire_requests"] >= 3 + 2 + 3 and totals["wire_round_trips"] >= 3 + 2
    assert session["wire_requests"] >= totals["wire_requests"]


def test_neither_the_password_nor_a_registered_secret_is_shown(run_out: tuple[Path, str, str]):
    out, password, _ = run_out
    script = _attachment(out)["calls"][-1]
    assert script["args"]["arguments"] == {"Login": "***", "Note": "***"}
    leaks = [
        p
        for p in out.rglob("*")
        if p.is_file() and (password.encode() in p.read_bytes() or REGISTERED.encode() in p.read_bytes())
    ]
    assert leaks == []


def test_the_host_facts_name_the_hns_version(run_out: tuple[Path, str, str]):
    out, _, _ = run_out
    props = (out / "allure" / "environment.properties").read_text()
    profile = PROFILES["ws2022"]
    assert f"live-ws2022.hns_version={profile.hns_version}" in props
    assert f"live-ws2022.os_build={profile.build}" in props
