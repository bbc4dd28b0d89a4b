"""The recording proxy (the call-order test's fallback when dockerd logs no API calls).

This machine's real docker CLI runs the seed's command through the proxy against a simulated
host; the proxy must see create?name=X and then start, in order.  (docker CLI 28 sends no
wait?condition=next-exit for a detached run, unlike the 18.09 CLI the seed watched, so the wait
is not asserted here: the conformance test uses the host's own CLI.)
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from inventory.model import DockerSettings
from suites.recording_proxy import docker_through_proxy
from suites.test_api import api_calls
from winsim.launcher import LaunchedHost, launch

IMAGE = "mcr.microsoft.com/windows/servercore:ltsc2022"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaunchedHost]:
    launched = launch("proxy-sim", "ws2022", tmp_path_factory.mktemp("proxy-sim"))
    try:
        yield launched
    finally:
        launched.stop()


def settings(sim: LaunchedHost) -> DockerSettings:
    docker = sim.endpoints["docker"]
    certs = Path(docker["cert_path"]) if docker.get("cert_path") else None
    return DockerSettings(
        url=docker["host"],
        tls_verify=bool(docker.get("tls")),
        ca_cert=str(certs / "ca.pem") if certs else None,
        client_cert=str(certs / "cert.pem") if certs else None,
        client_key=str(certs / "key.pem") if certs else None,
    )


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI on this machine")
def test_proxy_records_the_docker_clis_calls_in_order(sim):
    docker = settings(sim)
    pulled, _ = docker_through_proxy(docker, ["pull", "-q", IMAGE])
    assert pulled.returncode == 0, pulled.stderr
    done, lines = docker_through_proxy(
        docker, ["run", "-id", "--network", "nat", "--name", "proxied", IMAGE, "powershell"]
    )
    assert done.returncode == 0, done.stderr
    cid = done.stdout.strip().splitlines()[-1]
    calls = [(m, p, q) for m, p, q in api_calls(lines)]
    create = calls.index(("POST", "/containers/create", {"name": ["proxied"]}))
    start = calls.index(("POST", f"/containers/{cid}/start", {}))
    assert create < start, calls
    removed, _ = docker_through_proxy(docker, ["rm", "-f", cid])
    assert removed.returncode == 0, removed.stderr


def test_proxy_without_cli_or_url_says_why():
    with pytest.raises(RuntimeError, match="no docker.url in the inventory"):
        docker_through_proxy(DockerSettings(mode="cli"), ["version"])
