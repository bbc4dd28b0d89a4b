"""wait?condition=next-exit from the daemon's side, over HTTP: registered at once, answered at the next stop."""

from __future__ import annotations

import json
import threading

from tests.winsim_docker.conftest import MakeSim
from winsim.deviations import Deviation


def _send_wait(api, cid: str) -> tuple[int, threading.Thread, list[bytes]]:
    """The wait's head (the daemon holds it), and a reader that gets its body when it comes."""
    response = api.post(api._url("/containers/{0}/wait", cid), params={"condition": "next-exit"}, stream=True)
    body: list[bytes] = []
    reader = threading.Thread(target=lambda: body.append(response.raw.read()), daemon=True)
    reader.start()
    return response.status_code, reader, body


def test_next_exit_sent_to_a_created_container_holds_through_start(make_sim: MakeSim) -> None:
    api = make_sim(daemon_debug=False).sdk().api
    cid = api.create_container(
        "mcr.microsoft.com/windows/servercore:ltsc2022", "powershell", stdin_open=True
    )["Id"]
    status, reader, body = _send_wait(api, cid)
    assert status == 200, "the daemon answers the head once the wait is registered"
    api.start(cid)
    assert api.inspect_container(cid)["State"]["Status"] == "running"
    reader.join(0.5)
    assert reader.is_alive() and body == [], "still pending after start"
    api.stop(cid)
    reader.join(10)
    assert json.loads(body[0]) == {"StatusCode": 3221225786, "Error": None}
    assert api.inspect_container(cid)["State"]["ExitCode"] == 3221225786


def test_next_exit_on_a_created_container_deviation_answers_at_once(make_sim: MakeSim) -> None:
    api = make_sim(deviations=frozenset({Deviation.WAIT_NEXT_EXIT_CREATED_IMMEDIATE})).sdk().api
    cid = api.create_container(
        "mcr.microsoft.com/windows/servercore:ltsc2022", "powershell", stdin_open=True
    )["Id"]
    _, reader, body = _send_wait(api, cid)
    reader.join(10)
    assert json.loads(body[0]) == {"StatusCode": 0, "Error": None}


def test_a_stock_daemon_logs_no_api_calls(make_sim: MakeSim) -> None:
    sim = make_sim(daemon_debug=False)
    client = sim.sdk()
    assert client.info()["Debug"] is False
    client.containers.list(all=True)
    assert not any("Calling" in line for line in sim.host.model.dockerd.debug_log())
    assert make_sim(daemon_debug=True).sdk().info()["Debug"] is True
