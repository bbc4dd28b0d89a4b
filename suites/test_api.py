"""API and lifecycle: what `docker run` sends to dockerd, and what wait?condition=next-exit means."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.recording_proxy import docker_through_proxy
from suites.subjects import DOCKER_COMMAND, default_network

WAIT_TIMEOUT = 60.0


def api_calls(lines: list[str]) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(method, path without the /vX.Y prefix, query) of each `Calling ...` debug log line."""
    calls = []
    for line in lines:
        match = facts.DEBUG_CALL.search(line)
        if not match:
            continue
        url = urlsplit(match["path"])
        path = url.path
        if path.startswith("/v") and "/" in path[1:]:
            head, rest = path[1:].split("/", 1)
            if head[1:].replace(".", "").isdigit():
                path = "/" + rest
        calls.append((match["method"], path, parse_qs(url.query)))
    return calls


def _find(calls: list[Any], method: str, path: str, query: dict[str, str]) -> int:
    for index, (m, p, q) in enumerate(calls):
        if m == method and p == path and all(q.get(k) == [v] for k, v in query.items()):
            return index
    return -1


@behaviour(
    id="api/run-create-wait-start",
    must="`docker run -id --network N --name X IMAGE CMD` MUST reach the daemon as POST /containers/create?name=X, "
    "then POST /containers/<id>/wait?condition=next-exit, then POST /containers/<id>/start, in that order.",
    seed="Calling POST /v1.39/containers/create?name=example to create a container. ... "
    "Calling POST /v1.39/containers/container_id/wait?condition=next-exit. ... "
    "Calling POST /v1.39/containers/container_id/start.",
)
def test_run_sends_create_wait_start(host, via, containers, run_id):
    image = containers.ensure_image()
    name = containers.name()
    network = default_network(host)
    args = [
        "run",
        "-id",
        "--network",
        network,
        "--name",
        name,
        "--label",
        f"wcc.run={run_id}",
        image,
        DOCKER_COMMAND,
    ]
    mark = host.daemon.mark()
    result = host.docker.cli(*args)
    expect.equal(host, f"exit code of docker run (stderr: {result.stderr.strip()[:300]!r})", 0, result.rc)
    cid = result.stdout.strip().splitlines()[-1].strip()
    containers.track(cid)
    lines = host.daemon.debug_log(mark)
    if not any(facts.DEBUG_CALL.search(line) for line in lines):
        # dockerd logs no API calls (debug off): record them in front of the daemon instead.
        name = containers.name()
        args[args.index("--name") + 1] = name
        done, lines = docker_through_proxy(host.spec.docker, args)
        expect.equal(
            host,
            f"exit code of docker run via the recording proxy ({done.stderr.strip()[:300]!r})",
            0,
            done.returncode,
        )
        cid = done.stdout.strip().splitlines()[-1].strip()
        containers.track(cid)
    calls = api_calls(lines)
    shown = [
        f"{m} {p}" + (f"?{'&'.join(f'{k}={v[0]}' for k, v in q.items())}" if q else "") for m, p, q in calls
    ]
    steps = [
        (f"POST /containers/create?name={name}", _find(calls, "POST", "/containers/create", {"name": name})),
        (
            f"POST /containers/{cid[:12]}.../wait?condition=next-exit",
            _find(calls, "POST", f"/containers/{cid}/wait", {"condition": "next-exit"}),
        ),
        (f"POST /containers/{cid[:12]}.../start", _find(calls, "POST", f"/containers/{cid}/start", {})),
    ]
    for wanted, index in steps:
        expect.that(index >= 0, host, f"dockerd debug log for `docker run`: call {wanted}", "logged", shown)
    order = [index for _, index in steps]
    expect.that(order == sorted(order), host, "order of create, wait, start", "create < wait < start", shown)


@behaviour(
    id="api/wait-next-exit",
    must="POST /containers/<id>/wait?condition=next-exit on a running container MUST return only when the "
    "container next stops, with that exit code.",
    seed='This just means "wait for the next time the state changes to a non-running state"',
)
def test_wait_next_exit_returns_when_container_stops(host, via, containers):
    container = containers.run(command=DOCKER_COMMAND)
    api = host.docker.client.api
    outcome: dict[str, Any] = {}

    def wait() -> None:
        try:
            outcome["result"] = api.wait(container.id, timeout=WAIT_TIMEOUT, condition="next-exit")
        except Exception as exc:  # reported by the main thread
            outcome["error"] = exc

    mark = host.daemon.mark()
    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    # Go on once dockerd has the wait request (or the request already came back).
    seen = False
    deadline = threading.Event()
    timer = threading.Timer(WAIT_TIMEOUT, deadline.set)
    timer.start()
    try:
        while not seen and waiter.is_alive() and not deadline.is_set():
            seen = any(
                p == f"/containers/{container.id}/wait" for _, p, _ in api_calls(host.daemon.debug_log(mark))
            )
    finally:
        timer.cancel()
    # One more daemon round trip after the request was logged: a conforming wait is still pending.
    container.reload()
    expect.equal(host, f"state of {container.id[:12]} before it is stopped", "running", container.status)
    expect.that(
        waiter.is_alive(),
        host,
        f"wait?condition=next-exit on running container {container.id[:12]}",
        expect.Described("still waiting while the container runs"),
        outcome.get("result", outcome.get("error")),
    )
    container.stop()
    waiter.join(WAIT_TIMEOUT)
    expect.that(not waiter.is_alive(), host, "wait after stop", expect.Described("returned"), "still waiting")
    if "error" in outcome:
        raise outcome["error"]
    container.reload()
    exit_code = container.attrs["State"]["ExitCode"]
    expect.equal(
        host,
        f"status code of wait vs State.ExitCode of {container.id[:12]}",
        exit_code,
        outcome["result"].get("StatusCode"),
    )
