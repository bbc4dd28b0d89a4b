"""The Hyper-V-Compute operational event log.

for e in host.events.hcs_operational(since=started):
    e.time_created, e.id, e.system_id
"""

from __future__ import annotations

from datetime import UTC, datetime

from drivers.base import PR, DriverBase, probe
from drivers.models import Event
from drivers.probers import Call

HCS_OPERATIONAL = "Microsoft-Windows-Hyper-V-Compute-Operational"


class EventsDriver(DriverBase[PR]):
    @probe
    def hcs_operational(self, since: datetime | None = None) -> Call[list[Event]]:
        return _events(HCS_OPERATIONAL, since)

    @probe
    def log(self, log_name: str, since: datetime | None = None) -> Call[list[Event]]:
        return _events(log_name, since)


def _events(log_name: str, since: datetime | None) -> Call[list[Event]]:
    args: dict[str, object] = {"LogName": log_name}
    if since is not None:
        aware = since if since.tzinfo else since.replace(tzinfo=UTC)
        args["Since"] = aware.astimezone(UTC).isoformat()
    return Call(
        "Get-WccEvent", args, lambda v: sorted((Event.from_json(o) for o in v), key=lambda e: e.time_created)
    )
