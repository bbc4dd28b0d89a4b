"""Typed results of the drivers: what the suite asserts on.

Every type is a frozen dataclass with snake_case fields.  Types built from a host's JSON keep the
original object in ``raw`` (excluded from equality and repr so results compare and print cleanly).
Each has a ``from_json`` constructor that reads the probe module's stable field names, e.g.::

    >>> Compartment.from_json({"Id": 1, "Description": "Default Compartment",
    ...     "Guid": "{b1062982-2b18-4b4f-b3d5-a78ddb9cdd49}", "Type": "Native"}).type
    'Native'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
class HcsProcess:
    process_id: int
    image_name: str
    raw: JSON = _raw()

    @classmethod
    def from_json(cls, data: JSON) -> HcsProcess:
        return cls(_int(data.get("ProcessId")), _str(data.get("ImageName")), data)


@dataclass(frozen=True)
class ComputeSystem:
    """One element of HcsEnumerateComputeSystems / HcsGetComputeSystemProperties (schema1)."""

    id: str
    name: str
    owner: str
    system_type: str
    state: str
    runtime_id: str
    stopped: bool
    raw: JSON = _raw()

    @classmethod
    def from_json(cls, data: JSON) -> ComputeSystem:
        return cls(
            id=_str(data.get("Id")),
            name=_str(data.get("Name")),
            owner=_str(data.get("Owner")),
            system_type=_str(data.get("SystemType")),
            state=_str(data.get("State")),
            runtime_id=_str(data.get("RuntimeId")),
            stopped=bool(data.get("Stopped", False)),
            raw=data,
        )


@dataclass(frozen=True)
class HnsSubnet:
    address_prefix: str
    gateway: str

    @classmethod
    def from_json(cls, data: JSON) -> HnsSubnet:
        return cls(_str(data.get("AddressPrefix")), _str(data.get("GatewayAddress")))


@dataclass(frozen=True)
class HnsNetwork:
    id: str
    name: str
    type: str
    subnets: list[HnsSubnet]
    raw: JSON = _raw()

    @classmethod
    def from_json(cls, data: JSON) -> HnsNetwork:
        subnets = [HnsSubnet.from_json(s) for s in _list(data.get("Subnets"))]
        return cls(_str(data.get("ID")), _str(data.get("Name")), _str(data.get("Type")), subnets, data)


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
class HnsNamespace:
    id: str
    compartment_id: int
    is_default: bool
    resources: list[Any]
    raw: JSON = _raw()

    @classmethod
    def from_json(cls, data: JSON) -> HnsNamespace:
        return cls(
            id=_str(data.get("ID")),
            compartment_id=_int(data.get("CompartmentId")),
            is_default=bool(data.get("IsDefault", False)),
            resources=_list(data.get("ResourceList")),
            raw=data,
        )


@dataclass(frozen=True)
class Compartment:
    id: int
    description: str
    guid: str
    type: str  # "Native", "Unspecified", ... (the enum's name, not its number)

    @classmethod
    def from_json(cls, data: JSON) -> Compartment:
        return cls(
            _int(data.get("Id")),
            _str(data.get("Description")),
            _str(data.get("Guid")),
            _str(data.get("Type")),
        )


@dataclass(frozen=True)
class IpInterface:
    if_index: int
    alias: str
    compartment_id: int
    address_family: str
    ipv4_addresses: list[str]
    connection_state: str

    @classmethod
    def from_json(cls, data: JSON) -> IpInterface:
        return cls(
            if_index=_int(data.get("IfIndex")),
            alias=_str(data.get("Alias")),
            compartment_id=_int(data.get("CompartmentId")),
            address_family=_str(data.get("AddressFamily")),
            ipv4_addresses=[str(a) for a in _list(data.get("IPv4Addresses"))],
            connection_state=_str(data.get("ConnectionState")),
        )


@dataclass(frozen=True)
class Route:
    destination_prefix: str
    next_hop: str
    if_index: int
    compartment_id: int
    metric: int

    @classmethod
    def from_json(cls, data: JSON) -> Route:
        return cls(
            _str(data.get("DestinationPrefix")),
            _str(data.get("NextHop")),
            _int(data.get("IfIndex")),
            _int(data.get("CompartmentId")),
            _int(data.get("Metric")),
        )


@dataclass(frozen=True)
class NetNat:
    """One WinNAT instance (``Get-NetNat``)."""

    name: str
    internal_prefix: str
    active: bool

    @classmethod
    def from_json(cls, data: JSON) -> NetNat:
        return cls(
            _str(data.get("Name")),
            _str(data.get("InternalIPInterfaceAddressPrefix")),
            bool(data.get("Active")),
        )


@dataclass(frozen=True)
class NatStaticMapping:
    """One WinNAT static port mapping (``Get-NetNatStaticMapping``); protocol as its enum name."""

    id: int
    nat_name: str
    protocol: str
    external_ip: str
    external_port: int
    internal_ip: str
    internal_port: int

    @classmethod
    def from_json(cls, data: JSON) -> NatStaticMapping:
        return cls(
            _int(data.get("StaticMappingId")),
            _str(data.get("NatName")),
            _str(data.get("Protocol")),
            _str(data.get("ExternalIPAddress")),
            _int(data.get("ExternalPort")),
            _str(data.get("InternalIPAddress")),
            _int(data.get("InternalPort")),
        )


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
class Event:
    time_created: datetime
    id: int
    level: int
    message: str
    system_id: str

    @classmethod
    def from_json(cls, data: JSON) -> Event:
        return cls(
            parse_time(data.get("TimeCreated")),
            _int(data.get("Id")),
            _int(data.get("Level")),
            _str(data.get("Message")),
            _str(data.get("SystemId")),
        )


@dataclass(frozen=True)
class Filter:
    """One row of ``fltmc filters``."""

    name: str
    instances: int
    altitude: str
    frame: int

    @classmethod
    def from_json(cls, data: JSON) -> Filter:
        return cls(
            _str(data.get("Name")),
            _int(data.get("Instances")),
            _str(data.get("Altitude")),
            _int(data.get("Frame")),
        )


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
class FilterInstance:
    """One row of ``fltmc instances``: a filter attached to a volume."""

    filter: str
    volume: str
    altitude: str
    instance: str
    frame: int

    @classmethod
    def from_json(cls, data: JSON) -> FilterInstance:
        return cls(
            _str(data.get("Filter")),
            _str(data.get("Volume")),
            _str(data.get("Altitude")),
            _str(data.get("Instance")),
            _int(data.get("Frame")),
        )


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
