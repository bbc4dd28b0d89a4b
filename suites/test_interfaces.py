"""Container interfaces as Get-NetIPInterface lists them, across and within compartments."""

from __future__ import annotations

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.observe import endpoint_of, interface_of


@behaviour(
    id="interfaces/container-nic-alias",
    must="Get-NetIPInterface -AddressFamily IPv4 -IncludeAllCompartments MUST list a container's interface with an "
    "alias like *Container NIC*.",
    seed='To list container interfaces run Get-NetIpInterface -AddressFamily IPv4 -IncludeAllCompartments | Where InterfaceAlias -Like "*Container NIC*".',
    via=("docker", "direct"),
    max_build=facts.NIC_ALIAS_ENDPOINT_NAME_BUILD,
    evidence="from Windows Server 1803 (17134) a container vNIC is named vEthernet (<HNS endpoint name>), "
    "e.g. vEthernet (Ethernet) for docker's nat endpoints; 'Container NIC <GUID prefix>' is the 2016-era alias "
    "(tests/fidelity/samples/ipconfig-container-nic-*.txt; cloudfoundry/winc network/netrules/applier.go)",
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_NETWORK_IN_VM,
    },
)
def test_container_nic_listed_by_alias(host, via, subject):
    mine = interface_of(host, subject)
    listed = host.net.interfaces(alias_like=facts.CONTAINER_NIC_LIKE)
    shown = [(i.if_index, i.alias, i.compartment_id) for i in listed]
    expect.that(
        any(i.if_index == mine.if_index and i.compartment_id == mine.compartment_id for i in listed),
        host,
        f"interfaces like '{facts.CONTAINER_NIC_LIKE}'",
        f"{via} container {subject.id[:12]}'s interface (alias '{mine.alias}', compartment {mine.compartment_id})",
        shown,
    )
    expect.that(
        expect.like(mine.alias, facts.CONTAINER_NIC_LIKE),
        host,
        "alias of the container's interface",
        f"like {facts.CONTAINER_NIC_LIKE}",
        mine.alias,
    )


@behaviour(
    id="interfaces/container-nic-named-by-endpoint",
    must="From Windows Server 1803 on, the container's interface MUST be named vEthernet (<its HNS endpoint's "
    "name>), numbered ' 2', ' 3', ... when another interface already has that name.",
    seed='To list container interfaces run Get-NetIpInterface -AddressFamily IPv4 -IncludeAllCompartments | Where InterfaceAlias -Like "*Container NIC*".',
    via=("docker", "direct"),
    min_build=facts.NIC_ALIAS_ENDPOINT_NAME_BUILD,
    evidence="the 2016-era 'Container NIC <GUID prefix>' alias gave way in 1803 (17134) to the HNS endpoint's name: "
    "vEthernet (Ethernet) 4 for a docker nat endpoint on 17763, vEthernet (<CNI endpoint>) under containerd "
    "(tests/fidelity/samples/ipconfig-container-nic-docker-17763.txt, ipconfig-container-nic-containerd.txt, "
    "ipconfig-container-nic-overlay-2018.txt; cloudfoundry/winc network/netrules/applier.go)",
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_NETWORK_IN_VM,
    },
)
def test_container_nic_named_by_endpoint(host, via, subject):
    endpoint = endpoint_of(host, subject)
    mine = interface_of(host, subject)
    form = facts.endpoint_nic_alias(endpoint.name)
    expect.that(
        bool(form.match(mine.alias)),
        host,
        f"alias of {via} container {subject.id[:12]}'s interface (HNS endpoint {endpoint.id} named {endpoint.name!r})",
        expect.Described(f"vEthernet ({endpoint.name}), optionally numbered"),
        mine.alias,
    )


@behaviour(
    id="interfaces/compartment-id-narrows",
    must="Get-NetIPInterface -AddressFamily IPv4 -IncludeAllCompartments -CompartmentId N MUST list only the interfaces "
    "of compartment N, including the container's interface.",
    seed="To get interace from specific compartment execute Get-NetIpInterface -AddressFamily IPv4 -IncludeAllCompartments -CompartmentId id.",
    via=("docker", "direct"),
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_NETWORK_IN_VM,
    },
)
def test_compartment_id_narrows_interface_list(host, via, subject):
    mine = interface_of(host, subject)
    narrowed = host.net.interfaces(compartment_id=mine.compartment_id)
    shown = [(i.if_index, i.alias, i.compartment_id) for i in narrowed]
    expect.that(
        all(i.compartment_id == mine.compartment_id for i in narrowed),
        host,
        f"interfaces listed with -CompartmentId {mine.compartment_id}",
        f"only compartment {mine.compartment_id}",
        shown,
    )
    expect.that(
        any(i.if_index == mine.if_index for i in narrowed),
        host,
        f"interfaces of compartment {mine.compartment_id}",
        f"the container's '{mine.alias}'",
        shown,
    )
    everywhere = [i.if_index for i in host.net.interfaces() if i.compartment_id == mine.compartment_id]
    expect.equal(
        host,
        f"interfaces listed with -CompartmentId {mine.compartment_id} vs those of it among all compartments",
        sorted(everywhere),
        sorted(i.if_index for i in narrowed),
    )
