"""dockerd's volumes and a container's mounts (the volume store itself is ``volumes.py``)."""

from __future__ import annotations

from typing import Any

from winsim.model.docker_base import DockerdBase
from winsim.model.errors import (
    DockerError,
    ErrorKind,
)
from winsim.model.volumes import MountPoint, MountSpec, parse_bind, parse_mount


class DockerdVolumes(DockerdBase):
    """``/volumes`` and the mounts ``/containers/create`` asks for."""

    def _mount_specs(self, host_config: dict[str, Any], body: dict[str, Any]) -> list[MountSpec]:
        binds = [str(b) for b in host_config.get("Binds") or []]
        raws = [*binds, *([""] * len(host_config.get("Mounts") or []))]
        specs = [parse_bind(b) for b in binds]
        specs += [parse_mount(m) for m in host_config.get("Mounts") or []]
        for raw, spec in zip(raws, specs, strict=True):
            if spec.type == "bind" and not self.model.files.is_dir(spec.source):
                # a -v spec's failure names the spec first (moby windows_parser.go parseMount)
                prefix = f"invalid volume specification: '{raw}': " if raw else ""
                raise DockerError(
                    ErrorKind.INVALID_PARAMETER,
                    f'{prefix}invalid mount config for type "bind": bind source path does not exist: {spec.source}',
                )
        taken = {s.destination.casefold() for s in specs}
        for dest in body.get("Volumes") or {}:  # VOLUME in the config: anonymous volumes
            if str(dest).casefold() not in taken:
                specs.append(MountSpec("volume", "", str(dest)))
        return specs

    def _resolve_mount(self, spec: MountSpec) -> MountPoint:
        if spec.type == "bind":
            return MountPoint("bind", spec.source, spec.destination, spec.rw, spec.mode)
        vol = self.volumes.create(spec.name)
        return MountPoint(
            "volume",
            vol.mountpoint,
            spec.destination,
            spec.rw,
            spec.mode,
            name=vol.name,
            extra={"Driver": "local"},
        )

    def _volume_users(self, name: str) -> list[str]:
        return [c.id for c in self.containers.values() if any(m.name == name for m in c.mounts)]

    def create_volume(
        self,
        name: str = "",
        driver: str = "local",
        labels: dict[str, str] | None = None,
        options: dict[str, str] | None = None,
    ) -> Any:
        with self._lock:
            self.require_running()
            return self.volumes.create(name, driver, labels, options)

    def volume(self, name: str) -> Any:
        with self._lock:
            self.require_running()
            return self.volumes.get(name)

    def list_volumes(self) -> list[Any]:
        with self._lock:
            self.require_running()
            return self.volumes.all()

    def remove_volume(self, name: str, force: bool = False) -> None:
        with self._lock:
            self.require_running()
            self.volumes.remove(name, self._volume_users(name), force)

    def prune_volumes(self, all_volumes: bool = False) -> list[str]:
        """Engines from 23 prune only anonymous volumes unless ``all=true`` is filtered for."""
        with self._lock:
            self.require_running()
            in_use = {m.name for c in self.containers.values() for m in c.mounts if m.name}
            anonymous_only = self.model.profile.engine_major >= 23 and not all_volumes
            return self.volumes.prune(in_use, anonymous_only)
