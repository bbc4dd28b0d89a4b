"""The Allure categories and the verdicts recognise the error classes the drivers and fixtures raise.

Messages are rendered as allure-pytest renders them (``format_exception``), then matched against
reports/categories.json in order, as Allure does: the first category whose statuses and message
regex match is the test's category.
"""

from __future__ import annotations

import re

import pytest
from allure_commons.utils import format_exception

from drivers.errors import ProbeError, ProbeTimeout, SessionLost, TransportError
from drivers.models import ErrorRecord
from fixtures.hosts import HostUnreachable
from reports.allure_meta import categories
from reports.verdict import classify


def _allure_category(exc: BaseException, status: str = "broken") -> str | None:
    message = format_exception(type(exc), exc)
    for rule in categories():
        if status not in rule.get("matchedStatuses", []):
            continue
        regex = rule.get("messageRegex")
        if regex is None or re.fullmatch(regex, message):
            return str(rule["name"])
    return None


CASES = [
    (
        SessionLost("ws2022-sim", "Invoke-WccScript", "shell not found"),
        "Broken runs: lost shell",
        "lost-shell",
    ),
    (ProbeTimeout("ws2022-sim", "Get-WccRoute", 30), "Broken runs: timeout", "timeout"),
    (HostUnreachable("ws2022-sim", "winrm", "refused"), "Broken runs: host unreachable", "host-unreachable"),
    # the host could not be reached because its shell was lost: unreachable wins (listed first)
    (
        HostUnreachable("ws2022-sim", "winrm", str(SessionLost("ws2022-sim", "open", "gone"))),
        "Broken runs: host unreachable",
        "host-unreachable",
    ),
    (
        ProbeError("ws2022-sim", "Get-WccRoute", [ErrorRecord("denied", "UnauthorizedAccess")]),
        "Broken runs: other errors",
        "broken",
    ),
    (TransportError("ws2022-sim: WinRM Send failed"), "Broken runs: other errors", "broken"),
]


@pytest.mark.parametrize(("exc", "allure_name", "category"), CASES, ids=lambda v: type(v).__name__)
def test_each_error_class_lands_in_its_category(exc: BaseException, allure_name: str, category: str):
    assert _allure_category(exc) == allure_name
    assert classify(exc)[1] == category


@pytest.mark.parametrize("exc", [c[0] for c in CASES[:3]], ids=lambda v: type(v).__name__)
def test_messages_start_with_the_class_name(exc: BaseException):
    assert str(exc).startswith(f"{type(exc).__name__}: ws2022-sim")


def test_session_lost_is_still_a_lost_transport_error():
    exc = SessionLost("ws2022-sim", "Get-WccRoute", "connection reset")
    assert isinstance(exc, TransportError) and exc.lost
    assert (exc.host, exc.what, exc.cause) == ("ws2022-sim", "Get-WccRoute", "connection reset")


def test_an_assertion_naming_a_timeout_is_still_a_deviation():
    exc = AssertionError("expected 3 endpoints; the daemon log says the operation timed out")
    assert _allure_category(exc, status="failed") == "Product deviations"
    assert classify(exc)[1] == "product-deviation"
