r"""dockerd's volumes and a container's mounts on Windows: named and anonymous ``local`` volumes under
``C:\ProgramData\docker\volumes\<name>\_data`` and bind mounts of host folders.

The shapes follow real hosts (tests/fidelity/samples/docker-volume-inspect-ws2019.txt,
docker-inspect-mounts-*.txt): a ``-v name:C:\dir`` mount shows ``Type`` ``volume`` with the
volume's ``_data`` folder as ``Source`` and the destination's drive letter in lower case.

>>> parse_bind(r"C:\host:C:\dir:ro")
MountSpec(type='bind', source='c:\\host', destination='c:\\dir', rw=False, mode='ro', name='')
>>> parse_bind("myvol:C:/data")
MountSpec(type='volume', source='myvol', destination='c:\\data', rw=True, mode='', name='myvol')
>>> parse_bind(r"demovol:C:\demo").type
'volume'
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from winsim.model.errors import DockerError, ErrorKind
from winsim.model.paths import HostFiles, win_join

VOLUMES_ROOT = r"C:\ProgramData\docker\volumes"
# -v on Windows: [source:]destination[:mode], moby's windowsSplitRawSpecRegexp
# (daemon/volume/mounts/windows_parser.go): either separator in a host folder and a destination,
# matched on the lower-cased spec.
_HOST_DIR = r'(?:\\\\\?\\)?[a-z]:[\\/](?:[^\\/:*?"<>|\r\n]+[\\/]?)*'
_NAME = r'[^\\/:*?"<>|\r\n]+'
_PIPE = r'[/\\]{2}.[/\\]pipe[/\\][^:*?"<>|\r\n]+'
_SPEC = re.compile(
    rf"^(?:(?P<source>{_HOST_DIR}|{_NAME}|{_PIPE}):)?"
    rf'(?P<destination>(?:\\\\\?\\)?[a-z]:(?:[\\/][^\\/:*?"<>\r\n]+)*[\\/]?|{_PIPE})'
    r"(?::(?P<mode>ro|rw))?$"
)
_HOST_DIR_ONLY = re.compile(rf"^{_HOST_DIR}$")
_VOLUME_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


@dataclass(frozen=True)
class MountSpec:
    """One requested mount, before dockerd resolves a volume name to its folder."""

    type: str  # "bind" | "volume"
    source: str  # host folder (bind) or volume name ("" for an anonymous volume)
    destination: str
    rw: bool = True
    mode: str = ""
    name: str = ""


@dataclass
class Volume:
    name: str
    created: datetime
    labels: dict[str, str] | None = None
    options: dict[str, str] | None = None
    anonymous: bool = False

    @property
    def mountpoint(self) -> str:
        return win_join(VOLUMES_ROOT, self.name, "_data")


@dataclass
class MountPoint:
    """A resolved mount of a container, as ``docker inspect`` lists it under ``Mounts``."""

    type: str
    source: str
    destination: str
    rw: bool
    mode: str
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def parse_bind(spec: str) -> MountSpec:
    """One ``HostConfig.Binds`` entry as moby's Windows parser reads it: lower-cased, ``/`` made
    ``\\``, a trailing ``\\`` dropped beyond a drive root; a host folder source is a bind, a name a volume."""
    m = _SPEC.match(spec.lower())
    if m is None or (m.group("source") is None and m.group("mode")):
        raise DockerError(ErrorKind.INVALID_PARAMETER, f"invalid volume specification: '{spec}'")
    source = (m.group("source") or "").replace("/", "\\")
    destination = _trim(m.group("destination").replace("/", "\\"))
    mode = m.group("mode") or ""
    rw = mode != "ro"
    if _HOST_DIR_ONLY.match(source):
        return MountSpec("bind", _trim(source), destination, rw, mode)
    return MountSpec("volume", source, destination, rw, mode, name=source)


def _trim(path: str) -> str:
    return path[:-1] if len(path) > 3 and path.endswith("\\") else path


def parse_mount(mount: dict[str, Any]) -> MountSpec:
    """One ``HostConfig.Mounts`` entry (``--mount type=...,source=...,target=...``)."""
    kind = str(mount.get("Type") or "volume")
    target = str(mount.get("Target") or "")
    if kind not in ("bind", "volume") or not re.match(r"^[A-Za-z]:", target):
        raise DockerError(ErrorKind.INVALID_PARAMETER, f'invalid mount config for type "{kind}"')
    rw = not mount.get("ReadOnly")
    source = str(mount.get("Source") or "")
    return MountSpec(kind, source, target, rw, "", name=source if kind == "volume" else "")


class VolumeStore:
    """The ``local`` volume driver: one folder per volume.  Thread-safe under the model lock."""

    def __init__(self, lock: threading.RLock, files: HostFiles) -> None:
        self._lock = lock
        self._files = files
        self._volumes: dict[str, Volume] = {}
        files.mkdir(VOLUMES_ROOT)

    def all(self) -> list[Volume]:
        with self._lock:
            return list(self._volumes.values())

    def get(self, name: str) -> Volume:
        with self._lock:
            vol = self._volumes.get(name)
            if vol is None:
                raise DockerError(ErrorKind.NOT_FOUND, f"get {name}: no such volume")
            return vol

    def create(
        self,
        name: str = "",
        driver: str = "local",
        labels: dict[str, str] | None = None,
        options: dict[str, str] | None = None,
    ) -> Volume:
        """POST /volumes/create; an existing name answers the existing volume, as dockerd does."""
        if (driver or "local") != "local":
            raise DockerError(ErrorKind.NOT_FOUND, f'plugin "{driver}" not found')
        with self._lock:
            if name and name in self._volumes:
                return self._volumes[name]
            if name and not _VOLUME_NAME.match(name):
                raise DockerError(
                    ErrorKind.INVALID_PARAMETER,
                    f'create {name}: "{name}" includes invalid characters for a local volume name, '
                    'only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host '
                    "directory, use absolute path",
                )
            vol = Volume(
                name or secrets.token_hex(32),
                datetime.now(UTC),
                labels,
                options,
                anonymous=not name,
            )
            self._files.mkdir(vol.mountpoint)
            self._volumes[vol.name] = vol
            return vol

    def remove(self, name: str, users: list[str], force: bool = False) -> None:
        """DELETE /volumes/{name}: a volume a container still names stays (even a stopped one)."""
        with self._lock:
            if name not in self._volumes:
                if force:
                    return
                raise DockerError(ErrorKind.NOT_FOUND, f"get {name}: no such volume")
            if users:
                raise DockerError(
                    ErrorKind.CONFLICT, f"remove {name}: volume is in use - [{', '.join(users)}]"
                )
            vol = self._volumes.pop(name)
            self._files.remove(win_join(VOLUMES_ROOT, vol.name))

    def prune(self, in_use: set[str], anonymous_only: bool) -> list[str]:
        """POST /volumes/prune: unused volumes (engines from 23 keep named ones unless ``all``)."""
        with self._lock:
            gone = [
                v.name
                for v in self._volumes.values()
                if v.name not in in_use and (v.anonymous or not anonymous_only)
            ]
            for name in gone:
                self.remove(name, [])
            return gone
