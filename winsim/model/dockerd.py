r"""dockerd on the simulated host: the daemon's own state and debug log, images, and its parts.

``Dockerd`` is the daemon (start, stop, kill, daemon.json, restoring what ran before, images),
composed of its containers, networks and volumes (``docker_containers.py``, ``docker_networks.py``,
``docker_volumes.py``, over ``docker_base.py``).  Every step lands in ``HostModel.journal``.
Methods raise ``DockerError`` (an ``ErrorKind`` and dockerd's message), and ``DaemonNotRunning``
while dockerd is stopped or killed.

>>> c = dockerd.create_container({"Image": "microsoft/windowsservercore", "Cmd": ["powershell"]}, name="example")  # doctest: +SKIP
>>> dockerd.start_container(c.id)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from winsim.deviations import Deviation
from winsim.model import container_process
from winsim.model.docker_base import DAEMON_JSON, DOCKER_ROOT
from winsim.model.docker_exec import DockerdExec
from winsim.model.docker_objects import Container, DockerNetwork, new_id, ref_with_tag
from winsim.model.errors import (
    DaemonStartError,
    DockerError,
    ErrorKind,
    HnsError,
)
from winsim.model.images import LocalImage
from winsim.model.paths import win_join

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


class Dockerd(DockerdExec):
    """The docker daemon: state plus operations, all under the model lock."""

    @property
    def service_status(self) -> str:
        """Status of the ``docker`` Windows service."""
        return "Running" if self.running else "Stopped"

    @property
    def graph_driver(self) -> str:
        return (
            "overlay2" if self.model.deviates(Deviation.GRAPH_DRIVER_NOT_WINDOWSFILTER) else "windowsfilter"
        )

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
                if c.running:  # moby's daemon Shutdown: containerStop with each container's StopTimeout
                    self._stop_in_time(c, self._stop_timeout(c))
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
                # older HNS listed ids in lower case
                hns_id = nat.id.lower() if self.model.profile.build < 17134 else nat.id
                self._add_network(
                    "nat", "nat", nat, hns_id, {"com.docker.network.windowsshim.networkname": nat.name}
                )
            none_id = new_id()
            self.networks[none_id] = DockerNetwork(none_id, "none", "null", datetime.now(UTC))
            return
        for net in list(self.networks.values()):  # HNS forgot it (reboot, cleanup): docker drops it
            if net.hns_id:
                try:
                    self.model.hns.network(net.hns_id)
                except HnsError:
                    del self.networks[net.id]

    def _restore_containers(self) -> None:
        """libcontainerd on Windows cannot re-attach: it terminates every compute system it had ("we call in
        to shoot it regardless", moby libcontainerd Restore, LoadContainer in later engines), then the
        container is released (endpoints deleted, scratch layer unmounted) and stays, exited, until rm."""
        restart: list[Container] = []
        for c in self.containers.values():
            if not c.running:
                continue
            if self.model.deviates(Deviation.CONTAINERS_RESTORED):
                continue
            # the policy decides on the exit Restore reports: on-failure restarts too (it is non-zero)
            restarts = c.restart_policy in ("always", "unless-stopped", "on-failure")
            if restarts and self.model.deviates(Deviation.RESTARTABLE_CONTAINERS_RESTORED):
                continue
            self._exit(c, container_process.RESTORE_EXIT_CODE, how="terminate", restoring=True)
            if restarts:
                restart.append(c)
        for c in restart:
            self._start(c)

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

    def pull(self, ref: str) -> list[dict[str, Any]]:
        with self._lock:
            self.require_running()
            image, progress = self.images.pull(ref)
            self._event("image", "pull", ":".join(ref_with_tag(ref)), {"name": ":".join(ref_with_tag(ref))})
            return progress

    def image(self, ref: str) -> LocalImage:
        with self._lock:
            self.require_running()
            image = self.images.resolve(ref)
            if image is None:
                raise DockerError(
                    ErrorKind.NOT_FOUND,
                    f"No such image: {':'.join(ref_with_tag(ref)) if ':' not in ref else ref}",
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
