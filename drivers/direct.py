"""The seed's container lifecycle performed directly against HCS, HNS and the layer calls.

Each step is one method, so a test can observe the host between steps::

    with host.hcs.direct(base_image) as c:
        scratch = c.create_scratch()            # GetLayerMountPath(parent) + CreateSandboxLayer
        volume = c.activate()                   # ActivateLayer + PrepareLayer + GetLayerMountPath
        ep = c.create_endpoint()                # HNSCall POST /endpoints/
        cs = c.create_compute_system()          # HcsCreateComputeSystem (schema1, EndpointList=[ep])
        c.start(); c.create_process("cmd /c ping -t localhost")
    # teardown ran in reverse order, also when a step failed

The container's compute system has Owner ``wcc-<run id>`` so a sweep finds leftovers.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any, Protocol

from drivers.errors import DriverError, ProbeError
from drivers.models import ComputeSystem, ErrorRecord, HcsProcess, HnsEndpoint
from drivers.session import PowerShellSession, ProbeCall

if TYPE_CHECKING:
    from drivers.models import HnsNetwork


# What the lifecycle reads through the drivers one level above it (docker, layers, hns), as
# protocols, so that the imports only point downwards.
class ImageLayers(Protocol):
    def image_layer_dir(self, image: str) -> str: ...


class LayerFolders(Protocol):
    def path(self, folder: str) -> str: ...
    def exists(self, path: str) -> bool: ...
    def layerchain(self, folder: str) -> list[str] | None: ...


class HnsCalls(Protocol):
    def network(self, id_or_name: str) -> HnsNetwork | None: ...
    def call(self, method: str, path: str, request: dict[str, Any] | None = None) -> Any: ...


ISOLATIONS = ("process", "hyperv")


def owner_for(run_id: str) -> str:
    return f"wcc-{run_id}"


class DirectParts(Protocol):
    """What the lifecycle uses besides HCS: the session, the drivers it reads from, the run id
    (``host`` is one: the facade hands itself to its HCS driver, which never names it)."""

    @property
    def session(self) -> PowerShellSession: ...
    @property
    def docker(self) -> ImageLayers: ...
    @property
    def layers(self) -> LayerFolders: ...
    @property
    def hns(self) -> HnsCalls: ...
    @property
    def run_id(self) -> str: ...


class DirectContainer:
    """One container made step by step; ``isolation`` is "process" or "hyperv" (a utility VM)."""

    def __init__(
        self, parts: DirectParts, image: str, network: str = "nat", isolation: str = "process"
    ) -> None:
        if isolation not in ISOLATIONS:
            raise DriverError(
                f"DirectContainer isolation {isolation!r}: expected one of {', '.join(ISOLATIONS)}"
            )
        self._parts = parts
        self.image = image
        self.network = network
        self.isolation = isolation
        self.id = secrets.token_hex(32)
        self.owner = owner_for(parts.run_id)
        self.parent_layers: list[str] = []
        self.scratch: str | None = None
        self.volume: str | None = None
        self.endpoint: HnsEndpoint | None = None
        self.compute_system: ComputeSystem | None = None
        self.processes: list[HcsProcess] = []
        self.steps: list[str] = []  # what ran, in order (teardown steps too)
        self._activated = False
        self._started = False

    def __repr__(self) -> str:
        return (
            f"DirectContainer({self.id[:12]}, image={self.image!r}, isolation={self.isolation}, "
            f"steps={self.steps})"
        )

    @property
    def hyperv(self) -> bool:
        return self.isolation == "hyperv"

    def __enter__(self) -> DirectContainer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        try:
            self.teardown()
        except DriverError:
            if exc is None:
                raise  # a failing step's error wins over a teardown error

    @property
    def _session(self) -> PowerShellSession:
        return self._parts.session

    def _step(self, name: str) -> None:
        self.steps.append(name)

    def resolve_layers(self) -> list[str]:
        """The image's layer folders, nearest parent first (its top layer, then that layer's chain)."""
        if not self.parent_layers:
            top = self._parts.docker.image_layer_dir(self.image)
            chain = self._parts.layers.layerchain(top) or []
            self.parent_layers = [top, *chain]
        return self.parent_layers

    def create_scratch(self) -> str:
        parents = self.resolve_layers()
        path = self._parts.layers.path(self.id)
        self._step("CreateSandboxLayer")
        value = self._session.call("New-WccScratchLayer", Path=path, ParentPaths=parents)
        self.scratch = str((value[0] if value else {}).get("Path") or path)
        return self.scratch

    def activate(self) -> str:
        """ActivateLayer + PrepareLayer: the scratch mounted on the host; its volume path.

        Under Hyper-V isolation nothing is mounted on the host (the utility VM mounts the layers:
        moby daemon/daemon_windows.go conditionalMountOnStart), so this calls nothing and returns "".
        """
        if self.scratch is None:
            raise DriverError("activate() needs create_scratch() first")
        if self.hyperv:
            return ""
        self._step("ActivateLayer+PrepareLayer")
        value = self._session.call("Enable-WccLayer", Path=self.scratch, ParentPaths=self.parent_layers)
        self._activated = True
        self.volume = str((value[0] if value else {}).get("MountPath") or "")
        return self.volume

    def create_endpoint(self, policies: list[dict[str, Any]] | None = None) -> HnsEndpoint:
        """HNSCall POST /endpoints/ on the network, with ``policies`` as given (e.g. a NAT policy)."""
        network = self._parts.hns.network(self.network)
        if network is None:
            raise ProbeError(
                self._session.host_name,
                "HNSCall GET /networks/",
                [ErrorRecord(f"no HNS network named {self.network!r}")],
            )
        self._step("HNSCall POST /endpoints/")
        request: dict[str, Any] = {"Name": f"{self.owner}-{self.id[:12]}", "VirtualNetwork": network.id}
        if policies:
            request["Policies"] = policies
        out = self._parts.hns.call("POST", "/endpoints/", request)
        self.endpoint = HnsEndpoint.from_json(out if isinstance(out, dict) else {})
        return self.endpoint

    def utility_vm_image(self) -> str:
        """The nearest parent layer's UtilityVM folder, as libcontainerd finds the utility VM image."""
        for layer in self.resolve_layers():
            path = layer.rstrip("\\") + "\\UtilityVM"
            if self._parts.layers.exists(path):
                return path
        # libcontainerd's own refusal, before any HCS call
        raise DriverError(
            f"{self._session.host_name}: utility VM image could not be found (image {self.image})"
        )

    def configuration(self) -> dict[str, Any]:
        """The schema1 ContainerConfig, as libcontainerd builds it (moby
        daemon/internal/libcontainerd/local/local_windows.go createWindows): under Hyper-V isolation
        HvPartition true, no VolumePath (the scratch is mounted in the VM, not on the host) and
        HvRuntime.ImagePath the nearest parent's UtilityVM folder; LayerFolderPath is the scratch in both.
        """
        if self.scratch is None or (not self.hyperv and not self.volume):
            raise DriverError("the compute system needs create_scratch() and activate() first")
        calls = [
            ProbeCall("Get-WccNameToGuid", {"Name": layer.rstrip("\\").rsplit("\\", 1)[-1]})
            for layer in self.parent_layers
        ]
        outcomes = self._session.call_many(calls)
        guids = []
        for outcome in outcomes:
            if not outcome.ok:
                raise ProbeError(self._session.host_name, "Get-WccNameToGuid", outcome.errors)
            guids.append(str(outcome.value[0]))
        config: dict[str, Any] = {"SystemType": "Container", "Name": self.id, "Owner": self.owner}
        if not self.hyperv:
            config["VolumePath"] = (self.volume or "").rstrip("\\")
        config |= {
            "IgnoreFlushesDuringBoot": True,
            "LayerFolderPath": self.scratch,
            "Layers": [{"ID": g, "Path": p} for g, p in zip(guids, self.parent_layers, strict=True)],
            "HostName": self.id[:12],
            "HvPartition": self.hyperv,
            "EndpointList": [self.endpoint.id] if self.endpoint else [],
            "AllowUnqualifiedDNSQuery": True,
        }
        if self.hyperv:
            config["HvRuntime"] = {"ImagePath": self.utility_vm_image()}
        return config

    def create_compute_system(self) -> ComputeSystem:
        config = json.dumps(self.configuration(), separators=(",", ":"))
        self._step("HcsCreateComputeSystem")
        value = self._session.call("New-WccComputeSystem", Id=self.id, Configuration=config)
        self.compute_system = self._props(value)
        return self.compute_system

    def start(self) -> ComputeSystem:
        self._step("HcsStartComputeSystem")
        value = self._session.call("Start-WccComputeSystem", Id=self.id)
        self._started = True
        self.compute_system = self._props(value)
        return self.compute_system

    def create_process(self, command_line: str) -> HcsProcess:
        params = {
            "CommandLine": command_line,
            "WorkingDirectory": "C:\\",
            "EmulateConsole": True,  # a console keeps a shell's input open, as `docker run -t` does
            "CreateStdInPipe": False,
            "CreateStdOutPipe": False,
            "CreateStdErrPipe": False,
        }
        self._step("HcsCreateProcess")
        value = self._session.call("New-WccProcess", Id=self.id, Parameters=json.dumps(params))
        pid = int((value[0] if value else {}).get("ProcessId", 0))
        process = HcsProcess(
            pid, command_line.split(" ", 1)[0], {"ProcessId": pid, "CommandLine": command_line}
        )
        self.processes.append(process)
        return process

    def shut_down(self, timeout: float) -> ComputeSystem | None:
        """HcsShutdownComputeSystem, terminated if not stopped within ``timeout`` seconds (as docker
        stop -t); the properties once stopped (None if HCS no longer knows the system)."""
        self._step("HcsShutdownComputeSystem")
        value = self._session.call(
            "Stop-WccComputeSystem", Id=self.id, Shutdown=True, ShutdownTimeoutMs=int(timeout * 1000)
        )
        self.compute_system = None
        return self._props(value) if value else None

    def teardown(self) -> None:
        """Undo every step that ran, newest first; try them all, then raise the first failure."""
        errors: list[ProbeError] = []

        def attempt(step: str, fn: str, **args: Any) -> None:
            self._step(step)
            try:
                self._session.call(fn, **args)
            except ProbeError as exc:
                errors.append(exc)

        if self.compute_system is not None:
            attempt("HcsTerminateComputeSystem", "Stop-WccComputeSystem", Id=self.id)
            self.compute_system = None
        if self.endpoint is not None:
            attempt(
                "HNSCall DELETE /endpoints/",
                "Invoke-WccHnsCall",
                Method="DELETE",
                Path=f"/endpoints/{self.endpoint.id}",
            )
            self.endpoint = None
        if self._activated and self.scratch:
            attempt("UnprepareLayer+DeactivateLayer", "Disable-WccLayer", Path=self.scratch)
            self._activated = False
        if self.scratch is not None:
            attempt("DestroyLayer", "Remove-WccLayer", Path=self.scratch)
            self.scratch = None
        if errors:
            raise errors[0]

    def _props(self, value: list[Any]) -> ComputeSystem:
        doc = json.loads(value[0]) if value and isinstance(value[0], str) and value[0].strip() else {}
        return ComputeSystem.from_json(doc if isinstance(doc, dict) else {})
