"""One container lifecycle on the simulator, repeated (model level and through the Docker API).

Nothing here is timed (``make bench`` measures; pytest-benchmark does not run under xdist): the
tests check that a create/start/stop/remove cycle leaves nothing behind, cycle after cycle.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from winsim.model import HostModel
from winsim.profiles import PROFILES

CYCLES = 3


def test_bench_model_create_start_stop_remove(tmp_path: Path) -> None:
    model = HostModel(PROFILES["ws2022"], tmp_path)
    d = model.dockerd

    def cycle() -> None:
        c = d.create_container(
            {
                "Image": "mcr.microsoft.com/windows/servercore:ltsc2022",
                "Cmd": ["powershell"],
                "OpenStdin": True,
            }
        )
        d.start_container(c.id)
        d.stop_container(c.id)
        d.remove_container(c.id)

    for _ in range(CYCLES):
        cycle()
        assert d.containers == {} and model.hcs.systems() == []


def test_bench_sdk_create_start_stop_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import docker

    from winsim.docker_api.server import start
    from winsim.host import SimHost

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    host = SimHost("bench", PROFILES["ws2022"], tmp_path)
    surface = start(host, tls=True)
    certs = surface.cert_path
    assert certs is not None
    tls = docker.tls.TLSConfig(
        client_cert=(str(certs / "cert.pem"), str(certs / "key.pem")),
        ca_cert=str(certs / "ca.pem"),
        verify=True,
    )
    client = docker.DockerClient(base_url=surface.url.replace("tcp://", "https://"), tls=tls)
    api = client.api

    def cycle() -> None:
        cid = api.create_container(
            "mcr.microsoft.com/windows/servercore:ltsc2022", "powershell", stdin_open=True
        )["Id"]
        api.start(cid)
        api.stop(cid)
        api.remove_container(cid)

    try:
        for _ in range(CYCLES):
            cycle()
            assert api.containers(all=True) == []
    finally:
        surface.close()
