"""PowerShell value semantics over plain Python values: truth, strings, numbers, comparisons.

The interpreter keeps .NET values as Python ones (see :mod:`winsim.powershell.objects`); this
module holds the conversions PowerShell applies implicitly, so operators and cmdlets agree.

>>> to_string([1, "a", True])
'1 a True'
>>> compare("-like", "vEthernet (Container NIC 1a2b)", "*container nic*")
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from winsim.powershell import dates
from winsim.powershell.enums import PSEnum
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import PSError


class ScriptBlock:
    """A ``{ ... }`` block: its syntax node and source text (PowerShell scopes are dynamic)."""

    def __init__(self, node: Any, text: str, source: str) -> None:
        self.node = node  # script_block_expression, script_block or program node
        self.text = text  # the block's own text, without braces: what ToString() returns
        self.source = source  # whole script the node belongs to (for error positions)

    def __repr__(self) -> str:
        return f"ScriptBlock({self.text[:40]!r})"


class TypeRef:
    """A type literal such as ``[Convert]``: a value whose static members can be used."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"TypeRef({self.name!r})"


def is_collection(value: Any) -> bool:
    """Does the pipeline enumerate this value (arrays and lists do; strings and hashtables do not)?"""
    return isinstance(value, (list, tuple))


def as_list(value: Any) -> list[Any]:
    """``@(value)``: $null is empty, collections are flattened one level, anything else is one item."""
    if value is None:
        return []
    if is_collection(value):
        return list(value)
    return [value]


def unwrap(values: list[Any]) -> Any:
    """A pipeline's result as a value: nothing -> $null, one item -> the item, more -> an array."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return list(values)


def format_number(value: float | int) -> str:
    """.NET's default ToString() for numbers (culture invariant): 1.5, 1E+20, NaN, Infinity."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exp = text.split("e")
        sign = "-" if exp.startswith("-") else "+"
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{mantissa}E{sign}{exp.lstrip('+-').rjust(2, '0')}"
    return text


def to_string(value: Any) -> str:
    """``[string]$value`` / string interpolation."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, PSEnum):
        return value.name
    if isinstance(value, (bool, int, float)):
        return format_number(value)
    if isinstance(value, datetime):
        return dates.invariant_text(value)
    if isinstance(value, timedelta):
        return dates.timespan_text(value)
    if is_collection(value):
        return " ".join(to_string(v) for v in value)
    if isinstance(value, dict):
        return "System.Collections.Hashtable"
    if isinstance(value, ScriptBlock):
        return value.text
    if isinstance(value, TypeRef):
        return value.name
    if isinstance(value, PSObject):
        if value.type_name == "System.Management.Automation.PSCustomObject":
            inner = "; ".join(f"{k}={to_string(v)}" for k, v in value.props.items())
            return "@{" + inner + "}"
        text = value.get("__ToString")
        return str(text) if text is not None else value.type_name
    to_s = getattr(value, "to_string", None)
    if callable(to_s):
        return str(to_s())
    return str(value)


def to_bool(value: Any) -> bool:
    """PowerShell truthiness ([bool] conversion)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value != ""
    if is_collection(value):
        if len(value) == 0:
            return False
        if len(value) == 1:
            return to_bool(value[0])
        return True
    return True


_INT_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_HEX_RE = re.compile(r"^\s*0x[0-9a-f]+\s*$", re.IGNORECASE)
_FLOAT_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$", re.IGNORECASE)


def type_display(value: Any) -> str:
    """The .NET type name PowerShell would name in a conversion error."""
    if value is None:
        return "null"
    if isinstance(value, PSEnum):
        return value.type_name
    if isinstance(value, datetime):
        return "System.DateTime"
    if isinstance(value, timedelta):
        return "System.TimeSpan"
    return {
        str: "System.String",
        bool: "System.Boolean",
        int: "System.Int32",
        float: "System.Double",
        list: "System.Object[]",
        dict: "System.Collections.Hashtable",
    }.get(type(value), value.type_name if isinstance(value, PSObject) else "System.Object")


def conversion_error(value: Any, target: str, reason: str) -> PSError:
    shown = to_string(value)
    return PSError(
        f'Cannot convert value "{shown}" to type "{target}". Error: "{reason}"',
        "InvalidCastFromStringToInteger" if isinstance(value, str) else "InvalidCastException",
        "InvalidArgument",
        target=value,
        exception_type="System.Management.Automation.RuntimeException",
    )


def to_number(value: Any, target: str = "System.Int32") -> int | float:
    """Numeric conversion used by arithmetic and ``[int]``: strings parse, $null is 0."""
    if value is None:
        return 0
    if isinstance(value, (bool, PSEnum)):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0
        if _INT_RE.match(text):
            return int(text)
        if _HEX_RE.match(text):
            return int(text, 16)
        if _FLOAT_RE.match(text):
            return float(text)
        raise conversion_error(value, target, "Input string was not in a correct format.")
    if is_collection(value) and len(value) == 1:
        return to_number(value[0], target)
    raise PSError(
        f'Cannot convert the "{to_string(value)}" value of type "{type_display(value)}" to type "{target}".',
        "ConvertToFinalInvalidCastException",
        "InvalidArgument",
        exception_type="System.Management.Automation.RuntimeException",
    )


class PSChar(str):
    """A ``[char]``: a one-character string whose number is its UTF-16 code (``[int][char]'A'`` is 65)."""


def to_int(value: Any) -> int:
    """``[int]``: banker's rounding of doubles, as .NET's Convert.ToInt32 does."""
    if isinstance(value, PSChar):
        return ord(value)
    number = to_number(value)
    return int(round(number)) if isinstance(number, float) else int(number)


@lru_cache(maxsize=256)
def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """PowerShell wildcard (``*``, ``?``, ``[a-z]``, backtick escapes) as an anchored regex."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "`" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                out.append("[" + pattern[i + 1 : end].replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


def _coerce_like(left: Any, right: Any) -> Any:
    """Convert ``right`` to the type of ``left`` for comparison, as PowerShell does."""
    if isinstance(left, bool):
        return to_bool(right)
    if isinstance(left, datetime) and isinstance(right, str):
        try:
            return dates.parse(right)
        except PSError:
            return right  # unequal; ordering against it fails as PowerShell's does
    if isinstance(left, PSEnum) and right is not None:
        number = left.convert(right)  # a name or number of the enum type; anything else stays unequal
        return right if number is None else number
    if isinstance(left, (int, float)) and not isinstance(right, (int, float)):
        try:
            return to_number(right)
        except PSError:
            return right
    if isinstance(left, str) and not isinstance(right, str):
        return to_string(right)
    return right


def equals(left: Any, right: Any, case_sensitive: bool = False) -> bool:
    if left is None or right is None:
        return left is None and right is None
    right = _coerce_like(left, right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right if case_sensitive else left.lower() == right.lower()
    return bool(left == right)


def order(left: Any, right: Any, case_sensitive: bool = False) -> int:
    """-1/0/1 like IComparable, after converting ``right`` to ``left``'s type."""
    if left is None and right is None:
        return 0
    if left is None:
        return -1
    if right is None:
        return 1
    right = _coerce_like(left, right)
    if isinstance(left, str) and isinstance(right, str):
        a, b = (left, right) if case_sensitive else (left.lower(), right.lower())
    else:
        a, b = left, right
    try:
        return (a > b) - (a < b)
    except TypeError as exc:
        raise PSError(
            f'Cannot compare "{to_string(left)}" to "{to_string(right)}" because the objects are not the same type '
            'or the object "' + to_string(left) + '" does not implement "IComparable".',
            "ComparisonFailure",
            "InvalidOperation",
        ) from exc


def dotnet_pattern(pattern: str) -> str:
    """A .NET regular expression in Python's dialect (named groups are ``(?<name>...)`` there)."""
    return re.sub(r"\(\?<(?![=!])(\w+)>", r"(?P<\1>", pattern)


def _scalar_compare(op: str, left: Any, right: Any, cs: bool, matches: dict[Any, Any] | None) -> bool:
    if op == "eq":
        return equals(left, right, cs)
    if op == "ne":
        return not equals(left, right, cs)
    if op in ("gt", "lt", "ge", "le"):
        result = order(left, right, cs)
        return {"gt": result > 0, "lt": result < 0, "ge": result >= 0, "le": result <= 0}[op]
    if op in ("like", "notlike"):
        flags = 0 if cs else re.IGNORECASE
        rx = wildcard_regex(to_string(right))
        hit = bool(re.match(rx.pattern, to_string(left), flags | re.DOTALL))
        return hit if op == "like" else not hit
    if op in ("match", "notmatch"):
        try:
            m = re.search(dotnet_pattern(to_string(right)), to_string(left), 0 if cs else re.IGNORECASE)
        except re.error as exc:
            raise PSError(
                f"Invalid regular expression pattern: {to_string(right)}.",
                "InvalidRegularExpression",
                "InvalidOperation",
            ) from exc
        if m and matches is not None and op == "match":
            matches.clear()
            matches[0] = m.group(0)
            for i, g in enumerate(m.groups(), 1):
                if g is not None:
                    matches[i] = g
            for name, g in m.groupdict().items():
                if g is not None:
                    matches[name] = g
        return bool(m) if op == "match" else not m
    raise PSError(f"winsim does not model the -{op} operator.", "NotModeled", "NotImplemented")


def compare(op: str, left: Any, right: Any, matches: dict[Any, Any] | None = None) -> Any:
    """Apply ``-eq``/``-like``/``-contains``... (with optional ``c``/``i`` prefix).

    A collection on the left filters its elements, as PowerShell does.
    """
    name = op.lstrip("-").lower()
    cs = False
    if name[0] in "ci" and name[1:] in _ALL_OPS:
        cs, name = name[0] == "c", name[1:]
    if name in ("contains", "notcontains"):
        hit = any(equals(item, right, cs) for item in as_list(left))
        return hit if name == "contains" else not hit
    if name in ("in", "notin"):
        hit = any(equals(item, left, cs) for item in as_list(right))
        return hit if name == "in" else not hit
    if is_collection(left):
        return [item for item in left if _scalar_compare(name, item, right, cs, None)]
    return _scalar_compare(name, left, right, cs, matches)


_ALL_OPS = {
    "eq",
    "ne",
    "gt",
    "lt",
    "ge",
    "le",
    "like",
    "notlike",
    "match",
    "notmatch",
    "contains",
    "notcontains",
    "in",
    "notin",
}
COMPARISON_OPS = frozenset(_ALL_OPS | {p + o for p in "ci" for o in _ALL_OPS})


def iter_props(value: Any) -> Iterable[tuple[str, Any]]:
    """(name, value) of an object's properties in display order."""
    if isinstance(value, PSObject):
        return [(k, v) for k, v in value.props.items() if not k.startswith("__")]
    if isinstance(value, dict):
        return list(value.items())
    return []
