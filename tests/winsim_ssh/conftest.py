"""Fixtures: a simulated host with its SSH server started in this process, and a paramiko client factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import paramiko
import pytest

from tests.winsim_winrm.programs import make_host
from winsim.host import SimHost
from winsim.ssh.server import SSHSurface, start


@pytest.fixture
def sim_host(tmp_path: Path) -> SimHost:
    return make_host(tmp_path / "state")


@pytest.fixture
def ssh(sim_host: SimHost) -> Iterator[SSHSurface]:
    surface = start(sim_host, "127.0.0.1")
    yield surface
    surface.close()


@pytest.fixture
def connect(
    ssh: SSHSurface, sim_host: SimHost, tmp_path: Path
) -> Iterator[Callable[..., paramiko.SSHClient]]:
    """``connect(username=..., password=..., pkey=...)``: a client that trusts only the known_hosts line."""
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(ssh.endpoints["ssh"]["known_hosts"] + "\n")
    clients: list[paramiko.SSHClient] = []

    def _connect(**kwargs: object) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        client.load_host_keys(str(known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        options: dict[str, object] = {
            "username": sim_host.credentials.username,
            "password": sim_host.credentials.password,
            "allow_agent": False,
            "look_for_keys": False,
            "timeout": 5,
        }
        options.update(kwargs)
        clients.append(client)
        client.connect(ssh.endpoints["ssh"]["host"], port=ssh.endpoints["ssh"]["port"], **options)  # type: ignore[arg-type]
        return client

    yield _connect
    for client in clients:
        client.close()
