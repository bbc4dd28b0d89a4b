"""Get-NetIPInterface: current compartment by default, all with -IncludeAllCompartments, container NICs."""

from __future__ import annotations

import json

import pytest

from winsim.deviations import Deviation

HEADER = [
    "ifIndex",
    "InterfaceAlias",
    "AddressFamily",
    "NlMtu(Bytes)",
    "InterfaceMetric",
    "Dhcp",
    "ConnectionState",
    "PolicyStore",
]
SEED_QUERY = 'Get-NetIpInterface -AddressFamily IPv4 -IncludeAllCompartments | Where InterfaceAlias -Like "*Container NIC*"'


def _json_list(result):
    assert result.errors == [], result.error_text
    if not result.objects:
        return []
    data = json.loads(result.objects[0])
    return data if isinstance(data, list) else [data]


def test_table_header_as_windows(ps):
    lines = [line for line in ps("Get-NetIPInterface").text.splitlines() if line.strip()]
    assert lines[0].split() == HEADER
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert any(line.split()[1:2] == ["Ethernet"] and "IPv4" in line.split() for line in lines[2:])


def test_without_include_all_only_compartment_one(ps, start_container):
    start_container()
    rows = _json_list(ps("Get-NetIPInterface | ConvertTo-Json"))
    assert rows and {r["CompartmentId"] for r in rows} == {1}
    assert not any(r["InterfaceAlias"].startswith("vEthernet (Ethernet") for r in rows)


@pytest.mark.parametrize("profile", ["ws2016"])  # the seed's alias is the 2016 one
def test_seed_query_finds_the_container_nic(ps, start_container, sim_host):
    assert ps(SEED_QUERY).objects == []
    start_container()
    rows = _json_list(ps(SEED_QUERY + " | ConvertTo-Json"))
    endpoints = [e for e in sim_host.model.hns.endpoints() if e.shared_containers]
    assert len(rows) == 1 and len(endpoints) == 1
    prefix = endpoints[0].id.split("-")[0].lower()
    assert rows[0]["InterfaceAlias"] == f"vEthernet (Container NIC {prefix})"
    assert rows[0]["CompartmentId"] != 1
    assert rows[0]["AddressFamily"] == 2  # IPv4 as its enum number


@pytest.mark.parametrize("profile", ["ws2016"])  # the seed's alias is the 2016 one
def test_compartment_id_filters(ps, start_container):
    start_container("one")
    start_container("two")
    comps = _json_list(ps("Get-NetCompartment | Where-Object CompartmentId -ne 1 | ConvertTo-Json"))
    assert len(comps) == 2
    target = comps[1]["CompartmentId"]
    rows = _json_list(
        ps(
            f"Get-NetIpInterface -AddressFamily IPv4 -IncludeAllCompartments -CompartmentId {target} | ConvertTo-Json"
        )
    )
    assert {r["CompartmentId"] for r in rows} == {target}
    assert sum("Container NIC" in r["InterfaceAlias"] for r in rows) == 1


@pytest.mark.parametrize("deviations", [frozenset({Deviation.COMPARTMENT_FILTER_IGNORED})])
def test_filter_ignored_deviation_returns_every_compartment(ps, start_container):
    start_container()
    rows = _json_list(
        ps("Get-NetIpInterface -AddressFamily IPv4 -IncludeAllCompartments -CompartmentId 1 | ConvertTo-Json")
    )
    assert len({r["CompartmentId"] for r in rows}) > 1


def test_ipv6_filter_and_bad_family(ps):
    assert ps("Get-NetIPInterface -AddressFamily IPv6").objects == []
    result = ps("Get-NetIPInterface -AddressFamily IPv5")
    assert result.error_ids == ["ParameterArgumentTransformationError,Get-NetIPInterface"]
    assert "IPv4, IPv6" in result.error_text


def test_literal_alias_not_found_but_wildcard_silent(ps):
    result = ps("Get-NetIPInterface -InterfaceAlias 'No Such NIC'")
    assert result.error_ids == ["CmdletizationQuery_NotFound_InterfaceAlias,Get-NetIPInterface"]
    assert ps("Get-NetIPInterface -InterfaceAlias 'No Such*'").errors == []
