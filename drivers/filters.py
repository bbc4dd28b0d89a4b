"""Filesystem filter drivers as ``fltmc filters`` lists them.

wcifs = next(f for f in host.filters.list() if f.name == "wcifs")
"""

from __future__ import annotations

from drivers.base import DriverBase
from drivers.models import Filter


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
