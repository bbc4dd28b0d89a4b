"""Filesystem filter drivers as ``fltmc filters`` lists them, and their instances on one volume.

wcifs = next(f for f in host.filters.list() if f.name == "wcifs")
on_layer = host.filters.instances(host.layers.mount_path(scratch))
"""

from __future__ import annotations

import builtins

from drivers.base import PR, DriverBase, probe
from drivers.models import Filter, FilterInstance
from drivers.probers import Call


class FiltersDriver(DriverBase[PR]):
    @probe
    def list(self) -> Call[list[Filter]]:
        return Call("Get-WccFilter", {}, lambda v: [Filter.from_json(o) for o in v])

    @probe
    def get(self, name: str) -> Call[Filter | None]:
        return Call(
            "Get-WccFilter",
            {},
            lambda v: next(
                (f for f in (Filter.from_json(o) for o in v) if f.name.lower() == name.lower()), None
            ),
        )

    @probe
    def instances(self, volume: str) -> Call[builtins.list[FilterInstance]]:
        """``fltmc instances -v <volume>``: the instances attached to that volume only."""
        return Call(
            "Get-WccFilterInstance", {"Volume": volume}, lambda v: [FilterInstance.from_json(o) for o in v]
        )
