"""fixtures.conformance: via from the behaviour's via, gates as 'not applicable', destructive tests last per host."""

from __future__ import annotations

import pytest

from fixtures.behaviour import Behaviour
from fixtures.conformance import gate_reason

CONFTEST = """
import types
import pytest

HOSTS = {"old": 17763, "new": 20348}

def pytest_generate_tests(metafunc):
    if "_wcc_host_name" in metafunc.fixturenames:
        metafunc.parametrize("_wcc_host_name", sorted(HOSTS), indirect=True, scope="session")

@pytest.fixture(scope="session")
def _wcc_host_name(request):
    return request.param

@pytest.fixture(scope="session")
def host(_wcc_host_name):
    spec = types.SimpleNamespace(tags=("sim", "gpu") if _wcc_host_name == "new" else ("sim",))
    return types.SimpleNamespace(name=_wcc_host_name, os_build=HOSTS[_wcc_host_name], spec=spec)
"""

TESTS = """
from fixtures.behaviour import behaviour

@behaviour(id="hcs/destroy", must="It MUST hold.", seed="s", destructive=True)
def test_destroys(host, via):
    pass

@behaviour(id="hcs/both", must="It MUST hold.", seed="s", via=("docker", "direct"))
def test_both(host, via):
    assert via in ("docker", "direct")

@behaviour(id="hcs/new-only", must="It MUST hold.", seed="s", min_build=20348, evidence="new in 2022 (src)")
def test_new_only(host, via):
    assert host.os_build >= 20348

@behaviour(id="hcs/old-only", must="It MUST hold.", seed="s", max_build=20348, evidence="gone in 2022 (src)")
def test_old_only(host, via):
    assert host.os_build < 20348

@behaviour(id="hcs/gpu", must="It MUST hold.", seed="s", features=("gpu",))
def test_gpu(host, via):
    assert "gpu" in host.spec.tags
"""


@pytest.fixture
def run(pytester: pytest.Pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_sample=TESTS)
    # the wcc plugin (entry point) is replaced by the stand-in host parametrization above
    pytester.makeini("[pytest]\naddopts = -p no:wcc --strict-markers\n")
    return pytester


def test_via_is_parametrized_from_the_behaviours_via(run):
    result = run.runpytest("-p", "fixtures.conformance", "--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    assert "test_sample.py::test_both[old-docker]" in ids
    assert "test_sample.py::test_both[new-direct]" in ids
    assert "test_sample.py::test_destroys[old-docker]" in ids
    assert len([i for i in ids if "test_both" in i]) == 4


def test_gates_make_tests_not_applicable(run):
    result = run.runpytest("-p", "fixtures.conformance", "-rs")
    result.assert_outcomes(passed=9, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "*not applicable: the documented form holds only below build 20348; new runs build 20348 (gone in 2022 (src))*",
            "*not applicable: needs Windows build >= 20348; old runs build 17763 (new in 2022 (src))*",
            "*not applicable: needs feature(s) gpu; old does not offer them*",
        ]
    )


def test_destructive_tests_run_last_on_each_host(run):
    result = run.runpytest("-p", "fixtures.conformance", "--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    for name in ("old", "new"):
        mine = [i for i in ids if f"[{name}-" in i]
        assert mine[-1] == f"test_sample.py::test_destroys[{name}-docker]", mine
    # hosts stay grouped: every 'new' test before every 'old' test or the other way round
    hosts = [i.split("[")[1].split("-")[0] for i in ids]
    assert hosts == sorted(hosts) or hosts == sorted(hosts, reverse=True), hosts


def test_gate_reason_without_gates_is_none():
    assert gate_reason(Behaviour("hcs/x", "It MUST.", "s"), "h", 1, ()) is None


def test_isolation_gate_names_the_missing_mode_and_what_the_host_runs():
    meta = Behaviour("isolation/x", "It MUST.", "", source="docs", isolation=("hyperv",))
    assert gate_reason(meta, "h", 20348, (), ("process", "hyperv")) is None
    assert gate_reason(meta, "h", 20348, (), ("process",)) == (
        "not applicable: needs hyperv isolation; h runs process (inventory or its services)"
    )
    with pytest.raises(ValueError, match="isolation must be a subset"):
        Behaviour("isolation/x", "It MUST hold.", "", source="docs", isolation=("hyper-v",)).validate()


def test_alone_and_destructive_behaviours_carry_their_markers():
    from fixtures.behaviour import behaviour

    def marks(alone: bool = False, destructive: bool = False) -> set[str]:
        def test_x(host, via):
            pass

        marked = behaviour(id="hcs/x", must="It MUST hold.", seed="s", alone=alone, destructive=destructive)
        return {m.name for m in marked(test_x).pytestmark}  # type: ignore[attr-defined]

    assert {"alone", "destructive"} & marks() == set()
    assert "alone" in marks(alone=True) and "destructive" not in marks(alone=True)
    assert "destructive" in marks(destructive=True)
