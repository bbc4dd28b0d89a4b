"""fixtures.conformance: via from the behaviour's via, isolation over every mode, gates as 'not applicable',
destructive tests last per host."""

from __future__ import annotations

import pytest

from fixtures.behaviour import Behaviour
from fixtures.conformance import gate_reason, isolation_gate

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
    new = _wcc_host_name == "new"
    # 'new' lists both modes in its inventory; 'old' lists none and its services run only vmcompute
    spec = types.SimpleNamespace(
        tags=("sim", "gpu") if new else ("sim",), isolation=("process", "hyperv") if new else None
    )
    session = types.SimpleNamespace(info=types.SimpleNamespace(isolation=("process",)))
    return types.SimpleNamespace(name=_wcc_host_name, os_build=HOSTS[_wcc_host_name], spec=spec, session=session)
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

@behaviour(id="hcs/anywhere", must="It MUST hold.", seed="s", isolation=("process", "hyperv"),
           isolation_evidence={"hyperv": "the same under a utility VM (src)"})
def test_anywhere(host, via, isolation):
    assert isolation in ("process", "hyperv")
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
    assert "test_sample.py::test_both[old-docker-process]" in ids
    assert "test_sample.py::test_both[new-direct-hyperv]" in ids
    assert "test_sample.py::test_destroys[old-docker-process]" in ids
    # every mode, held or not: host × via × isolation
    assert len([i for i in ids if "test_both" in i]) == 8


def test_gates_make_tests_not_applicable(run):
    result = run.runpytest("-p", "fixtures.conformance", "-rs")
    # process: 9 pass, 3 gated; hyperv: n/a for the five process-only behaviours; anywhere: 3 pass,
    # n/a on old, whose services offer no hyperv
    result.assert_outcomes(passed=12, skipped=16)
    for line in (
        "*not applicable: the documented form holds only below build 20348; new runs build 20348 (gone in 2022 (src))*",
        "*not applicable: needs Windows build >= 20348; old runs build 17763 (new in 2022 (src))*",
        "*not applicable: needs feature(s) gpu; old does not offer them*",
        "*not applicable: holds under process isolation only, not hyperv: no evidence given*",
        "*not applicable: needs hyperv isolation; old offers process (services: no vmms)*",
    ):
        result.stdout.fnmatch_lines([line])


def test_destructive_tests_run_last_on_each_host(run):
    result = run.runpytest("-p", "fixtures.conformance", "--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    for name in ("old", "new"):
        mine = [i for i in ids if f"[{name}-" in i]
        assert mine[-2:] == [
            f"test_sample.py::test_destroys[{name}-docker-{m}]" for m in ("process", "hyperv")
        ]
    # hosts stay grouped: every 'new' test before every 'old' test or the other way round
    hosts = [i.split("[")[1].split("-")[0] for i in ids]
    assert hosts == sorted(hosts) or hosts == sorted(hosts, reverse=True), hosts


def test_gate_reason_without_gates_is_none():
    assert gate_reason(Behaviour("hcs/x", "It MUST.", "s"), "h", 1, ()) is None


def test_isolation_gate_names_the_mode_the_host_lacks_and_where_that_was_read():
    meta = Behaviour("isolation/x", "It MUST.", "", source="docs", isolation=("process", "hyperv"))
    assert isolation_gate(meta, "hyperv", "h", ("process", "hyperv"), "inventory") is None
    assert isolation_gate(meta, "hyperv", "h", ("process",), "services: no vmms") == (
        "not applicable: needs hyperv isolation; h offers process (services: no vmms)"
    )
    with pytest.raises(ValueError, match="isolation must be a non-empty subset"):
        Behaviour("isolation/x", "It MUST hold.", "", source="docs", isolation=("hyper-v",)).validate()


def test_a_behaviour_declaring_only_process_is_na_under_hyperv_with_its_evidence():
    meta = Behaviour("compartments/x", "It MUST.", "s", isolation_evidence={"hyperv": "inside the VM (src)"})
    # the behaviour's own evidence comes first: whatever the host offers
    assert isolation_gate(meta, "hyperv", "h", ("process", "hyperv"), "inventory") == (
        "not applicable: holds under process isolation only, not hyperv: inside the VM (src)"
    )
    assert isolation_gate(meta, "process", "h", ("process",), "inventory") is None


def test_evidence_is_owed_for_every_mode_but_the_obvious():
    assert Behaviour("hcs/x", "It MUST.", "s").missing_isolation_evidence() == ["hyperv"]
    both = Behaviour("hcs/x", "It MUST.", "s", isolation=("process", "hyperv"))
    assert both.missing_isolation_evidence() == ["hyperv"]
    # a behaviour about hyperv alone: its source is the hyperv evidence, process's absence is owed
    only = Behaviour("isolation/x", "It MUST.", "", source="docs", isolation=("hyperv",))
    assert only.missing_isolation_evidence() == ["process"]


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
