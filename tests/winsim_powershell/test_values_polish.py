"""Enum values and table alignment, checked on the formatter and through powershell.exe."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.winsim_powershell.conftest import Result
from winsim.powershell.enums import PSEnum
from winsim.powershell.format import render_table
from winsim.powershell.objects import PSObject
from winsim.powershell.values import compare, to_string

Run = Callable[[str], Result]
FAMILY = {2: "IPv4", 23: "IPv6"}


def test_enum_compares_with_its_name_or_number() -> None:
    v4 = PSEnum(2, FAMILY, "AddressFamily")
    assert compare("-eq", v4, "ipv4") is True
    assert compare("-eq", v4, 2) is True
    assert compare("-eq", v4, "IPv6") is False
    assert compare("-eq", v4, "bogus") is False
    assert compare("-lt", v4, "IPv6") is True
    assert compare("-eq", "IPv4", v4) is True
    assert to_string(v4) == "IPv4"


def test_enum_columns_left_numbers_right_and_format_data_wins() -> None:
    rows = [
        PSObject.of("T", {"Idx": 5, "Fam": PSEnum(2, FAMILY), "Mtu": 1500}),
        PSObject.of("T", {"Idx": 12, "Fam": PSEnum(23, FAMILY), "Mtu": 65535}),
    ]
    lines = render_table(rows)
    assert lines[3] == "  5 IPv4  1500"
    rows[0].align["Idx"] = "left"
    lines = render_table(rows)
    assert lines[3] == "5   IPv4  1500" and lines[4] == "12  IPv6 65535"


def test_net_ip_interface_enums_in_a_shell(ps: Run) -> None:
    script = (
        "$all = @(Get-NetIPInterface); $v4 = @($all | Where-Object { $_.AddressFamily -eq 'IPv4' }); "
        "$all.Count -eq $v4.Count; @($all | Where-Object AddressFamily -eq 'ipv6').Count; "
        "$e = Get-NetIPInterface -InterfaceAlias Ethernet; \"$($e.Dhcp)\"; [int]$e.Dhcp; $e.Dhcp -eq 'Enabled'"
    )
    assert ps(script).lines == ["True", "0", "Enabled", "1", "True"]
    data = json.loads(ps("Get-NetIPInterface -InterfaceAlias Ethernet | ConvertTo-Json").stdout)
    assert data["AddressFamily"] == 2 and data["Dhcp"] == 1 and data["ConnectionState"] == 1


def test_net_ip_interface_table_alignment(ps: Run) -> None:
    lines = ps("Get-NetIPInterface -InterfaceAlias Ethernet").lines
    header, row = lines[0], lines[2]
    assert row.startswith("6 ")  # ifIndex is left-aligned by the format data
    mtu_end = header.index("NlMtu(Bytes)") + len("NlMtu(Bytes)")
    assert row[:mtu_end].endswith(" 1500")  # numbers stay right-aligned
    family = header.index("AddressFamily")
    assert row[family:].startswith("IPv4")


def test_compartment_type_filter(ps: Run) -> None:
    assert ps("(Get-NetCompartment | Where-Object CompartmentType -eq 'Native').CompartmentId").lines == ["1"]
