"""The recording proxy (the call-order test's fallback when dockerd logs no API calls).

This machine's real docker CLI runs the seed's command through the proxy against a simulated
host whose dockerd logs nothing (a stock daemon).  The CLI sends its wait?condition=next-exit on
the connection that carried create's JSON body and exits with the wait pending: the proxy must
still see create, wait and start in order with dockerd's answers, and keep the wait open until
it is answered when the container stops.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from inventory.model import DockerSettings
from suites.recording_proxy import docker_through_proxy, proxy_for, run_cli
from suites.test_api import api_call
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
def test_proxy_records_every_call_and_holds_the_wait_until_it_completes(sim):
    docker = settings(sim)
    with proxy_for(docker) as proxy:
        done = run_cli(proxy, ["run", "-id", "--network", "nat", "--name", "proxied", IMAGE, "powershell"])
        assert done.returncode == 0, done.stderr
        cid = done.stdout.strip().splitlines()[-1]
        assert proxy.settle()
        seen = [
            (api_call(e.method, e.target), e.status) for e in sorted(proxy.exchanges, key=lambda e: e.sent)
        ]
        assert seen == [
            (("HEAD", "/_ping", {}), 200),
            (("POST", "/containers/create", {"name": ["proxied"]}), 201),
            (("POST", f"/containers/{cid}/wait", {"condition": ["next-exit"]}), 200),
            (("POST", f"/containers/{cid}/start", {}), 204),
        ]
        wait = next(e for e in proxy.exchanges if e.target.endswith("wait?condition=next-exit"))
        create = next(e for e in proxy.exchanges if "/containers/create" in e.target)
        assert json.loads(create.body)["Id"] == cid, "the answer's body is recorded"
        assert wait.done is None, "the CLI left; the proxy keeps its wait open"
        stopped, _ = docker_through_proxy(docker, ["stop", cid])
        assert stopped.returncode == 0, stopped.stderr
        assert proxy.wait_until(lambda: wait.done is not None, 30)
        assert json.loads(wait.body) == {"StatusCode": 3221225786, "Error": None}
    removed, calls = docker_through_proxy(docker, ["rm", "-f", cid])
    assert removed.returncode == 0, removed.stderr
    assert [c.split("/", 2)[-1] for c in calls][-1].endswith(f"containers/{cid}?force=1")


def test_proxy_without_cli_or_url_says_why():
    with pytest.raises(RuntimeError, match="the inventory gives no docker.url"):
        docker_through_proxy(DockerSettings(mode="cli"), ["version"])
