"""Assertion helpers whose failures point at the test, not at this file.

assert_ok(host.docker.cli("ps"))
records = assert_probe_fails(lambda: host.hcs.processes("nope"), error_id="WccUnknownProbe")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from drivers.errors import ProbeError
from drivers.models import CommandResult, ErrorRecord


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


def assert_probe_fails(fn: Callable[[], Any], error_id: str | None = None) -> list[ErrorRecord]:
    """Call ``fn``; it must raise ProbeError (optionally with an error record whose id contains ``error_id``)."""
    __tracebackhide__ = True
    try:
        value = fn()
    except ProbeError as exc:
        if error_id and not any(error_id in e.fully_qualified_error_id for e in exc.errors):
            raise AssertionError(f"probe failed, but not with {error_id!r}: {exc.error_ids}") from exc
        return exc.errors
    raise AssertionError(f"probe was expected to fail but returned {value!r:.300}")


def assert_in_order(items: Iterable[str], expected: list[str]) -> None:
    """``expected`` appears in ``items`` as a subsequence (other items may come between)."""
    __tracebackhide__ = True
    seen = list(items)
    pos = 0
    for item in seen:
        if pos < len(expected) and item == expected[pos]:
            pos += 1
    if pos < len(expected):
        raise AssertionError(
            f"expected {expected} in this order; missing from {expected[pos]!r} on; got {seen}"
        )
