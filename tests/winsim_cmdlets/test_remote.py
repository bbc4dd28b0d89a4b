"""The seed's commands through the real clients: raw pywinrm (run_cmd, run_ps) and paramiko exec_command.

WinRM, SSH and the Docker API are served in-process on one simulated host; a container started
with the docker SDK must show up in every command's answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
import winrm

from winsim.host import SimHost
from winsim.ssh import server as ssh_server
from winsim.winrm import server as winrm_server

SEED_EVENTS = 'Get-WinEvent -Filterhashtable @{LogName="Microsoft-Windows-Hyper-V-Compute-Operational"}'
SEED_NICS = 'Get-NetIpInterface -AddressFamily IPv4 -IncludeAllCompartments | Where InterfaceAlias -Like "*Container NIC*"'


@pytest.fixture
def session(sim_host: SimHost) -> Iterator[winrm.Session]:
    surface = winrm_server.start(sim_host, "127.0.0.1")
    yield winrm.Session(
        surface.endpoints["winrm"]["http"],
        auth=(sim_host.credentials.username, sim_host.credentials.password),
        transport="ntlm",
    )
    surface.close()


@pytest.fixture
def ssh(sim_host: SimHost, tmp_path: Path) -> Iterator[paramiko.SSHClient]:
    surface = ssh_server.start(sim_host, "127.0.0.1")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(surface.endpoints["ssh"]["known_hosts"] + "\n")
    client = paramiko.SSHClient()
    client.load_host_keys(str(known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        surface.endpoints["ssh"]["host"],
        port=surface.endpoints["ssh"]["port"],
        username=sim_host.credentials.username,
        password=sim_host.credentials.password,
        allow_agent=False,
        look_for_keys=False,
        timeout=5,
    )
    yield client
    client.close()
    surface.close()


def ssh_run(client: paramiko.SSHClient, command: str) -> tuple[int, str, str]:
    _, stdout, stderr = client.exec_command(command, timeout=20)
    out = stdout.read().decode()
    err = stderr.read().decode()
    return stdout.channel.recv_exit_status(), out, err


@pytest.mark.parametrize("profile", ["ws2016"])  # the seed's *Container NIC* alias is 2016's
def test_winrm_before_and_after_a_container(session, start_container):
    events = session.run_ps(SEED_EVENTS)
    assert events.status_code == 1
    assert b"No events were found that match the specified selection criteria." in events.std_err
    assert session.run_ps(SEED_NICS).std_out.strip() == b""

    c = start_container()

    comps = session.run_ps("Get-NetCompartment")
    assert comps.status_code == 0, comps.std_err
    assert f"CompartmentDescription : \\Container_{c.id}".encode() in comps.std_out
    nics = session.run_ps(SEED_NICS)
    assert b"vEthernet (Container NIC " in nics.std_out
    events = session.run_ps(SEED_EVENTS)
    assert events.status_code == 0 and c.id[:20].encode() in events.std_out
    chain = session.run_ps(rf"Get-Content C:\ProgramData\docker\windowsfilter\{c.id}\layerchain.json -Raw")
    assert (
        json.loads(chain.std_out.decode())[0].lower().startswith("c:\\programdata\\docker\\windowsfilter\\")
    )


def test_winrm_run_cmd_natives(session, start_container):
    c = start_container()
    filters = session.run_cmd("fltmc", ["filters"])
    assert filters.status_code == 0
    wcifs = [line for line in filters.std_out.decode().splitlines() if line.startswith("wcifs")]
    assert wcifs and wcifs[0].split()[1:3] == ["1", "189900"]
    listing = session.run_cmd("hcsdiag", ["list"])
    assert listing.std_out.decode().splitlines()[0] == c.id


@pytest.mark.parametrize("profile", ["ws2016"])  # the seed's *Container NIC* alias is 2016's
def test_ssh_exec_command(ssh, start_container):
    c = start_container()
    code, out, err = ssh_run(
        ssh, f'powershell -NoProfile -Command "{SEED_NICS.replace(chr(34), chr(39))} | ConvertTo-Json"'
    )
    assert code == 0, err
    nic = json.loads(out)
    assert nic["InterfaceAlias"].startswith("vEthernet (Container NIC ")
    cid = nic["CompartmentId"]
    code, out, _ = ssh_run(ssh, f"powershell -NoProfile -Command Get-NetRoute -CompartmentId {cid}")
    assert code == 0 and "0.0.0.0/0" in out
    code, out, _ = ssh_run(ssh, "fltmc filters")
    assert code == 0 and "wcifs" in out
    code, out, _ = ssh_run(ssh, "docker ps -q --no-trunc")
    assert code == 0 and out.split() == [c.id]
