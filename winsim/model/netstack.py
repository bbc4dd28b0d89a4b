r"""Network compartments, IP interfaces and routes (what Get-NetCompartment / Get-NetIPInterface / Get-NetRoute show).

Compartment 1 is the host's (``Default Compartment``, type Native).  HCS creates one more per
container compute system, described ``\Container_<container id>`` with type Unspecified, holding
the container's vNIC (``vEthernet (Container NIC <first 8 hex of the HNS endpoint id>)`` before
1803, ``vEthernet (<endpoint name>)`` from it) and its routes.  Removing the compute system removes
the compartment with everything in it.

IPv4 only, by choice: real container NICs also carry an IPv6 link-local address (``fe80::...``,
tests/fidelity/samples/ipconfig-container-nic-docker-17763.txt and -htb.txt) and IPv6 interface
rows and routes; no behaviour the suite checks reads IPv6 (it asks ``-AddressFamily IPv4``), so
winsim leaves them out rather than invent their ids, metrics and prefixes (NOT MODELLED).

>>> net.compartments()[0].description      # doctest: +SKIP
'Default Compartment'
"""

from __future__ import annotations

import ipaddress
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from winsim.deviations import Deviation
from winsim.model.guids import new_guid

DEFAULT_COMPARTMENT_ID = 1
DEFAULT_COMPARTMENT_GUID = "{b1062982-2b18-4b4f-b3d5-a78ddb9cdd49}"
DEFAULT_COMPARTMENT_DESCRIPTION = "Default Compartment"
# MSFT_NetCompartment.CompartmentType, by number: "Unspecified (0), Native (1), RoutingDomain (2)"
# (learn.microsoft.com, previous-versions/windows/desktop/nettcpipprov/msft-netcompartment).
COMPARTMENT_TYPES = ("Unspecified", "Native", "RoutingDomain")
ON_LINK = "0.0.0.0"
# Host side (INFERRED lab-like values; keep as data).
HOST_ETHERNET_ALIAS = "Ethernet"
HOST_ETHERNET_IP = ("10.0.0.4", 24)
HOST_GATEWAY = "10.0.0.1"
HOST_ETHERNET_MAC = "00-15-5D-00-04-0A"


@dataclass
class Compartment:
    id: int
    description: str
    guid: str
    type: str
    container_id: str | None = None


@dataclass
class IpInterface:
    if_index: int
    alias: str
    compartment_id: int
    addresses: list[tuple[str, int]]  # (IPv4 address, prefix length)
    mac_address: str
    nl_mtu: int = 1500
    interface_metric: int = 5000
    dhcp: str = "Disabled"
    connection_state: str = "Connected"
    address_family: str = "IPv4"
    description: str = "Hyper-V Virtual Ethernet Adapter"
    endpoint_id: str | None = None
    interface_guid: str = field(default_factory=lambda: "{" + new_guid() + "}")


@dataclass
class Route:
    destination_prefix: str
    next_hop: str
    if_index: int
    compartment_id: int
    route_metric: int = 256
    protocol: str = "Local"


class NetStack:
    """The host TCP/IP stack: compartments, interfaces, routes.  Thread-safe under the model lock."""

    def __init__(
        self,
        lock: threading.RLock,
        deviates: Callable[[Deviation], bool],
        nic_alias_is_endpoint_name: bool = True,
    ) -> None:
        self._lock = lock
        self._deviates = deviates
        self._alias_by_endpoint_name = nic_alias_is_endpoint_name
        self._compartments: dict[int, Compartment] = {}
        self._interfaces: dict[int, IpInterface] = {}
        self._routes: list[Route] = []
        self._next_compartment = itertools.count(2)
        self._next_if_index = itertools.count(20)
        default_type = "Unspecified" if deviates(Deviation.DEFAULT_COMPARTMENT_NOT_NATIVE) else "Native"
        self._compartments[1] = Compartment(
            1, DEFAULT_COMPARTMENT_DESCRIPTION, DEFAULT_COMPARTMENT_GUID, default_type
        )
        self._add_loopback(1, if_index=1)
        eth = IpInterface(
            if_index=6,
            alias=HOST_ETHERNET_ALIAS,
            compartment_id=1,
            addresses=[HOST_ETHERNET_IP],
            mac_address=HOST_ETHERNET_MAC,
            interface_metric=15,
            dhcp="Enabled",
            description="Microsoft Hyper-V Network Adapter",
        )
        self._add_interface(eth, gateway=HOST_GATEWAY)

    # ---- queries -------------------------------------------------------------------------
    def compartments(self) -> list[Compartment]:
        with self._lock:
            return sorted(self._compartments.values(), key=lambda c: c.id)

    def compartment(self, compartment_id: int) -> Compartment | None:
        with self._lock:
            return self._compartments.get(compartment_id)

    def describe_compartment(self, compartment_id: int, description: str) -> Compartment | None:
        """Rewrite a compartment's description (only a deviating host lets a cmdlet do it)."""
        with self._lock:
            comp = self._compartments.get(compartment_id)
            if comp is not None:
                comp.description = description
            return comp

    def compartment_for_container(self, container_id: str) -> Compartment | None:
        with self._lock:
            return next((c for c in self._compartments.values() if c.container_id == container_id), None)

    def interfaces(self, compartment_id: int | None = None) -> list[IpInterface]:
        """IPv4 interfaces, all compartments unless one is named."""
        with self._lock:
            out = [
                i
                for i in self._interfaces.values()
                if compartment_id is None or i.compartment_id == compartment_id
            ]
        return sorted(out, key=lambda i: (i.compartment_id, i.if_index))

    def routes(self, compartment_id: int | None = None) -> list[Route]:
        with self._lock:
            return [r for r in self._routes if compartment_id is None or r.compartment_id == compartment_id]

    # ---- changes (made by HCS and HNS, never by a cmdlet) ---------------------------------
    def create_container_compartment(self, container_id: str) -> Compartment:
        with self._lock:
            cid = next(self._next_compartment)
            ctype = "Native" if self._deviates(Deviation.CONTAINER_COMPARTMENT_NATIVE) else "Unspecified"
            comp = Compartment(
                cid, self._description(container_id), "{" + new_guid() + "}", ctype, container_id
            )
            self._compartments[cid] = comp
            self._add_loopback(cid)
            return comp

    def assign_container(self, compartment_id: int, container_id: str) -> Compartment:
        """Hand an existing compartment to a container (its description follows)."""
        with self._lock:
            comp = self._compartments[compartment_id]
            comp.container_id = container_id
            comp.description = self._description(container_id)
            return comp

    def _description(self, container_id: str) -> str:
        if self._deviates(Deviation.COMPARTMENT_DESCRIPTION_FORMAT):
            return f"Container_{container_id[:12]}"
        return f"\\Container_{container_id}"

    def add_endpoint_interface(
        self,
        compartment_id: int,
        endpoint_id: str,
        ip: str,
        prefix: int,
        gateway: str,
        mac: str,
        endpoint_name: str = "",
    ) -> IpInterface:
        """The container's vNIC for an HNS endpoint, with its on-link and default routes.

        Its alias depends on the build: ``vEthernet (Container NIC 1a2b3c4d)`` (first group of the
        endpoint GUID) before 1803, ``vEthernet (<endpoint name>)`` from 1803 on; a second interface
        with the same alias gets `` 2``, `` 3`` ... as Windows numbers duplicate connection names
        (tests/fidelity/samples/ipconfig-container-nic-*.txt).
        """
        with self._lock:
            if compartment_id not in self._compartments:
                raise KeyError(f"no network compartment {compartment_id}")
            container_nic = f"Container NIC {endpoint_id.split('-')[0].lower()}"
            if self._alias_by_endpoint_name:
                base = f"vEthernet ({endpoint_name or container_nic})"
                if self._deviates(Deviation.NIC_ALIAS_2016_FORM):
                    base = f"vEthernet ({container_nic})"
            else:
                base = f"vEthernet ({container_nic})"
                if self._deviates(Deviation.NIC_ALIAS_FORMAT):
                    base = f"vEthernet ({endpoint_id.lower()})"
            alias = self._unique_alias(base)
            nic = IpInterface(
                if_index=next(self._next_if_index),
                alias=alias,
                compartment_id=compartment_id,
                addresses=[(ip, prefix)] if ip else [],  # address-less until the stack configures it
                mac_address=mac,
                endpoint_id=endpoint_id,
            )
            with_default = not self._deviates(Deviation.NO_DEFAULT_ROUTE)
            self._add_interface(nic, gateway=gateway if with_default else None)
            return nic

    def add_host_vnic(self, network_name: str, gateway: str, prefix: int, mac: str) -> IpInterface:
        """The host's ``vEthernet (<network>)`` adapter an HNS NAT network brings."""
        with self._lock:
            nic = IpInterface(
                next(self._next_if_index), f"vEthernet ({network_name})", 1, [(gateway, prefix)], mac
            )
            self._add_interface(nic, gateway=None)
            return nic

    def remove_interface(self, if_index: int) -> None:
        with self._lock:
            self._interfaces.pop(if_index, None)
            self._routes = [r for r in self._routes if r.if_index != if_index]

    def remove_interfaces_of_endpoint(self, endpoint_id: str) -> None:
        with self._lock:
            for nic in [i for i in self._interfaces.values() if i.endpoint_id == endpoint_id]:
                self.remove_interface(nic.if_index)

    def remove_compartment(self, compartment_id: int) -> None:
        """Drop a container compartment with its interfaces and routes (compartment 1 stays)."""
        with self._lock:
            if compartment_id == DEFAULT_COMPARTMENT_ID:
                raise ValueError("the default compartment cannot be removed")
            self._compartments.pop(compartment_id, None)
            for nic in [i for i in self._interfaces.values() if i.compartment_id == compartment_id]:
                self.remove_interface(nic.if_index)

    # ---- helpers ------------------------------------------------------------------------
    def _unique_alias(self, base: str) -> str:
        taken = {i.alias.casefold() for i in self._interfaces.values()}
        if base.casefold() not in taken:
            return base
        n = 2
        while f"{base} {n}".casefold() in taken:
            n += 1
        return f"{base} {n}"

    def _add_loopback(self, compartment_id: int, if_index: int | None = None) -> None:
        idx = if_index if if_index is not None else next(self._next_if_index)
        lo = IpInterface(
            idx,
            f"Loopback Pseudo-Interface {compartment_id}",
            compartment_id,
            [("127.0.0.1", 8)],
            mac_address="",
            nl_mtu=4294967295,
            interface_metric=75,
            description="Software Loopback Interface 1",
        )
        self._interfaces[idx] = lo
        for prefix in (
            "127.0.0.0/8",
            "127.0.0.1/32",
            "127.255.255.255/32",
            "224.0.0.0/4",
            "255.255.255.255/32",
        ):
            self._routes.append(Route(prefix, ON_LINK, idx, compartment_id))

    def _add_interface(self, nic: IpInterface, gateway: str | None) -> None:
        self._interfaces[nic.if_index] = nic
        comp = nic.compartment_id
        for ip, prefix in nic.addresses:
            net = ipaddress.IPv4Network(f"{ip}/{prefix}", strict=False)
            self._routes.append(Route(str(net), ON_LINK, nic.if_index, comp))
            self._routes.append(Route(f"{ip}/32", ON_LINK, nic.if_index, comp))
            self._routes.append(Route(f"{net.broadcast_address}/32", ON_LINK, nic.if_index, comp))
        self._routes.append(Route("224.0.0.0/4", ON_LINK, nic.if_index, comp))
        self._routes.append(Route("255.255.255.255/32", ON_LINK, nic.if_index, comp))
        if gateway:
            self._routes.append(Route("0.0.0.0/0", gateway, nic.if_index, comp, protocol="NetMgmt"))
