"""A container's published ports: ``HostConfig.PortBindings`` as dockerd turns them into HNS NAT
policies (moby daemon/libnetwork/drivers/windows/windows.go ``ConvertPortBindings``) and back
(``ParsePortBindingPolicies``: every binding reads as host address 0.0.0.0).

>>> bindings({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]})
[PortBinding(port=80, protocol='tcp', host_ip='', host_port=8080)]
>>> nat_policy(PortBinding(80, "tcp", "", 8080), engine_major=24)
{'Type': 'NAT', 'Protocol': 'tcp', 'InternalPort': 80, 'ExternalPort': 8080, 'ExternalPortReserved': True}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from winsim.model.errors import DockerError, ErrorKind

ANY_HOST_IP = "0.0.0.0"
# moby sets ExternalPortReserved from v23.0.0 (commit cba8cf34d2, "Set ExternalPortReserved for dummy proxy")
RESERVED_FROM_ENGINE = 23


@dataclass(frozen=True)
class PortBinding:
    port: int  # in the container
    protocol: str  # "tcp" | "udp", as the key names it
    host_ip: str
    host_port: int


def bindings(port_bindings: dict[str, Any] | None) -> list[PortBinding]:
    """``{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`` -> bindings, refused as moby refuses them."""
    out: list[PortBinding] = []
    for key, hosts in (port_bindings or {}).items():
        port_text, _, protocol = str(key).partition("/")
        protocol = (protocol or "tcp").lower()
        if protocol.upper() not in ("TCP", "UDP"):
            raise DockerError(ErrorKind.INVALID_PARAMETER, f"invalid protocol {protocol}")
        port = _port(port_text, key)
        for host in hosts or [{}]:
            host_ip = str((host or {}).get("HostIp") or "")
            host_port_text = str((host or {}).get("HostPort") or "")
            if "-" in host_port_text:
                low, _, high = host_port_text.partition("-")
                if low != high:
                    raise DockerError(
                        ErrorKind.SYSTEM, "Windows does not support more than one host port in NAT settings"
                    )
                host_port_text = low
            if host_ip not in ("", ANY_HOST_IP):
                raise DockerError(
                    ErrorKind.SYSTEM, "Windows does not support host IP addresses in NAT settings"
                )
            # INFERRED: an empty HostPort gets no port from the Windows driver (no allocator there)
            host_port = _port(host_port_text, key) if host_port_text else 0
            out.append(PortBinding(port, protocol, host_ip, host_port))
    return out


def nat_policy(binding: PortBinding, engine_major: int) -> dict[str, Any]:
    """One HNS v1 NAT policy, with hcsshim's field order (``omitempty`` drops zero values)."""
    policy: dict[str, Any] = {"Type": "NAT", "Protocol": binding.protocol}
    if binding.port:
        policy["InternalPort"] = binding.port
    if binding.host_port:
        policy["ExternalPort"] = binding.host_port
    if engine_major >= RESERVED_FROM_ENGINE:
        policy["ExternalPortReserved"] = True
    return policy


def from_policies(policies: list[Any]) -> list[PortBinding]:
    """The bindings an endpoint's NAT policies describe, as moby reads them back."""
    out: list[PortBinding] = []
    for p in policies:
        if isinstance(p, dict) and str(p.get("Type", "")) == "NAT":
            out.append(
                PortBinding(
                    int(p.get("InternalPort") or 0),
                    str(p.get("Protocol") or "tcp").lower(),
                    ANY_HOST_IP,
                    int(p.get("ExternalPort") or 0),
                )
            )
    return out


def _port(text: str, key: object) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 < value < 65536:
        raise DockerError(ErrorKind.INVALID_PARAMETER, f"invalid port specification: {key!r}")
    return value
