"""Get-NetCompartment: the default compartment, container compartments, and that none can be changed."""

from __future__ import annotations

import json

import pytest

from winsim.deviations import Deviation

CONTAINER_ID_LEN = 64


def test_boot_host_has_only_the_default_compartment(ps):
    result = ps("Get-NetCompartment | ConvertTo-Json -Compress")
    assert result.errors == []
    data = json.loads(result.objects[0])
    assert isinstance(data, dict), "one compartment is one object, not an array"
    assert data["CompartmentId"] == 1
    assert data["CompartmentDescription"] == "Default Compartment"
    assert data["CompartmentGuid"] == "{b1062982-2b18-4b4f-b3d5-a78ddb9cdd49}"
    assert data["CompartmentType"] == 1  # the enum's number; its name is Native


def test_default_list_view_shows_three_properties(ps):
    text = ps("Get-NetCompartment").text
    labels = [line.split(":")[0].strip() for line in text.splitlines() if " : " in line]
    assert labels == ["CompartmentId", "CompartmentDescription", "CompartmentGuid"]


def test_format_list_star_shows_type_by_name(ps):
    text = ps("Get-NetCompartment | Format-List *").text
    assert "CompartmentType        : Native" in text


def test_container_gets_its_own_compartment(ps, start_container):
    c = start_container()
    result = ps("Get-NetCompartment | Where-Object { $_.CompartmentId -ne 1 } | ConvertTo-Json -Compress")
    data = json.loads(result.objects[0])
    assert data["CompartmentDescription"] == "\\Container_" + c.id
    assert len(c.id) == CONTAINER_ID_LEN
    text = ps("Get-NetCompartment -CompartmentId {} | Format-List *".format(data["CompartmentId"])).text
    assert "CompartmentType        : Unspecified" in text


def test_unknown_compartment_id_is_a_not_found_error(ps):
    result = ps("Get-NetCompartment -CompartmentId 42")
    assert result.objects == []
    assert result.error_ids == ["CmdletizationQuery_NotFound_CompartmentId,Get-NetCompartment"]
    assert (
        "No MSFT_NetCompartment objects found with property 'CompartmentId' equal to '42'."
        in result.error_text
    )


@pytest.mark.parametrize("command", ["Set-NetCompartment -CompartmentId 1", "New-NetCompartment"])
def test_no_cmdlet_changes_a_compartment(ps, command):
    result = ps(command)
    assert result.error_ids == ["CommandNotFoundException"]


@pytest.mark.parametrize("deviations", [frozenset({Deviation.COMPARTMENT_WRITABLE})])
def test_writable_deviation_adds_set_netcompartment(ps):
    ps("Set-NetCompartment -CompartmentId 1 -CompartmentDescription 'changed'")
    data = json.loads(ps("Get-NetCompartment -CompartmentId 1 | ConvertTo-Json -Compress").objects[0])
    assert data["CompartmentDescription"] == "changed"


@pytest.mark.parametrize("deviations", [frozenset({Deviation.COMPARTMENT_TYPE_NUMBER_SHIFTED})])
def test_type_shift_deviation_numbers_container_compartments_one_higher(ps, start_container):
    start_container()
    rows = json.loads(ps("Get-NetCompartment | ConvertTo-Json").objects[0])
    types = {r["CompartmentId"]: r["CompartmentType"] for r in rows}
    assert types[1] == 1  # the default compartment keeps Native
    assert [t for cid, t in types.items() if cid != 1] == [1]  # a container's Unspecified (0) reads as 1
