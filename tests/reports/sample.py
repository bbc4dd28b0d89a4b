"""A small conformance project with known outcomes, run through the real reports tooling.

Three hosts (fake host objects, no network, but the drivers' real call statistics and error
classes): ``ws-good`` conforms except for one unexpected skip, ``ws-bad`` deviates from one
behaviour, has one gated (n/a) behaviour, one probe timeout and one lost shell, ``ws-down`` is
unreachable.  The expected matrix below is written by hand from that design, not
from the tooling's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV = "WCC_SAMPLE_PASSWORD"
SECRET = "S3cret-Value-4242"
REGISTERED = "Reg1stered-Only-7781"  # masked only because the host fixture registers it
HOSTS = ("ws-bad", "ws-down", "ws-good")

# behaviour -> host -> expected cell status
EXPECTED = {
    "compartments/default-native": {"ws-good": "pass", "ws-bad": "fail", "ws-down": "error"},
    "hcs/owner-docker": {"ws-good": "pass", "ws-bad": "error", "ws-down": "error"},
    "layers/new-build-only": {"ws-good": "pass", "ws-bad": "na", "ws-down": "error"},
    "network/endpoint-query": {"ws-good": "pass", "ws-bad": "error", "ws-down": "error"},
    "daemon/log-readable": {"ws-good": "error", "ws-bad": "pass", "ws-down": "error"},
}
TESTS_PER_HOST = 6  # default-native runs twice (docker, direct)

CONFTEST = """
import os

import pytest

from drivers.errors import ProbeTimeout, SessionLost
from fixtures.behaviour import behaviour_of
from fixtures.hosts import HostUnreachable


from drivers.stats import CallStats, make_record
from reports.plugin import register_secret

REGISTERED = "Reg1stered-Only-7781"

HOSTS = {
    "ws-good": {"build": 20348, "type": "Native"},
    "ws-bad": {"build": 17763, "type": "Unspecified", "timeout": True, "lost": True},
    "ws-down": None,
}


class FakeHost:
    def __init__(self, name, facts):
        self.name, self.facts, self.stats, self.os_build = name, facts, CallStats(), facts["build"]

    def call(self, fn, **args):
        self.stats.add(round_trips=1, calls=1, seconds=0.002)
        self.stats.record(make_record(fn, args, output=[self.facts.get("type")], round_trips=1, seconds=0.002))
        return self.facts.get("type")


def pytest_generate_tests(metafunc):
    if "_wcc_host_name" in metafunc.fixturenames:
        metafunc.parametrize("_wcc_host_name", sorted(HOSTS), indirect=True, scope="session")
    meta = behaviour_of(metafunc.definition)
    if meta and "via" in metafunc.fixturenames:
        metafunc.parametrize("via", list(meta.via))


@pytest.fixture(scope="session")
def _wcc_host_name(request):
    return request.param


@pytest.fixture(scope="session")
def host(request, _wcc_host_name):
    facts = HOSTS[_wcc_host_name]
    if facts is None:
        secret = os.environ["WCC_SAMPLE_PASSWORD"]
        raise HostUnreachable(_wcc_host_name, "winrm", f"logon refused for password {secret}")
    register_secret(request.config, REGISTERED)
    return FakeHost(_wcc_host_name, facts)


@pytest.fixture(autouse=True)
def _gates(request):
    meta = behaviour_of(request.node)
    if meta and meta.min_build:
        host = request.getfixturevalue("host")
        if host.os_build < meta.min_build:
            pytest.skip(f"not applicable: needs build >= {meta.min_build}; {host.name} runs {host.os_build}")
"""

TESTS = """
import os

import pytest

from conftest import REGISTERED
from drivers.errors import ProbeTimeout, SessionLost
from fixtures.behaviour import behaviour


@behaviour(id="compartments/default-native", must="The default compartment MUST have type Native.",
           seed="There is one default compartment for OS which has CompartmentId = 1 and type Native.", via=("docker", "direct"))
def test_default_native(host, via):
    got = host.call("Get-WccCompartment", script="net use x /user:a " + os.environ["WCC_SAMPLE_PASSWORD"])
    assert got == "Native", f"{host.name}: default compartment type {got!r}, expected 'Native'"


@behaviour(id="hcs/owner-docker", must="Compute systems of dockerd MUST be owned by docker.",
           seed="hcsshim::CreateComputeSystem creates container.")
def test_owner(host, via):
    host.call("Get-WccComputeSystem", Query=REGISTERED)
    if host.facts.get("lost"):
        raise SessionLost(host.name, "Get-WccComputeSystem", "the WinRM shell was not found")


@behaviour(id="layers/new-build-only", must="A newer build MUST do the new thing.",
           seed="Volume path for a given mounted layer may change over time on Windows by design.", min_build=20348,
           evidence="new in 20348 (sample)")
def test_new_build_only(host, via):
    host.call("Get-WccLayerFolder")


@behaviour(id="network/endpoint-query", must="Endpoints MUST be listed.", seed="At his point endpoint extist only as a virtual resource in HNS.")
def test_endpoint_query(host, via):
    if host.facts.get("timeout"):
        raise ProbeTimeout(host.name, "Get-WccHnsEndpoint", 30)
    host.call("Get-WccHnsEndpoint")


@behaviour(id="daemon/log-readable", must="The daemon log MUST be readable.", seed="they just seem to have basic messages and timestamps.")
def test_log_readable(host, via):
    if host.name == "ws-good":
        pytest.skip("no access to the daemon log")
    host.call("Get-WccDaemonLog")
"""

INI = """[pytest]
addopts = -p no:wcc -p reports.plugin -p no:cacheprovider
markers =
    behaviour: conformance metadata
    compartments: area
    hcs: area
    layers: area
    network: area
    daemon: area
    destructive: destructive
"""


def write_project(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    (where / "conftest.py").write_text(CONFTEST)
    (where / "test_sample.py").write_text(TESTS)
    (where / "pytest.ini").write_text(INI)
    return where


def env() -> dict[str, str]:
    # the inner run is a fresh pytest session: none of the outer run's PYTEST_* settings apply
    outer = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {**outer, "PYTHONPATH": str(ROOT), SECRET_ENV: SECRET, "PYTHONDONTWRITEBYTECODE": "1"}


def run(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m <module> args`` from ``cwd`` with the repo importable."""
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=env(), capture_output=True, text=True, timeout=300
    )
