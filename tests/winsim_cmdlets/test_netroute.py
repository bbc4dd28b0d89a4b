"""Get-NetRoute: per-compartment routes of a container, gone with its compartment."""

from __future__ import annotations

import json

import pytest

from winsim.deviations import Deviation

HEADER = ["ifIndex", "DestinationPrefix", "NextHop", "RouteMetric", "ifMetric", "PolicyStore"]


def _rows(result):
    assert result.errors == [], result.error_text
    data = json.loads(result.objects[0]) if result.objects else []
    return data if isinstance(data, list) else [data]


def _container_compartment(ps) -> int:
    rows = _rows(ps("Get-NetCompartment | Where-Object CompartmentId -ne 1 | ConvertTo-Json"))
    assert len(rows) == 1
    return int(rows[0]["CompartmentId"])


def test_table_header(ps):
    lines = [line for line in ps("Get-NetRoute").text.splitlines() if line.strip()]
    assert lines[0].split() == HEADER


def test_default_shows_the_host_compartment_only(ps, start_container):
    start_container()
    rows = _rows(ps("Get-NetRoute | ConvertTo-Json"))
    assert {r["CompartmentId"] for r in rows} == {1}
    everything = _rows(ps("Get-NetRoute -IncludeAllCompartments | ConvertTo-Json"))
    assert len({r["CompartmentId"] for r in everything}) == 2


def test_container_compartment_has_default_route_via_gateway(ps, start_container, sim_host):
    start_container()
    cid = _container_compartment(ps)
    rows = _rows(ps(f"Get-NetRoute -CompartmentId {cid} | ConvertTo-Json"))
    endpoint = next(e for e in sim_host.model.hns.endpoints() if e.shared_containers)
    default = [r for r in rows if r["DestinationPrefix"] == "0.0.0.0/0"]
    assert len(default) == 1
    assert default[0]["NextHop"] == endpoint.gateway
    assert default[0]["InterfaceAlias"] == "vEthernet (Ethernet)"  # 20348: the HNS endpoint's name
    assert any(r["DestinationPrefix"] == endpoint.ip + "/32" for r in rows)


def test_routes_go_with_the_compartment(ps, start_container, sim_host):
    c = start_container()
    cid = _container_compartment(ps)
    sim_host.model.dockerd.stop_container(c.id)
    result = ps(f"Get-NetRoute -CompartmentId {cid}")
    assert result.objects == []
    assert result.error_ids == ["CmdletizationQuery_NotFound_CompartmentId,Get-NetRoute"]


@pytest.mark.parametrize("deviations", [frozenset({Deviation.ROUTE_FILTER_IGNORED})])
def test_filter_ignored_deviation_returns_every_compartment(ps, start_container):
    start_container()
    cid = _container_compartment(ps)
    rows = _rows(ps(f"Get-NetRoute -CompartmentId {cid} | ConvertTo-Json"))
    assert {r["CompartmentId"] for r in rows} == {1, cid}
