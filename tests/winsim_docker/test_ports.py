"""Published ports through the real docker CLI: `docker port`, inspect, a refused second mapping of
one host port in each build's words (tests/fidelity/samples/error-port-conflict-*.txt)."""

from __future__ import annotations

import json

import pytest

from tests.winsim_docker.conftest import MakeSim, Sim

SHARING_VIOLATION = "The process cannot access the file because it is being used by another process."
# The engine's words per profile: HNSCall fails from 1809 (engine 24 wraps it), 2016 answers in the envelope.
CONFLICT = {
    "ws2022": f"failed during hnsCallRawResponse: hnsCall failed in Win32: {SHARING_VIOLATION} (0x20)",
    "ws2016": f"HNS failed with error : {SHARING_VIOLATION}",
}


def _image(profile: str) -> str:
    return f"mcr.microsoft.com/windows/servercore:{'ltsc2016' if profile == 'ws2016' else 'ltsc2022'}"


def test_published_port_shows_in_docker_port_and_inspect(sim: Sim) -> None:
    cid = sim.cli("run", "-id", "-p", "8080:80", _image("ws2022"), "cmd").stdout.strip()
    try:
        assert sim.cli("port", cid).stdout.splitlines() == ["80/tcp -> 0.0.0.0:8080"]
        ps = sim.cli("ps", "--no-trunc", "--filter", f"id={cid}", "--format", "{{.Ports}}").stdout
        assert ps.strip() == "0.0.0.0:8080->80/tcp"
        inspect = json.loads(sim.cli("inspect", cid).stdout)[0]
        assert inspect["NetworkSettings"]["Ports"] == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}
        assert inspect["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
        endpoint = sim.host.model.hns.endpoint(
            next(iter(sim.host.model.dockerd.container(cid).networks.values())).hns_endpoint_id
        )
        assert [p for p in endpoint.policies if p["Type"] == "NAT"] == [
            {
                "Type": "NAT",
                "Protocol": "tcp",
                "InternalPort": 80,
                "ExternalPort": 8080,
                "ExternalPortReserved": True,
            }
        ]
        [mapping] = sim.host.model.hns.winnat.mappings()
        assert (mapping.protocol, mapping.external_port, mapping.internal_ip, mapping.internal_port) == (
            "TCP",
            8080,
            endpoint.ip,
            80,
        )
    finally:
        sim.cli("rm", "-f", cid)
    assert sim.host.model.hns.winnat.mappings() == []


@pytest.mark.parametrize("profile", sorted(CONFLICT))
def test_second_container_on_a_taken_host_port_is_refused(make_sim: MakeSim, profile: str) -> None:
    sim = make_sim(profile)
    image = _image(profile)
    first = sim.cli("run", "-id", "-p", "8080:80", image, "cmd").stdout.strip()
    endpoints = {e.id for e in sim.host.model.hns.endpoints()}
    try:
        done = sim.cli("run", "-id", "--name", "second", "-p", "8080:80", image, "cmd", check=False)
        assert done.returncode == 125
        assert (
            "Error response from daemon: failed to create endpoint second on network nat: "
            f"{CONFLICT[profile]}" in done.stderr
        ), done.stderr
        assert {e.id for e in sim.host.model.hns.endpoints()} == endpoints
        assert json.loads(sim.cli("inspect", "second").stdout)[0]["State"]["Status"] == "created"
        assert len(sim.host.model.hns.winnat.mappings()) == 1
    finally:
        sim.cli("rm", "-f", first, "second")


def test_second_nat_network_refused_on_2016(make_sim: MakeSim) -> None:
    sim = make_sim("ws2016")
    done = sim.cli("network", "create", "-d", "nat", "mynat", check=False)
    assert done.returncode == 1
    assert "Error response from daemon: HNS failed with error : Unspecified error" in done.stderr


def test_a_host_address_is_refused_as_the_windows_driver_words_it(sim: Sim) -> None:
    done = sim.cli(
        "run", "-id", "--name", "bound", "-p", "127.0.0.1:8081:80", _image("ws2022"), "cmd", check=False
    )
    assert done.returncode == 125
    assert (
        "failed to create endpoint bound on network nat: "
        "Windows does not support host IP addresses in NAT settings" in done.stderr
    ), done.stderr
    sim.cli("rm", "-f", "bound")
