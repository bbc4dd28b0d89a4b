"""What every part of the simulated dockerd shares: its state, the model lock, its debug log and events.

The daemon (``dockerd.py``) is composed, the way moto composes a large backend, of one part per kind
of object: ``docker_networks.py``, ``docker_volumes.py`` and ``docker_containers.py``, each a
subclass of :class:`DockerdBase`; the records they keep are in ``docker_objects.py``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from winsim.model.docker_objects import Container, DockerNetwork
from winsim.model.errors import DaemonNotRunning
from winsim.model.images import ImageStore
from winsim.model.volumes import VolumeStore

if TYPE_CHECKING:
    from winsim.deviations import Deviation
    from winsim.model.eventlog import EventLog
    from winsim.model.hcs import Hcs
    from winsim.model.hns import Hns
    from winsim.model.paths import HostFiles
    from winsim.model.windowsfilter import LayerStore
    from winsim.profiles import HostProfile

DOCKER_ROOT = r"C:\ProgramData\docker"
DAEMON_JSON = r"C:\ProgramData\docker\config\daemon.json"
DEBUG_LOG = r"C:\ProgramData\docker\dockerd.log"
# A stock host's daemon.json: the TCP endpoint it serves; no "debug", so dockerd logs no API calls (its default).
DEFAULT_DAEMON_JSON: dict[str, Any] = {"hosts": ["npipe://", "tcp://0.0.0.0:2376"]}


class DaemonHost(Protocol):
    """What dockerd uses of its host (``HostModel`` is one): the services it calls, the lock, the journal."""

    @property
    def lock(self) -> threading.RLock: ...
    @property
    def profile(self) -> HostProfile: ...
    @property
    def files(self) -> HostFiles: ...
    @property
    def windowsfilter(self) -> LayerStore: ...
    @property
    def hns(self) -> Hns: ...
    @property
    def hcs(self) -> Hcs: ...
    @property
    def events(self) -> EventLog: ...
    def deviates(self, deviation: Deviation) -> bool: ...
    def record(self, op: str, subject: str) -> object: ...


class DockerdBase:
    """The daemon's state, all of it guarded by the model lock."""

    def __init__(self, model: DaemonHost, debug: bool = False) -> None:
        """``debug`` writes ``"debug": true`` into a new daemon.json (an administrator's choice, never the default)."""
        self.model = model
        self._lock = model.lock
        self.changed = threading.Condition(model.lock)  # container state, events, daemon state
        self.images = ImageStore(model.lock, model.files, model.windowsfilter, model.profile.build)
        self.containers: dict[str, Container] = {}
        self.networks: dict[str, DockerNetwork] = {}
        self.volumes = VolumeStore(model.lock, model.files)
        self.events: list[dict[str, Any]] = []
        self.state = "stopped"  # running | stopped | killed
        self.pid: int | None = None
        self.last_start_error: str | None = None
        self.started: datetime | None = None
        self.debug = False  # read from daemon.json on start
        self._log_lines: list[str] = []
        self._pids = itertools.count(2468, 4)
        if not model.files.exists(DAEMON_JSON):
            config = {"debug": True, **DEFAULT_DAEMON_JSON} if debug else DEFAULT_DAEMON_JSON
            model.files.write_text(DAEMON_JSON, json.dumps(config, indent=2) + "\n")

    @property
    def running(self) -> bool:
        return self.state == "running"

    def require_running(self) -> None:
        if not self.running:
            raise DaemonNotRunning("dockerd is not running")

    def _log(self, level: str, msg: str, force: bool = False) -> None:
        if level == "debug" and not self.debug and not force:
            return
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
        line = f'time="{stamp}" level={level} msg={json.dumps(msg)}'
        with self._lock:
            self._log_lines.append(line)
            self.model.files.append_text(DEBUG_LOG, line + "\n")
            # As a service dockerd also reports each entry to the Application log, source "docker"
            # (moby cmd/dockerd/service_windows.go; INFERRED event ids: 1 info/warning/error, 2 debug).
            event_level = {"error": 2, "fatal": 1, "warning": 3}.get(level, 4)
            self.model.events.write(
                "Application", "docker", 2 if level == "debug" else 1, msg, level=event_level
            )

    def _event(self, kind: str, action: str, actor_id: str, attributes: dict[str, str]) -> None:
        now = time.time_ns()
        self.events.append(
            {
                "status": action if kind == "container" else None,
                "id": actor_id if kind == "container" else None,
                "from": attributes.get("image") if kind == "container" else None,
                "Type": kind,
                "Action": action,
                "Actor": {"ID": actor_id, "Attributes": attributes},
                "scope": "local",
                "time": now // 1_000_000_000,
                "timeNano": now,
            }
        )
        self.changed.notify_all()

    def _cevent(self, c: Container, action: str, **extra: str) -> None:
        attrs = {"image": c.image_ref, "name": c.name, **(c.config.get("Labels") or {}), **extra}
        self._event("container", action, c.id, attrs)
