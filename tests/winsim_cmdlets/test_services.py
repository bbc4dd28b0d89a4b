"""The docker service and the dockerd process: stop is graceful, kill leaves compute systems running."""

from __future__ import annotations

import json

import pytest

from winsim.deviations import Deviation

DAEMON_JSON = r"C:\ProgramData\docker\config\daemon.json"


def _service(ps) -> dict:
    result = ps("Get-Service docker | ConvertTo-Json -Compress")
    assert result.errors == [], result.error_text
    return json.loads(result.objects[0])


def test_docker_service_view(ps):
    svc = _service(ps)
    assert (svc["Name"], svc["DisplayName"], svc["Status"]) == ("docker", "Docker Engine", 4)  # 4 = Running
    lines = [line for line in ps("Get-Service docker").text.splitlines() if line.strip()]
    assert lines[0].split() == ["Status", "Name", "DisplayName"]
    assert lines[2].split()[:2] == ["Running", "docker"]


def test_dockerd_process(ps):
    proc = json.loads(ps("Get-Process dockerd | ConvertTo-Json -Compress").objects[0])
    assert proc["ProcessName"] == "dockerd"
    assert proc["Id"] > 0
    header = [line for line in ps("Get-Process dockerd").text.splitlines() if line.strip()][0]
    assert header.split() == ["Handles", "NPM(K)", "PM(K)", "WS(K)", "CPU(s)", "Id", "SI", "ProcessName"]


def test_stop_service_stops_containers_then_start_again(ps, start_container, sim_host):
    c = start_container()
    pid_before = json.loads(ps("Get-Process dockerd | ConvertTo-Json -Compress").objects[0])["Id"]
    assert ps("Stop-Service docker").errors == []
    assert _service(ps)["Status"] == 1  # Stopped
    gone = ps("Get-Process dockerd")
    assert gone.error_ids == ["NoProcessFoundForGivenName,Microsoft.PowerShell.Commands.GetProcessCommand"]
    assert sim_host.model.hcs.get(c.id) is None or sim_host.model.hcs.get(c.id).stopped
    assert ps("Start-Service docker").errors == []
    assert _service(ps)["Status"] == 4
    pid_after = json.loads(ps("Get-Process dockerd | ConvertTo-Json -Compress").objects[0])["Id"]
    assert pid_after != pid_before


def test_kill_leaves_compute_system_running(ps, start_container):
    c = start_container()
    assert ps("Stop-Process -Name dockerd -Force").errors == []
    assert ps("Get-Process dockerd -ErrorAction SilentlyContinue").objects == []
    listing = ps("hcsdiag list").objects
    assert c.id in listing
    assert "Running" in listing[listing.index(c.id) + 1]


def test_pipeline_stop_process(ps):
    assert ps("Get-Process dockerd | Stop-Process -Force").errors == []
    assert _service(ps)["Status"] == 1


def test_restart_service_gets_a_new_daemon(ps):
    before = json.loads(ps("Get-Process dockerd | ConvertTo-Json -Compress").objects[0])["Id"]
    assert ps("Restart-Service docker").errors == []
    after = json.loads(ps("Get-Process dockerd | ConvertTo-Json -Compress").objects[0])["Id"]
    assert after != before


def test_bad_daemon_json_fails_start(ps):
    ps("Stop-Service docker")
    ps(f"Set-Content {DAEMON_JSON} '{{\"live-restore\": true}}'")
    result = ps("Start-Service docker")
    assert result.error_ids == ["CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand"]
    assert "Service 'Docker Engine (docker)' cannot be started" in result.error_text
    assert _service(ps)["Status"] == 1


@pytest.mark.parametrize("deviations", [frozenset({Deviation.LIVE_RESTORE_ACCEPTED})])
def test_live_restore_deviation_starts(ps):
    ps("Stop-Service docker")
    ps(f"Set-Content {DAEMON_JSON} '{{\"live-restore\": true}}'")
    assert ps("Start-Service docker").errors == []


def test_unknown_service(ps):
    result = ps("Get-Service nosuchservice")
    assert result.error_ids == ["NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand"]
    assert result.errors[0].message == "Cannot find any service with service name 'nosuchservice'."
