"""The docker SDK against a simulated host: flows, protocol details, daemon kill/restart, concurrency."""

from __future__ import annotations

import socket
import ssl
import threading

import docker
import pytest
import requests

from tests.winsim_docker.conftest import Sim


def test_sdk_run_inspect_stop_remove(sim: Sim) -> None:
    client = sim.sdk()
    assert client.version()["Os"] == "windows" and client.info()["DriverStatus"] == [["Windows", ""]]
    c = client.containers.run(
        "mcr.microsoft.com/windows/servercore:ltsc2022",
        "powershell",
        detach=True,
        stdin_open=True,
        name="example",
    )
    c.reload()
    assert c.status == "running" and c.attrs["GraphDriver"]["Data"]["dir"].endswith(c.id)
    assert (
        client.containers.run("mcr.microsoft.com/windows/nanoserver:ltsc2022", "cmd /c echo hi", remove=True)
        == b"hi\r\n"
    )
    with pytest.raises(docker.errors.ContainerError) as failed:
        client.containers.run("mcr.microsoft.com/windows/nanoserver:ltsc2022", "cmd /c exit 3")
    assert failed.value.exit_status == 3
    c.stop()
    assert c.wait(condition="not-running")["StatusCode"] == 3221225786
    c.remove()
    with pytest.raises(docker.errors.NotFound):
        client.containers.get("example")


def test_sdk_networks_connect(sim: Sim) -> None:
    client = sim.sdk()
    net = client.networks.create("examplenetwork", driver="nat")
    assert net.attrs["IPAM"]["Config"][0]["Subnet"].endswith("/20")
    c = client.containers.run(
        "mcr.microsoft.com/windows/servercore:ltsc2022", "powershell", detach=True, stdin_open=True
    )
    net.connect(c)
    c.reload()
    assert set(c.attrs["NetworkSettings"]["Networks"]) == {"nat", "examplenetwork"}
    with pytest.raises(docker.errors.APIError, match="has active endpoints"):
        net.remove()
    net.disconnect(c)
    net.remove()
    assert [n.name for n in client.networks.list()] == ["nat", "none"] or sorted(
        n.name for n in client.networks.list()
    ) == ["nat", "none"]


def test_ping_headers_and_version_bounds(sim: Sim) -> None:
    client = sim.sdk()
    r = client.api.head(client.api.base_url + "/_ping")
    assert r.headers["Api-Version"] == "1.43" and r.headers["Ostype"] == "windows"
    too_new = client.api.get(client.api.base_url + "/v1.50/version")
    assert too_new.status_code == 400 and "is too new" in too_new.json()["message"]


def test_tls_requires_a_client_certificate(sim: Sim) -> None:
    assert sim.surface.cert_path is not None
    ctx = ssl.create_default_context(cafile=str(sim.surface.cert_path / "ca.pem"))
    with (
        socket.create_connection(("127.0.0.1", sim.surface.port)) as raw,
        pytest.raises((ssl.SSLError, ConnectionError)),
        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n")
        if not tls.recv(100):
            raise ConnectionError("closed without an answer")


def test_killed_dockerd_refuses_then_restart_exits_containers(sim: Sim) -> None:
    client = sim.sdk()
    c = client.containers.run(
        "mcr.microsoft.com/windows/servercore:ltsc2022", "powershell", detach=True, stdin_open=True
    )
    model = sim.host.model
    model.dockerd.kill()
    deadline = threading.Event()
    while True:  # the listener closes asynchronously; refused is what clients see then
        try:
            client.ping()
        except requests.exceptions.ConnectionError:
            break
        deadline.wait(0.01)
    assert model.hcs.get(c.id) is not None and model.hcs.get(c.id).state == "Running"  # type: ignore[union-attr]
    model.dockerd.start()
    while True:
        try:
            client.ping()
            break
        except requests.exceptions.ConnectionError:
            deadline.wait(0.01)
    c.reload()
    assert c.status == "exited" and model.hcs.get(c.id) is None


def test_concurrent_clients_create_without_loss(sim: Sim) -> None:
    ids: list[str] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            client = sim.sdk()
            for i in range(4):
                ids.append(
                    client.containers.create(
                        "mcr.microsoft.com/windows/servercore:ltsc2022", "powershell", name=f"c{n}-{i}"
                    ).id
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 24
    listed = sim.sdk().containers.list(all=True)
    assert sorted(c.id for c in listed) == sorted(ids)
    assert set(ids) <= set(sim.host.model.windowsfilter.folders())
