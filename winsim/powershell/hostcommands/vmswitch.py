r"""``Get-VMSwitch`` (the Hyper-V module): the virtual switch under each HNS network.

A nat network sits on an Internal switch of its name, with no adapter (docker/for-win#750 and #196:
``nat  Internal``; docker/for-win#294's ``Get-VMSwitch | fl`` for the property names and order,
of which the first are modelled).  The table view is ``Name SwitchType NetAdapterInterfaceDescription``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winsim.model.hns import HnsNetwork
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, cmdlet

TYPE_NAMES = [
    "Microsoft.HyperV.PowerShell.VMSwitch",
    "Microsoft.HyperV.PowerShell.VirtualizationObject",
    "System.Object",
]
TABLE = ("Name", "SwitchType", "NetAdapterInterfaceDescription")
# VMSwitchType: Private 0, Internal 1, External 2
SWITCH_TYPE = {0: "Private", 1: "Internal", 2: "External"}
# INFERRED: networks bound to an adapter sit on an External switch, private ones on a Private one
_TYPE_OF = {"nat": 1, "ics": 1, "internal": 1, "private": 0}


def switch_object(net: HnsNetwork) -> PSObject:
    kind = _TYPE_OF.get(net.type, 2)
    props: dict[str, Any] = {
        "Name": net.name,
        "Id": net.layered_on.lower(),
        "Notes": "",
        "Extensions": [],
        "BandwidthReservationMode": "Absolute",
        "PacketDirectEnabled": False,
        "EmbeddedTeamingEnabled": False,
        "IovEnabled": False,
        "SwitchType": kind,
        "AllowManagementOS": kind != 0,
        "NetAdapterInterfaceDescription": net.adapter_name if kind == 2 else None,
    }
    obj = PSObject(TYPE_NAMES, props, list(TABLE), "table")
    obj.enum_names["SwitchType"] = SWITCH_TYPE
    return obj


@cmdlet("Get-VMSwitch", Param("Name", position=0, type="string[]"), Param("SwitchType", type="string[]"))
def get_vm_switch(inv: Invocation) -> Iterable[PSObject]:
    names = [str(n).casefold() for n in inv.args.get("Name") or []]
    kinds = [str(k).casefold() for k in inv.args.get("SwitchType") or []]
    out = []
    for net in inv.host.model.hns.networks():
        obj = switch_object(net)
        if names and net.name.casefold() not in names:
            continue
        if kinds and SWITCH_TYPE[obj["SwitchType"]].casefold() not in kinds:
            continue
        out.append(obj)
    return out
