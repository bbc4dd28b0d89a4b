"""Running containers to observe, made through Docker or directly (HCS/HNS, no Docker).

A *subject* is a started container as the suite sees it: its id (container id == compute
system id), its IPv4 address and the network it is on.  ``start_docker`` and ``start_direct``
perform the seed's lifecycle; tests that only observe share one subject per host, via and
isolation mode (each runs under its ``Containers``' isolation, ``--isolation=<mode>`` on the CLI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import docker.errors

from suites import expect

if TYPE_CHECKING:
    from drivers.host import Host
    from fixtures.resources import Containers, Direct

# What the container runs: interactive PowerShell kept alive by an open stdin (the seed's `-id ... powershell`).
DOCKER_COMMAND = "powershell"
DIRECT_COMMAND = "powershell.exe"


@dataclass
class Subject:
    via: str
    id: str
    ip: str
    network: str  # the HNS / docker network name
    handle: Any  # docker SDK Container, or the driver's DirectContainer
    endpoint_id: str = ""  # the HNS endpoint, when known without looking it up
    pid: int = 0  # the process the direct run created (docker's is State.Pid)
    started: datetime | None = None  # the host's clock just before the container was started


def default_network(host: Host) -> str:
    # Docker on Windows names its default network after the nat driver.
    return "nat" if host.spec.network_driver == "nat" else host.spec.network_driver


def docker_ip(container: Any, network: str) -> str:
    networks = container.attrs.get("NetworkSettings", {}).get("Networks") or {}
    settings: dict[str, Any] = networks.get(network) or next(iter(networks.values()), {})
    return str(settings.get("IPAddress") or "")


def host_clock(host: Host) -> datetime:
    """The host's own clock (docker info SystemTime, RFC 3339 with up to nanoseconds)."""
    text = str(host.docker.info()["SystemTime"])
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return datetime.fromisoformat(text)


def start_docker(host: Host, containers: Containers, network: str | None = None) -> Subject:
    network = network or default_network(host)
    started = host_clock(host)
    container = containers.run(command=DOCKER_COMMAND, network=network)
    ip = docker_ip(container, network)
    expect.present(
        host,
        f"IPv4 address of container {container.id[:12]} on {network}",
        ip,
        container.attrs.get("NetworkSettings"),
    )
    return Subject("docker", container.id, ip, network, container, started=started)


def start_seed(host: Host, containers: Containers, network: str) -> Subject:
    """The seed's own command through the host's docker CLI, on a network the user created:
    ``docker run -id --network <network> --name <name> <image> powershell`` (labelled for cleanup)."""
    name = containers.name()
    image = containers.ensure_image()
    started = host_clock(host)
    args = ["run", "-id", "--network", network, "--name", name, "--label", f"wcc.run={containers.run_id}"]
    if containers.isolation:  # the mode the test runs under, asked for as a user would
        args.append(f"--isolation={containers.isolation}")
    result = host.docker.cli(*args, image, DOCKER_COMMAND)
    expect.equal(
        host, f"exit code of docker {' '.join(args)} (stderr: {result.stderr.strip()[:300]!r})", 0, result.rc
    )
    cid = result.stdout.strip().splitlines()[-1].strip()
    containers.track(cid)
    container = host.docker.client.containers.get(cid)
    ip = docker_ip(container, network)
    expect.present(
        host, f"IPv4 address of container {cid[:12]} on {network}", ip, container.attrs.get("NetworkSettings")
    )
    return Subject("docker", cid, ip, network, container, started=started)


def start_direct(host: Host, direct: Direct, network: str | None = None) -> Subject:
    """The seed's sequence without Docker: scratch, activate, endpoint, compute system, start, process."""
    network = network or default_network(host)
    dc = direct(network=network)
    started = host_clock(host)
    dc.create_scratch()
    dc.activate()
    endpoint = dc.create_endpoint()
    dc.create_compute_system()
    dc.start()
    process = dc.create_process(DIRECT_COMMAND)
    return Subject(
        "direct", dc.id, endpoint.ip_address, network, dc, endpoint.id, process.process_id, started
    )


def still_running(host: Host, subject: Subject) -> bool:
    if subject.via == "docker":
        try:
            subject.handle.reload()
        except docker.errors.NotFound:  # removed: not running
            return False
        return bool(subject.handle.status == "running")
    system = host.hcs.get(subject.id)
    return system is not None and system.state == "Running"
