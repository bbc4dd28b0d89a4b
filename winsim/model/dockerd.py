r"""dockerd on the simulated host: containers, networks, images, the daemon's own state and debug log.

It drives the other components in moby's order:

- create: GetLayerMountPath(parent) -> CreateSandboxLayer(<windowsfilter>\<container id>) -> layerchain.json
- start:  ActivateLayer -> PrepareLayer -> GetLayerMountPath (volume path) -> HNS POST /endpoints ->
          HcsCreateComputeSystem (brings compartment + vNIC) -> HcsStartComputeSystem -> HcsCreateProcess
- stop:   HcsShutdown/TerminateComputeSystem (compartment + vNIC go) -> HNS DELETE /endpoints ->
          UnprepareLayer -> DeactivateLayer

Every step lands in ``HostModel.journal``.  Methods raise ``DockerError`` (an ``ErrorKind`` and
dockerd's message), and ``DaemonNotRunning`` while dockerd is stopped or killed.

>>> c = dockerd.create_container({"Image": "microsoft/windowsservercore", "Cmd": ["powershell"]}, name="example")  # doctest: +SKIP
>>> dockerd.start_container(c.id)   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from winsim.deviations import Deviation
from winsim.model import container_process
from winsim.model.errors import (
    DaemonNotRunning,
    DaemonStartError,
    DockerError,
    ErrorKind,
    HcsError,
    HnsError,
    LayerError,
)
from winsim.model.images import ImageStore, LocalImage, normalize
from winsim.model.paths import win_basename, win_join
from winsim.model.volumes import MountPoint, MountSpec, VolumeStore, parse_bind, parse_mount

if TYPE_CHECKING:
    from winsim.model import HostModel

DOCKER_ROOT = r"C:\ProgramData\docker"
DAEMON_JSON = r"C:\ProgramData\docker\config\daemon.json"
DEBUG_LOG = r"C:\ProgramData\docker\dockerd.log"
# A stock host's daemon.json: the TCP endpoint it serves; no "debug", so dockerd logs no API calls (its default).
DEFAULT_DAEMON_JSON: dict[str, Any] = {"hosts": ["npipe://", "tcp://0.0.0.0:2376"]}
# daemon.json keys dockerd accepts on Windows (live-restore is registered for Unix only).
KNOWN_CONFIG_KEYS = frozenset(
    [
        "allow-nondistributable-artifacts",
        "api-cors-header",
        "authorization-plugins",
        "bridge",
        "builder",
        "containerd",
        "containerd-namespace",
        "data-root",
        "debug",
        "default-address-pools",
        "default-shm-size",
        "default-ulimits",
        "dns",
        "dns-opts",
        "dns-search",
        "exec-opts",
        "exec-root",
        "experimental",
        "features",
        "fixed-cidr",
        "group",
        "hosts",
        "insecure-registries",
        "labels",
        "log-driver",
        "log-format",
        "log-level",
        "log-opts",
        "max-concurrent-downloads",
        "max-concurrent-uploads",
        "max-download-attempts",
        "metrics-addr",
        "mtu",
        "network-control-plane-mtu",
        "pidfile",
        "raw-logs",
        "registry-mirrors",
        "shutdown-timeout",
        "storage-driver",
        "storage-opts",
        "swarm-default-advertise-addr",
        "tls",
        "tlscacert",
        "tlscert",
        "tlskey",
        "tlsverify",
    ]
)
NETWORK_DRIVERS = ("nat", "transparent", "l2bridge", "l2tunnel", "overlay", "ics", "internal", "private")
PREDEFINED_NETWORKS = ("nat", "none")
_NAME_RE = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
_ADJECTIVES = (
    "admiring",
    "brave",
    "clever",
    "dazzling",
    "eager",
    "focused",
    "gallant",
    "happy",
    "keen",
    "lucid",
)
_SURNAMES = (
    "albattani",
    "bohr",
    "curie",
    "darwin",
    "euler",
    "feynman",
    "galileo",
    "hopper",
    "knuth",
    "lovelace",
)


@dataclass
class NetAttachment:
    network_id: str
    network_name: str
    aliases: list[str] | None = None
    ipam_config: dict[str, Any] | None = None
    endpoint_id: str = ""  # libnetwork's 64-hex id, only while the container runs
    hns_endpoint_id: str = ""
    ip: str = ""
    prefix: int = 0
    gateway: str = ""
    mac: str = ""  # docker form: lower case, colons


@dataclass
class Container:
    id: str
    name: str  # without the leading slash
    created: datetime
    image_ref: str
    image: LocalImage
    config: dict[str, Any]
    host_config: dict[str, Any]
    networks: dict[str, NetAttachment]
    scratch_path: str
    status: str = "created"  # created | running | exited | removing | dead
    pid: int = 0
    exit_code: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    restart_count: int = 0
    volume_path: str = ""
    exits: int = 0  # increments on every stop; next-exit waits watch it
    removed: bool = False
    output: list[tuple[str, bytes]] = field(default_factory=list)
    mounts: list[MountPoint] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def argv(self) -> list[str]:
        entry = self.config.get("Entrypoint") or []
        cmd = self.config.get("Cmd") or ([] if entry else self.image.default_cmd())
        return [*entry, *cmd]

    @property
    def restart_policy(self) -> str:
        return str((self.host_config.get("RestartPolicy") or {}).get("Name") or "no")


@dataclass
class DockerNetwork:
    id: str
    name: str
    driver: str
    created: datetime
    hns_id: str = ""
    subnet: str = ""
    gateway: str = ""
    options: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    internal: bool = False
    ipam_options: dict[str, str] | None = None


class Dockerd:
    """The docker daemon: state plus operations, all under the model lock."""

    def __init__(self, model: HostModel, debug: bool = False) -> None:
        """``debug`` writes ``"debug": true`` into a new daemon.json (an administrator's choice, never the default)."""
        self.model = model
        self._lock = model.lock
        self.changed = threading.Condition(model.lock)  # container state, events, daemon state
        self.images = ImageStore(model.lock, model.files, model.windowsfilter, model.profile.build)
        self.containers: dict[str, Container] = {}
        self.networks: dict[str, DockerNetwork] = {}
        self.volumes = VolumeStore(model.lock, model.files)
        self.events: list[dict[str, Any]] = []
        self.state = "stopped"  # running | stopped | killed
        self.pid: int | None = None
        self.last_start_error: str | None = None
        self.started: datetime | None = None
        self.debug = False  # read from daemon.json on start
        self._log_lines: list[str] = []
        self._pids = itertools.count(2468, 4)
        if not model.files.exists(DAEMON_JSON):
            config = {"debug": True, **DEFAULT_DAEMON_JSON} if debug else DEFAULT_DAEMON_JSON
            model.files.write_text(DAEMON_JSON, json.dumps(config, indent=2) + "\n")

    # ==== the daemon ======================================================================
    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def service_status(self) -> str:
        """Status of the ``docker`` Windows service."""
        return "Running" if self.running else "Stopped"

    @property
    def graph_driver(self) -> str:
        return (
            "overlay2" if self.model.deviates(Deviation.GRAPH_DRIVER_NOT_WINDOWSFILTER) else "windowsfilter"
        )

    def require_running(self) -> None:
        if not self.running:
            raise DaemonNotRunning("dockerd is not running")

    def start(self) -> None:
        """Start-Service docker: read daemon.json, then restore (terminate) what ran before."""
        with self._lock:
            if self.running:
                return
            try:
                config = self._load_config()
            except DaemonStartError as exc:
                self.last_start_error = str(exc)
                self._log("fatal", str(exc), force=True)
                raise
            self.last_start_error = None
            self.debug = bool(config.get("debug", False))
            self.state = "running"
            self.pid = next(self._pids)
            self.started = datetime.now(UTC)
            self._log("info", "Starting up", force=True)
            self._log("info", rf"WindowsGraphDriver InitFilter at {DOCKER_ROOT}\windowsfilter", force=True)
            self._log("info", f"Windows default isolation mode: {self.model.profile.isolation}", force=True)
            self._restore_networks()
            self._log("info", "Loading containers: start.", force=True)
            self._restore_containers()
            self._log("info", "Loading containers: done.", force=True)
            self._log("info", "Daemon has completed initialization", force=True)
            self.changed.notify_all()

    def stop(self) -> None:
        """Stop-Service docker: running containers are stopped first (no live-restore on Windows)."""
        with self._lock:
            if not self.running:
                return
            self._log("info", "Processing signal 'terminated'", force=True)
            for c in list(self.containers.values()):
                if c.running:
                    self._exit(c, container_process.STOP_EXIT_CODE, how="shutdown")
            self.state = "stopped"
            self.pid = None
            self._log("info", "Daemon shutdown complete", force=True)
            self.changed.notify_all()

    def kill(self) -> None:
        """Stop-Process -Force on dockerd: compute systems keep running; nothing is cleaned up."""
        with self._lock:
            if not self.running:
                return
            self.state = "killed"
            self.pid = None
            self.changed.notify_all()

    def _load_config(self) -> dict[str, Any]:
        files = self.model.files
        if not files.exists(DAEMON_JSON):
            return {}
        text = files.read_text(DAEMON_JSON).lstrip("\ufeff")
        prefix = f"unable to configure the Docker daemon with file {DAEMON_JSON}"
        try:
            config = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            raise DaemonStartError(f"{prefix}: {exc.msg}") from exc
        if not isinstance(config, dict):
            raise DaemonStartError(
                f"{prefix}: json: cannot unmarshal into Go value of type map[string]interface {{}}"
            )
        known = KNOWN_CONFIG_KEYS | (
            {"live-restore"} if self.model.deviates(Deviation.LIVE_RESTORE_ACCEPTED) else set()
        )
        unknown = [k for k in config if k not in known]
        if unknown:
            raise DaemonStartError(
                f"{prefix}: the following directives don't match any configuration option: {', '.join(unknown)}"
            )
        return config

    def _restore_networks(self) -> None:
        if not self.networks:
            nat = self.model.hns.network_by_name("nat")
            if nat is not None:
                if self.model.profile.build < 17134:  # older HNS listed ids in lower case
                    nat = dict(nat, ID=str(nat["ID"]).lower())
                self._add_network(
                    "nat", "nat", nat, {"com.docker.network.windowsshim.networkname": str(nat["Name"])}
                )
            none_id = _id()
            self.networks[none_id] = DockerNetwork(none_id, "none", "null", datetime.now(UTC))
            return
        for net in list(self.networks.values()):  # HNS forgot it (reboot, cleanup): docker drops it
            if net.hns_id:
                try:
                    self.model.hns.network(net.hns_id)
                except HnsError:
                    del self.networks[net.id]

    def _restore_containers(self) -> None:
        """libcontainerd on Windows cannot re-attach: it terminates every compute system it had."""
        restart: list[Container] = []
        for c in self.containers.values():
            if not c.running:
                continue
            if self.model.deviates(Deviation.CONTAINERS_RESTORED):
                continue
            self._exit(c, container_process.RESTORE_EXIT_CODE, how="terminate", restoring=True)
            if c.restart_policy in ("always", "unless-stopped") or (
                c.restart_policy == "on-failure" and c.exit_code != 0
            ):
                restart.append(c)
        for c in restart:
            self._start(c)

    # ==== debug log =======================================================================
    def log_api_call(self, method: str, request_uri: str) -> None:
        """moby's debug middleware: ``Calling <METHOD> <RequestURI>``."""
        uri = (
            request_uri.split("?", 1)[0]
            if self.model.deviates(Deviation.DEBUG_LOG_DROPS_QUERY)
            else request_uri
        )
        self._log("debug", f"Calling {method} {uri}")

    def log_form_data(self, body: dict[str, Any]) -> None:
        masked = {
            k: ("*****" if k.lower() in ("password", "secret", "identitytoken") else v)
            for k, v in body.items()
        }
        self._log("debug", f"form data: {json.dumps(masked, separators=(',', ':'))}")

    def debug_log(self) -> list[str]:
        with self._lock:
            return list(self._log_lines)

    def log_mark(self) -> int:
        with self._lock:
            return len(self._log_lines)

    def _log(self, level: str, msg: str, force: bool = False) -> None:
        if level == "debug" and not self.debug and not force:
            return
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
        line = f'time="{stamp}" level={level} msg={json.dumps(msg)}'
        with self._lock:
            self._log_lines.append(line)
            self.model.files.append_text(DEBUG_LOG, line + "\n")
            # As a service dockerd also reports each entry to the Application log, source "docker"
            # (moby cmd/dockerd/service_windows.go; INFERRED event ids: 1 info/warning/error, 2 debug).
            event_level = {"error": 2, "fatal": 1, "warning": 3}.get(level, 4)
            self.model.events.write(
                "Application", "docker", 2 if level == "debug" else 1, msg, level=event_level
            )

    # ==== events ==========================================================================
    def _event(self, kind: str, action: str, actor_id: str, attributes: dict[str, str]) -> None:
        now = time.time_ns()
        self.events.append(
            {
                "status": action if kind == "container" else None,
                "id": actor_id if kind == "container" else None,
                "from": attributes.get("image") if kind == "container" else None,
                "Type": kind,
                "Action": action,
                "Actor": {"ID": actor_id, "Attributes": attributes},
                "scope": "local",
                "time": now // 1_000_000_000,
                "timeNano": now,
            }
        )
        self.changed.notify_all()

    def _cevent(self, c: Container, action: str, **extra: str) -> None:
        attrs = {"image": c.image_ref, "name": c.name, **(c.config.get("Labels") or {}), **extra}
        self._event("container", action, c.id, attrs)

    # ==== containers: lookup ==============================================================
    def container(self, ref: str) -> Container:
        with self._lock:
            self.require_running()
            if ref in self.containers:
                return self.containers[ref]
            name = ref.lstrip("/")
            for c in self.containers.values():
                if c.name == name:
                    return c
            hits = [c for c in self.containers.values() if c.id.startswith(ref)] if ref else []
            if len(hits) == 1:
                return hits[0]
            raise DockerError(ErrorKind.NOT_FOUND, f"No such container: {ref}")

    def list_containers(self, all: bool = False) -> list[Container]:
        with self._lock:
            self.require_running()
            out = [c for c in self.containers.values() if all or c.running]
            return sorted(out, key=lambda c: c.created, reverse=True)

    # ==== containers: lifecycle ===========================================================
    def create_container(self, body: dict[str, Any], name: str | None = None) -> Container:
        """POST /containers/create."""
        with self._lock:
            self.require_running()
            image_ref = str(body.get("Image") or "")
            if not image_ref:
                raise DockerError(
                    ErrorKind.INVALID_PARAMETER,
                    "No command specified" if not body.get("Cmd") else "image name is required",
                )
            if name is not None and name != "" and not _NAME_RE.match(name):
                raise DockerError(
                    ErrorKind.INVALID_PARAMETER,
                    f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                )
            clean = (name or "").lstrip("/") or self._random_name()
            holder = next((c for c in self.containers.values() if c.name == clean), None)
            if holder is not None:
                raise DockerError(
                    ErrorKind.CONFLICT,
                    f'Conflict. The container name "/{clean}" is already in use by container "{holder.id}". '
                    "You have to remove (or rename) that container to be able to reuse that name.",
                )
            image = self.images.resolve(image_ref)
            if image is None:
                raise DockerError(ErrorKind.NOT_FOUND, f"No such image: {':'.join(_ref_with_tag(image_ref))}")
            host_config = dict(body.get("HostConfig") or {})
            isolation = host_config.get("Isolation") or ""
            if isolation not in ("", "default", "process", "hyperv"):
                raise DockerError(
                    ErrorKind.INVALID_PARAMETER,
                    f"Invalid isolation: '{isolation}' - Windows supports 'default', 'process', or 'hyperv'",
                )
            host_config["Isolation"] = (
                self.model.profile.isolation if isolation in ("", "default") else isolation
            )
            networks = self._networks_for(host_config, body.get("NetworkingConfig") or {})
            specs = self._mount_specs(host_config, body)
            cid = secrets.token_hex(32)
            scratch_name = (
                secrets.token_hex(32) if self.model.deviates(Deviation.SCRATCH_LAYER_RANDOM_ID) else cid
            )
            config = {k: v for k, v in body.items() if k not in ("HostConfig", "NetworkingConfig")}
            # windowsfilter create(): parent mount path, then the sandbox layer named after the container
            store = self.model.windowsfilter
            parents = list(reversed(image.layer_paths))  # nearest parent first
            parent_path = store.get_layer_mount_path(image.top_layer)
            self._log("debug", f"hcsshim::GetLayerMountPath path {parent_path}")
            chain = [image.top_layer, *parents[1:]]  # the chain names folders, whatever the mount path was
            scratch = store.create_sandbox_layer(scratch_name, chain)
            self._log("debug", f"hcsshim::CreateSandboxLayer path {scratch}")
            store.write_layer_chain(scratch, chain)
            c = Container(
                id=cid,
                name=clean,
                created=datetime.now(UTC),
                image_ref=image_ref,
                image=image,
                config=config,
                host_config=host_config,
                networks=networks,
                scratch_path=scratch,
            )
            c.mounts = [self._resolve_mount(spec) for spec in specs]
            self.containers[cid] = c
            self.model.record("dockerd::ContainerCreate", cid)
            self._cevent(c, "create")
            return c

    def start_container(self, ref: str) -> None:
        """POST /containers/{id}/start; 304 when it already runs."""
        with self._lock:
            c = self.container(ref)
            if c.running:
                raise DockerError(ErrorKind.NOT_MODIFIED, "container already started")
            if c.status == "removing":
                raise DockerError(
                    ErrorKind.CONFLICT, f"container {c.id} is marked for removal and cannot be started"
                )
            try:
                self._start(c)
            except DockerError:
                if c.host_config.get("AutoRemove"):  # moby containerStart: --rm cleans up a failed start
                    self._remove(c)
                raise

    def _start(self, c: Container) -> None:
        store = self.model.windowsfilter
        parents = list(store.layer_chain(c.scratch_path) or [])
        if self.model.deviates(Deviation.START_WITHOUT_ACTIVATION):
            c.volume_path = c.scratch_path
        else:
            self._log("debug", f"WindowsGraphDriver Get() id {win_basename(c.scratch_path)} mountLabel ")
            store.activate_layer(c.scratch_path)
            self._log("debug", f"hcsshim::ActivateLayer path {c.scratch_path}")
            store.prepare_layer(c.scratch_path, parents)
            self._log("debug", f"hcsshim::PrepareLayer path {c.scratch_path}")
            c.volume_path = store.get_layer_mount_path(c.scratch_path)
        try:
            hns_ids = [self._allocate_endpoint(att) for att in c.networks.values()]
            config = {
                "SystemType": "Container",
                "Name": c.id,
                "Owner": "dockerd" if self.model.deviates(Deviation.HCS_OWNER_NOT_DOCKER) else "docker",
                "VolumePath": c.volume_path.rstrip("\\"),
                "IgnoreFlushesDuringBoot": True,
                "LayerFolderPath": c.scratch_path,
                "Layers": [{"ID": store.name_to_guid(win_basename(p)), "Path": p} for p in parents],
                "HostName": (c.config.get("Hostname") or c.id[:12]),
                "HvPartition": c.host_config.get("Isolation") == "hyperv",
                "EndpointList": hns_ids,
                "AllowUnqualifiedDNSQuery": True,
            }
            if c.mounts:
                config["MappedDirectories"] = [
                    {"HostPath": m.source, "ContainerPath": m.destination, "ReadOnly": not m.rw}
                    for m in c.mounts
                ]
            hcs = self.model.hcs
            document = json.dumps(config, separators=(",", ":"))
            try:
                hcs.create_compute_system(c.id, document)
            except HcsError as exc:
                self._release(c)
                raise DockerError(ErrorKind.SYSTEM, self._create_error(exc, document)) from exc
            hcs.start_compute_system(c.id)
            argv = c.argv
            if not self.model.deviates(Deviation.NO_CONTAINER_PROCESS):
                c.pid = hcs.create_process(
                    c.id,
                    json.dumps(
                        {
                            "CommandLine": container_process.command_line(argv),
                            "WorkingDirectory": c.config.get("WorkingDir") or "C:\\",
                            "Environment": dict(
                                e.split("=", 1) for e in c.config.get("Env") or [] if "=" in e
                            ),
                            "EmulateConsole": bool(c.config.get("Tty")),
                            "CreateStdInPipe": bool(c.config.get("OpenStdin")),
                            "CreateStdOutPipe": True,
                            "CreateStdErrPipe": not c.config.get("Tty"),
                        }
                    ),
                )
        except (HcsError, HnsError, LayerError) as exc:
            self._release(c)
            raise DockerError(ErrorKind.SYSTEM, str(exc)) from exc
        c.status = "running"
        c.started_at = datetime.now(UTC)
        c.finished_at = None
        c.exit_code = 0
        self._cevent(c, "start")
        plan = container_process.plan(argv, bool(c.config.get("OpenStdin")))
        if plan.output:
            c.output.append(("stdout", plan.output.encode()))
        if plan.exit_code is not None:
            if c.pid:
                hcs.process_exited(c.id, c.pid, plan.exit_code)
            self._exit(c, plan.exit_code, how="terminate")

    def stop_container(self, ref: str, kill: bool = False, signal: str = "") -> None:
        """POST /containers/{id}/stop (304 when not running) or /kill (409 when not running)."""
        with self._lock:
            c = self.container(ref)
            if not c.running:
                if kill:
                    raise DockerError(ErrorKind.CONFLICT, f"Container {c.id} is not running")
                raise DockerError(ErrorKind.NOT_MODIFIED, "container already stopped")
            self._cevent(c, "kill", signal=signal or ("9" if kill else "15"))
            if kill:
                self._exit(c, container_process.KILL_EXIT_CODE, how="terminate")
            else:
                self._exit(c, container_process.STOP_EXIT_CODE, how="shutdown")
                self._cevent(c, "stop")

    def restart_container(self, ref: str) -> None:
        with self._lock:
            c = self.container(ref)
            if c.running:
                self._exit(c, container_process.STOP_EXIT_CODE, how="shutdown")
                self._cevent(c, "stop")
            self._start(c)
            self._cevent(c, "restart")

    def remove_container(self, ref: str, force: bool = False, volumes: bool = False) -> None:
        """DELETE /containers/{id}: the scratch layer is destroyed with it."""
        with self._lock:
            c = self.container(ref)
            if c.running:
                if not force:
                    raise DockerError(
                        ErrorKind.CONFLICT,
                        f"You cannot remove a running container {c.id}. "
                        "Stop the container before attempting removal or force remove",
                    )
                self._cevent(c, "kill", signal="9")
                self._exit(c, container_process.KILL_EXIT_CODE, how="terminate")
            self._remove(c)
            if volumes:  # docker rm -v: the container's anonymous volumes go with it
                for m in c.mounts:
                    if m.type == "volume" and m.name and not self._volume_users(m.name):
                        vol = self.volumes.get(m.name)
                        if vol.anonymous:
                            self.volumes.remove(m.name, [])

    def _remove(self, c: Container) -> None:
        c.status = "removing"
        store = self.model.windowsfilter
        if store.layer(c.scratch_path) is not None:
            store.destroy_layer(c.scratch_path)
            self._log("debug", f"hcsshim::DestroyLayer path {c.scratch_path}")
        self.containers.pop(c.id, None)
        c.removed = True
        self._cevent(c, "destroy")

    def wait_container(
        self, ref: str, condition: str = "not-running", cancelled: Callable[[], bool] | None = None
    ) -> int:
        """POST /containers/{id}/wait: blocks until the condition holds; returns the exit code."""
        return self.begin_wait(ref, condition)(cancelled)

    def begin_wait(
        self, ref: str, condition: str = "not-running"
    ) -> Callable[[Callable[[], bool] | None], int]:
        """Register a wait now (moby's ContainerWait, before the 200 goes out); the callable blocks for its result.

        ``next-exit`` is the next change to a non-running state after this moment, whatever the
        container's state now: a wait sent to a created container stays pending through its start
        and returns when it next stops (``not-running`` returns at once for a created container).
        """
        if condition not in ("not-running", "next-exit", "removed", ""):
            raise DockerError(ErrorKind.INVALID_PARAMETER, f"invalid condition: {condition!r}")
        with self._lock:
            c = self.container(ref)
            seen = c.exits  # next-exit: an exit after this moment
            immediate = condition == "next-exit" and (
                (c.running and self.model.deviates(Deviation.WAIT_NEXT_EXIT_IMMEDIATE))
                or (c.status == "created" and self.model.deviates(Deviation.WAIT_NEXT_EXIT_CREATED_IMMEDIATE))
            )

        def done() -> bool:
            if immediate:
                return True
            if condition == "removed":
                return c.removed
            if condition == "next-exit":
                return c.exits > seen or c.removed
            return not c.running

        def result(cancelled: Callable[[], bool] | None = None) -> int:
            with self._lock:
                while not done():
                    if not self.running:
                        raise DaemonNotRunning("dockerd went away during wait")
                    if cancelled is not None and cancelled():
                        raise DaemonNotRunning("client went away")
                    self.changed.wait(0.5)
                return c.exit_code

        return result

    def logs(self, ref: str) -> list[tuple[str, bytes]]:
        with self._lock:
            return list(self.container(ref).output)

    # ==== the exit path ===================================================================
    def _exit(self, c: Container, code: int, how: str, restoring: bool = False) -> None:
        """Stop the compute system, free network and layer, record the exit (moby's handleContainerExit)."""
        hcs = self.model.hcs
        system = hcs.get(c.id)
        if system is not None and not system.stopped:
            try:
                if how == "shutdown":
                    hcs.shutdown_compute_system(c.id)
                else:
                    hcs.terminate_compute_system(c.id)
            except HcsError as exc:
                self._log("debug", f"terminate failed on restore: {exc}" if restoring else str(exc))
        if system is not None:
            hcs.close_compute_system(c.id)
        self._release(c)
        c.status = "exited"
        c.exit_code = code
        c.pid = 0
        c.finished_at = datetime.now(UTC)
        c.exits += 1
        self._cevent(c, "die", exitCode=str(code))
        if c.host_config.get("AutoRemove") and not restoring:
            self._remove(c)

    def _release(self, c: Container) -> None:
        """Delete the HNS endpoints and unmount the scratch layer (Put)."""
        for att in c.networks.values():
            if att.hns_endpoint_id:
                with contextlib.suppress(HnsError):
                    self.model.hns.delete_endpoint(att.hns_endpoint_id)
            att.endpoint_id = att.hns_endpoint_id = att.ip = att.gateway = att.mac = ""
            att.prefix = 0
        store = self.model.windowsfilter
        layer = store.layer(c.scratch_path)
        if layer is not None and layer.volume_guid is not None:
            store.unprepare_layer(c.scratch_path)
            self._log("debug", f"hcsshim::UnprepareLayer path {c.scratch_path}")
            store.deactivate_layer(c.scratch_path)
            self._log("debug", f"hcsshim::DeactivateLayer path {c.scratch_path}")
        c.volume_path = ""

    def _allocate_endpoint(self, att: NetAttachment) -> str:
        net = self.networks.get(att.network_id)
        if net is None:
            raise DockerError(ErrorKind.NOT_FOUND, f"network {att.network_name} not found")
        att.endpoint_id = secrets.token_hex(32)
        # moby's windows driver sends no Name, so HNS names the endpoint itself ("Ethernet")
        settings: dict[str, Any] = {"VirtualNetwork": net.hns_id}
        if net.driver == "nat":
            settings["EnableInternalDNS"] = True
        wanted_ip = (att.ipam_config or {}).get("IPv4Address")
        if wanted_ip:
            settings["IPAddress"] = wanted_ip
        ep = self.model.hns.create_endpoint(settings)
        att.hns_endpoint_id = str(ep["ID"])
        att.ip = str(ep["IPAddress"])
        att.prefix = int(ep["PrefixLength"])
        att.gateway = str(ep["GatewayAddress"])
        att.mac = str(ep["MacAddress"]).replace("-", ":").lower()
        return att.hns_endpoint_id

    # ==== networks ========================================================================
    def network(self, ref: str) -> DockerNetwork:
        with self._lock:
            self.require_running()
            if ref in self.networks:
                return self.networks[ref]
            for net in self.networks.values():
                if net.name == ref:
                    return net
            hits = [n for n in self.networks.values() if n.id.startswith(ref)] if ref else []
            if len(hits) == 1:
                return hits[0]
            raise DockerError(ErrorKind.NOT_FOUND, f"network {ref} not found")

    def list_networks(self) -> list[DockerNetwork]:
        with self._lock:
            self.require_running()
            return list(self.networks.values())

    def create_network(
        self,
        name: str,
        driver: str = "nat",
        options: dict[str, str] | None = None,
        ipam: dict[str, Any] | None = None,
        labels: dict[str, str] | None = None,
        internal: bool = False,
    ) -> DockerNetwork:
        """POST /networks/create: the HNS network is created first, then docker records it."""
        with self._lock:
            self.require_running()
            if not name:
                raise DockerError(ErrorKind.INVALID_PARAMETER, "network name is required")
            if any(n.name == name for n in self.networks.values()):
                raise DockerError(ErrorKind.CONFLICT, f"network with name {name} already exists")
            drv = driver or "nat"
            if drv not in NETWORK_DRIVERS:
                raise DockerError(ErrorKind.NOT_FOUND, f'plugin "{drv}" not found')
            net_id = _id()
            opts = dict(options or {})
            # moby CreateNetwork: the HNS network is named by the networkname option, else the id
            hns_name = opts.get("com.docker.network.windowsshim.networkname") or net_id
            settings: dict[str, Any] = {"Name": hns_name, "Type": drv}
            cfg = ((ipam or {}).get("Config") or [{}])[0] if ipam else {}
            if cfg.get("Subnet"):
                settings["Subnets"] = [
                    {"AddressPrefix": cfg["Subnet"], "GatewayAddress": cfg.get("Gateway", "")}
                ]
            if opts.get("com.docker.network.windowsshim.interface"):
                settings["NetworkAdapterName"] = opts["com.docker.network.windowsshim.interface"]
            try:
                hns_net = self.model.hns.create_network(settings)
            except HnsError as exc:
                raise DockerError(ErrorKind.SYSTEM, f"hns failed with error : {exc.message}") from exc
            # the id of the POST answer, in the lower case it comes in (docker-network-inspect-l2bridge-*)
            hns_net = dict(hns_net, ID=str(hns_net["ID"]).lower())
            net = self._add_network(name, drv, hns_net, opts, labels or {}, internal, net_id=net_id)
            if ipam and "Options" in ipam:
                net.ipam_options = ipam.get("Options")
            return net

    def _add_network(
        self,
        name: str,
        driver: str,
        hns_net: dict[str, Any],
        options: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        internal: bool = False,
        net_id: str = "",
    ) -> DockerNetwork:
        subnet = hns_net["Subnets"][0]
        net = DockerNetwork(
            id=net_id or _id(),
            name=name,
            driver=driver,
            created=datetime.now(UTC),
            hns_id=str(hns_net["ID"]),
            subnet=str(subnet["AddressPrefix"]),
            gateway=str(subnet["GatewayAddress"]),
            options={"com.docker.network.windowsshim.hnsid": str(hns_net["ID"]), **(options or {})},
            labels=dict(labels or {}),
            internal=internal,
        )
        self.networks[net.id] = net
        self._event("network", "create", net.id, {"name": name, "type": driver})
        return net

    def remove_network(self, ref: str) -> None:
        with self._lock:
            net = self.network(ref)
            if net.name in PREDEFINED_NETWORKS:
                raise DockerError(
                    ErrorKind.FORBIDDEN, f"{net.name} is a pre-defined network and cannot be removed"
                )
            if any(
                a.endpoint_id
                for c in self.containers.values()
                for a in c.networks.values()
                if a.network_id == net.id
            ):
                raise DockerError(
                    ErrorKind.FORBIDDEN,
                    f"error while removing network: network {net.name} id {net.id} has active endpoints",
                )
            if net.hns_id:
                with contextlib.suppress(HnsError):  # HNS may already have forgotten it
                    self.model.hns.delete_network(net.hns_id)
            del self.networks[net.id]
            self._event("network", "destroy", net.id, {"name": net.name, "type": net.driver})

    def connect(
        self, network_ref: str, container_ref: str, endpoint_config: dict[str, Any] | None = None
    ) -> None:
        """POST /networks/{id}/connect: a running container gets a hot-added endpoint."""
        with self._lock:
            net = self.network(network_ref)
            c = self.container(container_ref)
            if net.id in c.networks:
                raise DockerError(
                    ErrorKind.FORBIDDEN, f"endpoint with name {c.name} already exists in network {net.name}"
                )
            cfg = endpoint_config or {}
            att = NetAttachment(net.id, net.name, cfg.get("Aliases"), cfg.get("IPAMConfig"))
            if c.running:
                try:
                    hns_id = self._allocate_endpoint(att)
                    self.model.hcs.modify_compute_system(
                        c.id,
                        json.dumps({"ResourceType": "Network", "Settings": hns_id, "RequestType": "Add"}),
                    )
                except (HcsError, HnsError) as exc:
                    raise DockerError(ErrorKind.SYSTEM, str(exc)) from exc
            c.networks[net.id] = att
            self._event(
                "network", "connect", net.id, {"container": c.id, "name": net.name, "type": net.driver}
            )

    def disconnect(self, network_ref: str, container_ref: str, force: bool = False) -> None:
        with self._lock:
            net = self.network(network_ref)
            c = self.container(container_ref)
            att = c.networks.get(net.id)
            if att is None:
                raise DockerError(
                    ErrorKind.FORBIDDEN, f"container {c.id} is not connected to network {net.name}"
                )
            if c.running and att.hns_endpoint_id:
                with contextlib.suppress(HcsError):
                    self.model.hcs.modify_compute_system(
                        c.id,
                        json.dumps(
                            {
                                "ResourceType": "Network",
                                "Settings": att.hns_endpoint_id,
                                "RequestType": "Remove",
                            }
                        ),
                    )
                self.model.hns.delete_endpoint(att.hns_endpoint_id)
            del c.networks[net.id]
            self._event(
                "network", "disconnect", net.id, {"container": c.id, "name": net.name, "type": net.driver}
            )

    def _networks_for(
        self, host_config: dict[str, Any], networking: dict[str, Any]
    ) -> dict[str, NetAttachment]:
        mode = str(host_config.get("NetworkMode") or "default")
        host_config["NetworkMode"] = mode
        if mode == "none":
            return {}
        wanted = "nat" if mode == "default" else mode
        net = self._find_network(wanted)
        endpoints = dict(networking.get("EndpointsConfig") or {})
        cfg = endpoints.pop(mode, None) or endpoints.pop(net.name, None) or {}
        out = {net.id: NetAttachment(net.id, net.name, cfg.get("Aliases"), cfg.get("IPAMConfig"))}
        for extra, ecfg in endpoints.items():
            other = self._find_network("nat" if extra == "default" else extra)
            if other.id not in out:
                out[other.id] = NetAttachment(
                    other.id, other.name, (ecfg or {}).get("Aliases"), (ecfg or {}).get("IPAMConfig")
                )
        return out

    def _find_network(self, ref: str) -> DockerNetwork:
        try:
            return self.network(ref)
        except DockerError:
            raise DockerError(ErrorKind.NOT_FOUND, f"network {ref} not found") from None

    # ==== volumes =========================================================================
    def _mount_specs(self, host_config: dict[str, Any], body: dict[str, Any]) -> list[MountSpec]:
        specs = [parse_bind(str(b)) for b in host_config.get("Binds") or []]
        specs += [parse_mount(m) for m in host_config.get("Mounts") or []]
        taken = {s.destination.casefold() for s in specs}
        for dest in body.get("Volumes") or {}:  # VOLUME in the config: anonymous volumes
            if str(dest).casefold() not in taken:
                specs.append(MountSpec("volume", "", str(dest)))
        for spec in specs:
            if spec.type == "bind" and not self.model.files.is_dir(spec.source):
                raise DockerError(
                    ErrorKind.INVALID_PARAMETER,
                    f'invalid mount config for type "bind": bind source path does not exist: {spec.source}',
                )
        return specs

    def _resolve_mount(self, spec: MountSpec) -> MountPoint:
        if spec.type == "bind":
            return MountPoint("bind", spec.source, spec.destination, spec.rw, spec.mode)
        vol = self.volumes.create(spec.name)
        return MountPoint(
            "volume",
            vol.mountpoint,
            spec.destination,
            spec.rw,
            spec.mode,
            name=vol.name,
            extra={"Driver": "local"},
        )

    def _volume_users(self, name: str) -> list[str]:
        return [c.id for c in self.containers.values() if any(m.name == name for m in c.mounts)]

    def create_volume(
        self,
        name: str = "",
        driver: str = "local",
        labels: dict[str, str] | None = None,
        options: dict[str, str] | None = None,
    ) -> Any:
        with self._lock:
            self.require_running()
            return self.volumes.create(name, driver, labels, options)

    def volume(self, name: str) -> Any:
        with self._lock:
            self.require_running()
            return self.volumes.get(name)

    def list_volumes(self) -> list[Any]:
        with self._lock:
            self.require_running()
            return self.volumes.all()

    def remove_volume(self, name: str, force: bool = False) -> None:
        with self._lock:
            self.require_running()
            self.volumes.remove(name, self._volume_users(name), force)

    def prune_volumes(self, all_volumes: bool = False) -> list[str]:
        """Engines from 23 prune only anonymous volumes unless ``all=true`` is filtered for."""
        with self._lock:
            self.require_running()
            in_use = {m.name for c in self.containers.values() for m in c.mounts if m.name}
            anonymous_only = self.model.profile.engine_major >= 23 and not all_volumes
            return self.volumes.prune(in_use, anonymous_only)

    def _create_error(self, exc: HcsError, document: str) -> str:
        """How the engine words a failed CreateComputeSystem: hcsshim before engine 23 appended
        the configuration as ``extra info``; newer engines name the call ``hcs::`` and stop there
        (tests/fidelity/samples/error-os-mismatch-*.txt, error-file-not-found-19.03.txt)."""
        call = exc.op.rsplit("::", 1)[-1]
        if self.model.profile.engine_version < (18, 9):  # error-os-mismatch-1803-18.03.txt
            return (
                f"container {exc.subject} encountered an error during {call.replace('ComputeSystem', 'Container')}: "
                f"failure in a Windows system call: {exc.message} (0x{exc.hresult:x})\nextra info: {document}"
            )
        if self.model.profile.engine_major >= 23:
            return f"hcs::{call} {exc.subject}: {exc.message}"
        return f"hcsshim::{call} {exc.subject}: {exc.message}\n(extra info: {document})"

    # ==== images ==========================================================================
    def pull(self, ref: str) -> list[dict[str, Any]]:
        with self._lock:
            self.require_running()
            image, progress = self.images.pull(ref)
            self._event("image", "pull", ":".join(_ref_with_tag(ref)), {"name": ":".join(_ref_with_tag(ref))})
            return progress

    def image(self, ref: str) -> LocalImage:
        with self._lock:
            self.require_running()
            image = self.images.resolve(ref)
            if image is None:
                raise DockerError(
                    ErrorKind.NOT_FOUND,
                    f"No such image: {':'.join(_ref_with_tag(ref)) if ':' not in ref else ref}",
                )
            return image

    def image_layer_dir(self, image: LocalImage) -> str:
        """``GraphDriver.Data.dir`` of an image: its top layer's folder."""
        if self.model.deviates(Deviation.IMAGE_LAYER_DIR_MISSING):
            return win_join(self.model.windowsfilter.root, secrets.token_hex(32))
        return image.top_layer

    def remove_image(self, ref: str, force: bool = False) -> list[dict[str, str]]:
        with self._lock:
            image = self.image(ref)
            users = [c for c in self.containers.values() if c.image.id == image.id]
            if users and not force:
                raise DockerError(
                    ErrorKind.CONFLICT,
                    f'conflict: unable to remove repository reference "{ref}" (must force) - container '
                    f"{users[0].id[:12]} is using its referenced image {image.id.removeprefix('sha256:')[:12]}",
                )
            return self.images.untag(ref)

    # ==== helpers =========================================================================
    def _random_name(self) -> str:
        taken = {c.name for c in self.containers.values()}
        for _ in range(100):
            name = f"{secrets.choice(_ADJECTIVES)}_{secrets.choice(_SURNAMES)}"
            if name not in taken:
                return name
        return f"{secrets.choice(_ADJECTIVES)}_{secrets.choice(_SURNAMES)}{secrets.randbelow(100)}"


def _id() -> str:
    """A docker object id: 64 lower-case hex digits."""
    return secrets.token_hex(32)


def _ref_with_tag(ref: str) -> tuple[str, str]:
    try:
        return normalize(ref)
    except DockerError:
        return ref, "latest"
