"""A request body checked against the Go types dockerd decodes it into, as ``encoding/json`` does.

dockerd reads ``POST /containers/create`` with ``json.Decoder.Decode`` into moby's structs
(``runconfig.ContainerConfigWrapper``; ``container.CreateRequest`` from engine 27).  A value of
the wrong JSON kind is an ``*json.UnmarshalTypeError``; decoding goes on and the first one is
returned.  Keys match fields case-insensitively, unknown keys are ignored, ``null`` leaves a
field alone.  Its text differs by Go release (Go 1.10 built engine 18.09; Go 1.20 and 1.22 built
24 and 27): since Go 1.14 the field is the whole path from the document's root.

    json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string
    json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Binds of type []string

The types are those of moby's ``api/types/container`` (v24.0.7, v27.5.1).  The fields listed
are the ones winsim reads and their neighbours; others are let through as Go would store them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Struct:
    name: str
    package: str  # a value of the wrong kind for the struct itself names it package.Name
    fields: dict[str, Any]  # field name -> type: a Go type string, a Struct, or a tuple (container)


# Containers: ("slice", elem, go name), ("map", elem, go name), ("strslice",) for strslice.StrSlice,
# whose UnmarshalJSON takes one string or a list of them; its error (decoding into a string) ends
# the decoding at once, where a plain type error is kept and decoding goes on.
STRINGS = ("slice", "string", "[]string")
STR_MAP = ("map", "string", "map[string]string")
STRSLICE = ("strslice",)

HEALTH = Struct(
    "HealthConfig",
    "container",
    {"Test": STRINGS, "Interval": "int64", "Timeout": "int64", "StartPeriod": "int64", "Retries": "int"},
)
CONFIG_FIELDS: dict[str, Any] = {
    "Hostname": "string",
    "Domainname": "string",
    "User": "string",
    "AttachStdin": "bool",
    "AttachStdout": "bool",
    "AttachStderr": "bool",
    "ExposedPorts": ("map", "struct {}", "nat.PortSet"),
    "Tty": "bool",
    "OpenStdin": "bool",
    "StdinOnce": "bool",
    "Env": STRINGS,
    "Cmd": STRSLICE,
    "Healthcheck": HEALTH,
    "ArgsEscaped": "bool",
    "Image": "string",
    "Volumes": ("map", "struct {}", "map[string]struct {}"),
    "WorkingDir": "string",
    "Entrypoint": STRSLICE,
    "NetworkDisabled": "bool",
    "MacAddress": "string",
    "OnBuild": STRINGS,
    "Labels": STR_MAP,
    "StopSignal": "string",
    "StopTimeout": "int",
    "Shell": STRSLICE,
}
PORT_BINDING = Struct("PortBinding", "nat", {"HostIp": "string", "HostPort": "string"})
MOUNT = Struct(
    "Mount", "mount", {"Type": "mount.Type", "Source": "string", "Target": "string", "ReadOnly": "bool"}
)
HOST_CONFIG = Struct(
    "HostConfig",
    "container",
    {
        "Binds": STRINGS,
        "ContainerIDFile": "string",
        "LogConfig": Struct("LogConfig", "container", {"Type": "string", "Config": STR_MAP}),
        "NetworkMode": "container.NetworkMode",
        "PortBindings": ("map", ("slice", PORT_BINDING, "[]nat.PortBinding"), "nat.PortMap"),
        "RestartPolicy": Struct("RestartPolicy", "container", {"Name": "string", "MaximumRetryCount": "int"}),
        "AutoRemove": "bool",
        "VolumeDriver": "string",
        "VolumesFrom": STRINGS,
        "ConsoleSize": ("slice", "uint", "[2]uint"),
        "Dns": STRINGS,
        "DnsOptions": STRINGS,
        "DnsSearch": STRINGS,
        "ExtraHosts": STRINGS,
        "Links": STRINGS,
        "Privileged": "bool",
        "PublishAllPorts": "bool",
        "ReadonlyRootfs": "bool",
        "SecurityOpt": STRINGS,
        "StorageOpt": STR_MAP,
        "ShmSize": "int64",
        "Isolation": "container.Isolation",
        "CpuShares": "int64",
        "Memory": "int64",
        "NanoCpus": "int64",
        "CpuCount": "int64",
        "CpuPercent": "int64",
        "Mounts": ("slice", MOUNT, "[]mount.Mount"),
    },
)
ENDPOINT = Struct(
    "EndpointSettings", "network", {"Aliases": STRINGS, "NetworkID": "string", "MacAddress": "string"}
)
NETWORKING = Struct(
    "NetworkingConfig",
    "network",
    {"EndpointsConfig": ("map", ENDPOINT, "map[string]*network.EndpointSettings")},
)


def create_request(engine_major: int) -> Struct:
    """The struct ``POST /containers/create`` decodes into on this engine."""
    name = "CreateRequest" if engine_major >= 27 else "ContainerConfigWrapper"
    return Struct(
        name, "container", {**CONFIG_FIELDS, "HostConfig": HOST_CONFIG, "NetworkingConfig": NETWORKING}
    )


# The Go release each modelled engine was built with (GO_VERSION in moby's Dockerfile at the tag).
GO_MINOR = {18: 10, 24: 20, 27: 22}

_KINDS = {str: "string", bool: "bool", list: "array", dict: "object"}
_INTS = {"int": (-(2**63), 2**63), "int64": (-(2**63), 2**63), "uint": (0, 2**64), "uint64": (0, 2**64)}


class UnmarshalTypeError(ValueError):
    """The text of Go's ``*json.UnmarshalTypeError``."""


def check(value: dict[str, Any], root: Struct, go_minor: int) -> None:
    """Raise :class:`UnmarshalTypeError` as ``Decode`` would return it (``go_minor``: Go 1.x built dockerd)."""
    walk = _Walk(go_minor)
    walk.struct(value, root, [])
    if walk.saved is not None:
        raise walk.saved


def _kind(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _KINDS.get(type(value), "object")
    return "number"


class _Walk:
    def __init__(self, go_minor: int) -> None:
        self.full_path = go_minor >= 14  # Go 1.14 put the field's whole path in the message
        self.saved: UnmarshalTypeError | None = None

    def error(self, kind: str, go_type: str, struct: Struct, path: list[str]) -> UnmarshalTypeError:
        field = ".".join(path) if self.full_path else path[-1]
        return UnmarshalTypeError(
            f"json: cannot unmarshal {kind} into Go struct field {struct.name}.{field} of type {go_type}"
        )

    def fail(self, value: Any, go_type: str, struct: Struct, path: list[str]) -> None:
        kind = _kind(value)
        if kind == "number" and go_type in _INTS:
            kind = f"number {value}"  # Go quotes the literal an integer field could not hold
        self.saved = self.saved or self.error(kind, go_type, struct, path)

    def struct(self, value: dict[str, Any], struct: Struct, path: list[str]) -> None:
        by_lower = {name.lower(): name for name in struct.fields}
        for key, item in value.items():
            name = key if key in struct.fields else by_lower.get(key.lower())
            if name is not None:
                self.value(item, struct.fields[name], struct, [*path, name])

    def value(self, value: Any, go_type: Any, struct: Struct, path: list[str]) -> None:
        if value is None:
            return
        if isinstance(go_type, Struct):
            if isinstance(value, dict):
                self.struct(value, go_type, path)
            else:
                self.fail(value, f"{go_type.package}.{go_type.name}", struct, path)
        elif isinstance(go_type, tuple):
            self.container(value, go_type, struct, path)
        else:
            self.scalar(value, go_type, struct, path)

    def container(self, value: Any, go_type: tuple[Any, ...], struct: Struct, path: list[str]) -> None:
        if go_type[0] == "strslice":
            if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                return
            raise self.error("array" if isinstance(value, list) else _kind(value), "string", struct, path)
        shape, elem, go_name = go_type
        if shape == "slice" and isinstance(value, list):
            for item in value:
                self.value(item, elem, struct, path)
        elif shape == "map" and isinstance(value, dict):
            for item in value.values():
                self.value(item, elem, struct, path)
        else:
            self.fail(value, go_name, struct, path)

    def scalar(self, value: Any, go_type: str, struct: Struct, path: list[str]) -> None:
        if go_type == "bool":
            ok = isinstance(value, bool)
        elif go_type in _INTS:
            low, high = _INTS[go_type]
            ok = isinstance(value, int) and not isinstance(value, bool) and low <= value < high
        elif go_type == "struct {}":
            ok = isinstance(value, dict)
        else:  # string and the named string types (container.NetworkMode, mount.Type)
            ok = isinstance(value, str)
        if not ok:
            self.fail(value, go_type, struct, path)
