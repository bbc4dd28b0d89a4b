"""The wcc plugins as a project outside the checkout loads them (``-p fixtures.plugin -p reports.plugin``):
in either order, with a late listener, with its own markers under ``--strict-markers``, and with
pytest's own report of a collection error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

INVENTORY = """
base_images: {20348: "mcr.microsoft.com/windows/servercore:ltsc2022"}
hosts:
  - {name: zeta, transport: local}
  - {name: alpha, transport: local}
"""

MODULE = """
import pytest

from fixtures.behaviour import behaviour

@pytest.mark.layers
def test_marked(host_name):
    assert host_name in ("alpha", "zeta")

@behaviour(id="daemon/x", must="It MUST hold.", seed="s", destructive=True)
def test_behaviour(host_name):
    pass
"""

FIXTURES, REPORTS = ("-p", "fixtures.plugin"), ("-p", "reports.plugin")


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makefile(".yml", inv=INVENTORY)
    assert not pytester.path.is_relative_to(ROOT)  # outside the checkout: no root conftest, no pyproject
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess(*args, "--inventory=inv.yml", "-p", "no:cacheprovider")


@pytest.mark.parametrize(
    "order", [FIXTURES + REPORTS, REPORTS + FIXTURES], ids=["fixtures-first", "reports-first"]
)
def test_the_reporter_hears_the_selected_hosts_whatever_the_plugin_order(project, order):
    project.makepyfile(test_m=MODULE)
    result = run(project, *order, "--wcc-results=out", "-q")
    assert result.ret == 0, result.stdout.str()
    info = json.loads((project.path / "out" / "hosts.json").read_text())
    assert info["expected"] == ["alpha", "zeta"]
    assert [row[1:3] for row in info["selected"]] == [["daemon/x", "alpha"], ["daemon/x", "zeta"]]


LATE = """
import json
import pytest

class Late:
    def pytest_wcc_hosts_selected(self, config, names, secret_envs):
        with open("late.json", "w") as fh:
            json.dump(names, fh)

@pytest.hookimpl(trylast=True)  # after the fixtures plugin has fired the hook
def pytest_configure(config):
    config.pluginmanager.register(Late(), "late-listener")
"""


def test_a_plugin_registered_after_the_call_still_hears_it(project):
    project.makeconftest(LATE)
    project.makepyfile(test_m=MODULE)
    result = run(project, *FIXTURES, "-q")
    assert result.ret == 0, result.stdout.str()
    assert json.loads((project.path / "late.json").read_text()) == ["alpha", "zeta"]


def test_strict_markers_outside_the_checkout_know_the_plugins_markers(project):
    project.makepyfile(test_m=MODULE)
    result = run(project, *FIXTURES, *REPORTS, "--strict-markers", "-q")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=4)
    listed = run(project, *FIXTURES, "--markers")
    listed.stdout.fnmatch_lines(
        ["@pytest.mark.destructive: *", "@pytest.mark.layers: conformance area: windowsfilter layers"]
    )
    # strictness still bites: a marker nobody declared is an error
    project.makepyfile(test_m="import pytest\n\n@pytest.mark.nonesuch\ndef test_x(host_name):\n    pass\n")
    unknown = run(project, *FIXTURES, *REPORTS, "--strict-markers", "-q")
    assert unknown.ret == pytest.ExitCode.INTERRUPTED
    unknown.stdout.fnmatch_lines(["*'nonesuch' not found in `markers` configuration option*"])


def test_a_collection_error_is_reported_by_pytest_as_usual(project):
    project.makepyfile(test_ok=MODULE, test_zz="def test_x(:\n")
    result = run(project, *FIXTURES, *REPORTS)
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED, out
    result.stdout.fnmatch_lines(
        [
            "*= ERRORS =*",
            "*_ ERROR collecting test_zz.py _*",
            "*SyntaxError*",
            "*short test summary info*",
            "ERROR test_zz.py",
            "*Interrupted: 1 error during collection*",
        ]
    )
    assert "INTERNALERROR" not in out + result.stderr.str() and "AttributeError" not in out
