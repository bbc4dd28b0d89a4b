"""API and lifecycle: what `docker run` sends to dockerd, and what wait?condition=next-exit means."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.recording_proxy import Exchange, proxy_for, run_cli
from suites.subjects import DOCKER_COMMAND, default_network
from suites.waits import PendingWait

WAIT_RETURN = 60.0  # how long a wait may take to answer once its container stopped
CREATED, NO_CONTENT, OK = 201, 204, 200

Call = tuple[str, str, dict[str, list[str]]]


def api_call(method: str, target: str) -> Call:
    """(method, path without the /vX.Y prefix, query) of one request."""
    url = urlsplit(target)
    path = url.path
    if path.startswith("/v") and "/" in path[1:]:
        head, rest = path[1:].split("/", 1)
        if head[1:].replace(".", "").isdigit():
            path = "/" + rest
    return method, path, parse_qs(url.query)


def api_calls(lines: list[str]) -> list[Call]:
    """The calls of each `Calling METHOD PATH` debug log line, in order."""
    return [api_call(m["method"], m["path"]) for line in lines if (m := facts.DEBUG_CALL.search(line))]


def _show(call: Call) -> str:
    method, path, query = call
    return f"{method} {path}" + (f"?{'&'.join(f'{k}={v[0]}' for k, v in query.items())}" if query else "")


def _seed_command(host, containers, run_id) -> tuple[list[str], str]:
    name = containers.name()
    args = ["run", "-id", "--network", default_network(host), "--name", name]
    return [*args, "--label", f"wcc.run={run_id}", containers.ensure_image(), DOCKER_COMMAND], name


def _through_debug_log(host, containers, args) -> tuple[str, list[Call]]:
    """The host's own CLI; dockerd logs each call it receives, in order."""
    mark = host.daemon.mark()
    result = host.docker.cli(*args)
    expect.equal(host, f"exit code of docker run (stderr: '{result.stderr.strip()[:300]}')", 0, result.rc)
    cid = result.stdout.strip().splitlines()[-1].strip()
    containers.track(cid)
    return cid, api_calls(host.daemon.debug_log(mark))


def _through_proxy(host, containers, args) -> tuple[str, list[Call]]:
    """This machine's CLI through a recording proxy, kept open until the CLI's wait has its answer."""
    with proxy_for(host.spec.docker) as proxy:
        done = run_cli(proxy, args)
        expect.equal(
            host,
            f"exit code of docker run via the recording proxy ('{done.stderr.strip()[:300]}')",
            0,
            done.returncode,
        )
        cid = done.stdout.strip().splitlines()[-1].strip()
        containers.track(cid)
        expect.that(
            proxy.settle(),
            host,
            "the docker CLI's connections through the recording proxy",
            expect.Described("all read to their end"),
            {"open": proxy.open_connections, "requests": proxy.calls},
        )
        exchanges = sorted(proxy.exchanges, key=lambda e: e.sent)
        requests = [_show(api_call(e.method, e.target)) for e in exchanges]
        for exchange, wanted in _answers_owed(exchanges, cid):
            expect.equal(
                host, f"dockerd's answer to {exchange.method} {exchange.target}", wanted, exchange.status
            )
        # Let the wait the CLI left behind finish while recording, so no request is missed.
        host.docker.client.api.stop(cid)
        proxy.wait_until(lambda: all(e.done is not None for e in proxy.exchanges), WAIT_RETURN)
        expect.equal(
            host,
            "requests of `docker run` once its wait completed",
            requests,
            [_show(api_call(e.method, e.target)) for e in sorted(proxy.exchanges, key=lambda e: e.sent)],
        )
        return cid, [api_call(e.method, e.target) for e in exchanges]


def _answers_owed(exchanges: list[Exchange], cid: str) -> list[tuple[Exchange, int]]:
    """create 201, wait 200 (the daemon holds it), start 204."""
    owed = []
    for exchange in exchanges:
        method, path, _ = api_call(exchange.method, exchange.target)
        wanted = {
            "/containers/create": CREATED,
            f"/containers/{cid}/wait": OK,
            f"/containers/{cid}/start": NO_CONTENT,
        }.get(path)
        if method == "POST" and wanted is not None:
            owed.append((exchange, wanted))
    return owed


@behaviour(
    id="api/run-create-wait-start",
    must="`docker run -id --network N --name X IMAGE CMD` MUST reach the daemon as POST /containers/create?name=X, "
    "then POST /containers/<id>/wait?condition=next-exit, then POST /containers/<id>/start, each once, in that order.",
    seed="Calling POST /v1.39/containers/create?name=example to create a container. ... "
    "Calling POST /v1.39/containers/container_id/wait?condition=next-exit. ... "
    "Calling POST /v1.39/containers/container_id/start.",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the CLI's create, wait, start sequence does not depend on HostConfig.Isolation, which is only a field of the create body (docker/cli cli/command/container/run.go)",
    },
)
def test_run_sends_create_wait_start(host, via, containers, run_id):
    args, name = _seed_command(host, containers, run_id)
    # dockerd logs the calls it receives only with debug logging on (off on a stock host):
    # otherwise a recording proxy in front of it sees them.
    debug = bool(host.docker.info().get("Debug"))
    cid, calls = (_through_debug_log if debug else _through_proxy)(host, containers, args)
    source = "dockerd debug log" if debug else "recording proxy"
    named = host.docker.client.containers.get(name)
    expect.equal(host, f"id of the container named {name}", named.id, cid)
    wanted = [
        ("POST", "/containers/create", {"name": [name]}),
        ("POST", f"/containers/{cid}/wait", {"condition": ["next-exit"]}),
        ("POST", f"/containers/{cid}/start", {}),
    ]
    mine = [
        c
        for c in calls
        if (c[1] == "/containers/create" and c[2].get("name") == [name]) or c[1] in {w[1] for w in wanted[1:]}
    ]
    expect.equal(
        host,
        f"calls of `docker run` for {name} ({cid[:12]}) in the {source}, in order",
        [_show(w) for w in wanted],
        [_show(c) for c in mine],
    )


@behaviour(
    id="api/wait-next-exit",
    must="POST /containers/<id>/wait?condition=next-exit sent to a created or a running container MUST be accepted "
    "at once (200) and answer only when the container next stops, with that exit code: a wait sent before start "
    "stays pending through the start.",
    seed='This just means "wait for the next time the state changes to a non-running state"',
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the daemon answers a wait from the container's state, whatever its isolation (moby daemon/wait.go, container/state.go)",
    },
)
def test_wait_next_exit_returns_when_container_stops(host, via, containers):
    container = containers.create(command=DOCKER_COMMAND)
    waits: dict[str, PendingWait] = {}
    waits["created"] = PendingWait.send(host, container.id, "next-exit")
    container.start()
    container.reload()
    expect.equal(host, f"state of {container.id[:12]} after start", "running", container.status)
    waits["running"] = PendingWait.send(host, container.id, "next-exit")
    container.reload()  # one more daemon round trip: a conforming daemon still holds both waits
    for state, wait in waits.items():
        expect.equal(
            host, f"status of wait?condition=next-exit sent to the {state} container", OK, wait.status
        )
        expect.that(
            wait.pending,
            host,
            f"wait?condition=next-exit sent to {container.id[:12]} while {state}",
            expect.Described("still pending while the container runs"),
            _answered(wait),
        )
    stopped = time.monotonic()
    container.stop()
    container.reload()
    exit_code = container.attrs["State"]["ExitCode"]
    for state, wait in waits.items():
        answer = wait.result(WAIT_RETURN)
        what = f"wait?condition=next-exit sent to {container.id[:12]} while {state}"
        expect.that(answer is not None, host, what, expect.Described("answered after the stop"), "pending")
        assert answer is not None and wait.arrived is not None
        expect.that(wait.arrived >= stopped, host, what, expect.Described("answered after the stop"), answer)
        expect.equal(host, f"StatusCode of the {what} vs State.ExitCode", exit_code, answer.get("StatusCode"))


def _answered(wait: PendingWait) -> Any:
    try:
        return wait.result(0)
    except Exception as exc:  # whatever the wait's reader thread caught: shown in the failure message
        return exc
