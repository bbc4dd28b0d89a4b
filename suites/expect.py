r"""Assertion helpers: every failure names the host, what was checked, expected and observed.

Values are written as a person writes them on Windows, not as Python literals: a path with its
single backslashes, a list in brackets, nothing for None::

    expect.equal(host, "compartment 1 type", "Native", c.type)
    # ws2022-sim: compartment 1 type: expected Native, observed Unspecified
    # ... expected [C:\ProgramData\docker\windowsfilter\4f1a, ...], observed [...]
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any, Protocol


class Named(Protocol):
    name: str


def message(host: Named | str, what: str, expected: Any, observed: Any) -> str:
    name = host if isinstance(host, str) else host.name
    return f"{name}: {what}: expected {show(expected)}, observed {show(observed)}"


def show(value: Any) -> str:
    """``value`` in a failure message: strings as written (quoted only when empty or padded)."""
    if isinstance(value, Described):
        return str(value)
    if isinstance(value, str):
        return value if value and value == value.strip() else f'"{value}"'
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{show(k)}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return "[" + ", ".join(show(v) for v in items) + "]"
    return str(value)


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
