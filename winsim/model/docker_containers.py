r"""dockerd's containers, driving the other components in moby's order.

- create: GetLayerMountPath(parent) -> CreateSandboxLayer(<windowsfilter>\<container id>) -> layerchain.json
- start:  ActivateLayer -> PrepareLayer -> GetLayerMountPath (volume path) -> HNS POST /endpoints ->
          HcsCreateComputeSystem (brings compartment + vNIC) -> HcsStartComputeSystem -> HcsCreateProcess
- stop:   HcsShutdown/TerminateComputeSystem (compartment + vNIC go) -> HNS DELETE /endpoints ->
          UnprepareLayer -> DeactivateLayer
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from winsim.deviations import Deviation
from winsim.model import container_process, ports
from winsim.model.docker_networks import DockerdNetworks
from winsim.model.docker_objects import Container, NetAttachment, ref_with_tag
from winsim.model.docker_volumes import DockerdVolumes
from winsim.model.errors import (
    DaemonNotRunning,
    DockerError,
    ErrorKind,
    HcsError,
    HnsError,
    LayerError,
)
from winsim.model.hcs import ContainerConfig, LayerRef, MappedDirectory, NetworkRequest, ProcessConfig
from winsim.model.paths import win_basename, win_join

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


class DockerdContainers(DockerdNetworks, DockerdVolumes):
    """``/containers``: lifecycle, wait and logs, and connecting a container to a network."""

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
                raise DockerError(ErrorKind.NOT_FOUND, f"No such image: {':'.join(ref_with_tag(image_ref))}")
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
        hyperv = c.host_config.get("Isolation") == "hyperv"
        if hyperv:
            # the utility VM mounts the layers, not the host (moby daemon_windows.go conditionalMountOnStart)
            c.volume_path = ""
        elif self.model.deviates(Deviation.START_WITHOUT_ACTIVATION):
            c.volume_path = c.scratch_path
        else:
            self._log("debug", f"WindowsGraphDriver Get() id {win_basename(c.scratch_path)} mountLabel ")
            store.activate_layer(c.scratch_path)
            self._log("debug", f"hcsshim::ActivateLayer path {c.scratch_path}")
            store.prepare_layer(c.scratch_path, parents)
            self._log("debug", f"hcsshim::PrepareLayer path {c.scratch_path}")
            c.volume_path = store.get_layer_mount_path(c.scratch_path)
        # libcontainerd's utility VM image: the nearest parent layer with a UtilityVM folder
        # (moby daemon/internal/libcontainerd/local/local_windows.go createWindows)
        uvm = next(
            (win_join(p, "UtilityVM") for p in parents if store.is_folder(win_join(p, "UtilityVM"))), ""
        )
        if hyperv and not uvm:
            raise DockerError(ErrorKind.SYSTEM, "utility VM image could not be found")
        try:
            hns_ids = self._endpoints_for(c)
            config = ContainerConfig(
                name=c.id,
                owner="dockerd" if self.model.deviates(Deviation.HCS_OWNER_NOT_DOCKER) else "docker",
                volume_path=c.volume_path.rstrip("\\"),
                ignore_flushes_during_boot=True,
                layer_folder_path=c.scratch_path,
                layers=tuple(LayerRef(store.name_to_guid(win_basename(p)), p) for p in parents),
                hostname=c.config.get("Hostname") or c.id[:12],
                hv_partition=hyperv,
                hv_runtime_image_path=uvm if hyperv else "",
                endpoints=tuple(hns_ids),
                allow_unqualified_dns_query=True,
                mapped_directories=tuple(
                    MappedDirectory(m.source, m.destination, not m.rw) for m in c.mounts
                ),
            )
            hcs = self.model.hcs
            try:
                hcs.create_compute_system(c.id, config)
            except HcsError as exc:
                self._release(c)
                raise DockerError(ErrorKind.SYSTEM, self._create_error(exc, config)) from exc
            hcs.start_compute_system(c.id)
            if not self.model.deviates(Deviation.NO_CONTAINER_PROCESS):
                env = (e.split("=", 1) for e in c.config.get("Env") or [] if "=" in e)
                c.pid = hcs.create_process(
                    c.id,
                    ProcessConfig(
                        command_line=container_process.command_line(c.argv),
                        working_directory=c.config.get("WorkingDir") or "C:\\",
                        environment=tuple(dict(env).items()),
                        emulate_console=bool(c.config.get("Tty")),
                        create_stdin_pipe=bool(c.config.get("OpenStdin")),
                        create_stdout_pipe=True,
                        create_stderr_pipe=not c.config.get("Tty"),
                    ),
                    on_output=lambda stream, data: self._container_output(c, stream, data),
                    on_exit=lambda pid, code: self._process_exit(c, pid, code),
                )
        except (HcsError, HnsError, LayerError) as exc:
            self._release(c)
            raise DockerError(ErrorKind.SYSTEM, str(exc)) from exc
        c.status = "running"
        c.started_at = datetime.now(UTC)
        c.finished_at = None
        c.exit_code = 0
        self._cevent(c, "start")

    def _container_output(self, c: Container, stream: str, data: bytes) -> None:
        """What the container's process wrote: ``docker logs`` and attach read it (a tty has one stream)."""
        c.output.append(("stdout" if c.config.get("Tty") else stream, data))
        self.changed.notify_all()

    def _process_exit(self, c: Container, pid: int, code: int) -> None:
        """The container's process ended by itself: moby's exit handling shuts the system down."""
        if c.running and c.pid == pid:
            self._exit(c, code, how="terminate")

    def _endpoints_for(self, c: Container) -> list[str]:
        """One HNS endpoint per network; the first (the container's own network) carries the
        published ports as NAT policies, as moby's windows driver asks for them."""
        try:  # the windows driver converts the bindings in CreateEndpoint, so libnetwork's words wrap it
            published = ports.bindings(c.host_config.get("PortBindings"))
        except DockerError as exc:
            self._release(c)
            first = next(iter(c.networks.values()), None)
            if first is None:
                raise
            raise DockerError(
                ErrorKind.SYSTEM,
                f"failed to create endpoint {c.name} on network {first.network_name}: {exc.message}",
            ) from exc
        engine = self.model.profile.engine_major
        out: list[str] = []
        for index, att in enumerate(c.networks.values()):
            policies = tuple(ports.nat_policy(b, engine) for b in published) if index == 0 else ()
            try:
                out.append(self._allocate_endpoint(att, policies))
            except HnsError as exc:  # libnetwork's words around the driver's (moby network.go)
                self._release(c)
                raise DockerError(
                    ErrorKind.SYSTEM,
                    f"failed to create endpoint {c.name} on network {att.network_name}: {self._hns_words(exc)}",
                ) from exc
        return out

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
                # moby's containerStop: the stop signal asks HCS to shut the system down; its console
                # processes end on CTRL_SHUTDOWN_EVENT at once, well within the -t timeout after which
                # dockerd would terminate it
                self._exit(c, None, how="shutdown")
            if not kill:
                self._cevent(c, "stop")

    def restart_container(self, ref: str) -> None:
        with self._lock:
            c = self.container(ref)
            if c.running:
                self._exit(c, None, how="shutdown")
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

    def write_stdin(self, ref: str, data: bytes, eof: bool = False) -> None:
        """What an attached client sends: the container's process reads it if it has a stdin pipe."""
        with self._lock:
            c = self.container(ref)
            if not (c.running and c.pid and c.config.get("OpenStdin")):
                return
            pid = c.pid
        self.model.hcs.write_process_stdin(c.id, pid, data, eof)

    def logs(self, ref: str) -> list[tuple[str, bytes]]:
        with self._lock:
            return list(self.container(ref).output)

    def _exit(self, c: Container, code: int | None, how: str, restoring: bool = False) -> None:
        """Stop the compute system, free network and layer, record the exit (moby's handleContainerExit);
        ``code`` None: the exit code HCS reports for the container's process once its system stopped."""
        hcs = self.model.hcs
        pid, c.pid = c.pid, 0  # from here on an exit of its process is this one, not news
        system = hcs.get(c.id)
        if system is not None and not system.stopped:
            try:
                if how == "shutdown":
                    hcs.shutdown_compute_system(c.id)
                else:
                    hcs.terminate_compute_system(c.id)
            except HcsError as exc:
                self._log("debug", f"terminate failed on restore: {exc}" if restoring else str(exc))
        if code is None:  # what HCS says the container's process ended with
            process = system.processes.get(pid) if system is not None else None
            ended = process.exit_code if process is not None else None
            code = container_process.STOP_EXIT_CODE if ended is None else ended
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
                    self.model.hcs.modify_compute_system(c.id, NetworkRequest(hns_id, add=True))
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
                    self.model.hcs.modify_compute_system(c.id, NetworkRequest(att.hns_endpoint_id, add=False))
                self.model.hns.delete_endpoint(att.hns_endpoint_id)
            del c.networks[net.id]
            self._event(
                "network", "disconnect", net.id, {"container": c.id, "name": net.name, "type": net.driver}
            )

    def _create_error(self, exc: HcsError, config: ContainerConfig) -> str:
        """How the engine words a failed CreateComputeSystem: hcsshim before engine 23 appended
        the configuration as ``extra info``; newer engines name the call ``hcs::`` and stop there
        (tests/fidelity/samples/error-os-mismatch-*.txt, error-file-not-found-19.03.txt)."""
        call = exc.op.rsplit("::", 1)[-1]
        if self.model.profile.engine_major >= 23:
            return f"hcs::{call} {exc.subject}: {exc.message}"
        document = _marshalled(config)
        if self.model.profile.engine_version < (18, 9):  # error-os-mismatch-1803-18.03.txt
            return (
                f"container {exc.subject} encountered an error during {call.replace('ComputeSystem', 'Container')}: "
                f"failure in a Windows system call: {exc.message} (0x{exc.hresult:x})\nextra info: {document}"
            )
        return f"hcsshim::{call} {exc.subject}: {exc.message}\n(extra info: {document})"

    def _random_name(self) -> str:
        taken = {c.name for c in self.containers.values()}
        for _ in range(100):
            name = f"{secrets.choice(_ADJECTIVES)}_{secrets.choice(_SURNAMES)}"
            if name not in taken:
                return name
        return f"{secrets.choice(_ADJECTIVES)}_{secrets.choice(_SURNAMES)}{secrets.randbelow(100)}"


def _marshalled(config: ContainerConfig) -> str:
    """The configuration as the engine's hcsshim marshals it for HCS, which its errors quote: the
    engine's own text, not a document the model parses (HCS takes ``config`` typed)."""
    document: dict[str, object] = {
        "SystemType": config.system_type,
        "Name": config.name,
        "Owner": config.owner,
    }
    if (
        config.volume_path
    ):  # omitempty: a Hyper-V container has none (MicrosoftDocs/Virtualization-Documentation#1128)
        document["VolumePath"] = config.volume_path
    document |= {
        "IgnoreFlushesDuringBoot": config.ignore_flushes_during_boot,
        "LayerFolderPath": config.layer_folder_path,
        "Layers": [{"ID": lay.id, "Path": lay.path} for lay in config.layers],
        "HostName": config.hostname,
        "HvPartition": config.hv_partition,
        "EndpointList": list(config.endpoints),
    }
    if config.hv_runtime_image_path:
        document["HvRuntime"] = {"ImagePath": config.hv_runtime_image_path}
    document["AllowUnqualifiedDNSQuery"] = config.allow_unqualified_dns_query
    if config.mapped_directories:
        document["MappedDirectories"] = [
            {"HostPath": m.host_path, "ContainerPath": m.container_path, "ReadOnly": m.read_only}
            for m in config.mapped_directories
        ]
    return json.dumps(document, separators=(",", ":"))
