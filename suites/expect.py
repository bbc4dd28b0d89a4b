"""Assertion helpers: every failure names the host, what was checked, expected and observed.

expect.equal(host, "compartment 1 type", "Native", c.type)
# AssertionError: ws2022-sim: compartment 1 type: expected 'Native', observed 'Unspecified'
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any, Protocol


class Named(Protocol):
    name: str


def message(host: Named | str, what: str, expected: Any, observed: Any) -> str:
    name = host if isinstance(host, str) else host.name
    return f"{name}: {what}: expected {_show(expected)}, observed {_show(observed)}"


def _show(value: Any) -> str:
    return value if isinstance(value, Described) else repr(value)


class Described(str):
    """An expectation written in words (shown without quotes), e.g. Described("a volume path")."""


def that(condition: bool, host: Named | str, what: str, expected: Any, observed: Any) -> None:
    __tracebackhide__ = True
    if not condition:
        raise AssertionError(message(host, what, expected, observed))


def equal(host: Named | str, what: str, expected: Any, observed: Any) -> None:
    __tracebackhide__ = True
    that(expected == observed, host, what, expected, observed)


def present(host: Named | str, what: str, value: Any, observed: Any = None) -> Any:
    """``value`` must not be None/empty; returns it so the test can go on with it."""
    __tracebackhide__ = True
    that(bool(value), host, what, Described("present"), observed if observed is not None else value)
    return value


def like(value: str, pattern: str) -> bool:
    """PowerShell ``-like``: wildcard match, case-insensitive."""
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


def same_id(a: str, b: str) -> bool:
    """Container and GUID ids compare case-insensitively (HNS upper-cases, Docker lower-cases)."""
    return a.strip("{}").lower() == b.strip("{}").lower()


def ids(values: Iterable[Any], attr: str = "id") -> list[str]:
    return [str(getattr(v, attr)) for v in values]


def basename(path: str) -> str:
    """The last component of a Windows path (either separator)."""
    return path.replace("/", "\\").rstrip("\\").rsplit("\\", 1)[-1]
