"""Assertion helpers whose failures point at the test, not at this file.

assert_ok(host.docker.cli("ps"))
assert_fails(host.docker.cli("rm", "no-such-container"))
"""

from __future__ import annotations

from drivers.models import CommandResult


def assert_ok(result: CommandResult, what: str = "command") -> CommandResult:
    __tracebackhide__ = True
    if result.rc != 0:
        errors = "; ".join(str(e) for e in result.errors) or result.stderr.strip()[:500]
        raise AssertionError(f"{what} exited with {result.rc}: {errors}")
    return result


def assert_fails(result: CommandResult, what: str = "command") -> CommandResult:
    __tracebackhide__ = True
    if result.rc == 0:
        raise AssertionError(
            f"{what} was expected to fail but exited 0; stdout: {result.stdout.strip()[:300]!r}"
        )
    return result
