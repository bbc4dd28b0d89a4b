"""The Hyper-V-Compute operational event log.

for e in host.events.hcs_operational(since=started):
    e.time_created, e.id, e.system_id
"""

from __future__ import annotations

from datetime import UTC, datetime

from drivers.base import DriverBase
from drivers.models import Event

HCS_OPERATIONAL = "Microsoft-Windows-Hyper-V-Compute-Operational"


class EventsDriver(DriverBase):
    def hcs_operational(self, since: datetime | None = None) -> list[Event]:
        return self.log(HCS_OPERATIONAL, since)

    def log(self, log_name: str, since: datetime | None = None) -> list[Event]:
        args: dict[str, object] = {"LogName": log_name}
        if since is not None:
            aware = since if since.tzinfo else since.replace(tzinfo=UTC)
            args["Since"] = aware.astimezone(UTC).isoformat()
        return self._probe(
            "Get-WccEvent",
            args,
            lambda v: sorted((Event.from_json(o) for o in v), key=lambda e: e.time_created),
        )
