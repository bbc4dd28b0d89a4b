"""Get-NetNat, Get-NetNatStaticMapping and Get-VMSwitch: WinNAT and the switch under HNS's nat network."""

from __future__ import annotations

import json


def _objs(ps, script):
    result = ps(script + " | ConvertTo-Json -Depth 4 -Compress")
    assert result.errors == [], result.error_text
    data = json.loads(result.objects[0]) if result.objects else []
    return data if isinstance(data, list) else [data]


def test_net_nat_is_the_nat_networks_prefix(ps):
    (nat,) = _objs(ps, "Get-NetNat")
    (network,) = _objs(ps, "Get-HnsNetwork")
    assert nat["Name"] == network["NatName"]
    assert nat["InternalIPInterfaceAddressPrefix"] == network["Subnets"][0]["AddressPrefix"]
    assert (nat["Active"], nat["Store"], nat["TcpFilteringBehavior"]) == (True, 0, 1)
    text = ps("Get-NetNat").text
    assert f"InternalIPInterfaceAddressPrefix : {nat['InternalIPInterfaceAddressPrefix']}" in text
    assert "TcpFilteringBehavior             : AddressDependentFiltering" in text


def test_static_mapping_of_a_published_port(ps, docker_client, sim_host):
    image = f"mcr.microsoft.com/windows/servercore:{sim_host.profile.ltsc_tag}"
    c = docker_client.containers.run(
        image, ["powershell"], detach=True, stdin_open=True, ports={"80/tcp": 8080}
    )
    (mapping,) = _objs(ps, "Get-NetNatStaticMapping")
    ip = docker_client.containers.get(c.id).attrs["NetworkSettings"]["Networks"]["nat"]["IPAddress"]
    (nat,) = _objs(ps, "Get-NetNat")
    assert {k: mapping[k] for k in ("NatName", "Protocol", "ExternalIPAddress", "ExternalPort")} == {
        "NatName": nat["Name"],
        "Protocol": 6,
        "ExternalIPAddress": "0.0.0.0",
        "ExternalPort": 8080,
    }
    assert (mapping["InternalIPAddress"], mapping["InternalPort"]) == (ip, 80)
    assert "Protocol                      : TCP" in ps("Get-NetNatStaticMapping").text
    c.remove(force=True)
    assert _objs(ps, "Get-NetNatStaticMapping") == []


def test_vm_switch_of_the_nat_network(ps):
    (switch,) = _objs(ps, "Get-VMSwitch")
    assert (switch["Name"], switch["SwitchType"]) == ("nat", 1)
    lines = ps("Get-VMSwitch").text.strip().splitlines()
    assert lines[0].split() == ["Name", "SwitchType", "NetAdapterInterfaceDescription"]
    assert lines[2].split() == ["nat", "Internal"]
