"""The seed's own command, as written, on a nat network the user created (`--network examplenetwork`)."""

from __future__ import annotations

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.observe import endpoint_of
from suites.subjects import start_seed

SEED_COMMAND = (
    "Let's follow calls from this command: docker run -id --network examplenetwork --name example "
    "microsoft/windowsservercore powershell."
)


@behaviour(
    id="network/user-network-named-by-id",
    must="A nat network the user creates MUST be an HNS network of type nat named by docker's network id (the id "
    "docker records as its hnsid option), and a container the seed's command runs on it MUST have its HNS endpoint "
    "in that network.",
    seed=SEED_COMMAND,
    evidence="moby libnetwork/drivers/windows/windows.go CreateNetwork: the HNSNetwork's Name is the "
    "com.docker.network.windowsshim.networkname option, else the docker network id; the id HNS answers is kept "
    "as com.docker.network.windowsshim.hnsid; n/a before 1809 (17763): there HNS keeps one nat network, "
    "and a second, the user's, is refused with 'HNS failed with error : Unspecified error' "
    "(tests/fidelity/samples/error-second-nat-network-ws2016.txt; moby#29207, moby#39078), so no user nat "
    "network exists to check",
    min_build=17763,
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the HNS network is the host's and the endpoint is made in it before the container runs, under either isolation (moby libnetwork/drivers/windows)",
    },
)
def test_user_network_is_hns_network_named_by_id(host, via, containers, networks):
    made = networks.create(driver="nat")
    subject = start_seed(host, containers, made.name)
    made.reload()
    options = made.attrs.get("Options") or {}
    hns_id = str(
        expect.present(
            host,
            f"{facts.HNS_ID_OPTION} of docker network {made.name}",
            options.get(facts.HNS_ID_OPTION),
            options,
        )
    )
    network = expect.present(
        host, f"HNS network {hns_id} of docker network {made.name}", host.hns.network(hns_id)
    )
    expect.equal(host, f"Name of HNS network {hns_id}", made.id, network.name)
    expect.equal(host, f"Type of HNS network {hns_id}", "nat", network.type.lower())
    attached = sorted(subject.handle.attrs.get("NetworkSettings", {}).get("Networks") or {})
    expect.equal(host, f"docker networks of container {subject.id[:12]}", [made.name], attached)
    endpoint = endpoint_of(host, subject)
    expect.equal(
        host,
        f"VirtualNetwork of container {subject.id[:12]}'s HNS endpoint {endpoint.id}",
        hns_id.lower(),
        endpoint.network_id.lower(),
    )
