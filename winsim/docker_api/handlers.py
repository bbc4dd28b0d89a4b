"""Docker Engine API endpoints: parse the request, call the model, render the answer.

``ROUTES`` maps (method, path pattern) to a handler ``(Request) -> Reply``; ``dispatch`` picks one.
"""

from __future__ import annotations

import json
import re
import select
import socket
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

from winsim.docker_api import gojson, render
from winsim.docker_api.protocol import Hijack, Reply, Request, Response, Stream
from winsim.latency import spend
from winsim.model import DaemonNotRunning, DockerError, ErrorKind, HostModel
from winsim.model.docker_objects import Container
from winsim.model.dockerd import Dockerd

Handler = Callable[[Request], Reply]
TEXT_PLAIN = "text/plain; charset=utf-8"
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), fn))
        return fn

    return register


def dispatch(req: Request) -> Reply:
    allowed = False
    for method, pattern, fn in ROUTES:
        m = pattern.match(req.path)
        if m:
            allowed = True
            if method == req.method or (method == "GET" and req.method == "HEAD"):
                req.params = m.groups()
                return fn(req)
    if allowed:
        return Response(405, {"message": f"method {req.method} is not allowed for {req.path}"})
    return Response(404, {"message": "page not found"})


def _d(req: Request) -> Dockerd:
    return req.host.model.dockerd


def _empty_ok() -> Response:
    """200 with an empty text body: what dockerd answers to resize, connect and disconnect."""
    return Response(200, b"", TEXT_PLAIN)


# ---- system ---------------------------------------------------------------------------
@route("GET", "/_ping")
def ping(req: Request) -> Reply:
    return Response(
        200,
        b"OK",
        TEXT_PLAIN,
        {
            "Cache-Control": "no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
            "Builder-Version": "1",
            "Swarm": "inactive",
        },
    )


@route("GET", "/version")
def version(req: Request) -> Reply:
    return Response(200, render.version(req.host.model.profile))


@route("GET", "/info")
def info(req: Request) -> Reply:
    name = req.host.name
    return Response(200, req.host.model.read(lambda m: render.info(m, name)))


@route("GET", "/events")
def events(req: Request) -> Reply:
    d = _d(req)
    filters = req.filters()
    since = float(req.query["since"]) if req.query.get("since") else None
    until = float(req.query["until"]) if req.query.get("until") else None

    def wanted(ev: dict[str, Any]) -> bool:
        if since is not None and ev["timeNano"] < since * 1e9:
            return False
        if until is not None and ev["timeNano"] > until * 1e9:
            return False
        checks = {
            "type": ev["Type"],
            "event": ev["Action"],
            "container": ev["Actor"]["ID"] if ev["Type"] == "container" else None,
            "network": ev["Actor"]["ID"] if ev["Type"] == "network" else None,
        }
        for key, values in filters.items():
            if (
                key in checks
                and checks[key] not in values
                and not (key == "container" and ev["Actor"]["Attributes"].get("name") in values)
            ):
                return False
        return True

    def chunks() -> Iterator[bytes]:
        with d.changed:
            pos = 0 if since is not None else len(d.events)
        while True:
            with d.changed:
                while pos >= len(d.events) and d.running and not req.cancelled():
                    if until is not None and until * 1e9 < time.time_ns():
                        return
                    d.changed.wait(0.5)
                if not d.running or req.cancelled():
                    return
                batch, pos = d.events[pos:], len(d.events)
            for ev in batch:
                if wanted(ev):
                    yield (json.dumps({k: v for k, v in ev.items() if v is not None}) + "\n").encode()

    return Stream(chunks())


# ---- containers -----------------------------------------------------------------------
@route("GET", "/containers/json")
def containers_list(req: Request) -> Reply:
    model = req.host.model
    filters = req.filters()
    every = req.flag("all") or bool(filters.get("status"))

    def summaries(m: HostModel) -> list[dict[str, Any]]:
        out = []
        for c in m.dockerd.list_containers(all=every):
            if "name" in filters and not any(n.lstrip("/") in c.name for n in filters["name"]):
                continue
            if "id" in filters and not any(c.id.startswith(i) for i in filters["id"]):
                continue
            if "status" in filters and c.status not in filters["status"]:
                continue
            if "label" in filters and not all(_label_match(c, lab) for lab in filters["label"]):
                continue
            out.append(render.container_summary(m, c))
        return out

    out = model.read(summaries)
    limit = int(req.query.get("limit") or 0)
    return Response(200, out[:limit] if limit > 0 else out)


def _label_match(c: Container, spec: str) -> bool:
    labels = c.config.get("Labels") or {}
    key, _, value = spec.partition("=")
    return key in labels and (not value or labels[key] == value)


@route("POST", "/containers/create")
def containers_create(req: Request) -> Reply:
    spend(req.host, "container_create")
    body = req.json()
    major = req.host.model.profile.engine_major
    try:
        gojson.check(body, gojson.create_request(major), gojson.GO_MINOR.get(major, 22))
    except gojson.UnmarshalTypeError as exc:
        # runconfig wraps it as invalidJSONError (400) from engine 24; 18.09 returned it bare (500)
        if major >= 24:
            raise DockerError(ErrorKind.INVALID_PARAMETER, f"invalid JSON: {exc}") from None
        raise DockerError(ErrorKind.SYSTEM, str(exc)) from None
    c = _d(req).create_container(body, name=req.query.get("name") or None)
    return Response(201, {"Id": c.id, "Warnings": []})


@route("GET", "/containers/([^/]+)/json")
def containers_inspect(req: Request) -> Reply:
    model = req.host.model
    ref, version = req.params[0], req.api_version
    return Response(200, model.read(lambda m: render.container_inspect(m, m.dockerd.container(ref), version)))


@route("POST", "/containers/([^/]+)/start")
def containers_start(req: Request) -> Reply:
    spend(req.host, "container_start")
    _d(req).start_container(req.params[0])
    return Response(204)


@route("POST", "/containers/([^/]+)/stop")
def containers_stop(req: Request) -> Reply:
    spend(req.host, "container_stop")
    _d(req).stop_container(req.params[0], signal=req.query.get("signal", ""), timeout=_stop_seconds(req))
    return Response(204)


def _stop_seconds(req: Request) -> int | None:
    """``t``: seconds before the kill (moby's router: strconv.Atoi, its error unwrapped, so a 500)."""
    text = req.query.get("t", "")
    if not text:
        return None
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise DockerError(ErrorKind.SYSTEM, f'strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


@route("POST", "/containers/([^/]+)/kill")
def containers_kill(req: Request) -> Reply:
    _d(req).stop_container(req.params[0], kill=True, signal=req.query.get("signal", ""))
    return Response(204)


@route("POST", "/containers/([^/]+)/restart")
def containers_restart(req: Request) -> Reply:
    spend(req.host, "container_stop")
    spend(req.host, "container_start")
    _d(req).restart_container(req.params[0], timeout=_stop_seconds(req))
    return Response(204)


@route("POST", "/containers/([^/]+)/resize")
def containers_resize(req: Request) -> Reply:
    _d(req).container(req.params[0])
    return _empty_ok()


@route("DELETE", "/containers/([^/]+)")
def containers_remove(req: Request) -> Reply:
    _d(req).remove_container(req.params[0], force=req.flag("force"), volumes=req.flag("v"))
    return Response(204)


@route("POST", "/containers/([^/]+)/wait")
def containers_wait(req: Request) -> Reply:
    """Headers go out at once (so the client knows the wait is registered); the body when it ends."""
    d = _d(req)
    ref = req.params[0]
    # Registered before the headers go out (404/400 first): a client that starts the container
    # as soon as it has the 200 cannot slip an exit past the wait.
    result = d.begin_wait(ref, req.query.get("condition") or "not-running")

    def chunks() -> Iterator[bytes]:
        try:
            code = result(req.cancelled)
        except DaemonNotRunning:
            return
        except DockerError as exc:
            yield json.dumps({"StatusCode": -1, "Error": {"Message": exc.message}}).encode() + b"\n"
            return
        yield json.dumps({"StatusCode": code, "Error": None}).encode() + b"\n"

    return Stream(chunks())


def _frame(stream: str, data: bytes) -> bytes:
    return struct.pack(">BxxxL", 2 if stream == "stderr" else 1, len(data)) + data


@route("GET", "/containers/([^/]+)/logs")
def containers_logs(req: Request) -> Reply:
    d = _d(req)
    c = d.container(req.params[0])
    streams = {s for s in ("stdout", "stderr") if req.flag(s)}
    if not streams:
        raise DockerError(ErrorKind.INVALID_PARAMETER, "Bad parameters: you must choose at least one stream")
    tty = bool(c.config.get("Tty"))

    def chunks() -> Iterator[bytes]:
        sent = 0
        while True:
            with d.changed:
                items = c.output[sent:]
                sent += len(items)
            for stream, data in items:
                if stream in streams:
                    yield data if tty else _frame(stream, data)
            with d.changed:
                if not req.flag("follow") or not c.running or req.cancelled() or not d.running:
                    return
                d.changed.wait(0.5)

    return Stream(chunks(), content_type="application/vnd.docker.multiplexed-stream")


@route("POST", "/containers/([^/]+)/attach")
def containers_attach(req: Request) -> Reply:
    d = _d(req)
    c = d.container(req.params[0])
    if c.status == "exited" and not req.flag("logs"):
        raise DockerError(ErrorKind.CONFLICT, "You cannot attach to a stopped container, start it first")
    tty = bool(c.config.get("Tty"))
    seen = c.exits
    forward = req.flag("stdin")

    def run(sock: socket.socket) -> None:
        sent = 0
        stdin_open = forward
        while True:
            with d.changed:
                items = c.output[sent:]
                sent += len(items)
                finished = c.exits > seen or c.removed or not d.running
            for stream, data in items:
                sock.sendall(data if tty else _frame(stream, data))
            if finished:
                return
            readable, _, _ = select.select([sock], [], [], 0) if stdin_open else ([], [], [])
            if readable:
                data = sock.recv(65536)
                # the client's stdin ends (an empty read): the container's too with StdinOnce, then
                # output keeps streaming until the container exits
                stdin_open = bool(data)
                d.write_stdin(c.id, data, eof=not data and bool(c.config.get("StdinOnce")))
            with d.changed:
                if not (c.exits > seen or c.removed or not d.running):
                    d.changed.wait(0.2)

    return Hijack(run)


# ---- images ---------------------------------------------------------------------------
@route("GET", "/images/json")
def images_list(req: Request) -> Reply:
    d = _d(req)
    d.require_running()
    return Response(
        200, [render.image_summary(i) for i in d.images.images() if i.repo_tags or req.flag("all")]
    )


@route("GET", "/images/(.+)/json")
def images_inspect(req: Request) -> Reply:
    model = req.host.model
    ref, version = req.params[0], req.api_version
    return Response(200, model.read(lambda m: render.image_inspect(m, m.dockerd.image(ref), version)))


@route("POST", "/images/create")
def images_create(req: Request) -> Reply:
    ref = req.query.get("fromImage") or ""
    if not ref:
        raise DockerError(
            ErrorKind.INVALID_PARAMETER, "fromImage is required (import of a tarball is not modelled)"
        )
    tag = req.query.get("tag") or ""
    if tag and not tag.startswith("sha256:"):
        ref = f"{ref}:{tag}"
    progress = _d(req).pull(ref)
    return Stream(iter([json.dumps(p).encode() + b"\r\n" for p in progress]))


@route("DELETE", "/images/(.+)")
def images_remove(req: Request) -> Reply:
    return Response(200, _d(req).remove_image(req.params[0], force=req.flag("force")))


# ---- networks -------------------------------------------------------------------------
@route("GET", "/networks")
def networks_list(req: Request) -> Reply:
    model = req.host.model
    filters = req.filters()
    out = model.read(lambda m: [render.network_inspect(m, n) for n in m.dockerd.list_networks()])
    if "name" in filters:
        out = [n for n in out if any(f in n["Name"] for f in filters["name"])]
    if "driver" in filters:
        out = [n for n in out if n["Driver"] in filters["driver"]]
    if "id" in filters:
        out = [n for n in out if any(n["Id"].startswith(f) for f in filters["id"])]
    return Response(200, out)


@route("POST", "/networks/create")
def networks_create(req: Request) -> Reply:
    body = req.json()
    net = _d(req).create_network(
        str(body.get("Name") or ""),
        str(body.get("Driver") or "nat"),
        options=body.get("Options") or {},
        ipam=body.get("IPAM"),
        labels=body.get("Labels") or {},
        internal=bool(body.get("Internal")),
    )
    return Response(201, {"Id": net.id, "Warning": ""})


@route("GET", "/networks/([^/]+)")
def networks_inspect(req: Request) -> Reply:
    model = req.host.model
    ref = req.params[0]
    return Response(200, model.read(lambda m: render.network_inspect(m, m.dockerd.network(ref))))


@route("DELETE", "/networks/([^/]+)")
def networks_remove(req: Request) -> Reply:
    _d(req).remove_network(req.params[0])
    return Response(204)


@route("POST", "/networks/([^/]+)/connect")
def networks_connect(req: Request) -> Reply:
    body = req.json()
    _d(req).connect(req.params[0], str(body.get("Container") or ""), body.get("EndpointConfig"))
    return _empty_ok()


@route("POST", "/networks/([^/]+)/disconnect")
def networks_disconnect(req: Request) -> Reply:
    body = req.json()
    _d(req).disconnect(req.params[0], str(body.get("Container") or ""), force=bool(body.get("Force")))
    return _empty_ok()


# ---- volumes --------------------------------------------------------------------------
@route("GET", "/volumes")
def volumes_list(req: Request) -> Reply:
    filters = req.filters()
    vols = _d(req).list_volumes()
    if "name" in filters:
        vols = [v for v in vols if any(f in v.name for f in filters["name"])]
    if "dangling" in filters:
        used = req.host.model.read(
            lambda m: {v.name for c in m.dockerd.containers.values() for v in c.mounts if v.name}
        )
        dangling = filters["dangling"][0].lower() in ("1", "true")
        vols = [v for v in vols if (v.name not in used) == dangling]
    return Response(200, {"Volumes": [render.volume(v) for v in vols], "Warnings": None})


@route("POST", "/volumes/create")
def volumes_create(req: Request) -> Reply:
    body = req.json()
    vol = _d(req).create_volume(
        str(body.get("Name") or ""),
        str(body.get("Driver") or "local"),
        labels=body.get("Labels"),
        options=body.get("DriverOpts"),
    )
    return Response(201, render.volume(vol))


@route("POST", "/volumes/prune")
def volumes_prune(req: Request) -> Reply:
    all_volumes = [a.lower() for a in req.filters().get("all", [])] in (["1"], ["true"])
    gone = _d(req).prune_volumes(all_volumes=all_volumes)
    return Response(200, {"VolumesDeleted": gone or None, "SpaceReclaimed": 0})


@route("GET", "/volumes/([^/]+)")
def volumes_inspect(req: Request) -> Reply:
    return Response(200, render.volume(_d(req).volume(req.params[0])))


@route("DELETE", "/volumes/([^/]+)")
def volumes_remove(req: Request) -> Reply:
    _d(req).remove_volume(req.params[0], force=req.flag("force"))
    return Response(204)
