"""Helpers the model-backed commands share: CIM object shapes, enum arguments, wildcard filters, errors.

CIM-based cmdlets (NetTCPIP) report "not found" only for a literal value that matched nothing;
a wildcard that matches nothing is silent.  That rule lives in :func:`select_by`.

>>> names = {2: "IPv4", 23: "IPv6"}
>>> enum_value("ipv4", names, "AddressFamily", "NetIPInterface.AddressFamily", "Get-NetIPInterface")
2
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from winsim.powershell.enums import enum_props
from winsim.powershell.errors import ErrorRecord
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, PSError
from winsim.powershell.values import as_list, to_string, wildcard_regex

T = TypeVar("T")

CIM_BASE = "Microsoft.Management.Infrastructure.CimInstance"
CIM_NAMESPACE = "ROOT/StandardCimv2"
GENERATED_TYPES = "Microsoft.PowerShell.Cmdletization.GeneratedTypes"


def cim_object(
    cim_class: str,
    props: dict[str, Any],
    display: Sequence[str],
    view: str,
    enum_names: dict[str, dict[int, str]] | None = None,
    labels: dict[str, str] | None = None,
    align: dict[str, str] | None = None,
    widths: dict[str, int] | None = None,
) -> PSObject:
    """A CIM instance as Windows PowerShell shows it (type names, default view, enum values).

    Properties named in ``enum_names`` become :class:`PSEnum` values of the cmdletization's
    generated enum type (``$_.AddressFamily -eq 'IPv4'`` works, JSON gets the number).
    """
    values = {**props, "PSComputerName": None}
    noun = cim_class.removeprefix("MSFT_")
    enum_props(values, enum_names or {}, f"{GENERATED_TYPES}.{noun}.")
    obj = PSObject(
        [f"{CIM_BASE}#{CIM_NAMESPACE}/{cim_class}", f"{CIM_BASE}#{cim_class}", CIM_BASE, "System.Object"],
        values,
        list(display),
        view,
    )
    obj.labels.update(labels or {})
    obj.align.update(align or {})
    obj.widths.update(widths or {})
    return obj


def has_wildcard(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def matches(value: Any, patterns: Iterable[str]) -> bool:
    """True when ``value`` matches any PowerShell wildcard pattern (case-insensitive)."""
    text = to_string(value)
    return any(wildcard_regex(p).match(text) for p in patterns)


def select_by(
    inv: Invocation,
    items: list[T],
    param: str,
    key: Callable[[T], Any],
    not_found: Callable[[str], PSError],
) -> list[T]:
    """Keep items whose ``key`` matches one of ``inv.args[param]``; report literal values that matched nothing."""
    if param not in inv.args:
        return items
    wanted = [to_string(v) for v in as_list(inv.args[param])]
    kept = [item for item in items if matches(key(item), wanted)]
    for pattern in wanted:
        if not has_wildcard(pattern) and not any(matches(key(item), [pattern]) for item in items):
            write_error(inv, not_found(pattern))
    return kept


def filter_cim(
    inv: Invocation, items: list[T], cim_class: str, keys: dict[str, Callable[[T], Any]]
) -> list[T]:
    """Apply each ``-Param`` filter in ``keys`` (parameter -> property of an item) the CDXML way."""
    for param, key in keys.items():

        def missing(value: str, prop: str = param) -> PSError:
            return cim_not_found(inv, cim_class, prop, value)

        items = select_by(inv, items, param, key, missing)
    return items


def cim_not_found(inv: Invocation, cim_class: str, prop: str, value: str) -> PSError:
    """What a cmdletization (CDXML) cmdlet writes when a filter value matched no instance."""
    return PSError(
        f"No {cim_class} objects found with property '{prop}' equal to '{value}'.  "
        "Verify the value of the property and retry.",
        f"CmdletizationQuery_NotFound_{prop},{inv.name}",
        "ObjectNotFound",
        target=value,
        exception_type="Microsoft.PowerShell.Cmdletization.Cim.CimJobException",
    )


def enum_value(value: Any, names: dict[int, str], param: str, type_name: str, command: str) -> int:
    """Bind one enum argument given as a name or a number, with PowerShell's conversion error."""
    if isinstance(value, int) and not isinstance(value, bool) and value in names:
        return value
    text = to_string(value).strip()
    for number, name in names.items():
        if name.casefold() == text.casefold() or text == str(number):
            return number
    choices = ", ".join(names.values())
    raise PSError(
        f"Cannot process argument transformation on parameter '{param}'. Cannot convert value \"{text}\" to type "
        f'"{GENERATED_TYPES}.{type_name}[]". Error: "Unable to match the identifier name {text} to a valid '
        f'enumerator name. Specify one of the following enumerator names and try again:\r\n{choices}"',
        f"ParameterArgumentTransformationError,{command}",
        "InvalidData",
        target=text,
        terminating=True,
        exception_type="System.Management.Automation.ParameterBindingArgumentTransformationException",
    )


def enum_args(inv: Invocation, param: str, names: dict[int, str], type_name: str) -> list[int] | None:
    """All values of an enum-array parameter, or None when it was not given."""
    if param not in inv.args:
        return None
    return [enum_value(v, names, param, type_name, inv.name) for v in as_list(inv.args[param])]


def write_error(inv: Invocation, err: PSError) -> None:
    """A non-terminating error from inside a command; the command goes on (unless -ErrorAction Stop)."""
    it = inv.session
    node = inv.extras.get("node")
    record = ErrorRecord(
        err, command=inv.name, position=it.position(node) if node is not None else None, activity=inv.name
    )
    it.write_error(record)


def not_modeled(what: str) -> PSError:
    return PSError(f"winsim does not model {what}.", "NotModeled", "NotImplemented", terminating=True)
