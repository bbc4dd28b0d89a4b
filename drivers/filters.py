"""Filesystem filter drivers as ``fltmc filters`` lists them.

wcifs = next(f for f in host.filters.list() if f.name == "wcifs")
"""

from __future__ import annotations

from drivers.base import PR, DriverBase, probe
from drivers.models import Filter
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
