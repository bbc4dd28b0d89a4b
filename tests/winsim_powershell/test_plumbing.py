"""Plumbing cmdlets, ConvertTo-Json/ConvertFrom-Json and default text output."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.winsim_powershell.conftest import Result

Run = Callable[[str], Result]

NICS = (
    "$nics = @([pscustomobject]@{InterfaceAlias='vEthernet (Container NIC 1a2b3c4d)'; ifIndex=12},"
    " [pscustomobject]@{InterfaceAlias='vEthernet (nat)'; ifIndex=7},"
    " [pscustomobject]@{InterfaceAlias='vEthernet (Container NIC 99aa00bb)'; ifIndex=30})"
)


def test_where_simplified_syntax_from_the_seed(ps: Run) -> None:
    result = ps(
        NICS + '\n$nics | Where InterfaceAlias -Like "*Container NIC*" | ForEach-Object { $_.ifIndex }'
    )
    assert result.lines == ["12", "30"]


def test_where_scriptblock_and_property_truthiness(ps: Run) -> None:
    result = ps(NICS + "\n($nics | ? { $_.ifIndex -gt 10 }).Count\n($nics | Where-Object ifIndex).Count")
    assert result.lines == ["2", "3"]


def test_select_object_forms(ps: Run) -> None:
    script = (
        NICS
        + "\n"
        + "\n".join(
            [
                "$nics | Select-Object -First 1 -ExpandProperty ifIndex",
                "($nics | Select-Object -Property ifIndex | Select-Object -Last 1).ifIndex",
                "$nics | Select-Object @{Name='Twice'; Expression={ $_.ifIndex * 2 }} -First 2 | % Twice",
                "($nics | Select-Object ifIndex -Skip 2).ifIndex",
            ]
        )
    )
    assert ps(script).lines == ["12", "30", "24", "14", "30"]


def test_sort_and_measure(ps: Run) -> None:
    script = (
        NICS
        + "\n"
        + "\n".join(
            [
                "($nics | Sort-Object ifIndex | % ifIndex) -join ','",
                "($nics | Sort-Object -Property ifIndex -Descending | % ifIndex) -join ','",
                "(3,1,2 | Sort-Object) -join ','",
                "($nics | Measure-Object).Count",
                "($nics | Measure-Object -Property ifIndex -Sum -Maximum).Sum",
                "($nics | Measure-Object -Property ifIndex -Maximum).Maximum",
            ]
        )
    )
    assert ps(script).lines == ["7,12,30", "30,12,7", "1,2,3", "3", "49", "30"]


def test_foreach_object_member_name_and_blocks(ps: Run) -> None:
    result = ps("'a','bb' | ForEach-Object Length\n1,2 | % -Begin { 'start' } -Process { $_ } -End { 'end' }")
    assert result.lines == ["1", "2", "start", "1", "2", "end"]


def test_convertto_json_pretty_like_windows_powershell_51(ps: Run) -> None:
    result = ps(
        "[pscustomobject]@{Name='n'; Ids=@(1,2); Inner=[pscustomobject]@{On=$true; No=$null}} | ConvertTo-Json"
    )
    expected = (
        "{\r\n"
        '    "Name":  "n",\r\n'
        '    "Ids":  [\r\n'
        "                1,\r\n"
        "                2\r\n"
        "            ],\r\n"
        '    "Inner":  {\r\n'
        '                  "On":  true,\r\n'
        '                  "No":  null\r\n'
        "              }\r\n"
        "}\r\n"
    )
    assert result.stdout == expected


def test_convertto_json_compress_escapes_and_arrays(ps: Run) -> None:
    result = ps(
        "@{a='<&>'} | ConvertTo-Json -Compress\n"
        "1,2 | ConvertTo-Json -Compress\n"
        "@(5) | ConvertTo-Json -Compress\n"
        "ConvertTo-Json -InputObject @(5) -Compress"
    )
    assert result.lines == ['{"a":"\\u003c\\u0026\\u003e"}', "[1,2]", "5", "[5]"]


def test_convertto_json_depth_cuts_to_tostring(ps: Run) -> None:
    result = ps(
        "@{a=@{b=@{c=@{d=1}}}} | ConvertTo-Json -Compress\n@{a=@{b=@{c=1}}} | ConvertTo-Json -Depth 1 -Compress"
    )
    assert result.lines == [
        '{"a":{"b":{"c":"System.Collections.Hashtable"}}}',
        '{"a":{"b":"System.Collections.Hashtable"}}',
    ]


def test_convertfrom_json_round_trip(ps: Run) -> None:
    result = ps(
        '$o = \'{"Name":"x","List":[1,2,3],"Sub":{"Ok":true}}\' | ConvertFrom-Json\n'
        "$o.Name; $o.List.Count; $o.Sub.Ok\n"
        "($o | ConvertTo-Json -Compress)"
    )
    assert result.lines[:3] == ["x", "3", "True"]
    assert json.loads(result.lines[3]) == {"Name": "x", "List": [1, 2, 3], "Sub": {"Ok": True}}


def test_convertfrom_json_invalid(ps: Run) -> None:
    result = ps("'{bad' | ConvertFrom-Json")
    assert "Invalid JSON primitive" in result.error_text


def test_table_view_for_small_objects(ps: Run) -> None:
    result = ps("[pscustomobject]@{Name='alpha'; Id=7}, [pscustomobject]@{Name='b'; Id=1234}")
    assert result.stdout == "\r\nName    Id\r\n----    --\r\nalpha    7\r\nb     1234\r\n\r\n\r\n"


def test_list_view_for_wide_objects(ps: Run) -> None:
    result = ps("[pscustomobject]@{A=1; Bee=2; C=3; D=4; E='five'}")
    assert result.lines == ["A   : 1", "Bee : 2", "C   : 3", "D   : 4", "E   : five"]


def test_hashtable_view_and_out_string(ps: Run) -> None:
    result = ps("$t = @{k='v'} | Out-String\n$t.Contains('Name')\n@{k='v'}")
    assert result.lines[0] == "True"
    assert result.lines[1:] == [
        "Name                           Value",
        "----                           -----",
        "k                              v",
    ]


def test_write_host_and_write_output(ps: Run) -> None:
    assert ps("Write-Host 'to host' -NoNewline; Write-Host '!'\nWrite-Output 1, 2").lines == [
        "to host!",
        "1",
        "2",
    ]


@pytest.mark.parametrize(
    "name", ["ConvertTo-Json", "Where-Object", "Select-Object", "Sort-Object", "Measure-Object"]
)
def test_get_command_lists_registry_commands(ps: Run, name: str) -> None:
    assert ps(f"(Get-Command -Name {name}).Name").lines == [name]


def test_get_command_noun_verb_and_functions(ps: Run) -> None:
    result = ps(
        "function Get-WccThing { 1 }\n(Get-Command -Noun WccThing).Name\n(Get-Command -Verb ConvertFrom).Name"
    )
    assert result.lines == ["Get-WccThing", "ConvertFrom-Json"]
