"""HCS compute systems as vmcompute.dll reports them (schema1), and the direct lifecycle.

for cs in host.hcs.list():
    cs.id, cs.owner, cs.state
host.hcs.get(container_id)          # None when HCS does not know it
with host.hcs.direct(image) as c:   # the seed's sequence without Docker (see drivers/direct.py)
    c.create_scratch(); c.activate(); c.create_endpoint(); c.create_compute_system(); c.start()
"""

from __future__ import annotations

import builtins
import json
from typing import TYPE_CHECKING, Any

from drivers.base import PR, DriverBase, first, probe
from drivers.direct import DirectContainer, DirectParts
from drivers.errors import DriverError
from drivers.models import ComputeSystem, HcsProcess
from drivers.probers import Call, Immediate

if TYPE_CHECKING:
    from drivers.session import PowerShellSession

PROCESS_LIST_QUERY = json.dumps({"PropertyTypes": ["ProcessList"]}, separators=(",", ":"))


class HcsDriver(DriverBase[PR]):
    def __init__(self, prober: PR, session: PowerShellSession, direct_parts: DirectParts | None) -> None:
        super().__init__(prober, session)
        self._direct_parts = direct_parts  # what the direct lifecycle uses besides HCS (none in a batch)

    @probe
    def list(self) -> Call[list[ComputeSystem]]:
        def parse(v: list[Any]) -> list[ComputeSystem]:
            doc = self._json(first(v, "[]"), "HcsEnumerateComputeSystems") or []
            return [ComputeSystem.from_json(o) for o in (doc if isinstance(doc, list) else [doc])]

        return Call("Get-WccComputeSystem", {"Query": "{}"}, parse)

    @probe
    def get(self, id: str) -> Call[ComputeSystem | None]:
        def parse(v: builtins.list[Any]) -> ComputeSystem | None:
            doc = self._json(v[0], "HcsGetComputeSystemProperties") if v else None
            return ComputeSystem.from_json(doc) if isinstance(doc, dict) else None

        return Call("Get-WccComputeSystemProperties", {"Id": id, "Query": "{}"}, parse)

    @probe
    def processes(self, id: str) -> Call[builtins.list[HcsProcess]]:
        """ProcessList of a compute system ([] when it does not exist or runs nothing)."""

        def parse(v: builtins.list[Any]) -> builtins.list[HcsProcess]:
            doc = self._json(v[0], "HcsGetComputeSystemProperties") if v else None
            items = (doc or {}).get("ProcessList") or [] if isinstance(doc, dict) else []
            return [HcsProcess.from_json(p) for p in items if isinstance(p, dict)]

        return Call("Get-WccComputeSystemProperties", {"Id": id, "Query": PROCESS_LIST_QUERY}, parse)

    def direct(
        self: HcsDriver[Immediate], image: str, network: str = "nat", isolation: str = "process"
    ) -> DirectContainer:
        self._immediate("HcsDriver.direct")
        if self._direct_parts is None:
            raise DriverError(
                f"{self.host_name}: this HCS driver was made without the direct lifecycle's parts"
            )
        return DirectContainer(self._direct_parts, image, network, isolation)
