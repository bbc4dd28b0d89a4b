"""dockerd's networks: each backed by an HNS network, and the HNS endpoints of attached containers."""

from __future__ import annotations

import contextlib
import secrets
from datetime import UTC, datetime
from typing import Any

from winsim.deviations import Deviation
from winsim.model.docker_base import DockerdBase
from winsim.model.docker_objects import DockerNetwork, NetAttachment, new_id
from winsim.model.errors import (
    DockerError,
    ErrorKind,
    HnsError,
)
from winsim.model.hns import EndpointSettings, HnsNetwork, NetworkSettings, SubnetSettings

NETWORK_DRIVERS = ("nat", "transparent", "l2bridge", "l2tunnel", "overlay", "ics", "internal", "private")
PREDEFINED_NETWORKS = ("nat", "none")


class DockerdNetworks(DockerdBase):
    """``/networks``: create, inspect, remove; the attachments a new container gets; its endpoints."""

    def network(self, ref: str) -> DockerNetwork:
        with self._lock:
            self.require_running()
            if ref in self.networks:
                return self.networks[ref]
            for net in self.networks.values():
                if net.name == ref:
                    return net
            hits = [n for n in self.networks.values() if n.id.startswith(ref)] if ref else []
            if len(hits) == 1:
                return hits[0]
            raise DockerError(ErrorKind.NOT_FOUND, f"network {ref} not found")

    def list_networks(self) -> list[DockerNetwork]:
        with self._lock:
            self.require_running()
            return list(self.networks.values())

    def create_network(
        self,
        name: str,
        driver: str = "nat",
        options: dict[str, str] | None = None,
        ipam: dict[str, Any] | None = None,
        labels: dict[str, str] | None = None,
        internal: bool = False,
    ) -> DockerNetwork:
        """POST /networks/create: the HNS network is created first, then docker records it."""
        with self._lock:
            self.require_running()
            if not name:
                raise DockerError(ErrorKind.INVALID_PARAMETER, "network name is required")
            if any(n.name == name for n in self.networks.values()):
                raise DockerError(ErrorKind.CONFLICT, f"network with name {name} already exists")
            drv = driver or "nat"
            if drv not in NETWORK_DRIVERS:
                raise DockerError(ErrorKind.NOT_FOUND, f'plugin "{drv}" not found')
            net_id = new_id()
            opts = dict(options or {})
            # moby CreateNetwork: the HNS network is named by the networkname option, else the id
            by_name = self.model.deviates(Deviation.HNS_NETWORK_NAMED_BY_NAME)
            hns_name = opts.get("com.docker.network.windowsshim.networkname") or (name if by_name else net_id)
            cfg = ((ipam or {}).get("Config") or [{}])[0] if ipam else {}
            settings = NetworkSettings(
                name=hns_name,
                type=drv,
                subnets=(SubnetSettings(cfg["Subnet"], cfg.get("Gateway", "")),) if cfg.get("Subnet") else (),
                adapter_name=opts.get("com.docker.network.windowsshim.interface") or "",
            )
            try:
                hns_net = self.model.hns.create_network(settings)
            except HnsError as exc:
                raise DockerError(ErrorKind.SYSTEM, self._hns_words(exc)) from exc
            # the id of the POST answer, in the lower case it comes in (docker-network-inspect-l2bridge-*)
            net = self._add_network(
                name, drv, hns_net, hns_net.id.lower(), opts, labels or {}, internal, net_id=net_id
            )
            if ipam and "Options" in ipam:
                net.ipam_options = ipam.get("Options")
            return net

    def _add_network(
        self,
        name: str,
        driver: str,
        hns_net: HnsNetwork,
        hns_id: str,
        options: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        internal: bool = False,
        net_id: str = "",
    ) -> DockerNetwork:
        net = DockerNetwork(
            id=net_id or new_id(),
            name=name,
            driver=driver,
            created=datetime.now(UTC),
            hns_id=hns_id,
            subnet=str(hns_net.subnet),
            gateway=hns_net.gateway,
            options={"com.docker.network.windowsshim.hnsid": hns_id, **(options or {})},
            labels=dict(labels or {}),
            internal=internal,
        )
        self.networks[net.id] = net
        self._event("network", "create", net.id, {"name": name, "type": driver})
        return net

    def remove_network(self, ref: str) -> None:
        with self._lock:
            net = self.network(ref)
            if net.name in PREDEFINED_NETWORKS:
                raise DockerError(
                    ErrorKind.FORBIDDEN, f"{net.name} is a pre-defined network and cannot be removed"
                )
            if any(
                a.endpoint_id
                for c in self.containers.values()
                for a in c.networks.values()
                if a.network_id == net.id
            ):
                raise DockerError(
                    ErrorKind.FORBIDDEN,
                    f"error while removing network: network {net.name} id {net.id} has active endpoints",
                )
            if net.hns_id:
                with contextlib.suppress(HnsError):  # HNS may already have forgotten it
                    self.model.hns.delete_network(net.hns_id)
            del self.networks[net.id]
            self._event("network", "destroy", net.id, {"name": net.name, "type": net.driver})

    def _networks_for(
        self, host_config: dict[str, Any], networking: dict[str, Any]
    ) -> dict[str, NetAttachment]:
        mode = str(host_config.get("NetworkMode") or "default")
        host_config["NetworkMode"] = mode
        if mode == "none":
            return {}
        wanted = "nat" if mode == "default" else mode
        net = self._find_network(wanted)
        endpoints = dict(networking.get("EndpointsConfig") or {})
        cfg = endpoints.pop(mode, None) or endpoints.pop(net.name, None) or {}
        out = {net.id: NetAttachment(net.id, net.name, cfg.get("Aliases"), cfg.get("IPAMConfig"))}
        for extra, ecfg in endpoints.items():
            other = self._find_network("nat" if extra == "default" else extra)
            if other.id not in out:
                out[other.id] = NetAttachment(
                    other.id, other.name, (ecfg or {}).get("Aliases"), (ecfg or {}).get("IPAMConfig")
                )
        return out

    def _find_network(self, ref: str) -> DockerNetwork:
        try:
            return self.network(ref)
        except DockerError:
            raise DockerError(ErrorKind.NOT_FOUND, f"network {ref} not found") from None

    def _hns_words(self, exc: HnsError) -> str:
        """An HNS failure as the engine's hcsshim words it (internal/hns hnsfuncs.go): a failed
        HNSCall is "hnsCall failed in Win32: <text> (0x<code>)", wrapped in "failed during
        hnsCallRawResponse: " by the hcsshim of engines from 20.10 (INFERRED from the dates of
        tests/fidelity/samples/error-port-conflict-*.txt); an envelope's error is "HNS failed with
        error : <text>", lower-cased "hns" in those engines' hcsshim (moby vendor, hnsfuncs.go)."""
        modern = self.model.profile.engine_major >= 20
        if exc.call_fails:
            code = exc.hresult & 0xFFFF if (exc.hresult >> 16) & 0x1FFF == 7 else exc.hresult
            failed = f"hnsCall failed in Win32: {exc.message} (0x{code:x})"
            return f"failed during hnsCallRawResponse: {failed}" if modern else failed
        return f"{'hns' if modern else 'HNS'} failed with error : {exc.message}"

    def _allocate_endpoint(self, att: NetAttachment, policies: tuple[dict[str, Any], ...] = ()) -> str:
        net = self.networks.get(att.network_id)
        if net is None:
            raise DockerError(ErrorKind.NOT_FOUND, f"network {att.network_name} not found")
        att.endpoint_id = secrets.token_hex(32)
        # moby's windows driver sends no Name, so HNS names the endpoint itself ("Ethernet")
        settings = EndpointSettings(
            virtual_network=net.hns_id,
            ip=str((att.ipam_config or {}).get("IPv4Address") or ""),
            enable_internal_dns=net.driver == "nat",
            policies=policies,
        )
        ep = self.model.hns.create_endpoint(settings)
        att.hns_endpoint_id = ep.id
        att.ip = ep.ip
        att.prefix = ep.prefix
        att.gateway = ep.gateway
        att.mac = ep.mac.replace("-", ":").lower()
        return att.hns_endpoint_id
