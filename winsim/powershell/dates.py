r"""``[datetime]`` and ``[timespan]`` over Python ``datetime``/``timedelta``, as an en-US host shows them.

Every datetime winsim makes is timezone-aware.  A .NET DateTime's ``Kind`` maps to the tzinfo:
``UTC`` is ``DateTimeKind.Utc``; :data:`HOST_TZ` (the host's zone) is ``Local``.  Text forms:

- ``[string]$d`` / ``"$d"`` use the invariant culture: ``11/27/2025 21:14:03``;
- ``$d.ToString()`` and table/list cells use en-US: ``11/27/2025 9:14:03 PM``;
- a DateTime on its own in Out-Default shows ``Thursday, November 27, 2025 9:14:03 PM``;
- Windows PowerShell 5.1's ConvertTo-Json writes ``"\/Date(1764278043000)\/"`` (ms since 1970, UTC).

>>> d = datetime(2025, 11, 27, 21, 14, 3, tzinfo=HOST_TZ)
>>> invariant_text(d), culture_text(d), json_literal(d)
('11/27/2025 21:14:03', '11/27/2025 9:14:03 PM', '"\\/Date(1764278043000)\\/"')
>>> format_date(d, "yyyy-MM-dd HH:mm")
'2025-11-27 21:14'
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from winsim.powershell.enums import PSEnum
from winsim.powershell.registry import PSError

# The simulated host's time zone (INFERRED: lab container hosts run UTC). A distinct tzinfo object
# from UTC so that Local and Utc kinds stay apart even at offset zero; change the offset here.
HOST_TZ = timezone(timedelta(hours=0), "Coordinated Universal Time")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DATETIME_KIND = {0: "Unspecified", 1: "Utc", 2: "Local"}
DAY_OF_WEEK = {
    0: "Sunday",
    1: "Monday",
    2: "Tuesday",
    3: "Wednesday",
    4: "Thursday",
    5: "Friday",
    6: "Saturday",
}
DISPLAY_HINT = {0: "Date", 1: "Time", 2: "DateTime"}  # Microsoft.PowerShell.Commands.DisplayHintType
DATETIME_STYLES = {0: "None", 32: "AssumeLocal", 64: "AssumeUniversal", 128: "RoundtripKind"}

# en-US patterns (CultureInfo("en-US").DateTimeFormat) behind the standard format letters.
_STANDARD = {
    "d": "M/d/yyyy",
    "D": "dddd, MMMM d, yyyy",
    "t": "h:mm tt",
    "T": "h:mm:ss tt",
    "f": "dddd, MMMM d, yyyy h:mm tt",
    "F": "dddd, MMMM d, yyyy h:mm:ss tt",
    "g": "M/d/yyyy h:mm tt",
    "G": "M/d/yyyy h:mm:ss tt",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "M": "MMMM d",
    "m": "MMMM d",
    "Y": "MMMM yyyy",
    "y": "MMMM yyyy",
}
_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|\\.|(y+|M+|d+|H+|h+|m+|s+|f+|F+|t+|z+|K)")


class DisplayDate(datetime):
    """What Get-Date emits: a DateTime carrying the DisplayHint note property (5.1 serialises both)."""


def plain(value: datetime) -> datetime:
    """The value as a plain ``datetime`` (method results lose Get-Date's note properties, as in .NET)."""
    return datetime(*value.timetuple()[:6], value.microsecond, tzinfo=value.tzinfo or HOST_TZ)


def now() -> datetime:
    return datetime.now(HOST_TZ)


def local(value: datetime) -> datetime:
    """``.ToLocalTime()``: the same instant in the host's zone (a naive value is taken as local)."""
    return plain(value.replace(tzinfo=HOST_TZ) if value.tzinfo is None else value.astimezone(HOST_TZ))


def universal(value: datetime) -> datetime:
    """``.ToUniversalTime()``."""
    return plain(value.replace(tzinfo=HOST_TZ) if value.tzinfo is None else value.astimezone(UTC))


def _kind(value: datetime) -> int:
    return 1 if value.tzinfo is UTC else 2


def format_date(value: datetime, fmt: str) -> str:
    """.NET ``ToString(format)`` with the en-US culture: standard letters and custom patterns."""
    if fmt in ("o", "O"):
        offset = "Z" if _kind(value) == 1 else _offset(value)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond * 10:07d}" + offset
    if fmt in ("r", "R"):
        return universal(value).strftime("%a, %d %b %Y %H:%M:%S GMT")
    if len(fmt) == 1:
        if fmt not in _STANDARD:
            raise PSError("Input string was not in a correct format.", "FormatException", "InvalidOperation")
        fmt = _STANDARD[fmt]
    return _TOKEN.sub(lambda m: _custom(value, m.group(0)), fmt)


def _offset(value: datetime) -> str:
    delta = value.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _custom(value: datetime, token: str) -> str:
    if token[0] in "'\"":
        return token[1:-1]
    if token[0] == "\\":
        return token[1:]
    kind, n = token[0], len(token)
    hour12 = value.hour % 12 or 12
    if kind == "y":
        return str(value.year % 100).zfill(2) if n <= 2 else str(value.year).zfill(n)
    if kind == "M":
        return [str(value.month), f"{value.month:02d}", value.strftime("%b"), value.strftime("%B")][
            min(n, 4) - 1
        ]
    if kind == "d":
        return [str(value.day), f"{value.day:02d}", value.strftime("%a"), value.strftime("%A")][min(n, 4) - 1]
    if kind in "Hhms":
        number = {"H": value.hour, "h": hour12, "m": value.minute, "s": value.second}[kind]
        return f"{number:02d}" if n >= 2 else str(number)
    if kind in "fF":
        digits = f"{value.microsecond * 10:07d}"[: min(n, 7)]
        return digits if kind == "f" else digits.rstrip("0")
    if kind == "t":
        marker = "AM" if value.hour < 12 else "PM"
        return marker if n >= 2 else marker[0]
    if kind == "z":
        text = _offset(value)
        return text if n >= 3 else (text[0] + text[1:3].lstrip("0").rjust(1, "0") if n == 1 else text[:3])
    if kind == "K":
        return "Z" if _kind(value) == 1 else _offset(value)
    return token


def invariant_text(value: datetime) -> str:
    """``[string]$date``: the invariant culture's ``MM/dd/yyyy HH:mm:ss``."""
    return format_date(value, "MM/dd/yyyy HH:mm:ss")


def culture_text(value: datetime) -> str:
    """``$date.ToString()`` and table cells on an en-US host."""
    return format_date(value, "G")


def long_text(value: datetime) -> str:
    """A DateTime on its own in Out-Default (the ``DateTime`` script property)."""
    return format_date(value, "F")


def json_literal(value: datetime) -> str:
    r"""ConvertTo-Json (5.1) text of a DateTime, quotes included: ``"\/Date(<ms>)\/"``."""
    instant = value.replace(tzinfo=HOST_TZ) if value.tzinfo is None else value
    return '"\\/Date(' + str((instant - EPOCH) // timedelta(milliseconds=1)) + ')\\/"'


_PARSE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%A, %B %d, %Y %I:%M:%S %p",
)
_ISO_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse(text: str, roundtrip: bool = False) -> datetime:
    """``[datetime]'...'`` / ``[DateTime]::Parse``: ISO 8601 or en-US text.

    A value with ``Z`` or an offset is converted to local time, unless ``roundtrip``
    (DateTimeStyles.RoundtripKind) keeps ``Z`` as a Utc value.
    """
    raw = text.strip()
    iso = _ISO_FRACTION.sub(r"\1", raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
        for pattern in _PARSE_FORMATS:
            try:
                parsed = datetime.strptime(raw, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        raise PSError(
            f'Cannot convert value "{text}" to type "System.DateTime". Error: "String was not recognized as a '
            'valid DateTime."',
            "InvalidCastParseTargetInvocation",
            "InvalidArgument",
            target=text,
        )
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=HOST_TZ)
    if roundtrip and raw.endswith("Z"):
        return parsed.astimezone(UTC)
    return local(parsed)


def to_datetime(value: Any) -> datetime:
    """``[datetime]$value``."""
    if isinstance(value, datetime):
        return plain(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return plain(datetime(1, 1, 1, tzinfo=HOST_TZ) + timedelta(microseconds=int(value) // 10))
    return parse(str(value) if value is not None else "")


def timespan_text(value: timedelta) -> str:
    """TimeSpan.ToString(): ``[-][d.]hh:mm:ss[.fffffff]``."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    ticks = value // timedelta(microseconds=1) * 10
    days, rest = divmod(ticks, 864_000_000_000)
    hours, rest = divmod(rest, 36_000_000_000)
    minutes, rest = divmod(rest, 600_000_000)
    seconds, fraction = divmod(rest, 10_000_000)
    text = f"{sign}{str(days) + '.' if days else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + (f".{fraction:07d}" if fraction else "")


# ----- members --------------------------------------------------------------------------------------
_PROPERTIES = {
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
    "hour": lambda d: d.hour,
    "minute": lambda d: d.minute,
    "second": lambda d: d.second,
    "millisecond": lambda d: d.microsecond // 1000,
    "ticks": lambda d: (d.replace(tzinfo=None) - datetime(1, 1, 1)) // timedelta(microseconds=1) * 10,
    "dayofyear": lambda d: d.timetuple().tm_yday,
    "dayofweek": lambda d: PSEnum((d.weekday() + 1) % 7, DAY_OF_WEEK, "System.DayOfWeek"),
    "kind": lambda d: PSEnum(_kind(d), DATETIME_KIND, "System.DateTimeKind"),
    "date": lambda d: plain(d.replace(hour=0, minute=0, second=0, microsecond=0)),
    "timeofday": lambda d: timedelta(
        hours=d.hour, minutes=d.minute, seconds=d.second, microseconds=d.microsecond
    ),
    "datetime": long_text,
}
_ADD_UNITS = {
    "addmilliseconds": "milliseconds",
    "addseconds": "seconds",
    "addminutes": "minutes",
    "addhours": "hours",
    "adddays": "days",
}
_SPAN_PROPERTIES = {
    "days": lambda t: _span_part(t, 86_400),
    "hours": lambda t: _span_part(t, 3600) % 24 if t >= timedelta(0) else -(_span_part(-t, 3600) % 24),
    "minutes": lambda t: _span_part(t, 60) % 60 if t >= timedelta(0) else -(_span_part(-t, 60) % 60),
    "seconds": lambda t: _span_part(t, 1) % 60 if t >= timedelta(0) else -(_span_part(-t, 1) % 60),
    "milliseconds": lambda t: (abs(t) // timedelta(milliseconds=1) % 1000) * (1 if t >= timedelta(0) else -1),
    "totaldays": lambda t: t.total_seconds() / 86_400,
    "totalhours": lambda t: t.total_seconds() / 3600,
    "totalminutes": lambda t: t.total_seconds() / 60,
    "totalseconds": lambda t: t.total_seconds(),
    "totalmilliseconds": lambda t: t.total_seconds() * 1000,
    "ticks": lambda t: t // timedelta(microseconds=1) * 10,
}


def _span_part(value: timedelta, unit_seconds: int) -> int:
    whole = int(abs(value).total_seconds() // unit_seconds)
    return whole if value >= timedelta(0) else -whole


def has_member(value: datetime | timedelta, name: str) -> bool:
    table = _PROPERTIES if isinstance(value, datetime) else _SPAN_PROPERTIES
    return name.lower() in table


def member(value: datetime | timedelta, name: str) -> Any:
    """``$date.Year``, ``$span.TotalSeconds`` ... (None for a name the type does not have)."""
    if isinstance(value, datetime):
        getter = _PROPERTIES.get(name.lower())
        return getter(value) if getter else None
    span_getter = _SPAN_PROPERTIES.get(name.lower())
    return span_getter(value) if span_getter else None


_NO_METHOD = object()
_SHORT_LONG = {
    "toshortdatestring": "d",
    "tolongdatestring": "D",
    "toshorttimestring": "t",
    "tolongtimestring": "T",
}


def call(value: datetime | timedelta, name: str, args: list[Any]) -> Any:
    """A DateTime/TimeSpan method, or :data:`_NO_METHOD` when the type has none by that name."""
    low = name.lower()
    if isinstance(value, timedelta):
        if low == "tostring" and not args:
            return timespan_text(value)
        return _NO_METHOD
    if low == "tostring":
        return format_date(value, str(args[0])) if args and args[0] is not None else culture_text(value)
    if low in _ADD_UNITS:
        return plain(value + timedelta(**{_ADD_UNITS[low]: float(args[0])}))
    if low == "addmonths" or low == "addyears":
        months = int(args[0]) * (12 if low == "addyears" else 1)
        total = value.year * 12 + value.month - 1 + months
        year, month = divmod(total, 12)
        day = min(value.day, _days_in(year, month + 1))
        return plain(value.replace(year=year, month=month + 1, day=day))
    if low == "add":
        return plain(value + args[0]) if isinstance(args[0], timedelta) else _NO_METHOD
    if low == "subtract":
        other = args[0]
        return value - other if isinstance(other, datetime) else plain(value - other)
    if low == "touniversaltime":
        return universal(value)
    if low == "tolocaltime":
        return local(value)
    if low in _SHORT_LONG:
        return format_date(value, _SHORT_LONG[low])
    if low == "tofiletime" or low == "tofiletimeutc":
        return (universal(value) - datetime(1601, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 10
    return _NO_METHOD


def _days_in(year: int, month: int) -> int:
    following = datetime(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def is_no_method(result: Any) -> bool:
    return result is _NO_METHOD


def static_member(name: str, args: list[Any] | None) -> Any:
    """``[datetime]::Now`` / ``::UtcNow`` / ``::Today`` / ``::Parse(text[, provider, styles])``; _NO_METHOD otherwise."""
    low = name.lower()
    if args is None:
        if low == "now":
            return now()
        if low == "utcnow":
            return datetime.now(UTC)
        if low == "today":
            return plain(now().replace(hour=0, minute=0, second=0, microsecond=0))
        return _NO_METHOD
    if low == "parse" and args:
        styles = args[2] if len(args) > 2 else 0
        roundtrip = int(styles) & 128 != 0 if isinstance(styles, int) else "roundtrip" in str(styles).lower()
        return parse(str(args[0]), roundtrip)
    return _NO_METHOD


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``date - date`` (a TimeSpan), ``date +/- span``, ``span +/- span``; _NO_METHOD for other operands."""
    if op == "-" and isinstance(left, datetime) and isinstance(right, datetime):
        return left - right
    if isinstance(left, datetime) and isinstance(right, timedelta) and op in "+-":
        return plain(left + right if op == "+" else left - right)
    if isinstance(left, timedelta) and isinstance(right, timedelta) and op in "+-":
        return left + right if op == "+" else left - right
    return _NO_METHOD
