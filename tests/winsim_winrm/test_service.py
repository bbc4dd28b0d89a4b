"""Service-level behaviour: latency per round trip, stalled clients, shutdown during a long-poll, config."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from urllib.parse import urlparse

import pytest
import winrm
from winrm.exceptions import WSManFaultError

from tests.winsim_winrm.programs import make_host
from winsim.winrm.config import WinRMConfig
from winsim.winrm.server import start


def test_each_http_request_pays_one_round_trip(tmp_path):
    host = make_host(tmp_path / "lab", latency="lab")
    surface = start(host, "127.0.0.1")
    try:
        session = winrm.Session(
            surface.endpoints["winrm"]["http"],
            auth=("Administrator", host.credentials.password),
            transport="basic",
        )
        started = time.monotonic()
        assert session.run_cmd("wcctest.exe echo lag").std_out == b"lag\r\n"
        elapsed = time.monotonic() - started
    finally:
        surface.close()
    # Create, Command, Receive (at least one), Signal, Delete
    assert elapsed >= 5 * host.latency.round_trip


def test_stalled_client_does_not_block_others_and_is_dropped(start_winrm, sim_host):
    surface = start_winrm(connection_idle_timeout=0.5)
    url = urlparse(surface.endpoints["winrm"]["http"])
    staller = socket.create_connection((url.hostname, url.port))
    staller.sendall(b"POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
    session = winrm.Session(
        surface.endpoints["winrm"]["http"],
        auth=("Administrator", sim_host.credentials.password),
        transport="basic",
    )
    assert session.run_cmd("wcctest.exe echo meanwhile").std_out == b"meanwhile\r\n"
    staller.settimeout(5)
    started = time.monotonic()
    assert staller.recv(1024) == b""  # the server gave up on the half-sent request and closed
    assert time.monotonic() - started < 3
    staller.close()


def test_close_ends_a_pending_long_poll(start_winrm, sim_host):
    surface = start_winrm()
    p = winrm.Protocol(
        surface.endpoints["winrm"]["http"],
        transport="basic",
        username="Administrator",
        password=sim_host.credentials.password,
        operation_timeout_sec=20,
        read_timeout_sec=30,
    )
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe wait")
    p.get_command_output_raw(shell, command)
    finished = threading.Event()

    def poll() -> None:
        with contextlib.suppress(Exception):  # any outcome will do; it must just not hang
            p.get_command_output_raw(shell, command)
        finished.set()

    threading.Thread(target=poll, daemon=True).start()
    time.sleep(0.2)  # let the Receive reach the server and start waiting
    started = time.monotonic()
    surface.close()
    assert time.monotonic() - started < 3
    assert finished.wait(timeout=5)


def test_config_file_in_state_folder_is_honoured(sim_host):
    folder = sim_host.state_dir / "winrm"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"max_shells_per_user": 1}))
    surface = start(sim_host, "127.0.0.1")
    try:
        p = winrm.Protocol(
            surface.endpoints["winrm"]["http"],
            transport="basic",
            username="Administrator",
            password=sim_host.credentials.password,
        )
        p.open_shell()
        with pytest.raises(WSManFaultError, match="maximum number of 1 concurrent shells"):
            p.open_shell()
    finally:
        surface.close()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"max_shells": 3}, "unknown setting(s) max_shells"),
        ({"idle_timeout": -1}, "idle_timeout must be a positive number"),
        ({"allow_basic": "yes"}, "allow_basic must be true or false"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_bad_config_is_named(data, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        WinRMConfig.from_mapping(data)
