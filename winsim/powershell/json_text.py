"""JSON as Windows PowerShell 5.1 writes and reads it (ConvertTo-Json / ConvertFrom-Json).

5.1 serialises with .NET's JavaScriptSerializer (``<``, ``>``, ``&``, ``'`` become ``\\u003c``...),
cuts objects deeper than ``-Depth`` to their ToString() without a warning, and pretty-prints
with its own indenter: ``"key":  value`` (two spaces) and nested containers indented four
columns past the column where they open.

>>> to_json({"a": 1, "b": [1, 2]})
'{\\r\\n    "a":  1,\\r\\n    "b":  [\\r\\n              1,\\r\\n              2\\r\\n          ]\\r\\n}'
>>> to_json({"a": 1}, compress=True)
'{"a":1}'
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any

from winsim.powershell import dates
from winsim.powershell.enums import PSEnum
from winsim.powershell.errors import ErrorRecord
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import PSError
from winsim.powershell.values import ScriptBlock, format_number, is_collection, iter_props, to_string

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}


def quote(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ch in _HTML_SAFE:
            out.append(_HTML_SAFE[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _number(value: int | float) -> str:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return quote(format_number(value))
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return format_number(value)
    return str(value)


# TimeSpan's public properties in the order JavaScriptSerializer writes them
_TIMESPAN_PROPERTIES = (
    "Ticks",
    "Days",
    "Hours",
    "Milliseconds",
    "Minutes",
    "Seconds",
    "TotalDays",
    "TotalHours",
    "TotalMilliseconds",
    "TotalMinutes",
    "TotalSeconds",
)


def compact(value: Any, depth: int, max_depth: int) -> str:
    """Compact JSON of ``value``; containers deeper than ``max_depth`` become their ToString()."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, PSEnum):
        return str(int(value))  # 5.1 writes an enum as its number
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (ScriptBlock, ErrorRecord)):
        return quote(to_string(value))
    if isinstance(value, dates.DisplayDate):
        # Get-Date's output carries note properties, so 5.1 writes an object around the date
        decorated = {"value": dates.plain(value), "DisplayHint": 2, "DateTime": dates.long_text(value)}
        return compact(decorated, depth, max_depth) if depth <= max_depth else quote(to_string(value))
    if isinstance(value, datetime):
        return dates.json_literal(value)
    if isinstance(value, timedelta):
        span = {name: dates.member(value, name) for name in _TIMESPAN_PROPERTIES}
        return compact(span, depth, max_depth) if depth <= max_depth else quote(to_string(value))
    if is_collection(value):
        if depth > max_depth:
            return quote(" ".join(to_string(v) for v in value))
        return "[" + ",".join(compact(v, depth + 1, max_depth) for v in value) + "]"
    if isinstance(value, (dict, PSObject)):
        if depth > max_depth:
            return quote(to_string(value))
        pairs = iter_props(value)
        return (
            "{"
            + ",".join(quote(to_string(k)) + ":" + compact(v, depth + 1, max_depth) for k, v in pairs)
            + "}"
        )
    return quote(to_string(value))


def pretty(text: str) -> str:
    """Windows PowerShell 5.1's JSON indenter applied to compact JSON text."""
    out: list[str] = []
    column = 0  # column of the output position on the current line
    stack: list[int] = []  # column of each open container
    in_string = False
    escaped = False
    i = 0
    n = len(text)

    def emit(s: str) -> None:
        nonlocal column
        out.append(s)
        if "\n" in s:
            column = len(s) - s.rfind("\n") - 1
        else:
            column += len(s)

    while i < n:
        ch = text[i]
        if in_string:
            emit(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            emit(ch)
        elif ch in "{[":
            opened = column
            emit(ch)
            stack.append(opened)
            closer = "}" if ch == "{" else "]"
            if i + 1 < n and text[i + 1] == closer:
                emit("\r\n\r\n" + " " * opened + closer)
                stack.pop()
                i += 2
                continue
            emit("\r\n" + " " * (opened + 4))
        elif ch in "}]":
            opened = stack.pop()
            emit("\r\n" + " " * opened + ch)
        elif ch == ",":
            emit(",\r\n" + " " * (stack[-1] + 4))
        elif ch == ":":
            emit(":  ")
        else:
            emit(ch)
        i += 1
    return "".join(out)


def to_json(value: Any, depth: int = 2, compress: bool = False) -> str:
    text = compact(value, 0, depth)
    return text if compress else pretty(text)


def _to_ps(value: Any) -> Any:
    if isinstance(value, dict):
        return PSObject.custom({k: _to_ps(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_to_ps(v) for v in value]
    return value


def from_json(text: str) -> Any:
    """Parse JSON into PowerShell values: objects become PSCustomObjects, arrays arrays."""
    stripped = text.strip()
    try:
        return _to_ps(json.loads(stripped, parse_int=int))
    except (json.JSONDecodeError, ValueError) as exc:
        token = (
            stripped[getattr(exc, "pos", 0) :].split()[0]
            if stripped[getattr(exc, "pos", 0) :].split()
            else ""
        )
        raise PSError(
            f"Invalid JSON primitive: {token.rstrip(',]}')}.",
            "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand",
            "NotSpecified",
            exception_type="System.ArgumentException",
        ) from exc
