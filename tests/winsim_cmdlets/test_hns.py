"""Get-HnsNetwork / Get-HnsEndpoint / Get-HnsNamespace: the hns.psm1 object views of HNS state."""

from __future__ import annotations

import json


def _objs(ps, script):
    result = ps(script + " | ConvertTo-Json -Depth 4 -Compress")
    assert result.errors == [], result.error_text
    data = json.loads(result.objects[0]) if result.objects else []
    return data if isinstance(data, list) else [data]


def test_default_nat_network(ps):
    nets = _objs(ps, "Get-HnsNetwork")
    nat = [n for n in nets if n["Name"] == "nat"]
    assert len(nat) == 1
    assert nat[0]["Type"] == "nat"
    assert nat[0]["Subnets"][0]["AddressPrefix"].endswith("/20")


def test_endpoint_of_a_running_container(ps, start_container, docker_client):
    c = start_container()
    eps = _objs(ps, "Get-HnsEndpoint")
    assert len(eps) == 1
    ep = eps[0]
    attrs = docker_client.containers.get(c.id).attrs["NetworkSettings"]["Networks"]["nat"]
    assert ep["IPAddress"] == attrs["IPAddress"]
    assert ep["VirtualNetworkName"] == "nat"
    assert ep["MacAddress"] == attrs["MacAddress"].replace(":", "-").upper()
    assert [s.lower() for s in ep["SharedContainers"]] == [c.id]
    # attached through HCS's EndpointList, not HNS's namespace API: docker's endpoints show no Namespace
    assert "Namespace" not in ep


def test_namespaces_default_and_container(ps, start_container):
    (default,) = _objs(ps, "Get-HnsNamespace")
    assert default["IsDefault"] is True and default["CompartmentId"] == 1
    assert default["ID"].lower() == "b1062982-2b18-4b4f-b3d5-a78ddb9cdd49"
    start_container()
    spaces = _objs(ps, "Get-HnsNamespace")
    assert len(spaces) == 2
    assert spaces[1]["IsDefault"] is False and spaces[1]["CompartmentId"] > 1


def test_list_view_shows_nested_objects_inline(ps, start_container):
    start_container()
    text = ps("Get-HnsEndpoint").text
    assert "VirtualNetworkName : nat" in text
    assert "Resources          : @{AdditionalParams=" in text


def test_unknown_id_fails_like_the_module(ps):
    result = ps("Get-HnsEndpoint -Id 00000000-0000-0000-0000-000000000001")
    assert result.errors[0].message == "HNS failed with error : Element not found."
