"""Network compartments: the default one, a container's one, its description, routes, read-only."""

from __future__ import annotations

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.observe import compartment_of, gateway_of


@behaviour(
    id="compartments/default-is-native",
    must="The default compartment MUST have CompartmentId 1 and type Native.",
    seed="There is one default compartment for OS which has CompartmentId = 1 and type Native.",
    via=("direct",),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the host's default compartment, read with no container of the test's own: isolation changes nothing of it",
    },
)
def test_default_compartment_id_and_type(host, via):
    by_id = {c.id: c for c in host.net.compartments()}
    default = expect.present(
        host,
        f"compartment {facts.DEFAULT_COMPARTMENT_ID}",
        by_id.get(facts.DEFAULT_COMPARTMENT_ID),
        sorted(by_id),
    )
    expect.equal(host, f"type of compartment {default.id}", facts.DEFAULT_COMPARTMENT_TYPE, default.type)
    natives = sorted(c.id for c in by_id.values() if c.type == facts.DEFAULT_COMPARTMENT_TYPE)
    expect.equal(host, "compartments of type Native", [facts.DEFAULT_COMPARTMENT_ID], natives)


@behaviour(
    id="compartments/container-type-unspecified",
    must="A container's compartment MUST have type Unspecified.",
    seed="Container compartments will have CompartmentType Unspecified.",
    via=("docker", "direct"),
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_NETWORK_IN_VM,
    },
)
def test_container_compartment_type(host, via, subject):
    compartment = compartment_of(host, subject)
    expect.equal(
        host,
        f"type of compartment {compartment.id} ({via} container {subject.id[:12]})",
        facts.CONTAINER_COMPARTMENT_TYPE,
        compartment.type,
    )


@behaviour(
    id="compartments/description-names-container",
    must="A container's compartment MUST have the description \\Container_<container id>, which links it to its container.",
    seed='To link compartment to a container look into CompartmentDescription field. It will have format "\\Container_(container_id)".',
    via=("docker", "direct"),
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_NETWORK_IN_VM,
    },
)
def test_compartment_description_links_container(host, via, subject):
    compartment = compartment_of(host, subject)
    wanted = facts.COMPARTMENT_DESCRIPTION.format(id=subject.id)
    expect.that(
        compartment.description.lower() == wanted.lower(),
        host,
        f"description of compartment {compartment.id}",
        wanted,
        compartment.description,
    )
    linked = host.net.compartment_for_container(subject.id)
    expect.equal(
        host, f"compartment found by description {wanted}", compartment.id, linked.id if linked else None
    )


@behaviour(
    id="compartments/routes-default-gateway",
    must="Get-NetRoute -CompartmentId MUST list the routes of a container's compartment, including a default route via "
    "the network's gateway.",
    seed="To check routes in the compartment run Get-NetRoute -CompartmentId comapartmentId.",
    via=("docker", "direct"),
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_NETWORK_IN_VM,
    },
)
def test_container_routes_include_default_via_gateway(host, via, subject):
    compartment = compartment_of(host, subject)
    gateway = gateway_of(host, subject)
    routes = host.net.routes(compartment.id)
    shown = [(r.destination_prefix, r.next_hop, r.compartment_id) for r in routes]
    others = [r for r in routes if r.compartment_id != compartment.id]
    expect.equal(
        host,
        f"routes listed for compartment {compartment.id} that belong elsewhere",
        [],
        [(r.destination_prefix, r.compartment_id) for r in others],
    )
    defaults = [r.next_hop for r in routes if r.destination_prefix == facts.DEFAULT_ROUTE]
    expect.equal(
        host,
        f"next hops of the {facts.DEFAULT_ROUTE} routes of compartment {compartment.id} ({shown})",
        [gateway],
        defaults,
    )


@behaviour(
    id="compartments/read-only",
    must="Compartments MUST be read-only to users: no cmdlet creates or changes one.",
    seed="Compartments are Windows network namespaces, that are - from user perspective - read-only.",
    via=("docker", "direct"),
    isolation=("process",),
    isolation_evidence={
        "hyperv": "the test changes the container's own compartment, which under Hyper-V isolation is inside the utility VM, not on the host (INFERRED, as isolation/hyperv-utility-vm)",
    },
)
def test_compartments_cannot_be_changed(host, via, subject):
    cmdlets = sorted(host.net.compartment_cmdlets())
    writers = [c for c in cmdlets if c not in facts.COMPARTMENT_READ_CMDLETS]
    expect.equal(host, "cmdlets with the noun NetCompartment besides Get-NetCompartment", [], writers)
    compartment = compartment_of(host, subject)
    before = _as_listed(host, compartment.id)
    attempt = host.net.try_modify_compartment(compartment.id)
    expect.that(
        attempt.rc != 0,
        host,
        f"changing compartment {compartment.id}",
        expect.Described("refused (non-zero exit)"),
        f"rc={attempt.rc} '{attempt.stdout.strip()[:200]}'",
    )
    # This compartment only: other runs' containers add and remove their own meanwhile.
    expect.equal(
        host, f"compartment {compartment.id} after the attempt", before, _as_listed(host, compartment.id)
    )


def _as_listed(host, compartment_id: int) -> list[tuple[int, str, str]]:
    return [(c.id, c.description, c.type) for c in host.net.compartments() if c.id == compartment_id]
