"""From pytest's phase reports to one conformance verdict (outcome, category, reason).

A failed assertion is a *product deviation*: the host broke a documented behaviour.  Anything
else that stops a test is an *error*: the run could not reach a verdict (host unreachable,
timeout, lost shell...).  A skip is *not applicable* only when its reason says so; any other
skip is an error, never a pass.

    v = Verdict()
    v.add("call", failed=True, exc=AssertionError("type was Native"), message="AssertionError: type was Native")
    v.outcome, v.category, v.reason   # ('failed', 'product-deviation', 'type was Native')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from reports.records import ERROR, FAILED, NOT_APPLICABLE, PASSED

NOT_APPLICABLE_PREFIX = "not applicable:"
MAX_REASON = 2000

# Exception class names (anywhere in the MRO) that mark a broken run, and their category.
# The drivers and fixtures raise these; their messages also start with the class name, which is
# what the Allure categories (reports/categories.json) match.
BROKEN_RUN_CLASSES = {
    "HostUnreachable": "host-unreachable",
    "ProbeTimeout": "timeout",
    "SessionLost": "lost-shell",
}
PRODUCT_DEVIATION = "product-deviation"
UNEXPECTED_SKIP = "unexpected-skip"
BROKEN = "broken"


def classify(exc: BaseException) -> tuple[str, str]:
    """(outcome, category) for an exception that ended a test phase."""
    for cls in type(exc).__mro__:
        if cls.__name__ in BROKEN_RUN_CLASSES:
            return ERROR, BROKEN_RUN_CLASSES[cls.__name__]
    if isinstance(exc, AssertionError | pytest.fail.Exception):
        return FAILED, PRODUCT_DEVIATION
    return ERROR, BROKEN


@dataclass
class Verdict:
    outcome: str = PASSED
    category: str = ""
    reason: str = ""
    duration: float = 0.0
    _notes: list[str] = field(default_factory=list)

    def add(
        self,
        when: str,
        *,
        duration: float = 0.0,
        failed: bool = False,
        skipped: bool = False,
        exc: BaseException | None = None,
        message: str = "",
        xfail: bool = False,
    ) -> None:
        """Fold one phase (setup, call, teardown) into the verdict; the first bad phase decides."""
        self.duration += duration
        decided = self.outcome != PASSED
        if xfail:
            outcome, category = ERROR, BROKEN
            message = f"a conformance test must not be xfail-marked ({message})"
        elif skipped:
            reason = _skip_reason(exc, message)
            if reason.startswith(NOT_APPLICABLE_PREFIX):
                outcome, category, message = NOT_APPLICABLE, "", reason
            else:
                outcome, category, message = ERROR, UNEXPECTED_SKIP, f"skipped, not a verdict: {reason}"
        elif failed:
            outcome, category = classify(exc) if exc is not None else (ERROR, BROKEN)
            if outcome == FAILED and exc is not None:
                message = _fact(message, exc)
            if when != "call" and outcome == FAILED:
                outcome = ERROR  # an assertion in a fixture is the harness's, not the host's verdict
                category = BROKEN
        else:
            return
        if decided:
            self._notes.append(f"also in {when}: {_first_line(message)}")
            return
        self.outcome, self.category = outcome, category
        self.reason = message if when == "call" else f"{when}: {message}"

    @property
    def full_reason(self) -> str:
        text = "\n".join([self.reason, *self._notes]).strip()
        return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _skip_reason(exc: BaseException | None, message: str) -> str:
    if isinstance(exc, pytest.skip.Exception):
        return str(exc.msg)
    return message.removeprefix("Skipped: ")


def _fact(message: str, exc: BaseException) -> str:
    """A failed assertion's message as the fact it states: without the exception's class name
    (``AssertionError: ``) and, when the test gave a message, without pytest's ``assert ...``
    explanation under it."""
    text = message.removeprefix(f"{type(exc).__name__}: ")
    head, sep, _ = text.partition("\nassert ")
    return head if sep and head.strip() else text


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
