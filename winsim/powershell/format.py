"""Default text output (Out-Default / Out-String): strings as-is, objects as table or list views.

Rules follow Windows PowerShell 5.1 for objects without custom format data: a type whose
:class:`PSObject` says ``view="table"``/``"list"`` uses that view; otherwise objects with up
to four displayed properties print as a table, more as a list.  Consecutive objects of the
same type share one table.  Lines end in CRLF.

>>> render([PSObject.custom({"Name": "a", "Id": 1})])
'\\r\\nName Id\\r\\n---- --\\r\\na     1\\r\\n\\r\\n\\r\\n'
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from winsim.powershell import dates
from winsim.powershell.enums import PSEnum
from winsim.powershell.errors import ErrorRecord
from winsim.powershell.objects import PSObject
from winsim.powershell.values import ScriptBlock, is_collection, iter_props, to_string

CONSOLE_WIDTH = 120  # the console buffer width Windows PowerShell formats redirected output to
ENUMERATION_LIMIT = 4  # $FormatEnumerationLimit
CRLF = "\r\n"
HASHTABLE_NAME_WIDTH = 30  # the Name column of a hashtable's table view is fixed-width
TIMESPAN_VIEW = (
    "Days",
    "Hours",
    "Minutes",
    "Seconds",
    "Milliseconds",
    "Ticks",
    "TotalDays",
    "TotalHours",
    "TotalMinutes",
    "TotalSeconds",
    "TotalMilliseconds",
)


def _is_scalar(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, (str, int, float, bool, ScriptBlock))
        or not (isinstance(value, (PSObject, dict)))
    )


def cell(value: Any) -> str:
    """One value inside a table cell or list entry."""
    if value is None:
        return ""
    if is_collection(value):
        items = [cell(v) for v in value[:ENUMERATION_LIMIT]]
        more = "..." if len(value) > ENUMERATION_LIMIT else ""
        return "{" + ", ".join(items) + more + "}"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(to_string(k) for k in list(value)[:ENUMERATION_LIMIT])
            + ("..." if len(value) > ENUMERATION_LIMIT else "")
            + "}"
        )
    if isinstance(value, PSObject):
        enum_text = value.get("__ToString")
        return to_string(enum_text) if enum_text is not None else to_string(value)
    if isinstance(value, datetime):
        return dates.culture_text(value)  # cells use ToString() (the culture), not [string]
    return to_string(value)


def _display_value(obj: PSObject, name: str) -> str:
    value = obj.get(name)
    names = obj.enum_names.get(name)
    if names is not None and isinstance(value, int) and value in names:
        return names[value]
    return cell(value)


def _columns(obj: Any) -> list[str]:
    if isinstance(obj, PSObject):
        if obj.display:
            return list(obj.display)
        return [k for k, _ in iter_props(obj)]
    return []


def _label(obj: Any, name: str) -> str:
    """The header a default view shows for a property (format data may rename it)."""
    return obj.labels.get(name, name) if isinstance(obj, PSObject) else name


def _view(obj: Any) -> str:
    if isinstance(obj, dict):
        return "table"
    if isinstance(obj, PSObject):
        if obj.view in ("table", "list"):
            return obj.view
        return "table" if len(_columns(obj)) <= 4 else "list"
    return "scalar"


def _type_key(obj: Any) -> str:
    if isinstance(obj, dict):
        return "hashtable"
    if isinstance(obj, PSObject):
        return obj.type_name + "|" + ",".join(_columns(obj))
    return "scalar"


def _is_numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, (bool, PSEnum))


def _right_aligned(objs: list[Any], column: str) -> bool:
    """Format data's alignment for the column if the type has one, else: all values numbers."""
    first = objs[0]
    if isinstance(first, PSObject) and column in first.align:
        return first.align[column] == "right"
    values = [o.get(column) for o in objs if isinstance(o, PSObject) and o.get(column) is not None]
    return (
        column not in getattr(first, "enum_names", {})
        and bool(values)
        and all(_is_numeric(v) for v in values)
    )


def _fit(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(0, width - 3)] + "..." if width > 3 else text[:width]


def render_table(objs: list[Any], width: int = CONSOLE_WIDTH) -> list[str]:
    """A table view: header, dashes, one row per object."""
    if isinstance(objs[0], dict):
        columns = ["Name", "Value"]
        headers = columns
        rows = [[cell(k), cell(v)] for d in objs for k, v in d.items()]
        numeric = [False, False]
        widths = [HASHTABLE_NAME_WIDTH, max([5] + [len(r[1]) for r in rows])]
        fixed_at = [False, False]
    else:
        columns = _columns(objs[0])
        headers = [_label(objs[0], c) for c in columns]
        rows = [[_display_value(o, c) if isinstance(o, PSObject) else "" for c in columns] for o in objs]
        numeric = [_right_aligned(objs, c) for c in columns]
        fixed = objs[0].widths if isinstance(objs[0], PSObject) else {}
        widths = [
            fixed.get(c) or max([len(h)] + [len(r[i]) for r in rows])
            for i, (c, h) in enumerate(zip(columns, headers, strict=True))
        ]
        fixed_at = [c in fixed for c in columns]
    # shrink the widest columns until the table fits the console (PowerShell truncates with "...");
    # a table of format data with fixed widths keeps them (the sample consoles were wide enough)
    while not any(fixed_at) and sum(widths) + len(widths) - 1 > width - 1 and max(widths) > 4:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def line(cells: list[str], is_header: bool = False) -> str:
        parts = []
        for i, text in enumerate(cells):
            text = _fit(text, widths[i])
            parts.append(text.rjust(widths[i]) if numeric[i] else text.ljust(widths[i]))
        return " ".join(parts).rstrip()

    out = ["", line(headers, True), line(["-" * min(len(h), widths[i]) for i, h in enumerate(headers)])]
    out.extend(line(r) for r in rows)
    out.extend(["", ""])
    return out


def render_list(objs: list[Any], width: int = CONSOLE_WIDTH) -> list[str]:
    """A list view: ``Name : Value`` per property, a blank line between objects."""
    out: list[str] = [""]
    for obj in objs:
        columns = _columns(obj)
        label = max((len(_label(obj, c)) for c in columns), default=0)
        out.append("")
        for c in columns:
            value = _display_value(obj, c) if isinstance(obj, PSObject) else ""
            prefix = _label(obj, c).ljust(label) + " : "
            chunks = _wrap_value(value, width - len(prefix) - 1)
            out.append((prefix + chunks[0]).rstrip())
            out.extend((" " * len(prefix) + chunk).rstrip() for chunk in chunks[1:])
    out.extend(["", ""])
    return out


def _wrap_value(text: str, room: int) -> list[str]:
    lines: list[str] = []
    for part in text.replace("\r\n", "\n").split("\n"):
        if room <= 0 or len(part) <= room:
            lines.append(part)
            continue
        while len(part) > room:
            lines.append(part[:room])
            part = part[room:]
        lines.append(part)
    return lines or [""]


def render_lines(items: list[Any], width: int = CONSOLE_WIDTH) -> list[str]:
    """Text lines for a sequence of output objects (what Out-Default prints)."""
    lines: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, ErrorRecord):
            lines.extend(item.lines())
            i += 1
            continue
        if isinstance(item, datetime):
            j = i
            while j < len(items) and isinstance(items[j], datetime):
                j += 1
            lines.extend(["", *(dates.long_text(d) for d in items[i:j]), "", ""])
            i = j
            continue
        if isinstance(item, timedelta):  # a TimeSpan prints as the list of its properties
            span = {name: dates.member(item, name) for name in TIMESPAN_VIEW}
            lines.extend(render_list([PSObject.of("System.TimeSpan", span)], width))
            i += 1
            continue
        if _is_scalar(item):
            if item is not None:
                lines.extend(to_string(item).replace("\r\n", "\n").split("\n"))
            i += 1
            continue
        key = _type_key(item)
        j = i
        while j < len(items) and not _is_scalar(items[j]) and _type_key(items[j]) == key:
            j += 1
        group = items[i:j]
        lines.extend(render_table(group, width) if _view(item) == "table" else render_list(group, width))
        i = j
    return lines


def render(items: list[Any], width: int = CONSOLE_WIDTH) -> str:
    """The text Out-Default writes for ``items``, CRLF line endings."""
    lines = render_lines(items, width)
    return "".join(line + CRLF for line in lines)
