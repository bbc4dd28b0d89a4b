r"""``Get-NetIPAddress``: the IPv4 addresses of the host's IP interfaces (MSFT_NetIPAddress).

>>> # PS> Get-NetIPAddress -InterfaceIndex 23 -AddressFamily IPv4 -IncludeAllCompartments

Default view is a list (``IPAddress InterfaceIndex InterfaceAlias AddressFamily Type PrefixLength
PrefixOrigin SuffixOrigin AddressState ValidLifetime PreferredLifetime SkipAsSource PolicyStore``).
Static addresses of vNICs: PrefixOrigin/SuffixOrigin Manual, AddressState Preferred (INFERRED:
HNS assigns them; the values follow a static NetIPAddress).
"""

from __future__ import annotations

from collections.abc import Iterable

from winsim.powershell.hostcommands._common import cim_not_found, cim_object, enum_args, select_by
from winsim.powershell.hostcommands._scope import compartment_filter
from winsim.powershell.hostcommands.netipinterface import ADDRESS_FAMILY
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, cmdlet

CIM_CLASS = "MSFT_NetIPAddress"
ADDRESS_TYPE = {1: "Unicast", 2: "Anycast"}
ORIGIN = {0: "Other", 1: "Manual", 2: "WellKnown", 3: "Dhcp", 4: "RouterAdvertisement"}
ADDRESS_STATE = {0: "Invalid", 1: "Tentative", 2: "Duplicate", 3: "Deprecated", 4: "Preferred"}
LIST = (
    "IPAddress",
    "InterfaceIndex",
    "InterfaceAlias",
    "AddressFamily",
    "Type",
    "PrefixLength",
    "PrefixOrigin",
    "SuffixOrigin",
    "AddressState",
    "ValidLifetime",
    "PreferredLifetime",
    "SkipAsSource",
    "PolicyStore",
)
INFINITE = "Infinite ([TimeSpan]::MaxValue)"


@cmdlet(
    "Get-NetIPAddress",
    Param("IPAddress", position=0, type="string[]"),
    Param("InterfaceIndex", type="int[]", aliases=("ifIndex",)),
    Param("InterfaceAlias", type="string[]", aliases=("ifAlias",)),
    Param("AddressFamily", type="object"),
    Param("CompartmentId", type="int[]"),
    Param("IncludeAllCompartments", switch=True),
)
def get_net_ip_address(inv: Invocation) -> Iterable[PSObject]:
    model = inv.host.model
    scope, asked = compartment_filter(inv, honour_compartment_id=True)
    families = enum_args(inv, "AddressFamily", ADDRESS_FAMILY, "NetIPAddress.AddressFamily")
    nics = [n for n in model.net.interfaces() if scope is None or n.compartment_id in scope]
    nics = [n for n in nics if not asked or n.compartment_id in asked]
    nics = select_by(
        inv,
        nics,
        "InterfaceIndex",
        lambda n: n.if_index,
        lambda v: cim_not_found(inv, CIM_CLASS, "InterfaceIndex", v),
    )
    nics = select_by(
        inv,
        nics,
        "InterfaceAlias",
        lambda n: n.alias,
        lambda v: cim_not_found(inv, CIM_CLASS, "InterfaceAlias", v),
    )
    rows = [(n, address, prefix) for n in nics for address, prefix in n.addresses]
    rows = select_by(
        inv, rows, "IPAddress", lambda r: r[1], lambda v: cim_not_found(inv, CIM_CLASS, "IPAddress", v)
    )
    objs = [
        cim_object(
            CIM_CLASS,
            {
                "IPAddress": address,
                "InterfaceIndex": nic.if_index,
                "InterfaceAlias": nic.alias,
                "AddressFamily": 2,
                "Type": 1,
                "PrefixLength": prefix,
                "PrefixOrigin": 1,
                "SuffixOrigin": 1,
                "AddressState": 4,
                "ValidLifetime": INFINITE,
                "PreferredLifetime": INFINITE,
                "SkipAsSource": False,
                "PolicyStore": "ActiveStore",
            },
            LIST,
            "list",
            {
                "AddressFamily": ADDRESS_FAMILY,
                "Type": ADDRESS_TYPE,
                "PrefixOrigin": ORIGIN,
                "SuffixOrigin": ORIGIN,
                "AddressState": ADDRESS_STATE,
            },
        )
        for nic, address, prefix in rows
    ]
    if families is not None:
        objs = [o for o in objs if o.get("AddressFamily") in families]
    return objs
