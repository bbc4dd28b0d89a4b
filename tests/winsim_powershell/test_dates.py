"""[datetime] values: en-US text, 5.1 JSON, comparison, methods and Get-Date, through powershell.exe."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from tests.winsim_powershell.conftest import Result
from winsim.powershell.dates import HOST_TZ

Run = Callable[[str], Result]
D = "$d = [datetime]'2025-11-27T21:14:03'; "


def _ms(local_wall_clock: datetime) -> int:
    """Milliseconds since 1970 UTC of a wall-clock time in the host's zone, computed by Python."""
    offset = HOST_TZ.utcoffset(None) or timedelta(0)
    return int((local_wall_clock - offset - datetime(1970, 1, 1)).total_seconds() * 1000)


def test_text_forms(ps: Run) -> None:
    result = ps(D + '$d.ToString(); "$d"; [string]$d; $d.ToString("yyyy-MM-dd HH:mm:ss.fff")')
    assert result.lines == [
        "11/27/2025 9:14:03 PM",  # ToString(): the en-US culture
        "11/27/2025 21:14:03",  # string conversion: the invariant culture
        "11/27/2025 21:14:03",
        "2025-11-27 21:14:03.000",
    ], result.error_text


def test_table_cell_uses_the_culture_form(ps: Run) -> None:
    lines = ps(D + "[pscustomobject]@{When=$d; N=7}").lines
    assert lines[0].split() == ["When", "N"]
    assert lines[2].startswith("11/27/2025 9:14:03 PM")


def test_json_is_the_51_date_literal(ps: Run) -> None:
    result = ps(D + "@{When=$d} | ConvertTo-Json -Compress")
    expected = _ms(datetime(2025, 11, 27, 21, 14, 3))
    assert result.stdout.strip() == '{"When":"\\/Date(' + str(expected) + ')\\/"}'
    assert json.loads(result.stdout)["When"] == f"/Date({expected})/"


def test_comparisons_and_arithmetic(ps: Run) -> None:
    script = (
        D + "$d.AddMinutes(-5) -lt $d; $d -gt '1/1/2020'; $d -lt '11/27/2025 9:00:00 PM'; "
        "($d - $d.AddSeconds(-90)).TotalSeconds; $d -eq [datetime]'11/27/2025 9:14:03 PM'; $d.Year; $d.DayOfWeek"
    )
    assert ps(script).lines == ["True", "True", "False", "90", "True", "2025", "Thursday"]


def test_round_trip_format_and_kinds(ps: Run) -> None:
    script = (
        "$u = [datetime]::Parse('2025-11-27T21:14:03.5Z', $null, [Globalization.DateTimeStyles]::RoundtripKind); "
        "$u.ToString('o'); $u.Kind; $u.ToLocalTime().Kind; " + D + "$d.ToUniversalTime().ToString('o')"
    )
    lines = ps(script).lines
    assert lines[:3] == ["2025-11-27T21:14:03.5000000Z", "Utc", "Local"]
    assert re.fullmatch(r"2025-11-2\dT\d\d:14:03\.0000000Z", lines[3])


def test_get_date_prints_the_long_form(ps: Run) -> None:
    lines = ps("Get-Date").lines
    assert len(lines) == 1
    assert re.fullmatch(r"[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4} \d{1,2}:\d\d:\d\d [AP]M", lines[0])


def test_get_date_json_carries_display_hint(ps: Run) -> None:
    before = time.time()
    data = json.loads(ps("Get-Date | ConvertTo-Json").stdout)
    assert list(data) == ["value", "DisplayHint", "DateTime"] and data["DisplayHint"] == 2
    ms = int(re.fullmatch(r"/Date\((\d+)\)/", data["value"]).group(1))  # type: ignore[union-attr]
    assert abs(ms / 1000 - before) < 30


def test_get_date_format_and_date(ps: Run) -> None:
    result = ps("Get-Date -Date '2025-11-27T21:14:03' -Format 'dddd yyyy-MM-dd h:mm tt'")
    assert result.lines == ["Thursday 2025-11-27 9:14 PM"]
