"""Whether a host still answers, so a host that stopped costs bounded time and then nothing.

Every channel to the host (the PowerShell session, the Docker API) waits at most ``lost_after``
seconds (inventory, per host) for an answer.  When a wait runs out or the connection fails, the
channel asks :meth:`Liveness.confirm`: the transport's heartbeat (an unauthenticated request to the
management service) is tried for a few seconds; a host that answers it is busy, not lost, and the
channel's own error stands.  A host that does not is *declared lost*: from then on every call to it
raises :class:`~drivers.errors.HostLost` at once, with one short reason, and the end-of-run sweep
skips it.

    liveness = Liveness("ws2022", lost_after=60, heartbeat=transport.heartbeat)
    liveness.check()                  # raises HostLost once declared
    liveness.confirm("Receive timed out")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from drivers.errors import HostLost

HEARTBEAT_WINDOW = 10.0  # how long a heartbeat may keep failing before the host is declared lost
HEARTBEAT_TIMEOUT = 3.0  # one heartbeat attempt


class Liveness:
    def __init__(self, host_name: str, lost_after: float, heartbeat: Callable[[float], bool]) -> None:
        self.host_name = host_name
        self.lost_after = lost_after
        self._heartbeat = heartbeat
        self._lost: HostLost | None = None
        self._lock = threading.Lock()

    @property
    def lost(self) -> HostLost | None:
        return self._lost

    def check(self) -> None:
        """Raise :class:`HostLost` if the host was declared lost."""
        if self._lost is not None:
            raise HostLost(self.host_name, self._lost.cause)

    def confirm(self, what: str) -> None:
        """``what`` went unanswered: raise HostLost unless a heartbeat shows the host is there."""
        with self._lock:
            self.check()
            window = min(HEARTBEAT_WINDOW, self.lost_after)
            deadline = time.monotonic() + window
            while True:
                started = time.monotonic()
                if self._heartbeat(min(HEARTBEAT_TIMEOUT, window)):
                    return
                if time.monotonic() >= deadline:
                    break
                time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
            self._lost = HostLost(self.host_name, f"no heartbeat for {window:g} s after: {what[:200]}")
            raise self._lost
