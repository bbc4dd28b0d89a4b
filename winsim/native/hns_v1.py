"""HNS's v1 JSON documents: the records of ``winsim.model.hns`` as HNSCall and hns.psm1 show them.

Keys and their order are HNS's own (fidelity samples hns-network-*, get-hnsendpoint-list-win11);
``Get-HnsNetwork`` and friends pass these same documents through ``ConvertFrom-Json``.

>>> network_document(hns.network_by_name("nat"))["Type"]  # doctest: +SKIP
'nat'
"""

from __future__ import annotations

from typing import Any

from winsim.model.hns import HnsEndpoint, HnsNamespace, HnsNetwork

# The vSwitch extensions every HNS network lists (fidelity samples hns-network-nat-raw-*).
SWITCH_EXTENSIONS = (
    {
        "Id": "E7C3B2F0-F3C5-48DF-AF2B-10FED6D72E7A",
        "IsEnabled": False,
        "Name": "Microsoft Windows Filtering Platform",
    },
    {
        "Id": "F74F241B-440F-4433-BB28-00F89EAD20D8",
        "IsEnabled": False,
        "Name": "Microsoft Azure VFP Switch Extension",
    },
    {"Id": "430BDADD-BAB0-41AB-A369-94B67FA5BE0A", "IsEnabled": True, "Name": "Microsoft NDIS Capture"},
)


def network_document(net: HnsNetwork) -> dict[str, Any]:
    """A network in v1 JSON: keys in ordinal order, as HNS writes them."""
    count = net.endpoint_count
    subnet = {
        "AdditionalParams": {},
        "AddressPrefix": str(net.subnet),
        "Flags": 0,
        "GatewayAddress": net.gateway,
        "Health": {"LastErrorCode": 0, "LastUpdateTime": net.updated},
        "ID": net.subnet_id,
        "ObjectType": 5,
        "Policies": [],
        "State": 0,
    }
    out: dict[str, Any] = {
        "ActivityId": net.activity_id,
        "AdditionalParams": {},
        "CurrentEndpointCount": count,
        "Extensions": [dict(e) for e in SWITCH_EXTENSIONS],
        "Flags": 0,
        "Health": {"LastErrorCode": 0, "LastUpdateTime": net.updated},
        "ID": net.id,
        "IPv6": False,
        "LayeredOn": net.layered_on,
        "MacPools": [{"EndMacAddress": net.mac_pool[1], "StartMacAddress": net.mac_pool[0]}],
        "MaxConcurrentEndpoints": max(count, 1),
        "Name": net.name,
        "Policies": list(net.policies),
        "State": 1,
        "Subnets": [subnet],
        "TotalEndpoints": count,
        "Type": net.type,
        "Version": 38654705666,
    }
    if net.nat_name:
        out["NatName"] = net.nat_name
    if net.adapter_name:
        out["NetworkAdapterName"] = net.adapter_name
    if net.dns_suffix:
        out["DNSSuffix"] = net.dns_suffix
    if net.dns_servers:
        out["DNSServerList"] = net.dns_servers
    return dict(sorted(out.items()))


def endpoint_document(ep: HnsEndpoint) -> dict[str, Any]:
    """An endpoint in v1 JSON, in the order HNS writes it."""
    out: dict[str, Any] = {
        "ID": ep.id,
        "Name": ep.name,
        "Version": 38654705666,
        "AdditionalParams": {},
        "Resources": {
            "AdditionalParams": {},
            "AllocationOrder": 0,
            "CompartmentOperationTime": 0,
            "Flags": 0,
            "Health": {"LastErrorCode": 0, "LastUpdateTime": 0},
            "ID": ep.resource_id,
            "PortOperationTime": 0,
            "State": 1,
            "SwitchOperationTime": 0,
            "VfpOperationTime": 0,
        },
        "State": ep.state,
        "VirtualNetwork": ep.network_id,
        "VirtualNetworkName": ep.network_name,
        "Policies": list(ep.policies),
        "MacAddress": ep.mac,
        "IPAddress": ep.ip,
        "PrefixLength": ep.prefix,
        "GatewayAddress": ep.gateway,
        "IPSubnetId": ep.subnet_id.lower(),
    }
    if ep.dns_servers:
        out["DNSServerList"] = ep.dns_servers
    if ep.dns_suffix:
        out["DNSSuffix"] = ep.dns_suffix
    if ep.enable_internal_dns:
        out["EnableInternalDNS"] = True
    if ep.namespace_id and ep.namespaced:
        out["Namespace"] = {"ID": ep.namespace_id, "IsDefault": False, "CompartmentId": ep.compartment_id}
    out["SharedContainers"] = list(ep.shared_containers)
    out["Type"] = ep.network_type
    return out


def namespace_document(ns: HnsNamespace) -> dict[str, Any]:
    return {
        "ID": ns.id,
        "CompartmentGuid": ns.compartment_guid,
        "CompartmentId": ns.compartment_id,
        "IsDefault": ns.is_default,
        "ResourceList": [{"Type": "Endpoint", "Data": {"Id": e}} for e in ns.endpoint_ids],
    }


def endpoint_stats_document(ep: HnsEndpoint) -> dict[str, Any]:
    """GET /endpointstats/<id>: the counters (the model moves no packets)."""
    return {"EndpointID": ep.id, "BytesReceived": 0, "BytesSent": 0, "PacketsReceived": 0, "PacketsSent": 0}
