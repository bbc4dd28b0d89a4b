"""Windows event logs the simulated host writes (``Get-WinEvent`` reads them).

The Hyper-V-Compute operational channel gets one record per compute-system create, start and
terminate, carrying the compute system id.  The real message texts and ids for these events
are not public (windows-internals.md §5.9); the values below are INFERRED and kept as data.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

HCS_OPERATIONAL = "Microsoft-Windows-Hyper-V-Compute-Operational"
HCS_ADMIN = "Microsoft-Windows-Hyper-V-Compute-Admin"
# Written when vmcompute starts (tests/fidelity/samples/hyperv-compute-admin-1001.txt).
HCS_STARTED = (1001, "The Host Compute Service started successfully.")
HCS_PROVIDER = "Microsoft-Windows-Hyper-V-Compute"

# action -> (event id, message template).  INFERRED: ids and texts not captured from a real host.
HCS_EVENTS: dict[str, tuple[int, str]] = {
    "create": (2000, "The compute system '{id}' was created."),
    "start": (2001, "The compute system '{id}' started."),
    "terminate": (2003, "The compute system '{id}' was terminated."),
    "shutdown": (2002, "The compute system '{id}' was shut down."),
}

# HCS's error event when a compute system needs Hyper-V and the host has not the role: its id and
# text as HCS returns them in the call's ErrorEvents (tests/fidelity/samples/hyperv-compute-11008-no-role.txt);
# the channel (Admin) and level (Error) are INFERRED.
HYPERV_NOT_INSTALLED_EVENT = (
    11008,
    "Cannot create system '{id}' since Hyper-V is not installed on the host.",
)

LEVEL_NAMES = {1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"}


@dataclass(frozen=True)
class EventRecord:
    record_id: int
    log_name: str
    provider_name: str
    id: int
    level: int
    time_created: datetime  # timezone-aware UTC
    message: str
    system_id: str | None = None

    @property
    def level_display_name(self) -> str:
        return LEVEL_NAMES.get(self.level, str(self.level))


class EventLog:
    """All channels of the host.  ``records(log)`` returns oldest first (Get-WinEvent reverses)."""

    def __init__(self, lock: threading.RLock, enabled: bool = True) -> None:
        self._lock = lock
        self._records: list[EventRecord] = []
        self._last_id: dict[str, int] = {}  # lower-case log name -> its last EventRecordID
        self._hcs_enabled = enabled

    def write(
        self,
        log_name: str,
        provider: str,
        event_id: int,
        message: str,
        system_id: str | None = None,
        level: int = 4,
    ) -> EventRecord:
        with self._lock:
            # each channel numbers its own records from 1 (EventRecordID is per log on Windows)
            number = self._last_id.get(log_name.casefold(), 0) + 1
            self._last_id[log_name.casefold()] = number
            rec = EventRecord(
                record_id=number,
                log_name=log_name,
                provider_name=provider,
                id=event_id,
                level=level,
                time_created=datetime.now(UTC),
                message=message,
                system_id=system_id,
            )
            self._records.append(rec)
            return rec

    def hcs_event(self, action: str, system_id: str) -> None:
        """Record a compute-system lifecycle event (unless the host deviates: ``no-hcs-events``)."""
        if not self._hcs_enabled:
            return
        event_id, template = HCS_EVENTS[action]
        self.write(HCS_OPERATIONAL, HCS_PROVIDER, event_id, template.format(id=system_id), system_id)

    def hyperv_not_installed(self, system_id: str) -> None:
        """A compute system refused for want of the Hyper-V role, on the Admin channel."""
        if not self._hcs_enabled:
            return
        event_id, template = HYPERV_NOT_INSTALLED_EVENT
        self.write(HCS_ADMIN, HCS_PROVIDER, event_id, template.format(id=system_id), system_id, level=2)

    def hcs_started(self) -> None:
        """vmcompute's own start, on the Admin channel."""
        self.write(HCS_ADMIN, HCS_PROVIDER, *HCS_STARTED)

    def records(self, log_name: str | None = None, since: datetime | None = None) -> list[EventRecord]:
        """Records of one channel (case-insensitive name) or all, oldest first."""
        with self._lock:
            out = list(self._records)
        if log_name is not None:
            out = [r for r in out if r.log_name.casefold() == log_name.casefold()]
        if since is not None:
            out = [r for r in out if r.time_created >= since]
        return out

    def log_names(self) -> list[str]:
        with self._lock:
            return sorted({HCS_OPERATIONAL, HCS_ADMIN, *(r.log_name for r in self._records)})
