"""HNS (Host Network Service): networks, endpoints and namespaces, reached through ``HNSCall``.

``Hns.call(method, path, request)`` answers like vmcompute's HNSCall: a JSON envelope
``{"Success": true, "Output": ...}`` or ``{"Success": false, "Error": "..."}``.  The typed
methods (``create_endpoint`` ...) are what ``call`` and dockerd use, so both routes share them.

>>> out = json.loads(hns.call("POST", "/endpoints/", json.dumps({"VirtualNetwork": net_id})))  # doctest: +SKIP
>>> out["Output"]["State"]       # 1 = Created: a virtual resource only, no compartment yet  # doctest: +SKIP
1
"""

from __future__ import annotations

import ipaddress
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from winsim.deviations import Deviation
from winsim.model.errors import E_INVALID_PARAMETER, HnsError
from winsim.model.guids import new_guid
from winsim.model.netstack import DEFAULT_COMPARTMENT_GUID, DEFAULT_COMPARTMENT_ID

if TYPE_CHECKING:
    from winsim.model.netstack import NetStack

NETWORK_TYPES = ("nat", "transparent", "l2bridge", "l2tunnel", "overlay", "ics", "private", "internal")
# hcsshim EndpointState
ENDPOINT_STATES = {
    "Uninitialized": 0,
    "Created": 1,
    "Attached": 2,
    "AttachedSharing": 3,
    "Detached": 4,
    "Degraded": 5,
    "Destroyed": 6,
}
NOT_FOUND = "Element not found."
ALREADY_EXISTS = "{Object Exists} An attempt was made to create an object and the object name already exists."
NAT_POOL = ipaddress.IPv4Network("172.16.0.0/12")
# An endpoint created without a Name (moby's nat driver sends none) is named "Ethernet"
# (tests/fidelity/samples/hnsdiag-list-all-k8s.txt, ipconfig-container-nic-docker-17763.txt).
DEFAULT_ENDPOINT_NAME = "Ethernet"
# The vSwitch extensions every HNS network lists (fidelity samples hns-network-nat-raw-*).
SWITCH_EXTENSIONS = (
    {
        "Id": "E7C3B2F0-F3C5-48DF-AF2B-10FED6D72E7A",
        "IsEnabled": False,
        "Name": "Microsoft Windows Filtering Platform",
    },
    {
        "Id": "F74F241B-440F-4433-BB28-00F89EAD20D8",
        "IsEnabled": False,
        "Name": "Microsoft Azure VFP Switch Extension",
    },
    {"Id": "430BDADD-BAB0-41AB-A369-94B67FA5BE0A", "IsEnabled": True, "Name": "Microsoft NDIS Capture"},
)


@dataclass
class HnsNetwork:
    id: str
    name: str
    type: str
    subnet: ipaddress.IPv4Network
    gateway: str
    mac_pool: tuple[str, str]
    adapter_name: str = ""
    dns_suffix: str = ""
    dns_servers: str = ""
    policies: list[Any] = field(default_factory=list)
    host_vnic: int | None = None
    nat_name: str = ""
    next_mac: int = 0
    used_ips: set[str] = field(default_factory=set)
    activity_id: str = field(default_factory=lambda: new_guid(upper=True))
    subnet_id: str = field(default_factory=lambda: new_guid(upper=True))
    layered_on: str = field(default_factory=lambda: new_guid(upper=True))  # the vSwitch it sits on
    updated: int = 0  # Health.LastUpdateTime, a FILETIME

    def to_v1(self, endpoint_count: int) -> dict[str, Any]:
        """HNS's v1 JSON: keys in ordinal order, as HNS writes them (fidelity samples hns-network-*)."""
        subnet = {
            "AdditionalParams": {},
            "AddressPrefix": str(self.subnet),
            "Flags": 0,
            "GatewayAddress": self.gateway,
            "Health": {"LastErrorCode": 0, "LastUpdateTime": self.updated},
            "ID": self.subnet_id,
            "ObjectType": 5,
            "Policies": [],
            "State": 0,
        }
        out: dict[str, Any] = {
            "ActivityId": self.activity_id,
            "AdditionalParams": {},
            "CurrentEndpointCount": endpoint_count,
            "Extensions": [dict(e) for e in SWITCH_EXTENSIONS],
            "Flags": 0,
            "Health": {"LastErrorCode": 0, "LastUpdateTime": self.updated},
            "ID": self.id,
            "IPv6": False,
            "LayeredOn": self.layered_on,
            "MacPools": [{"EndMacAddress": self.mac_pool[1], "StartMacAddress": self.mac_pool[0]}],
            "MaxConcurrentEndpoints": max(endpoint_count, 1),
            "Name": self.name,
            "Policies": list(self.policies),
            "State": 1,
            "Subnets": [subnet],
            "TotalEndpoints": endpoint_count,
            "Type": self.type,
            "Version": 38654705666,
        }
        if self.nat_name:
            out["NatName"] = self.nat_name
        if self.adapter_name:
            out["NetworkAdapterName"] = self.adapter_name
        if self.dns_suffix:
            out["DNSSuffix"] = self.dns_suffix
        if self.dns_servers:
            out["DNSServerList"] = self.dns_servers
        return dict(sorted(out.items()))


@dataclass
class HnsEndpoint:
    id: str
    name: str
    network_id: str
    network_name: str
    network_type: str
    ip: str
    prefix: int
    gateway: str
    mac: str
    dns_suffix: str = ""
    dns_servers: str = ""
    policies: list[Any] = field(default_factory=list)
    state: int = ENDPOINT_STATES["Created"]
    shared_containers: list[str] = field(default_factory=list)
    compartment_id: int | None = None
    namespace_id: str | None = None
    enable_internal_dns: bool = False
    subnet_id: str = ""
    resource_id: str = field(default_factory=lambda: new_guid(upper=True))

    def to_v1(self) -> dict[str, Any]:
        """HNS's v1 JSON in the order HNS writes it (fidelity sample get-hnsendpoint-list-win11)."""
        out: dict[str, Any] = {
            "ID": self.id,
            "Name": self.name,
            "Version": 38654705666,
            "AdditionalParams": {},
            "Resources": {
                "AdditionalParams": {},
                "AllocationOrder": 0,
                "CompartmentOperationTime": 0,
                "Flags": 0,
                "Health": {"LastErrorCode": 0, "LastUpdateTime": 0},
                "ID": self.resource_id,
                "PortOperationTime": 0,
                "State": 1,
                "SwitchOperationTime": 0,
                "VfpOperationTime": 0,
            },
            "State": self.state,
            "VirtualNetwork": self.network_id,
            "VirtualNetworkName": self.network_name,
            "Policies": list(self.policies),
            "MacAddress": self.mac,
            "IPAddress": self.ip,
            "PrefixLength": self.prefix,
            "GatewayAddress": self.gateway,
            "IPSubnetId": self.subnet_id.lower(),
        }
        if self.dns_servers:
            out["DNSServerList"] = self.dns_servers
        if self.dns_suffix:
            out["DNSSuffix"] = self.dns_suffix
        if self.enable_internal_dns:
            out["EnableInternalDNS"] = True
        if self.namespace_id:
            out["Namespace"] = {
                "ID": self.namespace_id,
                "IsDefault": False,
                "CompartmentId": self.compartment_id,
            }
        out["SharedContainers"] = list(self.shared_containers)
        out["Type"] = self.network_type
        return out


class Hns:
    """All HNS state of the host.  Thread-safe under the model lock."""

    def __init__(
        self,
        lock: threading.RLock,
        net: NetStack,
        deviates: Callable[[Deviation], bool],
        record: Callable[[str, str], object],
        rng: random.Random | None = None,
        version: str = "13.2",
    ) -> None:
        self._lock = lock
        self.version = _parse_version(version)
        self._net = net
        self._deviates = deviates
        self._record = record
        self._rng = rng or random.Random()
        self._networks: dict[str, HnsNetwork] = {}
        self._endpoints: dict[str, HnsEndpoint] = {}
        self.create_network({"Name": "nat", "Type": "nat"})  # HNS brings the default NAT network at boot

    # ---- HNSCall ------------------------------------------------------------------------
    def call(self, method: str, path: str, request: str = "") -> str:
        """vmcompute HNSCall: route a v1 request, answer with the JSON envelope (never raises)."""
        try:
            output = self._route(method.upper(), path, request)
        except HnsError as exc:
            return json.dumps({"Success": False, "Error": exc.message})
        return json.dumps({"Success": True, "Output": output})

    def _route(self, method: str, path: str, request: str) -> Any:
        parts = [p for p in path.split("?", 1)[0].split("/") if p]
        if not parts:
            raise HnsError(NOT_FOUND)
        body = _parse(request) if method == "POST" else {}
        kind, rest = parts[0].lower(), parts[1:]
        if kind == "networks":
            if method == "GET":
                return self.network(rest[0]) if rest else self.networks()
            if method == "POST" and not rest:
                return self.create_network(body)
            if method == "DELETE" and rest:
                self.delete_network(rest[0])
                return None
        elif kind == "endpoints":
            if method == "GET":
                return self.endpoint(rest[0]) if rest else self.endpoints()
            if method == "POST" and not rest:
                return self.create_endpoint(body)
            if method == "POST" and len(rest) == 2 and rest[1].lower() in ("attach", "detach"):
                if rest[1].lower() == "attach":
                    return self.attach_endpoint(
                        rest[0], str(body.get("ContainerId", "")), int(body.get("CompartmentId", 0))
                    )
                return self.detach_endpoint(rest[0], str(body.get("ContainerId", "")))
            if method == "POST" and len(rest) == 1:
                return self.endpoint(rest[0])
            if method == "DELETE" and rest:
                return self.delete_endpoint(rest[0])
        elif kind == "endpointstats" and method == "GET" and rest:
            ep = self._endpoint(rest[0])
            return {
                "EndpointID": ep.id,
                "BytesReceived": 0,
                "BytesSent": 0,
                "PacketsReceived": 0,
                "PacketsSent": 0,
            }
        elif kind == "globals" and method == "GET" and [r.lower() for r in rest] == ["version"]:
            # hcsshim hcn.GetGlobals(): the HNS version that gates features (hcnglobals.go)
            return {"Major": self.version[0], "Minor": self.version[1]}
        elif kind == "namespaces" and method == "GET":
            spaces = self.namespaces()
            if rest:
                return (
                    next((n for n in spaces if n["ID"].casefold() == rest[0].casefold()), None) or _missing()
                )
            return spaces
        raise HnsError(f"The method {method} on {path} is not supported.", E_INVALID_PARAMETER)

    # ---- networks -----------------------------------------------------------------------
    def networks(self) -> list[dict[str, Any]]:
        with self._lock:
            return [n.to_v1(self._count(n.id)) for n in self._networks.values()]

    def network(self, network_id: str) -> dict[str, Any]:
        with self._lock:
            net = self._network(network_id)
            return net.to_v1(self._count(net.id))

    def network_by_name(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            net = next((n for n in self._networks.values() if n.name.casefold() == name.casefold()), None)
            return net.to_v1(self._count(net.id)) if net else None

    def create_network(self, settings: dict[str, Any]) -> dict[str, Any]:
        """POST /networks: ``{"Name", "Type", "Subnets": [{"AddressPrefix", "GatewayAddress"}], ...}``."""
        with self._lock:
            name = str(settings.get("Name") or "")
            ntype = str(settings.get("Type") or "").lower()
            if ntype not in NETWORK_TYPES:
                raise HnsError(f"Invalid network type {settings.get('Type')!r}.", E_INVALID_PARAMETER)
            if name and any(n.name.casefold() == name.casefold() for n in self._networks.values()):
                raise HnsError(ALREADY_EXISTS)
            subnet, gateway = self._subnet_for(settings.get("Subnets") or [])
            mac_base = 0x00155D000000 | (self._rng.randrange(0x10, 0xFF) << 8)
            net = HnsNetwork(
                id=new_guid(upper=True),
                name=name or new_guid(),
                type=ntype,
                subnet=subnet,
                gateway=gateway,
                mac_pool=(_mac(mac_base), _mac(mac_base | 0xFFF)),
                adapter_name=str(settings.get("NetworkAdapterName") or ""),
                dns_suffix=str(settings.get("DNSSuffix") or ""),
                dns_servers=str(settings.get("DNSServerList") or ""),
                policies=list(settings.get("Policies") or []),
                next_mac=mac_base + 1,
                updated=_filetime(),
            )
            net.used_ips.add(gateway)
            if ntype == "nat":
                net.nat_name = "ICS" + new_guid(upper=True)
                net.host_vnic = self._net.add_host_vnic(
                    net.name, gateway, subnet.prefixlen, _mac(mac_base)
                ).if_index
            self._networks[net.id.casefold()] = net
            self._record("HNSCall POST /networks", net.id)
            return net.to_v1(0)

    def delete_network(self, network_id: str) -> None:
        with self._lock:
            net = self._network(network_id)
            if self._count(net.id):
                raise HnsError("The network has active endpoints and cannot be deleted.", E_INVALID_PARAMETER)
            if net.host_vnic is not None:
                self._net.remove_interface(net.host_vnic)
            del self._networks[net.id.casefold()]
            self._record("HNSCall DELETE /networks", net.id)

    # ---- endpoints ----------------------------------------------------------------------
    def endpoints(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e.to_v1() for e in self._endpoints.values()]

    def endpoint(self, endpoint_id: str) -> dict[str, Any]:
        with self._lock:
            return self._endpoint(endpoint_id).to_v1()

    def endpoint_state(self, endpoint_id: str) -> HnsEndpoint:
        """The live endpoint record (for HCS and the model; callers must hold the model lock to mutate)."""
        return self._endpoint(endpoint_id)

    def create_endpoint(self, settings: dict[str, Any]) -> dict[str, Any]:
        """POST /endpoints: only a virtual resource (state Created): no compartment, no interface."""
        with self._lock:
            ref = str(settings.get("VirtualNetwork") or "")
            net = (
                self._network(ref)
                if ref
                else next(
                    (
                        n
                        for n in self._networks.values()
                        if n.name.casefold() == str(settings.get("VirtualNetworkName", "")).casefold()
                    ),
                    None,
                )
            )
            if net is None:
                raise HnsError(NOT_FOUND)
            ip = str(settings.get("IPAddress") or "") or self._allocate_ip(net)
            if ip in net.used_ips:
                raise HnsError(ALREADY_EXISTS)
            net.used_ips.add(ip)
            mac = str(settings.get("MacAddress") or "").replace(":", "-").upper()
            if not mac:
                mac = _mac(net.next_mac)
                net.next_mac += 1
            ep = HnsEndpoint(
                id=new_guid(upper=True),
                name=str(settings.get("Name") or ""),
                network_id=net.id,
                network_name=net.name,
                network_type=net.type,
                ip=ip,
                prefix=net.subnet.prefixlen,
                gateway=net.gateway,
                mac=mac,
                dns_suffix=str(settings.get("DNSSuffix") or ""),
                dns_servers=str(settings.get("DNSServerList") or ""),
                policies=list(settings.get("Policies") or []),
                enable_internal_dns=bool(settings.get("EnableInternalDNS")),
                subnet_id=net.subnet_id,
            )
            if not ep.name:  # HNS names an unnamed endpoint after the adapter it becomes
                ep.name = DEFAULT_ENDPOINT_NAME
            self._endpoints[ep.id.casefold()] = ep
            self._record("HNSCall POST /endpoints", ep.id)
            if self._deviates(Deviation.ENDPOINT_BRINGS_COMPARTMENT):
                comp = self._net.create_container_compartment(ep.id.lower())
                self._bind(ep, comp.id)
            if self._deviates(Deviation.ENDPOINT_ATTACHED_AT_CREATE):
                ep.state = ENDPOINT_STATES["Attached"]
            if self._deviates(Deviation.ENDPOINT_NIC_AT_CREATE):
                self._net.add_endpoint_interface(
                    1, ep.id, "", 0, "", ep.mac
                )  # no address yet, host compartment
            return ep.to_v1()

    def attach_endpoint(self, endpoint_id: str, container_id: str, compartment_id: int) -> dict[str, Any]:
        """Put the endpoint's vNIC into a compartment (HCS does this when it creates a compute system)."""
        with self._lock:
            ep = self._endpoint(endpoint_id)
            if ep.compartment_id is None:
                self._bind(ep, compartment_id)
            if container_id and container_id.lower() not in ep.shared_containers:
                ep.shared_containers.append(container_id.lower())
            ep.state = ENDPOINT_STATES["Attached"]
            self._record("HNSCall POST /endpoints/attach", ep.id)
            return ep.to_v1()

    def bind_to_compartment(self, endpoint_id: str, compartment_id: int) -> None:
        """Give the endpoint its vNIC in a compartment without marking it attached."""
        with self._lock:
            ep = self._endpoint(endpoint_id)
            if ep.compartment_id is None:
                self._bind(ep, compartment_id)

    def detach_endpoint(self, endpoint_id: str, container_id: str = "") -> dict[str, Any]:
        with self._lock:
            ep = self._endpoint(endpoint_id)
            if container_id:
                ep.shared_containers = [c for c in ep.shared_containers if c != container_id.lower()]
            else:
                ep.shared_containers.clear()
            self._net.remove_interfaces_of_endpoint(ep.id)
            ep.compartment_id = None
            ep.namespace_id = None
            ep.state = ENDPOINT_STATES["Detached"]
            self._record("HNSCall POST /endpoints/detach", ep.id)
            return ep.to_v1()

    def delete_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        with self._lock:
            ep = self._endpoint(endpoint_id)
            self._net.remove_interfaces_of_endpoint(ep.id)
            net = self._networks.get(ep.network_id.casefold())
            if net:
                net.used_ips.discard(ep.ip)
            del self._endpoints[ep.id.casefold()]
            ep.state = ENDPOINT_STATES["Destroyed"]
            self._record("HNSCall DELETE /endpoints", ep.id)
            return ep.to_v1()

    # ---- namespaces ---------------------------------------------------------------------
    def namespaces(self) -> list[dict[str, Any]]:
        """The default namespace (compartment 1) and one per compartment holding endpoints.

        ``CompartmentGuid`` is the compartment's GUID upper-case without braces, as the hns.psm1
        view shows it, and ``CompartmentId`` the same id Get-NetCompartment reports.
        """
        with self._lock:
            default_guid = DEFAULT_COMPARTMENT_GUID.strip("{}").upper()
            out: list[dict[str, Any]] = [_namespace(default_guid, default_guid, DEFAULT_COMPARTMENT_ID, True)]
            seen: dict[str, dict[str, Any]] = {}
            for ep in self._endpoints.values():
                if ep.namespace_id is None or ep.compartment_id is None:
                    continue
                comp = self._net.compartment(ep.compartment_id)
                guid = comp.guid.strip("{}").upper() if comp is not None else ep.namespace_id
                ns = seen.setdefault(
                    ep.namespace_id, _namespace(ep.namespace_id, guid, ep.compartment_id, False)
                )
                ns["ResourceList"].append({"Type": "Endpoint", "Data": {"Id": ep.id}})
            return out + list(seen.values())

    # ---- internals ----------------------------------------------------------------------
    def _bind(self, ep: HnsEndpoint, compartment_id: int) -> None:
        comp = self._net.compartment(compartment_id)
        if comp is None:
            raise HnsError(NOT_FOUND)
        ep.compartment_id = compartment_id
        ep.namespace_id = comp.guid.strip("{}").upper()
        self._net.add_endpoint_interface(
            compartment_id, ep.id, ep.ip, ep.prefix, ep.gateway, ep.mac, endpoint_name=ep.name
        )

    def _network(self, network_id: str) -> HnsNetwork:
        net = self._networks.get(network_id.strip("{}").casefold())
        if net is None:
            raise HnsError(NOT_FOUND)
        return net

    def _endpoint(self, endpoint_id: str) -> HnsEndpoint:
        ep = self._endpoints.get(endpoint_id.strip("{}").casefold())
        if ep is None:
            raise HnsError(NOT_FOUND)
        return ep

    def _count(self, network_id: str) -> int:
        return sum(1 for e in self._endpoints.values() if e.network_id == network_id)

    def _subnet_for(self, subnets: list[Any]) -> tuple[ipaddress.IPv4Network, str]:
        if subnets:
            try:
                first = subnets[0]
                subnet = ipaddress.IPv4Network(str(first["AddressPrefix"]), strict=False)
                gateway = str(first.get("GatewayAddress") or subnet.network_address + 1)
                return subnet, gateway
            except (KeyError, TypeError, ValueError) as exc:
                raise HnsError(f"Invalid subnet {subnets[0]!r}: {exc}", E_INVALID_PARAMETER) from exc
        taken = [n.subnet for n in self._networks.values()]
        candidates = list(NAT_POOL.subnets(new_prefix=20))
        for _ in range(len(candidates)):
            pick = self._rng.choice(candidates)
            if not any(pick.overlaps(t) for t in taken):
                return pick, str(pick.network_address + 1)
        raise HnsError("No free subnet is left in the NAT address pool.", E_INVALID_PARAMETER)

    def _allocate_ip(self, net: HnsNetwork) -> str:
        hosts = net.subnet.num_addresses - 2
        for _ in range(64):
            ip = str(net.subnet.network_address + self._rng.randrange(2, hosts))
            if ip not in net.used_ips:
                return ip
        for addr in net.subnet.hosts():
            if str(addr) not in net.used_ips:
                return str(addr)
        raise HnsError("The address pool of the network is exhausted.", E_INVALID_PARAMETER)


def _filetime() -> int:
    """Now as a Windows FILETIME (100 ns ticks since 1601), as HNS stamps Health."""
    return int((time.time() + 11_644_473_600) * 10_000_000)


def _mac(value: int) -> str:
    raw = f"{value:012X}"
    return "-".join(raw[i : i + 2] for i in range(0, 12, 2))


def _parse_version(text: str) -> tuple[int, int]:
    """``"15.1"`` -> ``(15, 1)``; the profile's value is data, so a typo must name itself."""
    major, dot, minor = text.partition(".")
    if not (major.isdigit() and dot and minor.isdigit()):
        raise ValueError(f"HNS version must look like 'MAJOR.MINOR', got {text!r}")
    return int(major), int(minor)


def _parse(request: str) -> dict[str, Any]:
    if not request.strip():
        return {}
    try:
        body = json.loads(request)
    except json.JSONDecodeError as exc:
        raise HnsError(f"Invalid JSON document string. {exc.msg}", E_INVALID_PARAMETER) from exc
    if not isinstance(body, dict):
        raise HnsError("Invalid JSON document string.", E_INVALID_PARAMETER)
    return body


def _missing() -> dict[str, Any]:
    raise HnsError(NOT_FOUND)


def _namespace(ns_id: str, compartment_guid: str, compartment_id: int, is_default: bool) -> dict[str, Any]:
    return {
        "ID": ns_id,
        "CompartmentGuid": compartment_guid,
        "CompartmentId": compartment_id,
        "IsDefault": is_default,
        "ResourceList": [],
    }
