"""The records the simulated dockerd keeps: containers, networks and a container's network attachments."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from winsim.model.errors import DockerError
from winsim.model.images import LocalImage, normalize
from winsim.model.volumes import MountPoint


@dataclass
class NetAttachment:
    network_id: str
    network_name: str
    aliases: list[str] | None = None
    ipam_config: dict[str, Any] | None = None
    endpoint_id: str = ""  # libnetwork's 64-hex id, only while the container runs
    hns_endpoint_id: str = ""
    ip: str = ""
    prefix: int = 0
    gateway: str = ""
    mac: str = ""  # docker form: lower case, colons


@dataclass
class Container:
    id: str
    name: str  # without the leading slash
    created: datetime
    image_ref: str
    image: LocalImage
    config: dict[str, Any]
    host_config: dict[str, Any]
    networks: dict[str, NetAttachment]
    scratch_path: str
    status: str = "created"  # created | running | exited | removing | dead
    pid: int = 0
    exit_code: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    restart_count: int = 0
    volume_path: str = ""
    exits: int = 0  # increments on every stop; next-exit waits watch it
    removed: bool = False
    output: list[tuple[str, bytes]] = field(default_factory=list)
    mounts: list[MountPoint] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def argv(self) -> list[str]:
        entry = self.config.get("Entrypoint") or []
        cmd = self.config.get("Cmd") or ([] if entry else self.image.default_cmd())
        return [*entry, *cmd]

    @property
    def restart_policy(self) -> str:
        return str((self.host_config.get("RestartPolicy") or {}).get("Name") or "no")


@dataclass
class DockerNetwork:
    id: str
    name: str
    driver: str
    created: datetime
    hns_id: str = ""
    subnet: str = ""
    gateway: str = ""
    options: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    internal: bool = False
    ipam_options: dict[str, str] | None = None


def new_id() -> str:
    """A docker object id: 64 lower-case hex digits."""
    return secrets.token_hex(32)


def ref_with_tag(ref: str) -> tuple[str, str]:
    try:
        return normalize(ref)
    except DockerError:
        return ref, "latest"
