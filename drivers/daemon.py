"""dockerd as a Windows service and a process: status, stop, kill, start, daemon.json, debug log.

Destructive tests only.  ``edited_config`` always restores the original daemon.json and restarts::

    mark = host.daemon.mark()
    with host.daemon.edited_config({"live-restore": True}) as result:
        assert not result.started
        assert any("live-restore" in line for line in result.log_lines)
    # here daemon.json is back as it was and dockerd was restarted
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drivers.base import PR, DriverBase, first, probe
from drivers.errors import ProbeError
from drivers.models import DaemonState, ErrorRecord, LogMark, StartResult
from drivers.probers import Call, Immediate


class DaemonDriver(DriverBase[PR]):
    @probe
    def state(self) -> Call[DaemonState]:
        return Call("Get-WccDaemon", {}, lambda v: DaemonState.from_json(first(v, {})))

    @probe
    def status(self) -> Call[str]:
        return Call("Get-WccDaemon", {}, lambda v: DaemonState.from_json(first(v, {})).status)

    def stop(self: DaemonDriver[Immediate]) -> None:
        self._immediate("DaemonDriver.stop")
        self._session.call("Stop-WccDaemon")

    def kill(self: DaemonDriver[Immediate]) -> None:
        """Stop-Process -Force on dockerd: the daemon dies as in a crash."""
        self._immediate("DaemonDriver.kill")
        self._session.call("Stop-WccDaemon", Kill=True)

    def start(self: DaemonDriver[Immediate]) -> None:
        """Start the service; raise ProbeError (with dockerd's reason when known) if it does not run."""
        result = self.start_result()
        if not result.started:
            raise ProbeError(
                self.host_name,
                "Start-WccDaemon",
                [ErrorRecord(result.error or f"dockerd is {result.status}")],
            )

    def start_result(self: DaemonDriver[Immediate], since: LogMark | None = None) -> StartResult:
        """Start the service and report what happened, without raising when dockerd refuses to start."""
        self._immediate("DaemonDriver.start_result")
        mark = since or self.mark()
        state = first(self._session.call("Start-WccDaemon"), {})
        lines = self.debug_log(mark)
        status = str(state.get("Status", ""))
        error = str(state.get("Error") or "")
        return StartResult(
            started=status == "Running" and not error, status=status, log_lines=lines, error=error
        )

    @probe
    def mark(self) -> Call[LogMark]:
        return Call(
            "Get-WccDaemonLog", {"MarkOnly": True}, lambda v: LogMark(int(first(v, {}).get("Mark", 0)))
        )

    @probe
    def debug_log(self, since: LogMark | None = None) -> Call[list[str]]:
        args = {"Since": since.offset if since else 0}
        return Call(
            "Get-WccDaemonLog", args, lambda v: [str(line) for line in _as_list(first(v, {}).get("Lines"))]
        )

    @probe
    def config(self) -> Call[dict[str, Any]]:
        def parse(v: list[Any]) -> dict[str, Any]:
            info = first(v, {})
            if not info.get("Exists") or not str(info.get("Content", "")).strip():
                return {}
            data = self._json(str(info["Content"]).lstrip("\ufeff"), "daemon.json")
            return data if isinstance(data, dict) else {}

        return Call("Get-WccDaemonConfig", {}, parse)

    def restart(self: DaemonDriver[Immediate], since: LogMark | None = None) -> StartResult:
        self._immediate("DaemonDriver.restart")
        mark = since or self.mark()
        self._session.call("Stop-WccDaemon")
        return self.start_result(mark)

    @contextmanager
    def edited_config(self: DaemonDriver[Immediate], changes: dict[str, Any]) -> Iterator[StartResult]:
        """Back up daemon.json, apply ``changes`` (a None value removes the key), restart, yield the
        result; on exit always restore the original file and restart."""
        self._immediate("DaemonDriver.edited_config")
        original = first(self._session.call("Get-WccDaemonConfig"), {})
        current = self.config()
        edited = {k: v for k, v in {**current, **changes}.items() if v is not None}
        try:
            mark = self.mark()
            self._session.call("Set-WccDaemonConfig", Content=json.dumps(edited, indent=2))
            yield self.restart(mark)
        finally:
            if original.get("Exists"):
                self._session.call("Set-WccDaemonConfig", Content=str(original.get("Content", "")))
            else:
                self._session.call("Set-WccDaemonConfig", Remove=True)
            self.restart()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
