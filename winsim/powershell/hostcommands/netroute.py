r"""``Get-NetRoute``: the IPv4 routing table of the host's network compartments.

>>> # PS> Get-NetRoute -CompartmentId 2

Default table: ``ifIndex DestinationPrefix NextHop RouteMetric ifMetric PolicyStore``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from winsim.deviations import Deviation
from winsim.model.netstack import IpInterface, Route
from winsim.powershell.hostcommands._common import (
    cim_not_found,
    cim_object,
    enum_args,
    filter_cim,
    write_error,
)
from winsim.powershell.hostcommands._scope import compartment_filter
from winsim.powershell.hostcommands.netipinterface import ADDRESS_FAMILY, POLICY_STORE
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, cmdlet

CIM_CLASS = "MSFT_NetRoute"
# MSFT_NetRoute.Protocol (the routing protocol that made the route).
PROTOCOL = {1: "Other", 2: "Local", 3: "NetMgmt", 4: "Icmp", 19: "Dhcp"}
TABLE = ("ifIndex", "DestinationPrefix", "NextHop", "RouteMetric", "ifMetric", "PolicyStore")
# Windows Server 2016's NetTCPIP format data has no ifMetric column (tests/fidelity/samples/
# get-netroute-2016.txt; get-netroute-header-2021.txt shows it on 1809).
TABLE_BEFORE_1809 = ("ifIndex", "DestinationPrefix", "NextHop", "RouteMetric", "PolicyStore")
IF_METRIC_COLUMN_BUILD = 17763
# NetTCPIP format data left-aligns the interface columns (INFERRED from Get-NetRoute samples; data).
ALIGN = {"ifIndex": "left", "ifMetric": "left"}
# The NetTCPIP format data's fixed column widths (tests/fidelity/samples/get-netroute-*.txt).
WIDTHS = {"ifIndex": 7, "DestinationPrefix": 46, "NextHop": 40, "RouteMetric": 11, "ifMetric": 8}


def route_object(route: Route, nic: IpInterface | None, build: int = IF_METRIC_COLUMN_BUILD) -> PSObject:
    protocol = next((n for n, name in PROTOCOL.items() if name.casefold() == route.protocol.casefold()), 1)
    props: dict[str, Any] = {
        "ifIndex": route.if_index,
        "DestinationPrefix": route.destination_prefix,
        "NextHop": route.next_hop,
        "RouteMetric": route.route_metric,
        "ifMetric": nic.interface_metric if nic else None,
        "PolicyStore": POLICY_STORE,
        "InterfaceAlias": nic.alias if nic else None,
        "InterfaceIndex": route.if_index,
        "AddressFamily": 2,
        "CompartmentId": route.compartment_id,
        "Protocol": protocol,
        "Publish": "No",
        "InterfaceMetric": nic.interface_metric if nic else None,
    }
    table = TABLE if build >= IF_METRIC_COLUMN_BUILD else TABLE_BEFORE_1809
    return cim_object(
        CIM_CLASS,
        props,
        table,
        "table",
        {"AddressFamily": ADDRESS_FAMILY, "Protocol": PROTOCOL},
        align=ALIGN,
        widths=WIDTHS,
    )


@cmdlet(
    "Get-NetRoute",
    Param("DestinationPrefix", position=0, type="string[]"),
    Param("InterfaceAlias", type="string[]", aliases=("ifAlias",)),
    Param("InterfaceIndex", type="int[]", aliases=("ifIndex",)),
    Param("NextHop", type="string[]"),
    Param("AddressFamily", type="object"),
    Param("CompartmentId", type="int[]"),
    Param("IncludeAllCompartments", switch=True),
    Param("PolicyStore", type="string"),
)
def get_net_route(inv: Invocation) -> Iterable[PSObject]:
    net = inv.host.model.net
    scope, asked = compartment_filter(
        inv, honour_compartment_id=not inv.host.model.deviates(Deviation.ROUTE_FILTER_IGNORED)
    )
    families = enum_args(inv, "AddressFamily", ADDRESS_FAMILY, "NetRoute.AddressFamily")
    nics = {n.if_index: n for n in net.interfaces()}
    routes = [r for r in net.routes() if scope is None or r.compartment_id in scope]
    for cid in asked:
        if not any(r.compartment_id == cid for r in routes):
            write_error(inv, cim_not_found(inv, CIM_CLASS, "CompartmentId", str(cid)))
    routes = [r for r in routes if not asked or r.compartment_id in asked]
    if families is not None and 2 not in families:
        routes = []  # the model has IPv4 routes only
    keys: dict[str, Callable[[Route], Any]] = {
        "DestinationPrefix": lambda r: r.destination_prefix,
        "NextHop": lambda r: r.next_hop,
        "InterfaceIndex": lambda r: r.if_index,
        "InterfaceAlias": lambda r: nics[r.if_index].alias if r.if_index in nics else "",
    }
    routes = filter_cim(inv, routes, CIM_CLASS, keys)
    if "PolicyStore" in inv.args and str(inv.args["PolicyStore"]).casefold() != POLICY_STORE.casefold():
        return []
    build = inv.host.model.profile.build
    return [route_object(r, nics.get(r.if_index), build) for r in sorted(routes, key=_listing_order)]


def _listing_order(route: Route) -> tuple[int, int, int]:
    """Highest destination first (255.255.255.255/32, 224.0.0.0/4, ..., 0.0.0.0/0), as the
    route table lists (tests/fidelity/samples/get-netroute-2016.txt); among equal destinations
    the higher ifIndex first (INFERRED: that sample's ties run 46, 18, 10, 5, 11, 1, mostly so)."""
    network = ipaddress.ip_network(route.destination_prefix, strict=False)
    return (-int(network.network_address), -network.prefixlen, -route.if_index)
