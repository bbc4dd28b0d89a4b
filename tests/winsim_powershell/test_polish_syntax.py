"""Bare-word comma lists in argument mode and the Format-* cmdlets, through a real powershell.exe process."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.winsim_powershell.conftest import Result
from winsim.powershell.parser import parse_check

Run = Callable[[str], Result]
OBJ = "[pscustomobject]@{A=1;B=2;C=3}"


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("Select-Object A, B", {"A": 1, "B": 2}),
        ("Select-Object -Property A, B", {"A": 1, "B": 2}),
        ("Select-Object A,B", {"A": 1, "B": 2}),
        ("Select-Object C ,A", {"C": 3, "A": 1}),
        ("Select-Object -Property A, B, C -First 1", {"A": 1, "B": 2, "C": 3}),
        ("Select-Object 'A', B", {"A": 1, "B": 2}),
    ],
)
def test_select_object_bare_word_lists(ps: Run, selection: str, expected: dict[str, int]) -> None:
    result = ps(f"{OBJ} | {selection} | ConvertTo-Json -Compress")
    assert result.code == 0, result.error_text
    data = json.loads(result.stdout)
    assert data == expected and list(data) == list(expected)


def test_bare_words_and_numbers_make_one_array(ps: Run) -> None:
    result = ps("Write-Output a, b , c,1 | ForEach-Object { $_.GetType().Name + ':' + $_ }")
    assert result.lines == ["String:a", "String:b", "String:c", "Int32:1"], result.error_text


def test_native_program_gets_each_element_as_an_argument(ps: Run) -> None:
    assert ps("cmd /c echo one, two").lines == ["one two"]


def test_format_table_with_a_property_list(ps: Run) -> None:
    lines = ps(f"{OBJ} | Format-Table A, C").lines
    assert lines[0].split() == ["A", "C"]
    assert lines[2].split() == ["1", "3"]


def test_format_list_with_a_property_list_and_star(ps: Run) -> None:
    assert ps(f"{OBJ} | Format-List C, A").lines == ["C : 3", "A : 1"]
    assert ps(f"{OBJ} | Format-List *").lines == ["A : 1", "B : 2", "C : 3"]


def test_repair_keeps_real_errors() -> None:
    assert parse_check("Select-Object A, B") == []
    assert parse_check('Write-Output "x, y') != []
    assert parse_check("Write-Output a, ") != []


def test_error_positions_survive_the_repair(ps: Run) -> None:
    result = ps("Write-Output a, b; Get-Nothing x, y")
    assert result.lines[:2] == ["a", "b"]
    assert "char:20" in result.error_text and "Get-Nothing" in result.error_text
