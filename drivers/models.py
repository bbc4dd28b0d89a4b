"""Typed results of the drivers: what the suite asserts on.

Every type is a frozen dataclass with snake_case fields.  Types built from a host's JSON keep the
original object in ``raw`` (excluded from equality and repr so results compare and print cleanly).
Each has a ``from_json`` constructor that reads the probe module's stable field names; where every
field is one key read by one conversion, the field says which (``_key``) and ``JsonRecord`` builds
it, e.g.::

    >>> Compartment.from_json({"Id": 1, "Description": "Default Compartment",
    ...     "Guid": "{b1062982-2b18-4b4f-b3d5-a78ddb9cdd49}", "Type": "Native"}).type
    'Native'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Self

JSON = dict[str, Any]


def _raw() -> Any:
    return field(default_factory=dict, compare=False, repr=False)


def _list(value: Any) -> list[Any]:
    """PowerShell's ConvertTo-Json turns a one-element array into a scalar and an empty one into null."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any, default: int = 0) -> int:
    if value is None or value == "":
        return default
    return int(value)


def _strs(value: Any) -> list[str]:
    return [str(v) for v in _list(value)]


def _key(name: str, convert: Callable[[Any], Any] = _str) -> Any:
    """A field read from the probe's JSON key ``name`` by ``convert`` (see :class:`JsonRecord`)."""
    return field(metadata={"json": (name, convert)})


class JsonRecord:
    """``from_json`` for a dataclass whose fields are each one ``_key``; a ``raw`` field gets the object."""

    @classmethod
    def from_json(cls, data: JSON) -> Self:
        values: dict[str, Any] = {}
        for f in fields(cls):  # type: ignore[arg-type]  # every subclass is a dataclass
            if "json" in f.metadata:
                name, convert = f.metadata["json"]
                values[f.name] = convert(data.get(name))
            elif f.name == "raw":
                values["raw"] = data
        return cls(**values)


@dataclass(frozen=True)
class ErrorRecord:
    """One PowerShell error record, from the probe frame or from CLIXML on stderr."""

    message: str
    fully_qualified_error_id: str = ""
    category: str = ""

    @classmethod
    def from_json(cls, data: JSON) -> ErrorRecord:
        return cls(
            _str(data.get("Message")), _str(data.get("FullyQualifiedErrorId")), _str(data.get("Category"))
        )

    def __str__(self) -> str:
        suffix = f" [{self.fully_qualified_error_id}]" if self.fully_qualified_error_id else ""
        return f"{self.message}{suffix}"


@dataclass(frozen=True)
class CommandResult:
    """Outcome of a script or a host command: exit code, text streams and the error records."""

    rc: int
    stdout: str
    stderr: str
    errors: list[ErrorRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rc == 0

    @classmethod
    def from_json(cls, data: JSON) -> CommandResult:
        return cls(
            rc=_int(data.get("ExitCode")),
            stdout=_str(data.get("Stdout")),
            stderr=_str(data.get("Stderr")),
            errors=[ErrorRecord.from_json(e) for e in _list(data.get("Errors"))],
        )


@dataclass(frozen=True)
class HcsProcess(JsonRecord):
    process_id: int = _key("ProcessId", _int)
    image_name: str = _key("ImageName")
    raw: JSON = _raw()


@dataclass(frozen=True)
class ComputeSystem(JsonRecord):
    """One element of HcsEnumerateComputeSystems / HcsGetComputeSystemProperties (schema1)."""

    id: str = _key("Id")
    name: str = _key("Name")
    owner: str = _key("Owner")
    system_type: str = _key("SystemType")
    state: str = _key("State")
    runtime_id: str = _key("RuntimeId")
    stopped: bool = _key("Stopped", bool)
    raw: JSON = _raw()


@dataclass(frozen=True)
class HnsSubnet(JsonRecord):
    address_prefix: str = _key("AddressPrefix")
    gateway: str = _key("GatewayAddress")


@dataclass(frozen=True)
class HnsNetwork(JsonRecord):
    id: str = _key("ID")
    name: str = _key("Name")
    type: str = _key("Type")
    subnets: list[HnsSubnet] = _key("Subnets", lambda v: [HnsSubnet.from_json(s) for s in _list(v)])
    raw: JSON = _raw()


@dataclass(frozen=True)
class HnsEndpoint:
    id: str
    name: str
    network_id: str
    network_name: str
    ip_address: str
    mac_address: str
    gateway: str
    prefix_length: int
    state: int
    shared_containers: list[str]
    namespace_id: str
    raw: JSON = _raw()

    @classmethod
    def from_json(cls, data: JSON) -> HnsEndpoint:
        namespace = data.get("Namespace") or {}
        return cls(
            id=_str(data.get("ID")),
            name=_str(data.get("Name")),
            network_id=_str(data.get("VirtualNetwork")),
            network_name=_str(data.get("VirtualNetworkName")),
            ip_address=_str(data.get("IPAddress")),
            mac_address=_str(data.get("MacAddress")),
            gateway=_str(data.get("GatewayAddress")),
            prefix_length=_int(data.get("PrefixLength")),
            state=_int(data.get("State")),
            shared_containers=[str(c) for c in _list(data.get("SharedContainers"))],
            namespace_id=_str(namespace.get("ID") if isinstance(namespace, dict) else ""),
            raw=data,
        )

    @property
    def nat_policies(self) -> list[NatPolicy]:
        """The endpoint's port publishing policies (HNS v1 ``{"Type": "NAT", ...}``)."""
        return [
            NatPolicy(
                _str(p.get("Protocol")).lower(), _int(p.get("InternalPort")), _int(p.get("ExternalPort"))
            )
            for p in _list(self.raw.get("Policies"))
            if isinstance(p, dict) and _str(p.get("Type")).upper() == "NAT"
        ]


@dataclass(frozen=True)
class NatPolicy:
    protocol: str  # lower case, as Docker names it ("tcp")
    internal_port: int
    external_port: int


@dataclass(frozen=True)
class HnsNamespace(JsonRecord):
    id: str = _key("ID")
    compartment_id: int = _key("CompartmentId", _int)
    is_default: bool = _key("IsDefault", bool)
    resources: list[Any] = _key("ResourceList", _list)
    raw: JSON = _raw()


@dataclass(frozen=True)
class Compartment(JsonRecord):
    id: int = _key("Id", _int)
    description: str = _key("Description")
    guid: str = _key("Guid")
    type: str = _key("Type")  # "Native", "Unspecified", ... (the enum's name, not its number)


@dataclass(frozen=True)
class IpInterface(JsonRecord):
    if_index: int = _key("IfIndex", _int)
    alias: str = _key("Alias")
    compartment_id: int = _key("CompartmentId", _int)
    address_family: str = _key("AddressFamily")
    ipv4_addresses: list[str] = _key("IPv4Addresses", _strs)
    connection_state: str = _key("ConnectionState")


@dataclass(frozen=True)
class Route(JsonRecord):
    destination_prefix: str = _key("DestinationPrefix")
    next_hop: str = _key("NextHop")
    if_index: int = _key("IfIndex", _int)
    compartment_id: int = _key("CompartmentId", _int)
    metric: int = _key("Metric", _int)


@dataclass(frozen=True)
class NetNat(JsonRecord):
    """One WinNAT instance (``Get-NetNat``)."""

    name: str = _key("Name")
    internal_prefix: str = _key("InternalIPInterfaceAddressPrefix")
    active: bool = _key("Active", bool)


@dataclass(frozen=True)
class NatStaticMapping(JsonRecord):
    """One WinNAT static port mapping (``Get-NetNatStaticMapping``); protocol as its enum name."""

    id: int = _key("StaticMappingId", _int)
    nat_name: str = _key("NatName")
    protocol: str = _key("Protocol")
    external_ip: str = _key("ExternalIPAddress")
    external_port: int = _key("ExternalPort", _int)
    internal_ip: str = _key("InternalIPAddress")
    internal_port: int = _key("InternalPort", _int)


def parse_time(value: Any) -> datetime:
    """Probe times are ISO 8601 UTC strings (``o`` format); always return an aware datetime."""
    text = _str(value).strip()
    if not text:
        return datetime.fromtimestamp(0, UTC)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # .NET writes 7 fractional digits; Python accepts at most 6.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Event(JsonRecord):
    time_created: datetime = _key("TimeCreated", parse_time)
    id: int = _key("Id", _int)
    level: int = _key("Level", _int)
    message: str = _key("Message")
    system_id: str = _key("SystemId")


@dataclass(frozen=True)
class Filter(JsonRecord):
    """One row of ``fltmc filters``."""

    name: str = _key("Name")
    instances: int = _key("Instances", _int)
    altitude: str = _key("Altitude")
    frame: int = _key("Frame", _int)


@dataclass(frozen=True)
class FolderEntry:
    """One entry of a host folder as the host sees it: a file with its text, or a folder."""

    name: str
    directory: bool
    content: str | None

    @classmethod
    def from_json(cls, data: JSON) -> FolderEntry:
        content = data.get("Content")
        return cls(
            _str(data.get("Name")), bool(data.get("Directory")), None if content is None else str(content)
        )


@dataclass(frozen=True)
class FilterInstance(JsonRecord):
    """One row of ``fltmc instances``: a filter attached to a volume."""

    filter: str = _key("Filter")
    volume: str = _key("Volume")
    altitude: str = _key("Altitude")
    instance: str = _key("Instance")
    frame: int = _key("Frame", _int)


@dataclass(frozen=True)
class LogMark:
    """A position in dockerd's debug log: lines after it are "new"."""

    offset: int


@dataclass(frozen=True)
class StartResult:
    """What happened when dockerd was (re)started with an edited daemon.json."""

    started: bool
    status: str
    log_lines: list[str] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class DaemonState:
    status: str  # "Running" / "Stopped"
    process_id: int | None
    config_path: str
    log_path: str

    @classmethod
    def from_json(cls, data: JSON) -> DaemonState:
        pid = data.get("ProcessId")
        return cls(
            _str(data.get("Status")),
            int(pid) if pid else None,
            _str(data.get("ConfigPath")),
            _str(data.get("LogPath")),
        )


@dataclass(frozen=True)
class HostInfo:
    """What the probe module reports when it loads: the host as observed, not as the inventory claims."""

    computer_name: str
    os_build: int
    os_version: str
    product_name: str
    ps_version: str
    module_version: str
    hns_version: str | None = None  # "Major.Minor" from HNSCall GET /globals/version; None without HNS
    revision: int | None = None  # the registry's UBR: the cumulative update the build is at
    isolation: tuple[str, ...] = ()  # isolation modes available: "process", "hyperv"

    @property
    def os_revision(self) -> str:
        """``CurrentBuild.UBR`` (``20348.2849``), as Windows Update and the release notes write it."""
        return f"{self.os_build}.{self.revision}" if self.revision is not None else str(self.os_build)

    @classmethod
    def from_json(cls, data: JSON) -> HostInfo:
        hns = data.get("HnsVersion")
        revision = data.get("Revision")
        return cls(
            _str(data.get("ComputerName")),
            _int(data.get("OsBuild")),
            _str(data.get("OsVersion")),
            _str(data.get("ProductName")),
            _str(data.get("PSVersion")),
            _str(data.get("ModuleVersion")),
            str(hns) if hns not in (None, "") else None,
            _int(revision) if revision is not None else None,
            tuple(_str(m) for m in _list(data.get("Isolation"))),
        )
