r"""``Get-NetCompartment`` (and, only on a host deviating with ``compartment-writable``, ``Set-NetCompartment``).

Compartments are read-only to users on Windows: no cmdlet creates or changes one, so on a faithful
host ``Set-NetCompartment`` / ``New-NetCompartment`` are unknown commands.

>>> # PS> Get-NetCompartment | Where-Object CompartmentDescription -like '\Container_*'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from winsim.deviations import Deviation
from winsim.model.netstack import COMPARTMENT_TYPES, Compartment
from winsim.powershell.hostcommands._common import cim_not_found, cim_object, filter_cim
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, cmdlet
from winsim.powershell.values import as_list, to_int, to_string

CIM_CLASS = "MSFT_NetCompartment"
# CompartmentType is an enum; its number is its position in the model's list of names.
TYPE_NAMES: dict[int, str] = dict(enumerate(COMPARTMENT_TYPES))
# The default list view (tests/fidelity/samples/get-netcompartment-docs.txt, matched); that
# CompartmentType is left out of it is INFERRED: the sample's three lines are the whole object as
# the docs print it, and no transcript of `Format-List *` shows where the type appears.
DEFAULT_VIEW = ("CompartmentId", "CompartmentDescription", "CompartmentGuid")


def compartment_object(comp: Compartment, shift_container_type: bool = False) -> PSObject:
    """``shift_container_type`` is the deviation compartment-type-number-shifted (not the default compartment)."""
    number = COMPARTMENT_TYPES.index(comp.type) if comp.type in COMPARTMENT_TYPES else 0
    if shift_container_type and comp.id != 1:
        number += 1
    props: dict[str, Any] = {
        "CompartmentId": comp.id,
        "CompartmentDescription": comp.description,
        "CompartmentGuid": comp.guid,
        "CompartmentType": number,
    }
    return cim_object(CIM_CLASS, props, DEFAULT_VIEW, "list", {"CompartmentType": TYPE_NAMES})


@cmdlet(
    "Get-NetCompartment",
    Param("CompartmentId", type="int[]"),
    Param("CompartmentDescription", type="string[]"),
    Param("CompartmentGuid", type="string[]"),
)
def get_net_compartment(inv: Invocation) -> Iterable[PSObject]:
    comps = inv.host.model.net.compartments()
    keys: dict[str, Callable[[Compartment], Any]] = {
        "CompartmentId": lambda c: c.id,
        "CompartmentDescription": lambda c: c.description,
        "CompartmentGuid": lambda c: c.guid,
    }
    shifted = inv.host.model.deviates(Deviation.COMPARTMENT_TYPE_NUMBER_SHIFTED)
    return [compartment_object(c, shifted) for c in filter_cim(inv, comps, CIM_CLASS, keys)]


def _writable(host: Any) -> bool:
    return Deviation.COMPARTMENT_WRITABLE in host.deviations


@cmdlet(
    "Set-NetCompartment",
    Param("CompartmentId", position=0, mandatory=True, type="int[]"),
    Param("CompartmentDescription", type="string"),
    Param("PassThru", switch=True),
    available=_writable,
)
def set_net_compartment(inv: Invocation) -> Iterable[PSObject]:
    """Exists only on a deviating host: it rewrites a compartment's description in place."""
    model = inv.host.model
    out: list[PSObject] = []
    for raw in as_list(inv.args["CompartmentId"]):
        comp = model.net.compartment(to_int(raw))
        if comp is None:
            raise cim_not_found(inv, CIM_CLASS, "CompartmentId", to_string(raw))
        if "CompartmentDescription" in inv.args:
            comp = (
                model.net.describe_compartment(comp.id, to_string(inv.args["CompartmentDescription"])) or comp
            )
        if inv.switch("PassThru"):
            out.append(compartment_object(comp))
    return out
