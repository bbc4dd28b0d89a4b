"""Relative paths from the shell's start folder, event times as [datetime], HNS namespace compartments."""

from __future__ import annotations

import json
import re


def test_relative_paths_start_in_the_administrator_profile(ps, sim_host):
    result = ps(
        "Get-Location | ForEach-Object Path; Set-Content -Path note.txt -Value hi; (Get-Item note.txt).FullName"
    )
    assert result.errors == [], result.error_text
    assert result.objects == ["C:\\Users\\Administrator", "C:\\Users\\Administrator\\note.txt"]
    assert sim_host.model.files.read_text(r"C:\Users\Administrator\note.txt").startswith("hi")


def test_set_location_changes_where_relative_paths_go(ps, sim_host):
    result = ps(
        "Set-Location C:\\ProgramData\\docker\\config; Set-Content daemon.json '{}'; cd ..; (Get-Location).Path"
    )
    assert result.errors == [], result.error_text
    assert result.objects == ["C:\\ProgramData\\docker"]
    assert sim_host.model.files.exists(r"C:\ProgramData\docker\config\daemon.json")
    missing = ps("Set-Location C:\\NoSuchFolder")
    assert missing.error_ids == ["PathNotFound,Microsoft.PowerShell.Commands.SetLocationCommand"]


def test_event_time_is_a_datetime(ps, start_container):
    start_container()
    log = "Microsoft-Windows-Hyper-V-Compute-Operational"
    result = ps(
        f"$e = Get-WinEvent -LogName {log} -MaxEvents 1; $e.TimeCreated -gt (Get-Date).AddMinutes(-10); "
        "$e.TimeCreated.ToUniversalTime().ToString('o'); $e | Select-Object TimeCreated | ConvertTo-Json -Compress"
    )
    assert result.errors == [], result.error_text
    assert result.objects[0] is True
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", result.objects[1])
    assert re.fullmatch(r"/Date\(\d{13}\)/", json.loads(result.objects[2])["TimeCreated"])
    text = ps(f"Get-WinEvent -LogName {log} -MaxEvents 1").text
    assert re.search(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d:\d\d [AP]M", text)


def test_hns_namespace_matches_net_compartment(ps, start_container):
    start_container()
    spaces = json.loads(ps("Get-HnsNamespace | ConvertTo-Json -Compress").objects[0])
    comps = json.loads(ps("Get-NetCompartment | ConvertTo-Json -Compress").objects[0])
    by_id = {c["CompartmentId"]: c["CompartmentGuid"].strip("{}").upper() for c in comps}
    assert len(spaces) == 2
    for ns in spaces:
        assert ns["CompartmentGuid"] == by_id[ns["CompartmentId"]]
