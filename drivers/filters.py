"""Filesystem filter drivers as ``fltmc filters`` lists them, and their instances on one volume.

wcifs = next(f for f in host.filters.list() if f.name == "wcifs")
on_layer = host.filters.instances(host.layers.mount_path(scratch))
"""

from __future__ import annotations

import builtins

from drivers.base import DriverBase
from drivers.models import Filter, FilterInstance


class FiltersDriver(DriverBase):
    def list(self) -> list[Filter]:
        return self._probe("Get-WccFilter", {}, lambda v: [Filter.from_json(o) for o in v])

    def get(self, name: str) -> Filter | None:
        return self._probe(
            "Get-WccFilter",
            {},
            lambda v: next(
                (f for f in (Filter.from_json(o) for o in v) if f.name.lower() == name.lower()), None
            ),
        )

    def instances(self, volume: str) -> builtins.list[FilterInstance]:
        """``fltmc instances -v <volume>``: the instances attached to that volume only."""
        return self._probe(
            "Get-WccFilterInstance", {"Volume": volume}, lambda v: [FilterInstance.from_json(o) for o in v]
        )
