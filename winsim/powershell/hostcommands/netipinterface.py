r"""``Get-NetIPInterface``: the IP interfaces of the host's network compartments.

>>> # PS> Get-NetIPInterface -AddressFamily IPv4 -IncludeAllCompartments | Where InterfaceAlias -Like "*Container NIC*"

Default table: ``ifIndex InterfaceAlias AddressFamily NlMtu(Bytes) InterfaceMetric Dhcp ConnectionState
PolicyStore``.  Enum properties hold their numbers (ConvertTo-Json writes those) and print as names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winsim.deviations import Deviation
from winsim.model.netstack import IpInterface
from winsim.powershell.hostcommands._common import (
    cim_not_found,
    cim_object,
    enum_args,
    select_by,
    write_error,
)
from winsim.powershell.hostcommands._scope import compartment_filter
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, cmdlet

CIM_CLASS = "MSFT_NetIPInterface"
ADDRESS_FAMILY = {2: "IPv4", 23: "IPv6"}
ENABLED = {0: "Disabled", 1: "Enabled"}
CONNECTION_STATE = {0: "Disconnected", 1: "Connected"}
POLICY_STORE = "ActiveStore"
TABLE = (
    "ifIndex",
    "InterfaceAlias",
    "AddressFamily",
    "NlMtu",
    "InterfaceMetric",
    "Dhcp",
    "ConnectionState",
    "PolicyStore",
)
LABELS = {"NlMtu": "NlMtu(Bytes)"}
# The NetTCPIP format data left-aligns ifIndex (windows-internals.md §5.2 table sample).
ALIGN = {"ifIndex": "left"}
# The NetTCPIP format data's fixed column widths (tests/fidelity/samples/get-netipinterface-host-1809.txt).
WIDTHS = {
    "ifIndex": 7,
    "InterfaceAlias": 31,
    "AddressFamily": 13,
    "NlMtu": 12,
    "InterfaceMetric": 15,
    "Dhcp": 8,
    "ConnectionState": 15,
}


def _number(names: dict[int, str], name: str) -> int:
    return next((n for n, text in names.items() if text.casefold() == name.casefold()), 0)


def interface_object(nic: IpInterface) -> PSObject:
    props: dict[str, Any] = {
        "ifIndex": nic.if_index,
        "InterfaceIndex": nic.if_index,
        "InterfaceAlias": nic.alias,
        "ifAlias": nic.alias,
        "CompartmentId": nic.compartment_id,
        "AddressFamily": _number(ADDRESS_FAMILY, nic.address_family),
        "Forwarding": 0,
        "Advertising": 0,
        "NlMtu": nic.nl_mtu,
        "AutomaticMetric": 1,
        "InterfaceMetric": nic.interface_metric,
        "Dhcp": _number(ENABLED, nic.dhcp),
        "ConnectionState": _number(CONNECTION_STATE, nic.connection_state),
        "PolicyStore": POLICY_STORE,
    }
    enums = {
        "AddressFamily": ADDRESS_FAMILY,
        "Forwarding": ENABLED,
        "Advertising": ENABLED,
        "AutomaticMetric": ENABLED,
        "Dhcp": ENABLED,
        "ConnectionState": CONNECTION_STATE,
    }
    return cim_object(CIM_CLASS, props, TABLE, "table", enums, LABELS, ALIGN, WIDTHS)


@cmdlet(
    "Get-NetIPInterface",
    Param("InterfaceAlias", position=0, type="string[]", aliases=("ifAlias",)),
    Param("InterfaceIndex", type="int[]", aliases=("ifIndex",)),
    Param("AddressFamily", type="object"),
    Param("CompartmentId", type="int[]"),
    Param("IncludeAllCompartments", switch=True),
    Param("ConnectionState", type="object"),
    Param("Dhcp", type="object"),
    Param("PolicyStore", type="string"),
)
def get_net_ip_interface(inv: Invocation) -> Iterable[PSObject]:
    model = inv.host.model
    honour = not model.deviates(Deviation.COMPARTMENT_FILTER_IGNORED)
    scope, asked = compartment_filter(inv, honour_compartment_id=honour)
    families = enum_args(inv, "AddressFamily", ADDRESS_FAMILY, "NetIPInterface.AddressFamily")
    states = enum_args(inv, "ConnectionState", CONNECTION_STATE, "NetIPInterface.ConnectionState")
    dhcp = enum_args(inv, "Dhcp", ENABLED, "NetIPInterface.Dhcp")
    nics = [n for n in model.net.interfaces() if scope is None or n.compartment_id in scope]
    for cid in asked:
        if not any(n.compartment_id == cid for n in nics):
            write_error(inv, cim_not_found(inv, CIM_CLASS, "CompartmentId", str(cid)))
    nics = [n for n in nics if not asked or n.compartment_id in asked]
    nics = select_by(
        inv,
        nics,
        "InterfaceAlias",
        lambda n: n.alias,
        lambda v: cim_not_found(inv, CIM_CLASS, "InterfaceAlias", v),
    )
    nics = select_by(
        inv,
        nics,
        "InterfaceIndex",
        lambda n: n.if_index,
        lambda v: cim_not_found(inv, CIM_CLASS, "InterfaceIndex", v),
    )
    objs = [interface_object(n) for n in nics]
    for prop, wanted in (("AddressFamily", families), ("ConnectionState", states), ("Dhcp", dhcp)):
        if wanted is not None:
            objs = [o for o in objs if o.get(prop) in wanted]
    if "PolicyStore" in inv.args and str(inv.args["PolicyStore"]).casefold() != POLICY_STORE.casefold():
        return []  # winsim keeps no persistent store: nothing lives outside ActiveStore
    return objs
