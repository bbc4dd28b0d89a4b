"""suites/expect: one failure line naming host, check, expected and observed, reported at the test's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.models import CommandResult
from suites import expect

ROOT = Path(__file__).resolve().parents[2]
FAILING = CommandResult(rc=1, stdout="", stderr="docker: no such container\n", errors=[])


def test_a_failed_command_is_one_line_naming_host_check_and_exit_code():
    with pytest.raises(AssertionError) as info:
        expect.ok("ws2022-sim", "docker rm", FAILING)
    assert str(info.value) == (
        "ws2022-sim: docker rm: expected exit code 0, observed exit code 1: docker: no such container"
    )
    assert expect.fails("ws2022-sim", "docker rm", FAILING) is FAILING


def test_the_traceback_ends_at_the_tests_line_not_in_expect(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(
        test_one="""
        from suites import expect

        def test_x():
            expect.equal("h", "compartment 1 type", "Native", "Unspecified")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--rootdir", str(pytester.path))
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "h: compartment 1 type: expected Native, observed Unspecified" in text
    assert "test_one.py:4: AssertionError" in text and "expect.py" not in text
