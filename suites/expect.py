r"""Assertion helpers for conformance tests: every failure names the host, what was checked,
expected and observed, and points at the test's line (``__tracebackhide__`` keeps these frames
out of pytest's traceback).

Values are written as a person writes them on Windows, not as Python literals: a path with its
single backslashes, a list in brackets, nothing for None::

    expect.equal(host, "compartment 1 type", "Native", c.type)
    # ws2022-sim: compartment 1 type: expected Native, observed Unspecified
    # ... expected [C:\ProgramData\docker\windowsfilter\4f1a, ...], observed [...]
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from drivers.models import CommandResult


class Named(Protocol):
    name: str


def message(host: Named | str, what: str, expected: Any, observed: Any) -> str:
    """The one failure line: ``<host>: <what>: expected <expected>, observed <observed>``."""
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
    """An expectation written in words (shown without quotes)::

    expect.that(path.startswith("\\\\?\\Volume"), host, "mount path", Described("a volume path"), path)
    """


def that(condition: bool, host: Named | str, what: str, expected: Any, observed: Any) -> None:
    """``condition`` must hold; the failure says what was expected and observed::

    expect.that(len(eps) == 1, host, "endpoints of the container", 1, len(eps))
    """
    __tracebackhide__ = True
    if not condition:
        raise AssertionError(message(host, what, expected, observed))


def equal(host: Named | str, what: str, expected: Any, observed: Any) -> None:
    """``observed`` must equal ``expected``::

    expect.equal(host, "compartment 1 type", "Native", c.type)
    """
    __tracebackhide__ = True
    that(expected == observed, host, what, expected, observed)


def present(host: Named | str, what: str, value: Any, observed: Any = None) -> Any:
    """``value`` must not be None/empty; returns it so the test can go on with it::

    ep = expect.present(host, f"HNS endpoint {eid}", host.hns.endpoint(eid))
    """
    __tracebackhide__ = True
    that(bool(value), host, what, Described("present"), observed if observed is not None else value)
    return value


def ok(host: Named | str, what: str, result: CommandResult) -> CommandResult:
    """The command must exit 0; returns its result::

    out = expect.ok(host, "docker version", host.docker.cli("version")).stdout
    """
    __tracebackhide__ = True
    errors = "; ".join(str(e) for e in result.errors) or result.stderr.strip()[:500]
    that(result.rc == 0, host, what, Described("exit code 0"), Described(f"exit code {result.rc}: {errors}"))
    return result


def fails(host: Named | str, what: str, result: CommandResult) -> CommandResult:
    """The command must exit non-zero; returns its result (to check the error it gave)::

    result = expect.fails(host, "Set-NetCompartment", host.net.try_modify_compartment(1))
    """
    __tracebackhide__ = True
    stdout = result.stdout.strip()[:300]
    that(
        result.rc != 0,
        host,
        what,
        Described("a non-zero exit code"),
        Described(f"exit code 0, stdout {stdout!r}"),
    )
    return result


def like(value: str, pattern: str) -> bool:
    """PowerShell ``-like``: wildcard match, case-insensitive (``like(alias, "*Container NIC*")``)."""
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


def same_id(a: str, b: str) -> bool:
    """Container and GUID ids compare case-insensitively (HNS upper-cases, Docker lower-cases)."""
    return a.strip("{}").lower() == b.strip("{}").lower()


def ids(values: Iterable[Any], attr: str = "id") -> list[str]:
    """The ``attr`` of each value, as strings (``ids(host.hcs.list())``)."""
    return [str(getattr(v, attr)) for v in values]


def basename(path: str) -> str:
    """The last component of a Windows path (either separator): ``basename("C:\\a\\b\\") == "b"``."""
    return path.replace("/", "\\").rstrip("\\").rsplit("\\", 1)[-1]
