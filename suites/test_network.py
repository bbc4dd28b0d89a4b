"""Network configuration: the HNS endpoint, then the compute system's vNIC and compartment, then attach."""

from __future__ import annotations

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.observe import endpoint_of


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
