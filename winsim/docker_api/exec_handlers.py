"""Docker Engine API: exec, top, stats and container prune (registered on ``handlers.ROUTES``)."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator

from winsim.docker_api import exec_render
from winsim.docker_api.handlers import TEXT_PLAIN, route
from winsim.docker_api.handlers import _frame as frame
from winsim.docker_api.protocol import Hijack, Reply, Request, Response, Stream
from winsim.model.dockerd import Dockerd


def _d(req: Request) -> Dockerd:
    return req.host.model.dockerd


@route("POST", "/containers/([^/]+)/exec")
def exec_create(req: Request) -> Reply:
    ex = _d(req).create_exec(req.params[0], req.json())
    return Response(201, {"Id": ex.id})


@route("POST", "/exec/([^/]+)/start")
def exec_start(req: Request) -> Reply:
    d = _d(req)
    body = req.json()
    ex = d.start_exec(req.params[0])
    if body.get("Detach"):
        return Response(200, b"", TEXT_PLAIN)

    def run(sock: socket.socket) -> None:
        sent = 0
        stdin_open = ex.open_stdin
        while True:
            with d.changed:
                items = ex.output[sent:]
                sent += len(items)
                finished = not ex.running or not d.running
            for stream, data in items:
                sock.sendall(data if ex.tty else frame(stream, data))
            if finished:
                return
            readable, _, _ = select.select([sock], [], [], 0) if stdin_open else ([], [], [])
            if readable:
                data = sock.recv(65536)
                stdin_open = bool(data)  # an empty read: the client closed its stdin, and so does the exec's
                d.write_exec_stdin(ex.id, data, eof=not data)
            with d.changed:
                if ex.running and d.running:
                    d.changed.wait(0.2)

    return Hijack(run)


@route("GET", "/exec/([^/]+)/json")
def exec_inspect(req: Request) -> Reply:
    return Response(200, exec_render.exec_inspect(_d(req).exec(req.params[0])))


@route("POST", "/exec/([^/]+)/resize")
def exec_resize(req: Request) -> Reply:
    _d(req).exec(req.params[0])
    return Response(200, b"", TEXT_PLAIN)


@route("GET", "/containers/([^/]+)/top")
def containers_top(req: Request) -> Reply:
    return Response(200, exec_render.top(_d(req).top(req.params[0], req.query.get("ps_args", ""))))


@route("GET", "/containers/([^/]+)/stats")
def containers_stats(req: Request) -> Reply:
    d = _d(req)
    c = d.container(req.params[0])
    if req.query.get("stream", "1").lower() in ("0", "false"):
        return Response(200, exec_render.stats(c, d.stats(c.id)))

    def chunks() -> Iterator[bytes]:
        while not req.cancelled() and d.running and not c.removed:
            yield (json.dumps(exec_render.stats(c, d.stats(c.id))) + "\n").encode()
            with d.changed:
                d.changed.wait(1.0)  # moby's collector samples once a second

    return Stream(chunks(), content_type="application/json")


@route("POST", "/containers/prune")
def containers_prune(req: Request) -> Reply:
    gone = _d(req).prune_containers(req.filters().get("label"))
    return Response(200, {"ContainersDeleted": gone or None, "SpaceReclaimed": 0})
