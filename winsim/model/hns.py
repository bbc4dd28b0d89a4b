"""HNS (Host Network Service): networks, endpoints and namespaces, as typed records.

Settings dataclasses go in (``NetworkSettings``, ``EndpointSettings``), copies of the records come
out (``HnsNetwork``, ``HnsEndpoint``, ``HnsNamespace``); failures raise ``HnsError`` with HNS's text.
dockerd calls these methods directly; the HNSCall export (``winsim/native/hnscall.py``) parses the
v1 JSON requests into them and renders the records as HNS's v1 documents (``winsim/native/hns_v1.py``).

>>> ep = hns.create_endpoint(EndpointSettings(virtual_network=net_id))  # doctest: +SKIP
>>> ep.state       # 1 = Created: a virtual resource only, no compartment yet  # doctest: +SKIP
1
"""

from __future__ import annotations

import ipaddress
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from winsim.deviations import Deviation
from winsim.model.errors import E_FAIL, E_INVALID_PARAMETER, MESSAGES, HnsError
from winsim.model.guids import new_guid
from winsim.model.netstack import DEFAULT_COMPARTMENT_GUID, DEFAULT_COMPARTMENT_ID
from winsim.model.winnat import StaticMappingSettings, WinNat

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
# HNS v1's port publishing policy: {"Type": "NAT", "Protocol", "InternalPort", "ExternalPort"} (hcsshim
# hnspolicy.go NatPolicy, as moby's windows driver ConvertPortBindings sends it).
# INFERRED: HNS lists an endpoint's policies back as they were sent (no captured NAT policy answer).
NAT_POLICY_TYPE = "NAT"
LATER_HNS_BUILD = 17763  # Windows Server 2019 (1809)
# An endpoint created without a Name (moby's nat driver sends none) is named "Ethernet"
# (tests/fidelity/samples/hnsdiag-list-all-k8s.txt, ipconfig-container-nic-docker-17763.txt).
DEFAULT_ENDPOINT_NAME = "Ethernet"


@dataclass(frozen=True)
class SubnetSettings:
    """One subnet of a network to create: its prefix and (empty = the first host) gateway."""

    address_prefix: str
    gateway: str = ""


@dataclass(frozen=True)
class NetworkSettings:
    """What creating a network takes (HNS's POST /networks fields, typed)."""

    name: str = ""
    type: str = ""
    subnets: tuple[SubnetSettings, ...] = ()
    adapter_name: str = ""
    dns_suffix: str = ""
    dns_servers: str = ""
    policies: tuple[Any, ...] = ()  # opaque policy objects HNS keeps and lists back


@dataclass(frozen=True)
class EndpointSettings:
    """What creating an endpoint takes: its network by id (or by name), and optional fixed values."""

    virtual_network: str = ""
    virtual_network_name: str = ""
    name: str = ""
    ip: str = ""
    mac: str = ""
    dns_suffix: str = ""
    dns_servers: str = ""
    policies: tuple[Any, ...] = ()
    enable_internal_dns: bool = False


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
    endpoint_count: int = 0

    def copy(self) -> HnsNetwork:
        return replace(self, policies=list(self.policies), used_ips=set(self.used_ips))


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
    # added to its namespace through HNS's namespace API (containerd's CNI, hcn): only such an
    # endpoint shows a Namespace; HCS v1's EndpointList (docker, the seed's direct run) binds the
    # vNIC without one (issue 20 against public transcripts; tests/fidelity get-hnsendpoint-list-win11
    # is a CNI endpoint with one)
    namespaced: bool = False
    enable_internal_dns: bool = False
    subnet_id: str = ""
    resource_id: str = field(default_factory=lambda: new_guid(upper=True))
    static_mappings: list[int] = field(default_factory=list)  # WinNAT mapping ids its NAT policies made

    def copy(self) -> HnsEndpoint:
        return replace(
            self,
            policies=list(self.policies),
            shared_containers=list(self.shared_containers),
            static_mappings=list(self.static_mappings),
        )


@dataclass(frozen=True)
class HnsNamespace:
    """A network namespace: a compartment as HNS names it, with the endpoints inside."""

    id: str
    compartment_guid: str
    compartment_id: int
    is_default: bool
    endpoint_ids: tuple[str, ...] = ()


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
        winnat: WinNat | None = None,
        host_build: int = 20348,
    ) -> None:
        self._lock = lock
        self.version = _parse_version(version)
        self._net = net
        self.winnat = winnat or WinNat(lock, deviates)
        # Windows Server 2016 has one NAT network: another nat network is refused with "Unspecified
        # error" (moby/moby#29207 on 14393.447, moby/moby#39078 on 2016 with engine 18.09.5).
        # INFERRED: 2016 is the only profile build before 1809, where a second one is taken.
        self._single_nat = host_build < LATER_HNS_BUILD
        # INFERRED from the error's two forms: before 1809 HNS answers a refused port in its
        # envelope (docker/for-win#1951), later it fails HNSCall itself ("hnsCall failed in Win32")
        self._call_fails = host_build >= LATER_HNS_BUILD
        # WinNAT's name for a nat network: "H<guid>" on 2016 (docker/for-win#750, Get-NetNat on a
        # Server 2016 host), "NAT<GUID>" later (tests/fidelity/samples/hns-network-nat-raw-rke2.txt)
        self._nat_prefix = "NAT" if host_build >= LATER_HNS_BUILD else "H"
        self._deviates = deviates
        self._record = record
        self._rng = rng or random.Random()
        self._networks: dict[str, HnsNetwork] = {}
        self._endpoints: dict[str, HnsEndpoint] = {}
        self.create_network(
            NetworkSettings(name="nat", type="nat")
        )  # HNS brings the default NAT network at boot

    # ---- networks -----------------------------------------------------------------------
    def networks(self) -> list[HnsNetwork]:
        with self._lock:
            return [n.copy() for n in self._networks.values()]

    def network(self, network_id: str) -> HnsNetwork:
        with self._lock:
            return self._network(network_id).copy()

    def network_by_name(self, name: str) -> HnsNetwork | None:
        with self._lock:
            net = next((n for n in self._networks.values() if n.name.casefold() == name.casefold()), None)
            return net.copy() if net else None

    def create_network(self, settings: NetworkSettings) -> HnsNetwork:
        with self._lock:
            name = settings.name
            ntype = settings.type.lower()
            if ntype not in NETWORK_TYPES:
                raise HnsError(f"Invalid network type {settings.type!r}.", E_INVALID_PARAMETER)
            if name and any(n.name.casefold() == name.casefold() for n in self._networks.values()):
                raise HnsError(ALREADY_EXISTS)
            if ntype == "nat" and self._single_nat and any(n.type == "nat" for n in self._networks.values()):
                raise HnsError(MESSAGES[E_FAIL], E_FAIL)
            subnet, gateway = self._subnet_for(settings.subnets)
            mac_base = 0x00155D000000 | (self._rng.randrange(0x10, 0xFF) << 8)
            net = HnsNetwork(
                id=new_guid(upper=True),
                name=name or new_guid(),
                type=ntype,
                subnet=subnet,
                gateway=gateway,
                mac_pool=(_mac(mac_base), _mac(mac_base | 0xFFF)),
                adapter_name=settings.adapter_name,
                dns_suffix=settings.dns_suffix,
                dns_servers=settings.dns_servers,
                policies=list(settings.policies),
                next_mac=mac_base + 1,
                updated=_filetime(),
            )
            net.used_ips.add(gateway)
            if ntype == "nat":
                net.nat_name = self._nat_prefix + new_guid(upper=self._nat_prefix != "H")
                net.host_vnic = self._net.add_host_vnic(
                    net.name, gateway, subnet.prefixlen, _mac(mac_base)
                ).if_index
                self.winnat.add_nat(net.nat_name, str(subnet))
            self._networks[net.id.casefold()] = net
            self._record("HNSCall POST /networks", net.id)
            return net.copy()

    def delete_network(self, network_id: str) -> None:
        with self._lock:
            net = self._network(network_id)
            if net.endpoint_count:
                raise HnsError("The network has active endpoints and cannot be deleted.", E_INVALID_PARAMETER)
            if net.host_vnic is not None:
                self._net.remove_interface(net.host_vnic)
            if net.nat_name:
                self.winnat.remove_nat(net.nat_name)
            del self._networks[net.id.casefold()]
            self._record("HNSCall DELETE /networks", net.id)

    # ---- endpoints ----------------------------------------------------------------------
    def endpoints(self) -> list[HnsEndpoint]:
        with self._lock:
            return [e.copy() for e in self._endpoints.values()]

    def endpoint(self, endpoint_id: str) -> HnsEndpoint:
        with self._lock:
            return self._endpoint(endpoint_id).copy()

    def endpoint_state(self, endpoint_id: str) -> HnsEndpoint:
        """The live endpoint record (for HCS and the model; callers must hold the model lock to mutate)."""
        return self._endpoint(endpoint_id)

    def create_endpoint(self, settings: EndpointSettings) -> HnsEndpoint:
        """POST /endpoints: only a virtual resource (state Created): no compartment, no interface."""
        with self._lock:
            ref = settings.virtual_network
            net = (
                self._network(ref)
                if ref
                else next(
                    (
                        n
                        for n in self._networks.values()
                        if n.name.casefold() == settings.virtual_network_name.casefold()
                    ),
                    None,
                )
            )
            if net is None:
                raise HnsError(NOT_FOUND)
            ip = settings.ip or self._allocate_ip(net)
            if ip in net.used_ips:
                raise HnsError(ALREADY_EXISTS)
            mappings = self._map_ports(net, ip, settings.policies)  # refused before anything is kept
            net.used_ips.add(ip)
            mac = settings.mac.replace(":", "-").upper()
            if not mac:
                mac = _mac(net.next_mac)
                net.next_mac += 1
            ep = HnsEndpoint(
                id=new_guid(upper=True),
                name=settings.name,
                network_id=net.id,
                network_name=net.name,
                network_type=net.type,
                ip=ip,
                prefix=net.subnet.prefixlen,
                gateway=net.gateway,
                mac=mac,
                dns_suffix=settings.dns_suffix,
                dns_servers=settings.dns_servers,
                policies=list(settings.policies),
                enable_internal_dns=settings.enable_internal_dns,
                subnet_id=net.subnet_id,
                static_mappings=mappings,
            )
            if not ep.name:  # HNS names an unnamed endpoint after the adapter it becomes
                ep.name = DEFAULT_ENDPOINT_NAME
            self._endpoints[ep.id.casefold()] = ep
            net.endpoint_count += 1
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
            return ep.copy()

    def attach_endpoint(
        self, endpoint_id: str, container_id: str, compartment_id: int, *, namespaced: bool = False
    ) -> HnsEndpoint:
        """Put the endpoint's vNIC into a compartment (HCS does this when it creates a compute
        system); ``namespaced`` when it joins through the namespace API (containerd's CNI)."""
        with self._lock:
            ep = self._endpoint(endpoint_id)
            if ep.compartment_id is None:
                self._bind(ep, compartment_id)
            ep.namespaced = ep.namespaced or namespaced
            if container_id and container_id.lower() not in ep.shared_containers:
                ep.shared_containers.append(container_id.lower())
            ep.state = ENDPOINT_STATES["Attached"]
            self._record("HNSCall POST /endpoints/attach", ep.id)
            return ep.copy()

    def attach_to_guest(self, endpoint_id: str, container_id: str) -> HnsEndpoint:
        """Attach the endpoint to a Hyper-V isolated container: its NIC is the utility VM's, so no
        host compartment or interface gets it."""
        with self._lock:
            ep = self._endpoint(endpoint_id)
            if container_id.lower() not in ep.shared_containers:
                ep.shared_containers.append(container_id.lower())
            ep.state = ENDPOINT_STATES["Attached"]
            self._record("HNSCall POST /endpoints/attach", ep.id)
            return ep.copy()

    def bind_to_compartment(self, endpoint_id: str, compartment_id: int) -> None:
        """Give the endpoint its vNIC in a compartment without marking it attached."""
        with self._lock:
            ep = self._endpoint(endpoint_id)
            if ep.compartment_id is None:
                self._bind(ep, compartment_id)

    def detach_endpoint(self, endpoint_id: str, container_id: str = "") -> HnsEndpoint:
        with self._lock:
            ep = self._endpoint(endpoint_id)
            if container_id:
                ep.shared_containers = [c for c in ep.shared_containers if c != container_id.lower()]
            else:
                ep.shared_containers.clear()
            self._net.remove_interfaces_of_endpoint(ep.id)
            ep.compartment_id = None
            ep.namespace_id = None
            ep.namespaced = False
            ep.state = ENDPOINT_STATES["Detached"]
            self._record("HNSCall POST /endpoints/detach", ep.id)
            return ep.copy()

    def delete_endpoint(self, endpoint_id: str) -> HnsEndpoint:
        with self._lock:
            ep = self._endpoint(endpoint_id)
            self._net.remove_interfaces_of_endpoint(ep.id)
            if not self._deviates(Deviation.STATIC_MAPPING_LEFT_BEHIND):
                for mapping_id in ep.static_mappings:
                    self.winnat.remove_mapping(mapping_id)
            net = self._networks.get(ep.network_id.casefold())
            if net:
                net.used_ips.discard(ep.ip)
                net.endpoint_count -= 1
            del self._endpoints[ep.id.casefold()]
            ep.state = ENDPOINT_STATES["Destroyed"]
            self._record("HNSCall DELETE /endpoints", ep.id)
            return ep.copy()

    # ---- namespaces ---------------------------------------------------------------------
    def namespaces(self) -> list[HnsNamespace]:
        """The default namespace (compartment 1) and one per compartment holding endpoints.

        ``compartment_guid`` is the compartment's GUID upper-case without braces, as the hns.psm1
        view shows it, and ``compartment_id`` the same id Get-NetCompartment reports.
        """
        with self._lock:
            default_guid = DEFAULT_COMPARTMENT_GUID.strip("{}").upper()
            out = [HnsNamespace(default_guid, default_guid, DEFAULT_COMPARTMENT_ID, True)]
            seen: dict[str, HnsNamespace] = {}
            for ep in self._endpoints.values():
                if ep.namespace_id is None or ep.compartment_id is None:
                    continue
                ns = seen.get(ep.namespace_id)
                if ns is None:
                    comp = self._net.compartment(ep.compartment_id)
                    guid = comp.guid.strip("{}").upper() if comp is not None else ep.namespace_id
                    ns = HnsNamespace(ep.namespace_id, guid, ep.compartment_id, False)
                seen[ep.namespace_id] = replace(ns, endpoint_ids=(*ns.endpoint_ids, ep.id))
            return out + list(seen.values())

    # ---- internals ----------------------------------------------------------------------
    def _map_ports(self, net: HnsNetwork, ip: str, policies: tuple[Any, ...]) -> list[int]:
        """One WinNAT static mapping per NAT policy (on a nat network); all or none."""
        wanted = [
            p for p in policies if isinstance(p, dict) and str(p.get("Type", "")).upper() == NAT_POLICY_TYPE
        ]
        if not wanted or net.type != "nat":
            return []
        made: list[int] = []
        try:
            for policy in wanted:
                try:
                    settings = StaticMappingSettings(
                        net.nat_name,
                        str(policy.get("Protocol") or "TCP"),
                        int(policy.get("ExternalPort") or 0),
                        ip,
                        int(policy.get("InternalPort") or 0),
                    )
                except (TypeError, ValueError) as exc:
                    raise HnsError(f"Invalid NAT policy {policy!r}: {exc}", E_INVALID_PARAMETER) from exc
                made.append(self.winnat.add_mapping(settings).id)
        except HnsError as exc:
            for mapping_id in made:
                self.winnat.remove_mapping(mapping_id)
            raise HnsError(exc.message, exc.hresult, call_fails=self._call_fails) from None
        return made

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

    def _subnet_for(self, subnets: tuple[SubnetSettings, ...]) -> tuple[ipaddress.IPv4Network, str]:
        if subnets:
            first = subnets[0]
            try:
                subnet = ipaddress.IPv4Network(first.address_prefix, strict=False)
            except ValueError as exc:
                raise HnsError(
                    f"Invalid subnet {first.address_prefix!r}: {exc}", E_INVALID_PARAMETER
                ) from exc
            return subnet, first.gateway or str(subnet.network_address + 1)
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
