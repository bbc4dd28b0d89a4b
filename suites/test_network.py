"""Network configuration: the HNS endpoint, then the compute system's vNIC and compartment, then attach."""

from __future__ import annotations

import ipaddress
import random
import re

from drivers.errors import ProbeError
from drivers.models import NatPolicy
from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.observe import endpoint_of
from suites.subjects import DOCKER_COMMAND, Subject, default_network, docker_ip

CONTAINER_PORT = 80
PORT_RANGE = (20000, 40000)  # host ports tried for a published port, away from well-known ones


def _holding(host, address: str):
    return [(i.alias, i.compartment_id) for i in host.net.interfaces() if address in i.ipv4_addresses]


def _compartments(host) -> set[tuple[int, str]]:
    return {(c.id, c.description) for c in host.net.compartments()}


def _new_compartments(host, before: set[tuple[int, str]]):
    """Compartments not there before, by id and description (an id another container freed may come back)."""
    return sorted(_compartments(host) - before)


@behaviour(
    id="network/endpoint-virtual-first",
    must="An HNS endpoint MUST exist before its compute system and then be only a virtual resource: HNS gives its "
    "State as Created (1) with no SharedContainers, and no compartment and no interface (in any compartment, with or "
    "without an address) appears for it.",
    seed="Firstly network endpoint is created. ... At his point endpoint extist only as a virtual resource in HNS.",
    via=("direct",),
    # "no interface, with or without an address" can only be read host-wide: no other run's
    # container may appear meanwhile
    alone=True,
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "an endpoint made before any compute system knows no isolation yet (hcsshim hns CreateEndpoint)",
    },
)
def test_endpoint_before_compute_system_is_virtual(host, via, direct):
    dc = direct()
    dc.create_scratch()
    dc.activate()
    before_compartments = _compartments(host)
    before_interfaces = {i.if_index for i in host.net.interfaces()}
    endpoint = dc.create_endpoint()
    expect.that(
        host.hcs.get(dc.id) is None,
        host,
        f"compute system {dc.id[:12]} while its endpoint is made",
        expect.Described("not created yet"),
        "exists",
    )
    found = expect.present(
        host, f"HNS endpoint {endpoint.id} after HNSCall POST /endpoints", host.hns.endpoint(endpoint.id)
    )
    expect.equal(host, f"State of HNS endpoint {endpoint.id}", facts.ENDPOINT_CREATED_STATE, found.state)
    expect.equal(host, f"SharedContainers of HNS endpoint {endpoint.id}", [], found.shared_containers)
    expect.equal(
        host,
        f"compartments new since endpoint {endpoint.id} was made (no compute system yet)",
        [],
        _new_compartments(host, before_compartments),
    )
    expect.equal(
        host,
        f"interfaces (any compartment, any address) new since endpoint {endpoint.id} was made",
        [],
        [
            (i.alias, i.compartment_id, i.ipv4_addresses)
            for i in host.net.interfaces()
            if i.if_index not in before_interfaces
        ],
    )


@behaviour(
    id="network/vnic-compartment-on-create",
    must="The container's vNIC and compartment MUST appear once its compute system is created (before it starts).",
    seed="hcsshim::CreateComputeSystem creates container. It seems that it also creates its vNIC, network compartment "
    "and vswitch port for it as they become visible only after this command is run.",
    via=("direct",),
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_NETWORK_IN_VM,
    },
)
def test_compute_system_create_brings_vnic_and_compartment(host, via, direct):
    before = _compartments(host)
    dc = direct()
    dc.create_scratch()
    dc.activate()
    endpoint = dc.create_endpoint()
    system = dc.create_compute_system()
    expect.that(
        system.state != "Running",
        host,
        f"compute system {dc.id[:12]} state right after create",
        "not running yet",
        system.state,
    )
    holding = _holding(host, endpoint.ip_address)
    expect.that(
        len(holding) == 1,
        host,
        f"interfaces holding {endpoint.ip_address} after HcsCreateComputeSystem",
        "exactly one (the vNIC)",
        holding,
    )
    # Other runs' containers may add compartments meanwhile: of the new ones, the vNIC's is this
    # container's, and no other new one names it.
    vnic_compartment = holding[0][1]
    new = _new_compartments(host, before)
    expect.that(
        vnic_compartment in [cid for cid, _ in new],
        host,
        f"compartments new since {dc.id[:12]} was set up ({new})",
        f"the vNIC's compartment {vnic_compartment}",
        [cid for cid, _ in new],
    )
    naming = [cid for cid, description in new if dc.id.lower() in description.lower()]
    expect.that(
        set(naming) <= {vnic_compartment},
        host,
        f"new compartments whose description names {dc.id[:12]}",
        f"only the vNIC's compartment {vnic_compartment}",
        naming,
    )


@behaviour(
    id="network/endpoint-attached-on-start",
    must="After start, the container's HNS endpoint MUST be attached to it (state Attached, container in SharedContainers).",
    seed="Now, during Join() operation, network endpoint should be connected to sanbox but as network compartment API "
    "is not open and contrail-cnm-plugin cannot do it. It'll be done during creation of the container by hcsshim.",
    via=("docker", "direct"),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "moby's Windows network driver attaches the same HNS endpoint by id under either isolation; HNS then lists the container in SharedContainers (INFERRED, as winsim models it)",
    },
)
def test_endpoint_attached_after_start(host, via, subject):
    endpoint = endpoint_of(host, subject)
    expect.that(
        endpoint.state in facts.ENDPOINT_ATTACHED_STATES,
        host,
        f"state of HNS endpoint {endpoint.id}",
        "2 (Attached) or 3 (AttachedSharing)",
        endpoint.state,
    )
    expect.that(
        len(endpoint.shared_containers) == 1 and expect.same_id(endpoint.shared_containers[0], subject.id),
        host,
        f"SharedContainers of HNS endpoint {endpoint.id}",
        [subject.id],
        endpoint.shared_containers,
    )


def _free_port(host) -> int:
    """A host port no static mapping on the host holds (a lab host has other containers and runs)."""
    taken = {m.external_port for m in host.net.nat_mappings()}
    rng = random.SystemRandom()
    while (port := rng.randrange(*PORT_RANGE)) in taken:
        pass
    return port


def _endpoints_publishing(host, port: int) -> list[str]:
    return sorted(e.id for e in host.hns.endpoints() if any(p.external_port == port for p in e.nat_policies))


def _mappings_of(host, port: int):
    return [m for m in host.net.nat_mappings() if m.external_port == port]


def _docker_endpoint(host, container, network: str):
    return endpoint_of(
        host, Subject("docker", container.id, docker_ip(container, network), network, container)
    )


@behaviour(
    id="network/port-published",
    must="A container started with a published port H:C (tcp) MUST get exactly one HNS NAT policy on its own endpoint "
    "(Protocol tcp, InternalPort C, ExternalPort H) and exactly one WinNAT static mapping for host port H (TCP, any "
    "external address, to the endpoint's address and port C) on its nat network's NAT; Docker MUST show the same "
    "binding (inspect NetworkSettings.Ports and docker port: C/tcp on 0.0.0.0:H); removing the container (or its "
    "endpoint) MUST remove both.",
    seed="",
    source="moby daemon/libnetwork/drivers/windows/windows.go (ConvertPortBindings: one HNS NAT policy per binding; "
    "ParsePortBindingPolicies: read back on 0.0.0.0); hcsshim internal/hns/hnspolicy.go (NatPolicy); WinNAT static "
    "mappings for container ports: 'Windows NAT (WinNAT) -- Capabilities and limitations', Microsoft Tech Community",
    via=("docker", "direct"),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the NAT policy is on the container's HNS endpoint and its static mapping in the host's WinNAT under either isolation: the vSwitch and NAT stay on the host (INFERRED)",
    },
)
def test_published_port_is_a_nat_policy_and_a_static_mapping(host, via, containers, direct):
    port = _free_port(host)
    network = default_network(host)
    policy = {"Type": "NAT", "Protocol": "tcp", "InternalPort": CONTAINER_PORT, "ExternalPort": port}
    if via == "docker":
        container = containers.run(
            command=DOCKER_COMMAND, network=network, ports={f"{CONTAINER_PORT}/tcp": port}
        )
        endpoint = _docker_endpoint(host, container, network)
    else:
        dc = direct(network=network)
        dc.create_scratch()
        dc.activate()
        endpoint = dc.create_endpoint([policy])
        dc.create_compute_system()
        dc.start()
        endpoint = expect.present(host, f"HNS endpoint {endpoint.id}", host.hns.endpoint(endpoint.id))
    expect.equal(
        host,
        f"NAT policies of HNS endpoint {endpoint.id} (published {port}:{CONTAINER_PORT}/tcp)",
        [NatPolicy("tcp", CONTAINER_PORT, port)],
        endpoint.nat_policies,
    )
    nat = [n.name for n in host.net.nats() if _in_prefix(endpoint.ip_address, n.internal_prefix)]
    expect.that(
        len(nat) == 1, host, f"NATs (Get-NetNat) whose prefix holds {endpoint.ip_address}", "one", nat
    )
    expect.equal(
        host,
        f"static mappings of host port {port} (Get-NetNatStaticMapping)",
        [(nat[0], "TCP", facts.NAT_ANY_ADDRESS, port, endpoint.ip_address, CONTAINER_PORT)],
        [
            (m.nat_name, m.protocol, m.external_ip, m.external_port, m.internal_ip, m.internal_port)
            for m in _mappings_of(host, port)
        ],
    )
    if via == "docker":
        container.reload()
        binding = [{"HostIp": facts.PUBLISHED_HOST_IP, "HostPort": str(port)}]
        ports = container.attrs["NetworkSettings"]["Ports"] or {}
        expect.equal(
            host, f"inspect NetworkSettings.Ports of {container.id[:12]}", binding, ports.get("80/tcp")
        )
        shown = host.docker.cli("port", container.id, f"{CONTAINER_PORT}/tcp")
        expect.equal(
            host,
            f"docker port {container.id[:12]} {CONTAINER_PORT}/tcp",
            [f"{facts.PUBLISHED_HOST_IP}:{port}"],
            shown.stdout.split(),
        )
        container.remove(force=True)
    else:
        dc.teardown()
    expect.equal(host, f"HNS endpoint {endpoint.id} once removed", None, host.hns.endpoint(endpoint.id))
    expect.equal(
        host,
        f"static mappings of host port {port} once the container is removed",
        [],
        [(m.id, m.internal_ip) for m in _mappings_of(host, port)],
    )


@behaviour(
    id="network/port-conflict",
    must="Making a second container's endpoint publish a host port another container's endpoint already maps MUST "
    "be refused with the host's sharing violation (ERROR_SHARING_VIOLATION: through Docker 'failed to create endpoint "
    "<name> on network <network>: ... The process cannot access the file because it is being used by another "
    "process.', leaving that container created; through HNSCall POST /endpoints its HRESULT 0x80070020, or HNS's "
    "envelope with that text on builds before 1809), leave no endpoint for it, and leave the first container's NAT "
    "policy and static mapping the only ones for that port.",
    seed="",
    source="tests/fidelity/samples/error-port-conflict-*.txt (docker/for-win#1951, microsoft/vscode-docker#1299, "
    "sitecorelabs/xmcloud-foundation-head-dev#143: a host port mapped twice); moby libnetwork (failed to create "
    "endpoint); hcsshim internal/hns/hnsfuncs.go (the error's wrappers: 'hnsCall failed in Win32' is a failed HRESULT)",
    via=("docker", "direct"),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "host ports are mapped by the host's WinNAT from the endpoint's NAT policy under either isolation: the vSwitch and NAT stay on the host (INFERRED)",
    },
)
def test_second_container_on_a_taken_port_is_refused(host, via, containers, direct):
    port = _free_port(host)
    network = default_network(host)
    policy = {"Type": "NAT", "Protocol": "tcp", "InternalPort": CONTAINER_PORT, "ExternalPort": port}
    if via == "docker":
        first = containers.run(command=DOCKER_COMMAND, network=network, ports={f"{CONTAINER_PORT}/tcp": port})
        first_endpoint = _docker_endpoint(host, first, network)
        _refused_through_docker(host, containers, network, port, first.id)
    else:
        dc = direct(network=network)
        dc.create_scratch()
        dc.activate()
        first_endpoint = dc.create_endpoint([policy])
        dc.create_compute_system()
        dc.start()
        second = direct(network=network)
        try:
            made = second.create_endpoint([policy])
        except ProbeError as exc:
            refused = str(exc)
        else:
            refused = f"created endpoint {made.id}"
        expect.that(
            facts.SHARING_VIOLATION_HRESULT in refused or facts.SHARING_VIOLATION in refused,
            host,
            f"HNSCall POST /endpoints/ with a NAT policy for host port {port} while {first_endpoint.id} holds it",
            expect.Described(
                f"refused: HRESULT {facts.SHARING_VIOLATION_HRESULT} or {facts.SHARING_VIOLATION}"
            ),
            refused,
        )
        expect.equal(
            host,
            f"HNS endpoints named {second.owner}-{second.id[:12]} (the refused one)",
            [],
            [e.id for e in host.hns.endpoints() if e.name == f"{second.owner}-{second.id[:12]}"],
        )
    expect.equal(
        host,
        f"HNS endpoints with a NAT policy for host port {port}",
        [first_endpoint.id],
        _endpoints_publishing(host, port),
    )
    expect.equal(
        host,
        f"static mappings of host port {port}",
        [first_endpoint.ip_address],
        [m.internal_ip for m in _mappings_of(host, port)],
    )


def _refused_through_docker(host, containers, network: str, port: int, first_id: str) -> None:
    """docker run -p of a taken port: the engine's words for HNS's refusal; the container stays created."""
    name = containers.name()
    labels = [a for k, v in containers.labels.items() for a in ("--label", f"{k}={v}")]
    image = containers.ensure_image()
    run = ["run", "-d", "-i", "--name", name, *labels, "--network", network, "-p", f"{port}:{CONTAINER_PORT}"]
    refused = host.docker.cli(*run, image, DOCKER_COMMAND)
    containers.track(name)
    wanted = facts.PORT_CONFLICT.format(
        name=re.escape(name), network=re.escape(network), text=re.escape(facts.SHARING_VIOLATION)
    )
    expect.that(
        refused.rc != 0 and re.search(wanted, refused.stderr) is not None,
        host,
        f"docker run -p {port}:{CONTAINER_PORT} while {first_id[:12]} publishes {port}",
        expect.Described(
            f"refused: failed to create endpoint {name} on network {network}: ... {facts.SHARING_VIOLATION}"
        ),
        (refused.rc, refused.stderr.strip()),
    )
    second = host.docker.client.containers.get(name)
    settings = (second.attrs["NetworkSettings"]["Networks"] or {}).get(network) or {}
    expect.equal(
        host,
        f"state and endpoint of the refused container {name}",
        ("created", ""),
        (second.status, settings.get("EndpointID") or ""),
    )


def _in_prefix(address: str, prefix: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return False
