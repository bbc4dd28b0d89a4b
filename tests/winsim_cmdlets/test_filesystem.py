"""FileSystem cmdlets over the host's files: windowsfilter, layerchain.json, daemon.json."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from winsim.powershell.interpreter import Interpreter

WINDOWSFILTER = r"C:\ProgramData\docker\windowsfilter"
DAEMON_JSON = r"C:\ProgramData\docker\config\daemon.json"


def test_windowsfilter_lists_the_container_folder(ps, start_container):
    before = ps(f"Get-ChildItem {WINDOWSFILTER} -Directory -Name").objects
    c = start_container()
    after = ps(f"Get-ChildItem {WINDOWSFILTER} -Directory -Name").objects
    assert set(after) - set(before) == {c.id}
    assert all(isinstance(n, str) and len(n) == 64 for n in after)


def test_layerchain_lists_the_image_layers(ps, start_container, docker_client):
    c = start_container()
    result = ps(f"Get-Content {WINDOWSFILTER}\\{c.id}\\layerchain.json -Raw | ConvertFrom-Json")
    assert result.errors == [], result.error_text
    assert len(result.objects) == 1, "PS 5.1 ConvertFrom-Json writes a JSON array as one object"
    chain = result.objects[0]
    image_dir = docker_client.images.get("mcr.microsoft.com/windows/servercore:ltsc2022").attrs[
        "GraphDriver"
    ]["Data"]["dir"]
    assert chain[0].lower() == image_dir.lower(), "nearest parent (the image's top layer) first"
    assert all(p.lower().startswith(WINDOWSFILTER.lower() + "\\") for p in chain)
    for p in chain:
        assert ps(f"Test-Path '{p}' -PathType Container").objects == [True]


def test_get_item_of_a_layer_folder(ps, start_container):
    c = start_container()
    item = json.loads(ps(f"Get-Item {WINDOWSFILTER}\\{c.id} | ConvertTo-Json -Compress").objects[0])
    assert item["Name"] == c.id
    assert item["FullName"] == f"{WINDOWSFILTER}\\{c.id}"
    assert item["PSIsContainer"] is True
    assert item["Mode"].startswith("d")


def test_daemon_json_round_trip_with_backup(ps, sim_host):
    original = sim_host.model.files.read_bytes(DAEMON_JSON)
    script = (
        f"Copy-Item {DAEMON_JSON} {DAEMON_JSON}.wcc-backup; "
        f"Set-Content -Path {DAEMON_JSON} -Value '{{\"debug\": false}}' -Encoding UTF8; "
        f"(Get-Content {DAEMON_JSON} -Raw | ConvertFrom-Json).debug"
    )
    result = ps(script)
    assert result.errors == [], result.error_text
    assert result.objects == [False]
    written = sim_host.model.files.read_bytes(DAEMON_JSON)
    assert written == b'\xef\xbb\xbf{"debug": false}\r\n', "PS 5.1 UTF8 writes a BOM and CRLF"
    restore = ps(
        f"Copy-Item {DAEMON_JSON}.wcc-backup {DAEMON_JSON}; Remove-Item {DAEMON_JSON}.wcc-backup; Test-Path {DAEMON_JSON}.wcc-backup"
    )
    assert restore.objects == [False]
    assert sim_host.model.files.read_bytes(DAEMON_JSON) == original


def test_test_path_kinds(ps):
    assert ps(f"Test-Path {DAEMON_JSON}").objects == [True]
    assert ps(f"Test-Path {DAEMON_JSON} -PathType Container").objects == [False]
    assert ps(f"Test-Path {WINDOWSFILTER} -PathType Container").objects == [True]
    assert ps(r"Test-Path C:\ProgramData\docker\nothing-here").objects == [False]
    assert ps(r"Test-Path c:/programdata/DOCKER/config/DAEMON.json").objects == [True], (
        "paths are case-insensitive"
    )


def test_missing_path_errors_name_the_full_path(ps):
    result = ps(r"Get-Item C:\ProgramData\docker\.\config\..\missing.txt")
    assert result.error_ids == ["PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand"]
    assert (
        result.errors[0].message
        == r"Cannot find path 'C:\ProgramData\docker\missing.txt' because it does not exist."
    )
    other_drive = ps(r"Get-Content D:\x.txt")
    assert other_drive.error_ids == ["DriveNotFound,Microsoft.PowerShell.Commands.GetContentCommand"]


def test_get_content_lines_and_tail(ps, sim_host):
    sim_host.model.files.write_bytes(r"C:\wcc\lines.txt", b"one\r\ntwo\nthree\r\n")
    assert ps(r"Get-Content C:\wcc\lines.txt").objects == ["one", "two", "three"]
    assert ps(r"Get-Content C:\wcc\lines.txt -Tail 1").objects == ["three"]
    assert ps(r"Get-Content C:\wcc\lines.txt -TotalCount 2").objects == ["one", "two"]


def test_remove_folder_needs_recurse(ps, sim_host):
    sim_host.model.files.write_bytes(r"C:\wcc\dir\f.txt", b"x")
    refused = ps(r"Remove-Item C:\wcc\dir")
    assert refused.errors and sim_host.model.files.exists(r"C:\wcc\dir\f.txt")
    assert ps(r"Remove-Item C:\wcc\dir -Recurse").errors == []
    assert not sim_host.model.files.exists(r"C:\wcc\dir")


def test_wildcards_and_recurse(ps, sim_host):
    files = sim_host.model.files
    files.write_bytes(r"C:\wcc\a\one.json", b"1")
    files.write_bytes(r"C:\wcc\a\b\two.json", b"2")
    files.write_bytes(r"C:\wcc\a\b\three.txt", b"3")
    assert ps(r"Get-ChildItem C:\wcc\a -Recurse -File -Name").objects == [
        "one.json",
        r"b\three.txt",
        r"b\two.json",
    ]
    assert ps(r"Get-ChildItem C:\wcc\a -Recurse -Filter *.json -Name").objects == ["one.json", r"b\two.json"]
    assert ps(r"Test-Path C:\wcc\a\b\*.txt").objects == [True]


def test_a_volume_path_resolves_while_its_layer_is_mounted(ps, sim_host, start_container):
    r"""A started container's scratch layer is a ``\\?\Volume{GUID}\`` root Test-Path resolves, until stopped."""
    c = start_container()
    volume = sim_host.model.windowsfilter.get_layer_mount_path(rf"{WINDOWSFILTER}\{c.id}")
    assert volume.startswith("\\\\?\\Volume{")
    assert ps(f"Test-Path -LiteralPath '{volume}'").objects == [True]
    assert ps(f"Test-Path -LiteralPath '{volume}x\\..' -PathType Container").objects == [True]
    sim_host.model.dockerd.stop_container(c.id)
    assert ps(f"Test-Path -LiteralPath '{volume}'").objects == [False]


def test_new_item_without_force_lets_exactly_one_of_racing_sessions_create_a_file(sim_host):
    """New-Item without -Force opens the file CreateNew: of sessions racing to make one file (a lock
    file), exactly one succeeds and the file holds its value; the others get 'already exists'."""
    script = (
        "try { $null = New-Item -ItemType File -Path C:\\wcc\\race\\%s -Value 'session %d' -ErrorAction Stop; "
        "'taken' } catch { 'busy' }"
    )
    sim_host.model.files.mkdir(r"C:\wcc\race")
    sessions = 8
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads change hands often, so a look-then-create would interleave
    try:
        for attempt in range(20):
            name = f"lock{attempt}"
            answers: dict[int, list[Any]] = {}
            barrier = threading.Barrier(sessions)

            def create(
                index: int, name: str = name, barrier: threading.Barrier = barrier, answers: dict = answers
            ) -> None:
                out: list[Any] = []
                interp = Interpreter(
                    sim_host, on_output=out.extend, on_error=lambda e: None, write_stdout=lambda t: None
                )
                barrier.wait()
                interp.run(script % (name, index))
                answers[index] = out

            threads = [threading.Thread(target=create, args=(i,)) for i in range(sessions)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            winners = [i for i, out in answers.items() if out == ["taken"]]
            assert len(answers) == sessions and len(winners) == 1, answers
            text = sim_host.model.files.read_text(f"C:\\wcc\\race\\{name}", "cp1252")
            assert text == f"session {winners[0]}", (text, winners)
    finally:
        sys.setswitchinterval(switch)
