"""Which compartments ``Get-NetIPInterface`` / ``Get-NetRoute`` look at.

A session runs in compartment 1, and the NetTCPIP cmdlets show only the current compartment
unless ``-IncludeAllCompartments`` is given.  An explicit ``-CompartmentId`` names compartments
to look in (the seed runs ``Get-NetRoute -CompartmentId <id>`` alone); set
``COMPARTMENT_ID_NEEDS_INCLUDE_ALL`` if a real host turns out to require both switches.
"""

from __future__ import annotations

from winsim.powershell.registry import Invocation
from winsim.powershell.values import as_list, to_int

CURRENT_COMPARTMENT = 1
COMPARTMENT_ID_NEEDS_INCLUDE_ALL = False  # INFERRED: not checked on a real host


def compartment_filter(
    inv: Invocation, honour_compartment_id: bool = True
) -> tuple[set[int] | None, list[int]]:
    """(compartments to enumerate, None meaning all; the -CompartmentId values to filter by).

    ``honour_compartment_id=False`` models a host that ignores the filter: every compartment.
    """
    asked = [to_int(v) for v in as_list(inv.args["CompartmentId"])] if "CompartmentId" in inv.args else []
    if asked and not honour_compartment_id:
        return None, []
    include_all = inv.switch("IncludeAllCompartments") or (
        bool(asked) and not COMPARTMENT_ID_NEEDS_INCLUDE_ALL
    )
    return (None if include_all else {CURRENT_COMPARTMENT}), asked
