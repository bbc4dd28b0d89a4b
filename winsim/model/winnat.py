"""WinNAT: the NAT instances HNS makes for its nat networks, and their static port mappings.

HNS owns both: a nat network brings one NAT (``Get-NetNat``: its name and internal prefix), and an
endpoint with a ``NAT`` policy one static mapping per policy (``Get-NetNatStaticMapping``), removed
with the endpoint.  A mapping whose external address, port and protocol another one already holds
is refused with ERROR_SHARING_VIOLATION, the text a second ``docker run -p`` of the same host port
reports (tests/fidelity/samples/error-port-conflict-*.txt).

>>> nat.add_mapping(StaticMappingSettings(nat_name, "TCP", 8080, "172.20.0.5", 80))  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from winsim.deviations import Deviation
from winsim.model.errors import E_INVALID_PARAMETER, E_SHARING_VIOLATION, MESSAGES, HnsError

ANY_ADDRESS = "0.0.0.0"
PROTOCOLS = ("TCP", "UDP")


@dataclass(frozen=True)
class NetNat:
    """One NAT instance: its name and the prefix behind it (``InternalIPInterfaceAddressPrefix``)."""

    name: str
    internal_prefix: str


@dataclass(frozen=True)
class StaticMappingSettings:
    """What HNS asks WinNAT for, per NAT policy of an endpoint."""

    nat_name: str
    protocol: str  # "TCP" | "UDP"
    external_port: int
    internal_ip: str
    internal_port: int
    external_ip: str = ANY_ADDRESS


@dataclass(frozen=True)
class StaticMapping:
    id: int  # StaticMappingID
    nat_name: str
    protocol: str
    external_ip: str
    external_port: int
    internal_ip: str
    internal_port: int


class WinNat:
    """All WinNAT state of the host.  Thread-safe under the model lock."""

    def __init__(self, lock: threading.RLock, deviates: Callable[[Deviation], bool]) -> None:
        self._lock = lock
        self._deviates = deviates
        self._nats: dict[str, NetNat] = {}
        self._mappings: dict[int, StaticMapping] = {}
        self._next_id = 0  # INFERRED: ids count up from 0 as mappings are added

    def nats(self) -> list[NetNat]:
        with self._lock:
            return list(self._nats.values())

    def add_nat(self, name: str, internal_prefix: str) -> NetNat:
        with self._lock:
            nat = NetNat(name, internal_prefix)
            self._nats[name.casefold()] = nat
            return nat

    def remove_nat(self, name: str) -> None:
        with self._lock:
            self._nats.pop(name.casefold(), None)
            for mapping in [m for m in self._mappings.values() if m.nat_name.casefold() == name.casefold()]:
                del self._mappings[mapping.id]

    def mappings(self) -> list[StaticMapping]:
        with self._lock:
            return sorted(self._mappings.values(), key=lambda m: m.id)

    def add_mapping(self, settings: StaticMappingSettings) -> StaticMapping:
        """A new static mapping; one on a taken external address, port and protocol is refused."""
        with self._lock:
            protocol = settings.protocol.upper()
            if protocol not in PROTOCOLS:
                raise HnsError(f"Invalid protocol {settings.protocol!r}.", E_INVALID_PARAMETER)
            taken = any(
                m.protocol == protocol
                and m.external_port == settings.external_port
                and (
                    m.external_ip == settings.external_ip
                    or ANY_ADDRESS in (m.external_ip, settings.external_ip)
                )
                for m in self._mappings.values()
            )
            if taken and not self._deviates(Deviation.PORT_CONFLICT_ACCEPTED):
                raise HnsError(MESSAGES[E_SHARING_VIOLATION], E_SHARING_VIOLATION)
            mapping = StaticMapping(
                self._next_id,
                settings.nat_name,
                protocol,
                settings.external_ip,
                settings.external_port,
                settings.internal_ip,
                settings.internal_port,
            )
            self._next_id += 1
            self._mappings[mapping.id] = mapping
            return replace(mapping)

    def remove_mapping(self, mapping_id: int) -> None:
        with self._lock:
            self._mappings.pop(mapping_id, None)
