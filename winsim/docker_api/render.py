"""Docker Engine API JSON for the model's objects, shaped as dockerd on Windows answers.

Pure functions from model objects to dicts; nothing here changes state.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from winsim.model import HostModel, ports
from winsim.model.container_process import command_line
from winsim.model.docker_objects import Container, DockerNetwork
from winsim.model.images import LocalImage
from winsim.profiles import HostProfile

ZERO_TIME = "0001-01-01T00:00:00Z"
MIN_API_VERSION = "1.24"
NETWORK_PLUGINS = [
    "ics",
    "internal",
    "l2bridge",
    "l2tunnel",
    "nat",
    "null",
    "overlay",
    "private",
    "transparent",
]
LOG_PLUGINS = [
    "awslogs",
    "etwlogs",
    "fluentd",
    "gcplogs",
    "gelf",
    "json-file",
    "local",
    "logentries",
    "splunk",
    "syslog",
]
GIT_COMMIT = "311b9ff"


def network_plugins(profile: HostProfile) -> list[str]:
    """19.03 added the internal and private drivers (docker-info-ws2019-18.09 lacks them)."""
    if profile.engine_version < (19, 3):
        return [n for n in NETWORK_PLUGINS if n not in ("internal", "private")]
    return list(NETWORK_PLUGINS)


def log_plugins(profile: HostProfile) -> list[str]:
    """18.09 EE on Windows had no gcplogs; engine 23 dropped logentries (fidelity docker-info-*)."""
    out = list(LOG_PLUGINS)
    if profile.engine_version < (19, 3):
        out.remove("gcplogs")
    if profile.engine_major >= 23:
        out.remove("logentries")
    return out


GO_VERSION = "go1.20.10"


def go_time(value: datetime | None) -> str:
    """RFC 3339 with nanoseconds, as Go's time.Time marshals."""
    if value is None:
        return ZERO_TIME
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def human_duration(seconds: float) -> str:
    """go-units HumanDuration, used by container status strings."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def status_text(c: Container) -> str:
    now = datetime.now(UTC)
    if c.running and c.started_at:
        return "Up " + human_duration((now - c.started_at).total_seconds())
    if c.status == "removing":
        return "Removal In Progress"
    if c.started_at is None:
        return "Created"
    if c.finished_at is None:
        return ""
    return f"Exited ({c.exit_code}) {human_duration((now - c.finished_at).total_seconds())} ago"


def classful_prefix(ip: str) -> int:
    """moby's windows driver keeps ``IP.DefaultMask()`` as the endpoint's mask (HNS does not say),
    so docker shows 172.x as /16 and 10.x as /8 while HNS uses /20 (fidelity samples
    docker-network-inspect-*: 172.31.192.253/16, 10.123.7.107/8)."""
    first = int(ip.split(".", 1)[0])
    return 8 if first < 128 else 16 if first < 192 else 24


def _endpoint_settings(model: HostModel, c: Container, api: tuple[int, int] = (1, 43)) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for att in c.networks.values():
        out[att.network_name] = {
            "IPAMConfig": att.ipam_config,
            "Links": None,
            "Aliases": att.aliases,
            "MacAddress": att.mac,
            "DriverOpts": None,
            "NetworkID": att.network_id,
            "EndpointID": att.endpoint_id,
            "Gateway": att.gateway,
            "IPAddress": att.ip,
            "IPPrefixLen": classful_prefix(att.ip) if att.ip else 0,
            "IPv6Gateway": "",
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
        }
        if api >= (1, 44):  # API 1.44 added DNSNames
            out[att.network_name]["DNSNames"] = [c.name, c.id[:12]] if att.endpoint_id else None
    return out


def _published(model: HostModel, c: Container) -> list[ports.PortBinding]:
    """The bindings HNS holds for the running container's endpoints (moby reads them back from the
    endpoint's NAT policies, ParsePortBindingPolicies), none once it stopped."""
    if not c.running:
        return []
    known = {e.id: e for e in model.hns.endpoints()}
    return [
        b
        for att in c.networks.values()
        if att.hns_endpoint_id in known
        for b in ports.from_policies(known[att.hns_endpoint_id].policies)
    ]


def port_map(model: HostModel, c: Container) -> dict[str, Any]:
    """``NetworkSettings.Ports``: each exposed port, null or its host bindings (moby buildPortMapInfo)."""
    out: dict[str, Any] = {str(k): None for k in c.config.get("ExposedPorts") or {}} if c.running else {}
    for b in _published(model, c):
        key = f"{b.port}/{b.protocol}"
        out[key] = [*(out.get(key) or []), {"HostIp": b.host_ip, "HostPort": str(b.host_port)}]
    return out


def port_list(model: HostModel, c: Container) -> list[dict[str, Any]]:
    """``Ports`` of GET /containers/json: a published port with its host side, an exposed one without."""
    published = _published(model, c)
    out: list[dict[str, Any]] = [
        {"IP": b.host_ip, "PrivatePort": b.port, "PublicPort": b.host_port, "Type": b.protocol}
        for b in published
    ]
    bound = {f"{b.port}/{b.protocol}" for b in published}
    for key in c.config.get("ExposedPorts") or {}:
        if str(key) not in bound and "/" in str(key):
            number, _, protocol = str(key).partition("/")
            out.append({"PrivatePort": int(number), "Type": protocol})
    return out


def mounts(c: Container) -> list[dict[str, Any]]:
    """``Mounts`` of docker inspect (fidelity samples docker-inspect-mounts-*)."""
    out: list[dict[str, Any]] = []
    for m in c.mounts:
        entry: dict[str, Any] = {"Type": m.type}
        if m.type == "volume":
            entry["Name"] = m.name
        entry["Source"] = m.source
        entry["Destination"] = m.destination
        if m.type == "volume":
            entry["Driver"] = m.extra.get("Driver", "local")
        entry.update({"Mode": m.mode, "RW": m.rw, "Propagation": ""})
        out.append(entry)
    return out


def volume(v: Any, api: tuple[int, int] = (1, 43)) -> dict[str, Any]:
    """A volume as ``docker volume inspect`` shows it (fidelity sample docker-volume-inspect-ws2019)."""
    out: dict[str, Any] = {"CreatedAt": v.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    out.update(
        {
            "Driver": "local",
            "Labels": v.labels,
            "Mountpoint": v.mountpoint,
            "Name": v.name,
            "Options": v.options,
            "Scope": "local",
        }
    )
    return out


def container_inspect(model: HostModel, c: Container, api: tuple[int, int] = (1, 43)) -> dict[str, Any]:
    argv = c.argv
    cfg = c.config
    hc = {
        "Binds": c.host_config.get("Binds") or None,
        "ContainerIDFile": "",
        "LogConfig": {"Type": "json-file", "Config": {}},
        "NetworkMode": c.host_config.get("NetworkMode", "default"),
        "PortBindings": c.host_config.get("PortBindings") or {},
        "RestartPolicy": c.host_config.get("RestartPolicy") or {"Name": "no", "MaximumRetryCount": 0},
        "AutoRemove": bool(c.host_config.get("AutoRemove")),
        "VolumeDriver": "",
        "VolumesFrom": None,
        "ConsoleSize": c.host_config.get("ConsoleSize") or [0, 0],
        "CapAdd": None,
        "CapDrop": None,
        "CgroupnsMode": "",
        "Dns": [],
        "DnsOptions": [],
        "DnsSearch": [],
        "ExtraHosts": None,
        "GroupAdd": None,
        "IpcMode": "",
        "Cgroup": "",
        "Links": None,
        "OomScoreAdj": 0,
        "PidMode": "",
        "Privileged": False,
        "PublishAllPorts": False,
        "ReadonlyRootfs": False,
        "SecurityOpt": None,
        "UTSMode": "",
        "UsernsMode": "",
        "ShmSize": 0,
        "Isolation": c.host_config.get("Isolation", "process"),
        "CpuShares": 0,
        "Memory": 0,
        "NanoCpus": 0,
        "CgroupParent": "",
        "BlkioWeight": 0,
        # INFERRED: the rest of moby's Resources in struct order, as the CLI sends them empty
        "BlkioWeightDevice": [],
        "BlkioDeviceReadBps": [],
        "BlkioDeviceWriteBps": [],
        "BlkioDeviceReadIOps": [],
        "BlkioDeviceWriteIOps": [],
        "CpuPeriod": 0,
        "CpuQuota": 0,
        "CpuRealtimePeriod": 0,
        "CpuRealtimeRuntime": 0,
        "CpusetCpus": "",
        "CpusetMems": "",
        "Devices": [],
        "DeviceCgroupRules": None,
        "DeviceRequests": None,
        "MemoryReservation": 0,
        "MemorySwap": 0,
        "MemorySwappiness": None,
        "OomKillDisable": False,
        "PidsLimit": None,
        "Ulimits": None,
        "CpuCount": 0,
        "CpuPercent": 0,
        "IOMaximumIOps": 0,
        "IOMaximumBandwidth": 0,
        "Mounts": c.host_config.get("Mounts") or None,
        "MaskedPaths": None,
        "ReadonlyPaths": None,
    }
    if not hc["Mounts"]:
        del hc["Mounts"]
    if model.profile.engine_major < 23:  # API 1.42 dropped KernelMemory from the answer
        keys = list(hc)
        at = keys.index("MemoryReservation")
        hc = dict(
            [*list(hc.items())[:at], ("KernelMemory", 0), ("KernelMemoryTCP", 0), *list(hc.items())[at:]]
        )
    return {
        "Id": c.id,
        "Created": go_time(c.created),
        "Path": argv[0] if argv else "",
        "Args": argv[1:],
        "State": {
            "Status": c.status,
            "Running": c.running,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": c.status == "dead",
            "Pid": c.pid,
            "ExitCode": c.exit_code,
            "Error": "",
            "StartedAt": go_time(c.started_at),
            "FinishedAt": go_time(c.finished_at),
        },
        "Image": c.image.id,
        "ResolvConfPath": "",
        "HostnamePath": "",
        "HostsPath": "",
        "LogPath": f"C:\\ProgramData\\docker\\containers\\{c.id}\\{c.id}-json.log",
        "Name": "/" + c.name,
        "RestartCount": c.restart_count,
        "Driver": model.dockerd.graph_driver,
        "Platform": "windows",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "",
        "ExecIDs": None,
        "HostConfig": hc,
        "GraphDriver": {"Data": {"dir": c.scratch_path}, "Name": model.dockerd.graph_driver},
        "Mounts": mounts(c),
        "Config": {
            "Hostname": cfg.get("Hostname") or c.id[:12],
            "Domainname": cfg.get("Domainname", ""),
            "User": cfg.get("User", ""),
            "AttachStdin": bool(cfg.get("AttachStdin")),
            "AttachStdout": bool(cfg.get("AttachStdout")),
            "AttachStderr": bool(cfg.get("AttachStderr")),
            "Tty": bool(cfg.get("Tty")),
            "OpenStdin": bool(cfg.get("OpenStdin")),
            "StdinOnce": bool(cfg.get("StdinOnce")),
            "Env": cfg.get("Env"),
            "Cmd": cfg.get("Cmd") or c.image.default_cmd(),
            "Image": c.image_ref,
            # moby daemon/commit.go merge: an empty map from the client takes the image's (null when
            # it declares none, as no image in winsim's catalogue does)
            "Volumes": cfg.get("Volumes") or None,
            "WorkingDir": cfg.get("WorkingDir", ""),
            "Entrypoint": cfg.get("Entrypoint"),
            "OnBuild": None,
            "Labels": cfg.get("Labels") or {},
        },
        "NetworkSettings": {
            "Bridge": "",
            "SandboxID": c.id if c.running else "",
            "SandboxKey": c.id if c.running else "",
            "HairpinMode": False,
            "LinkLocalIPv6Address": "",
            "LinkLocalIPv6PrefixLen": 0,
            "Ports": port_map(model, c),
            "SecondaryIPAddresses": None,
            "SecondaryIPv6Addresses": None,
            "EndpointID": "",
            "Gateway": "",
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
            "IPAddress": "",
            "IPPrefixLen": 0,
            "IPv6Gateway": "",
            "MacAddress": "",
            "Networks": _endpoint_settings(model, c, api),
        },
    }


def container_summary(model: HostModel, c: Container) -> dict[str, Any]:
    return {
        "Id": c.id,
        "Names": ["/" + c.name],
        "Image": c.image_ref,
        "ImageID": c.image.id,
        "Command": command_line(c.argv),
        "Created": int(c.created.timestamp()),
        "Ports": port_list(model, c),
        "Labels": c.config.get("Labels") or {},
        "State": c.status,
        "Status": status_text(c),
        "HostConfig": {"NetworkMode": c.host_config.get("NetworkMode", "default")},
        "NetworkSettings": {"Networks": _endpoint_settings(model, c)},
        "Mounts": mounts(c),
    }


def image_inspect(model: HostModel, image: LocalImage, api_version: tuple[int, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": image.id,
        "RepoTags": list(image.repo_tags),
        "RepoDigests": list(image.repo_digests),
        "Parent": "",
        "Comment": "",
        "Created": image.variant.created,
        "DockerVersion": "",
        "Author": "",
        "Config": {
            "Hostname": "",
            "Domainname": "",
            "User": "",
            "AttachStdin": False,
            "AttachStdout": False,
            "AttachStderr": False,
            "Tty": False,
            "OpenStdin": False,
            "StdinOnce": False,
            "Env": None,
            "Cmd": image.default_cmd(),
            "Image": "",
            "Volumes": None,
            "WorkingDir": "",
            "Entrypoint": None,
            "OnBuild": None,
            "Labels": None,
        },
        "Architecture": "amd64",
        "Os": "windows",
        "OsVersion": image.os_version,
        "Size": image.variant.size,
        "GraphDriver": {
            "Data": {"dir": model.dockerd.image_layer_dir(image)},
            "Name": model.dockerd.graph_driver,
        },
        "RootFS": {"Type": "layers", "Layers": list(image.variant.layers)},
        "Metadata": {"LastTagTime": ZERO_TIME},
    }
    if api_version < (1, 44):
        out["VirtualSize"] = image.variant.size
        out["Container"] = ""
        out["ContainerConfig"] = dict(out["Config"], Cmd=None)
    return out


def image_summary(image: LocalImage) -> dict[str, Any]:
    created = datetime.fromisoformat(image.variant.created.replace("Z", "+00:00")[:26] + "+00:00")
    return {
        "Containers": -1,
        "Created": int(created.timestamp()),
        "Id": image.id,
        "Labels": None,
        "ParentId": "",
        "RepoDigests": list(image.repo_digests),
        "RepoTags": list(image.repo_tags),
        "SharedSize": -1,
        "Size": image.variant.size,
        "VirtualSize": image.variant.size,
    }


def network_inspect(model: HostModel, net: DockerNetwork) -> dict[str, Any]:
    containers: dict[str, Any] = {}
    for c in model.dockerd.containers.values():
        att = c.networks.get(net.id)
        if att is not None and att.endpoint_id:
            containers[c.id] = {
                "Name": c.name,
                "EndpointID": att.endpoint_id,
                "MacAddress": att.mac,
                "IPv4Address": f"{att.ip}/{classful_prefix(att.ip)}",
                "IPv6Address": "",
            }
    ipam_config = [{"Subnet": net.subnet, "Gateway": net.gateway}] if net.subnet else []
    return {
        "Name": net.name,
        "Id": net.id,
        "Created": go_time(net.created),
        "Scope": "local",
        "Driver": net.driver,
        "EnableIPv6": False,
        "IPAM": {
            "Driver": "windows" if net.driver != "null" else "default",
            "Options": net.ipam_options if net.ipam_options is not None else None,
            "Config": ipam_config,
        },
        "Internal": net.internal,
        "Attachable": False,
        "Ingress": False,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": False,
        "Containers": containers,
        "Options": dict(net.options),
        "Labels": dict(net.labels),
    }


def operating_system(profile: HostProfile) -> str:
    """Engines from 23 print the registry's product line ``Microsoft Windows Server Version 21H2``;
    older ones the edition (fidelity samples docker-info-ws2019-18.09, docker-info-ws2022-23.0)."""
    build = f"(OS Build {profile.build}.{profile.ubr})"
    if profile.engine_major >= 23:
        return f"Microsoft Windows Server Version {profile.display_version} {build}"
    return f"{profile.product_name} Version {profile.display_version} {build}"


def daemon_id(model: HostModel) -> str:
    """Engines from 23 identify the daemon by a UUID; older ones by a colon-separated key id."""
    digest = hashlib.sha512(str(model.state_dir).encode()).hexdigest()
    if model.profile.engine_major >= 23:
        return str(uuid.UUID(digest[:32], version=4))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    key = "".join(alphabet[int(digest[i : i + 2], 16) % 32] for i in range(0, 96, 2))
    return ":".join(key[i : i + 4] for i in range(0, 48, 4))


def version(profile: HostProfile) -> dict[str, Any]:
    details = {
        "ApiVersion": profile.docker_api_version,
        "Arch": "amd64",
        "BuildTime": "2023-10-26T09:08:44.000000000+00:00",
        "Experimental": "false",
        "GitCommit": GIT_COMMIT,
        "GoVersion": GO_VERSION,
        "KernelVersion": profile.kernel_version,
        "MinAPIVersion": MIN_API_VERSION,
        "Os": "windows",
    }
    return {
        "Platform": {"Name": "Docker Engine - Community"},
        "Components": [{"Name": "Engine", "Version": profile.docker_version, "Details": details}],
        "Version": profile.docker_version,
        "ApiVersion": profile.docker_api_version,
        "MinAPIVersion": MIN_API_VERSION,
        "GitCommit": GIT_COMMIT,
        "GoVersion": GO_VERSION,
        "Os": "windows",
        "Arch": "amd64",
        "KernelVersion": profile.kernel_version,
        "BuildTime": details["BuildTime"],
    }


def info(model: HostModel, host_name: str) -> dict[str, Any]:
    d = model.dockerd
    p = model.profile
    containers = list(d.containers.values())
    running = sum(1 for c in containers if c.running)
    out: dict[str, Any] = {
        "ID": daemon_id(model),
        "Containers": len(containers),
        "ContainersRunning": running,
        "ContainersPaused": 0,
        "ContainersStopped": len(containers) - running,
        "Images": len(d.images.images()),
        "Driver": d.graph_driver,
        "DriverStatus": [["Windows", ""]],
        "Plugins": {
            "Volume": ["local"],
            "Network": network_plugins(p),
            "Authorization": None,
            "Log": log_plugins(p),
        },
        "MemoryLimit": False,
        "SwapLimit": False,
        "CpuCfsPeriod": False,
        "CpuCfsQuota": False,
        "CPUShares": False,
        "CPUSet": False,
        "PidsLimit": False,
        "IPv4Forwarding": True,
        "BridgeNfIptables": True,
        "BridgeNfIp6tables": True,
        "Debug": d.debug,
        "NFd": -1,
        "OomKillDisable": False,
        "NGoroutines": 30 + running * 6,
        "SystemTime": datetime.now(UTC).astimezone().isoformat(timespec="microseconds"),
        "LoggingDriver": "json-file",
        "CgroupDriver": "",
        "NEventsListener": 0,
        "KernelVersion": p.kernel_version,
        "OperatingSystem": operating_system(p),
        "OSType": "windows",
        "Architecture": "x86_64",
        "IndexServerAddress": "https://index.docker.io/v1/",
        "RegistryConfig": {
            "AllowNondistributableArtifactsCIDRs": None,
            "AllowNondistributableArtifactsHostnames": None,
            "InsecureRegistryCIDRs": ["127.0.0.0/8"],
            "IndexConfigs": {
                "docker.io": {"Name": "docker.io", "Mirrors": [], "Secure": True, "Official": True},
            },
            "Mirrors": None,
        },
        "NCPU": os.cpu_count() or 2,
        "MemTotal": 17179332608,
        "GenericResources": None,
        "DockerRootDir": "C:\\ProgramData\\docker",
        "HttpProxy": "",
        "HttpsProxy": "",
        "NoProxy": "",
        "Name": host_name,
        "Labels": [],
        "ExperimentalBuild": False,
        "ServerVersion": p.docker_version,
        "Runtimes": {},
        "DefaultRuntime": "",
        "Swarm": {
            "NodeID": "",
            "NodeAddr": "",
            "LocalNodeState": "inactive",
            "ControlAvailable": False,
            "Error": "",
            "RemoteManagers": None,
        },
        "LiveRestoreEnabled": False,
        "Isolation": p.isolation,
        "InitBinary": "",
        "ContainerdCommit": {"ID": "", "Expected": ""},
        "RuncCommit": {"ID": "", "Expected": ""},
        "InitCommit": {"ID": "", "Expected": ""},
        "SecurityOptions": None,
        "DefaultAddressPools": None,
        "Warnings": None,
    }
    if p.engine_version >= (19, 3):  # API 1.40 added OSVersion
        # Major.Minor.Build, no UBR: moby pkg/parsers/operatingsystem/operatingsystem_windows.go
        # GetOperatingSystemVersion ("%d.%d.%d"; docker/cli#3669: "10.0.17763 for ... Windows Server
        # 2019"). No captured /info of a Windows host is in the corpus: the form is the source's.
        out["OSVersion"] = f"10.0.{p.build}"
    return out
