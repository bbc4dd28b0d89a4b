r"""``Get-NetNat`` and ``Get-NetNatStaticMapping`` (the NetNat module's CIM classes) from WinNAT.

A nat network's NAT lists as docker/for-win#750 shows it on a Server 2016 host (a list of Name,
ExternalIPInterfaceAddressPrefix, InternalIPInterfaceAddressPrefix = the network's prefix, the
timeouts and filtering behaviours, Store, Active); a static mapping has the properties
``Add-NetNatStaticMapping`` takes (learn.microsoft.com, netnat/add-netnatstaticmapping), in that
order after StaticMappingID and NatName, with Active (INFERRED: order and defaults, no captured list).

>>> # PS> Get-NetNatStaticMapping | Where-Object ExternalPort -eq 8080
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from winsim.model.winnat import NetNat, StaticMapping
from winsim.powershell.hostcommands._common import cim_object, filter_cim
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, cmdlet

NAT_CLASS = "MSFT_NetNat"
MAPPING_CLASS = "MSFT_NetNatStaticMapping"
# INFERRED numbers of the NetNat enums whose names the for-win#750 list shows
FILTERING = {0: "EndpointIndependentFiltering", 1: "AddressDependentFiltering"}
STORE = {0: "Local", 1: "Cluster"}
PROTOCOL = {6: "TCP", 17: "UDP"}  # IP protocol numbers
NAT_VIEW = (
    "Name",
    "ExternalIPInterfaceAddressPrefix",
    "InternalIPInterfaceAddressPrefix",
    "IcmpQueryTimeout",
    "TcpEstablishedConnectionTimeout",
    "TcpTransientConnectionTimeout",
    "TcpFilteringBehavior",
    "UdpFilteringBehavior",
    "UdpIdleSessionTimeout",
    "UdpInboundRefresh",
    "Store",
    "Active",
)
MAPPING_VIEW = (
    "StaticMappingID",
    "NatName",
    "Protocol",
    "RemoteExternalIPAddressPrefix",
    "ExternalIPAddress",
    "ExternalPort",
    "InternalIPAddress",
    "InternalPort",
    "InternalRoutingDomainId",
    "Active",
)
NO_ROUTING_DOMAIN = "{00000000-0000-0000-0000-000000000000}"


def nat_object(nat: NetNat) -> PSObject:
    props: dict[str, Any] = {
        "Name": nat.name,
        "ExternalIPInterfaceAddressPrefix": None,
        "InternalIPInterfaceAddressPrefix": nat.internal_prefix,
        "IcmpQueryTimeout": 30,
        "TcpEstablishedConnectionTimeout": 1800,
        "TcpTransientConnectionTimeout": 120,
        "TcpFilteringBehavior": 1,
        "UdpFilteringBehavior": 1,
        "UdpIdleSessionTimeout": 120,
        "UdpInboundRefresh": False,
        "Store": 0,
        "Active": True,
    }
    enums = {"TcpFilteringBehavior": FILTERING, "UdpFilteringBehavior": FILTERING, "Store": STORE}
    return cim_object(NAT_CLASS, props, NAT_VIEW, "list", enums)


def mapping_object(m: StaticMapping) -> PSObject:
    props: dict[str, Any] = {
        "StaticMappingID": m.id,
        "NatName": m.nat_name,
        "Protocol": next(n for n, name in PROTOCOL.items() if name == m.protocol),
        "RemoteExternalIPAddressPrefix": "0.0.0.0/0",
        "ExternalIPAddress": m.external_ip,
        "ExternalPort": m.external_port,
        "InternalIPAddress": m.internal_ip,
        "InternalPort": m.internal_port,
        "InternalRoutingDomainId": NO_ROUTING_DOMAIN,
        "Active": True,
    }
    return cim_object(MAPPING_CLASS, props, MAPPING_VIEW, "list", {"Protocol": PROTOCOL})


@cmdlet("Get-NetNat", Param("Name", position=0, type="string[]"))
def get_net_nat(inv: Invocation) -> Iterable[PSObject]:
    keys: dict[str, Callable[[NetNat], Any]] = {"Name": lambda n: n.name}
    return [nat_object(n) for n in filter_cim(inv, inv.host.model.hns.winnat.nats(), NAT_CLASS, keys)]


@cmdlet("Get-NetNatStaticMapping", Param("NatName", position=0, type="string[]"))
def get_net_nat_static_mapping(inv: Invocation) -> Iterable[PSObject]:
    keys: dict[str, Callable[[StaticMapping], Any]] = {"NatName": lambda m: m.nat_name}
    mappings = inv.host.model.hns.winnat.mappings()
    return [mapping_object(m) for m in filter_cim(inv, mappings, MAPPING_CLASS, keys)]
