r"""HCS (Host Compute Service) v1: compute systems and their processes, as typed records.

Calls mirror vmcompute.dll's, with the JSON documents typed: a ``ContainerConfig`` creates a system,
a ``ProcessConfig`` a process, a ``NetworkRequest`` hot-adds or removes an endpoint; queries return
copies of ``ComputeSystem``.  Failures raise ``HcsError`` with the HRESULT HCS returns.  dockerd
(``dockerd.py``) calls these methods directly; vmcompute's exports (``winsim/native/vmcompute.py``)
parse and render the schema1 JSON around them (``winsim/native/hcs_schema1.py``).

>>> hcs.create_compute_system(cid, ContainerConfig(name=cid, owner="docker", layer_folder_path=scratch))  # doctest: +SKIP
>>> hcs.start_compute_system(cid)                                                # doctest: +SKIP
>>> pid = hcs.create_process(cid, ProcessConfig(command_line="cmd"))             # doctest: +SKIP
>>> hcs.enumerate_compute_systems(SystemQuery(owners=("docker",)))[0].owner      # doctest: +SKIP
'docker'

Creating a compute system brings its network compartment, the vNIC of each endpoint in its
``endpoints`` and the switch port; terminating or shutting it down removes them.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from winsim.deviations import Deviation
from winsim.model.container_files import ContainerFiles, MappedDirectory
from winsim.model.container_process import (
    KILL_EXIT_CODE,
    STOP_EXIT_CODE,
    ExitSink,
    Launcher,
    OutputSink,
    Pump,
    RunningProgram,
)
from winsim.model.errors import (
    E_FILE_NOT_FOUND,
    E_INVALID_PARAMETER,
    E_NOT_FOUND,
    HCS_E_HYPERV_NOT_INSTALLED,
    HCS_E_IMAGE_MISMATCH,
    HCS_E_INVALID_STATE,
    HCS_E_SYSTEM_ALREADY_EXISTS,
    HCS_E_SYSTEM_ALREADY_STOPPED,
    HCS_E_SYSTEM_NOT_FOUND,
    IMAGE_MISMATCH_TEXT_BEFORE_1809,
    HcsError,
    HnsError,
)
from winsim.model.eventlog import EventLog
from winsim.model.guids import new_guid
from winsim.model.hns import Hns
from winsim.model.netstack import NetStack
from winsim.model.paths import HostFiles
from winsim.model.windowsfilter import LayerStore

# Processes a Windows Server container's silo runs once started (INFERRED typical set).
SYSTEM_PROCESSES = (
    "smss.exe",
    "csrss.exe",
    "wininit.exe",
    "services.exe",
    "lsass.exe",
    "svchost.exe",
    "CExecSvc.exe",
)


@dataclass
class HcsProcess:
    pid: int
    image_name: str
    command_line: str
    created: datetime
    system: bool = False
    exit_code: int | None = None
    console: bool = False  # created with EmulateConsole (docker run -t): no CTRL_SHUTDOWN_EVENT reaches it
    program: RunningProgram | None = field(default=None, repr=False, compare=False)
    on_exit: ExitSink | None = field(default=None, repr=False, compare=False)
    # A typical idle process's times and memory (INFERRED), as HCS's ProcessList, docker top and stats show it.
    user_time_100ns: int = 0
    kernel_time_100ns: int = 0
    memory_commit_bytes: int = 1449984
    memory_private_working_set: int = 593920
    memory_shared_working_set: int = 2990080


@dataclass(frozen=True)
class LayerRef:
    """A read-only layer of a container: its GUID and folder."""

    id: str
    path: str


@dataclass(frozen=True)
class ContainerConfig:
    """What creating a compute system takes (schema1 ContainerConfig, typed)."""

    system_type: str = "Container"
    name: str = ""
    owner: str = ""
    volume_path: str = ""
    ignore_flushes_during_boot: bool = False
    layer_folder_path: str = ""
    layers: tuple[LayerRef, ...] = ()
    hostname: str = ""
    hv_partition: bool = False
    hv_runtime_image_path: str = ""  # HvRuntime.ImagePath: the utility VM image (a base layer's UtilityVM)
    endpoints: tuple[str, ...] = ()
    allow_unqualified_dns_query: bool = False
    mapped_directories: tuple[MappedDirectory, ...] = ()


@dataclass(frozen=True)
class ProcessConfig:
    """What creating a process in a compute system takes (schema1 ProcessConfig, typed)."""

    command_line: str
    working_directory: str = ""
    environment: tuple[tuple[str, str], ...] = ()
    emulate_console: bool = False
    create_stdin_pipe: bool = False
    create_stdout_pipe: bool = False
    create_stderr_pipe: bool = False


@dataclass(frozen=True)
class NetworkRequest:
    """A network hot add (``add=True``) or remove of one HNS endpoint."""

    endpoint_id: str
    add: bool


@dataclass(frozen=True)
class SystemQuery:
    """Which compute systems to list: each non-empty field must match (any case)."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()


@dataclass
class ComputeSystem:
    id: str
    name: str
    owner: str
    system_type: str
    config: ContainerConfig
    runtime_id: str
    created: datetime
    state: str = "Created"  # Created | Running | Stopped
    exit_type: str | None = None
    compartment_id: int | None = None
    endpoint_ids: list[str] = field(default_factory=list)
    processes: dict[int, HcsProcess] = field(default_factory=dict)
    network_built: bool = False  # the compartment (in the utility VM under Hyper-V isolation) is made
    shutting_down: bool = False  # a shutdown waits for processes that did not end on it

    @property
    def stopped(self) -> bool:
        return self.state == "Stopped"

    def copy(self) -> ComputeSystem:
        return replace(
            self,
            endpoint_ids=list(self.endpoint_ids),
            processes={pid: replace(p) for pid, p in self.processes.items()},
        )


class Hcs:
    """Compute systems of the host.  Thread-safe under the model lock."""

    def __init__(
        self,
        lock: threading.RLock,
        layers: LayerStore,
        hns: Hns,
        net: NetStack,
        events: EventLog,
        deviates: Callable[[Deviation], bool],
        record: Callable[[str, str], object],
        host_build: int = 0,
        launcher: Launcher | None = None,
        hyperv: bool = False,
        files: HostFiles | None = None,
    ) -> None:
        """``hyperv``: the host has the Hyper-V role, which Hyper-V isolated containers need."""
        self._lock = lock
        self.hyperv = hyperv
        self._files = files  # the host's disk, which a container's processes see through their view
        self._launcher = launcher  # runs a process's command line as one of the host's programs
        self.host_build = host_build
        self._layers = layers
        self._hns = hns
        self._net = net
        self._events = events
        self._deviates = deviates
        self._record = record
        self._systems: dict[str, ComputeSystem] = {}
        self._pids = itertools.count(1204, 8)
        self.changed = threading.Condition(lock)  # notified on every state change

    # ---- queries -----------------------------------------------------------------------
    def get(self, system_id: str) -> ComputeSystem | None:
        with self._lock:
            return self._systems.get(system_id.casefold())

    def systems(self) -> list[ComputeSystem]:
        with self._lock:
            return list(self._systems.values())

    def open_compute_system(self, system_id: str) -> ComputeSystem:
        with self._lock:
            return self._require(system_id, "hcsshim::OpenComputeSystem")

    def enumerate_compute_systems(self, query: SystemQuery | None = None) -> list[ComputeSystem]:
        """HcsEnumerateComputeSystems: copies of the systems ``query`` matches (all without one)."""
        q = query or SystemQuery()

        def match(wanted: tuple[str, ...], value: str) -> bool:
            return not wanted or value.casefold() in {w.casefold() for w in wanted}

        with self._lock:
            return [
                s.copy()
                for s in self._systems.values()
                if match(q.ids, s.id)
                and match(q.names, s.name)
                and match(q.types, s.system_type)
                and match(q.owners, s.owner)
            ]

    def get_compute_system_properties(self, system_id: str) -> ComputeSystem:
        """HcsGetComputeSystemProperties: a copy of the system, its processes included."""
        with self._lock:
            return self._require(system_id, "hcsshim::GetComputeSystemProperties").copy()

    # ---- lifecycle ---------------------------------------------------------------------
    def create_compute_system(self, system_id: str, config: ContainerConfig) -> str:
        """HcsCreateComputeSystem."""
        op = "hcsshim::CreateComputeSystem"
        with self._lock:
            if system_id.casefold() in self._systems:
                raise HcsError.of(HCS_E_SYSTEM_ALREADY_EXISTS, op, system_id)
            if config.system_type != "Container":
                raise HcsError.of(E_INVALID_PARAMETER, op, system_id)
            if config.hv_partition:
                self._check_utility_vm(config, op, system_id)
            self._check_storage(config, op, system_id)
            self._check_os_build(config, op, system_id)
            endpoints = list(config.endpoints)
            for ep in endpoints:
                try:
                    self._hns.endpoint(ep)
                except HnsError as exc:
                    raise HcsError.of(E_NOT_FOUND, op, system_id) from exc
            system = ComputeSystem(
                id=system_id,
                name=config.name or system_id,
                owner=config.owner,
                system_type="Container",
                config=config,
                runtime_id=new_guid(),
                created=datetime.now(UTC),
                endpoint_ids=endpoints,
            )
            self._systems[system_id.casefold()] = system
            self._record("HcsCreateComputeSystem", system_id)
            if not self._deviates(Deviation.COMPARTMENT_AT_START):
                self._build_network(system)
            self._events.hcs_event("create", system_id)
            self.changed.notify_all()
            return system_id

    def start_compute_system(self, system_id: str) -> None:
        op = "hcsshim::Start"
        with self._lock:
            system = self._require(system_id, op)
            if system.state != "Created":
                raise HcsError.of(HCS_E_INVALID_STATE, op, system_id)
            if not system.network_built:
                self._build_network(system)
            system.state = "Running"
            now = datetime.now(UTC)
            for image in SYSTEM_PROCESSES:
                pid = next(self._pids)
                system.processes[pid] = HcsProcess(pid, image, image, now, system=True)
            self._record("HcsStartComputeSystem", system_id)
            self._events.hcs_event("start", system_id)
            self.changed.notify_all()

    def shutdown_compute_system(self, system_id: str) -> None:
        """HcsShutdownComputeSystem: a graceful stop, asynchronous as HCS v1's is (hcsshim treats
        HCS_E_OPERATION_PENDING as accepted and waits for the system's exit).

        Each process without a console takes CTRL_SHUTDOWN_EVENT and, with the default handler, ends
        with STATUS_CONTROL_C_EXIT (docker stop of servercore: "Exited (3221225786)",
        microsoft/dotnet-framework-docker#431).  A process with a console (EmulateConsole, ``docker run
        -t``) gets no console control event and keeps running (moby/moby#40678: "killed after the
        10-second timeout"), so the shutdown waits: the system stops (GracefulExit) once such processes
        end by themselves, or is terminated (ForcedExit) by whoever gave up waiting, as dockerd does
        after ``docker stop -t`` (moby daemon/stop.go).  INFERRED: that under process isolation too the
        console process holds the shutdown (moby#40678 was seen on Windows 10, Hyper-V isolation by
        default there); CExecSvc's ProcessShutdownTimeoutSeconds (5 s by default, moby#25982) is not
        modelled, since no program of the host handles the event and keeps running."""
        if self._deviates(Deviation.STOP_TERMINATES_AT_ONCE):
            self.terminate_compute_system(system_id)
            return
        op = "hcsshim::Shutdown"
        with self._lock:
            system = self._require(system_id, op)
            if system.stopped:
                raise HcsError.of(HCS_E_SYSTEM_ALREADY_STOPPED, op, system_id)
            if system.state != "Running":
                raise HcsError.of(HCS_E_INVALID_STATE, op, system_id)
            self._record("HcsShutdownComputeSystem", system_id)
            if system.shutting_down:
                return
            system.shutting_down = True
            signalled = [p for p in self._live_user_processes(system) if not p.console]
            for proc in signalled:
                proc.exit_code = STOP_EXIT_CODE
                if proc.program is not None:
                    proc.program.terminate()  # its pump reports the exit
            self.changed.notify_all()
            for proc in signalled:
                if proc.program is None:  # a process only recorded (a model without a launcher)
                    self._process_exited(proc, STOP_EXIT_CODE)
            self._finish_shutdown(system)

    def terminate_compute_system(self, system_id: str) -> None:
        """HcsTerminateComputeSystem: a hard stop (ExitType ForcedExit), a pending shutdown's too."""
        self._stop(
            system_id,
            "hcsshim::Terminate",
            "HcsTerminateComputeSystem",
            "ForcedExit",
            "terminate",
            KILL_EXIT_CODE,
        )

    def close_compute_system(self, system_id: str) -> None:
        """HcsCloseComputeSystem: the last handle closes; a stopped system disappears."""
        with self._lock:
            system = self._systems.get(system_id.casefold())
            if system is not None and system.stopped:
                del self._systems[system_id.casefold()]
                self._record("HcsCloseComputeSystem", system_id)
                self.changed.notify_all()

    def modify_compute_system(self, system_id: str, request: NetworkRequest) -> None:
        """HcsModifyComputeSystem: network hot add/remove of one endpoint."""
        op = "hcsshim::ModifyComputeSystem"
        endpoint = request.endpoint_id
        with self._lock:
            system = self._require(system_id, op)
            try:
                if request.add:
                    if system.state != "Running" or not system.network_built:
                        raise HcsError.of(HCS_E_INVALID_STATE, op, system_id)
                    if system.compartment_id is None:  # its compartment is inside the utility VM
                        self._hns.attach_to_guest(endpoint, system.id)
                    else:
                        self._hns.attach_endpoint(endpoint, system.id, system.compartment_id)
                    system.endpoint_ids.append(endpoint)
                else:
                    self._hns.detach_endpoint(endpoint, system.id)
                    system.endpoint_ids = [
                        e for e in system.endpoint_ids if e.casefold() != endpoint.casefold()
                    ]
            except HnsError as exc:
                raise HcsError.of(E_NOT_FOUND, op, system_id) from exc
            self._record("HcsModifyComputeSystem", system_id)

    # ---- processes ---------------------------------------------------------------------
    def create_process(
        self,
        system_id: str,
        params: ProcessConfig,
        on_output: OutputSink | None = None,
        on_exit: ExitSink | None = None,
    ) -> int:
        """HcsCreateProcess; returns the process id.  The command runs as the host's program of that
        name; ``on_output`` gets what it writes, ``on_exit`` its exit code (once, under the lock)."""
        op = "hcsshim::CreateProcess"
        with self._lock:
            system = self._require(system_id, op)
            if system.state != "Running":
                raise HcsError.of(HCS_E_INVALID_STATE, op, system_id)
            command = params.command_line.strip()
            if not command:
                raise HcsError.of(E_INVALID_PARAMETER, op, system_id)
            first = command.split(" ", 1)[0].strip('"').replace("/", "\\").rsplit("\\", 1)[-1]
            image = first if first.lower().endswith(".exe") else first + ".exe"
            pid = next(self._pids)
            proc = HcsProcess(
                pid, image, command, datetime.now(UTC), on_exit=on_exit, console=params.emulate_console
            )
            system.processes[pid] = proc
            self._record("HcsCreateProcess", system_id)
            if self._launcher is not None:
                stdin_open = params.create_stdin_pipe or params.emulate_console
                env = {"COMPUTERNAME": system.config.hostname.upper(), **dict(params.environment)}
                proc.program = self._launcher(
                    command,
                    env,
                    params.working_directory or "C:\\",
                    stdin_open,
                    self._container_files(system),
                )
                Pump(
                    proc.program,
                    self._lock,
                    on_output or (lambda stream, data: None),
                    lambda code: self._process_exited(proc, code),
                    name=f"hcs-process-{pid}",
                ).start()
            self.changed.notify_all()
            return pid

    def write_process_stdin(self, system_id: str, pid: int, data: bytes, eof: bool = False) -> None:
        """What a client sends to a process's stdin pipe (an attach, an exec's stream)."""
        with self._lock:
            proc = self._require(system_id, "hcsshim::Process").processes.get(pid)
            program = proc.program if proc is not None and proc.exit_code is None else None
        if program is not None:
            program.write_stdin(data, eof)

    def _process_exited(self, proc: HcsProcess, code: int) -> None:
        """The program ended: by itself (its own code) or by a stop of its system (already recorded)."""
        if proc.exit_code is None:
            proc.exit_code = code
        self.changed.notify_all()
        for system in list(self._systems.values()):  # a shutdown it held completes before its watcher hears
            if system.processes.get(proc.pid) is proc:
                self._finish_shutdown(system)
        if proc.on_exit is not None:
            proc.on_exit(proc.pid, proc.exit_code)

    def _live_user_processes(self, system: ComputeSystem) -> list[HcsProcess]:
        return [p for p in system.processes.values() if p.exit_code is None and not p.system]

    def _finish_shutdown(self, system: ComputeSystem) -> None:
        """A pending shutdown completes once no process of the system's own is left running."""
        if system.shutting_down and not system.stopped and not self._live_user_processes(system):
            self._stop(system.id, "hcsshim::Shutdown", "", "GracefulExit", "shutdown", STOP_EXIT_CODE)

    def container_files(self, system_id: str) -> HostFiles | None:
        """The container's C: drive as its processes see it: its scratch volume, with its mapped
        directories bound to the host's folders (None for a model without a disk)."""
        with self._lock:
            return self._container_files(self._require(system_id, "hcsshim::OpenComputeSystem"))

    # ---- internals ---------------------------------------------------------------------
    def _container_files(self, system: ComputeSystem) -> HostFiles | None:
        if self._files is None:
            return None
        config = system.config
        mapped = config.mapped_directories
        if self._deviates(Deviation.MAPPED_DIRECTORIES_DROPPED):
            mapped = ()
        elif self._deviates(Deviation.MAPPED_READ_ONLY_WRITABLE):
            mapped = tuple(replace(m, read_only=False) for m in mapped)
        return ContainerFiles(self._files, config.volume_path or config.layer_folder_path, mapped)

    def _stop(
        self, system_id: str, op: str, journal_op: str, exit_type: str, event: str, exit_code: int
    ) -> None:
        """Stop the system; its running processes end with ``exit_code`` (``journal_op`` empty: the
        completion of a shutdown already journalled)."""
        with self._lock:
            system = self._require(system_id, op)
            if system.stopped:
                raise HcsError.of(HCS_E_SYSTEM_ALREADY_STOPPED, op, system_id)
            ended = [p for p in system.processes.values() if p.exit_code is None]
            for proc in ended:
                proc.exit_code = exit_code
                if proc.program is not None:
                    proc.program.terminate()  # its pump reports the exit
            for ep in system.endpoint_ids:
                with contextlib.suppress(HnsError):  # deleted under us; HCS does not care
                    self._hns.detach_endpoint(ep, system.id)
            if system.compartment_id is not None:
                if self._deviates(Deviation.COMPARTMENT_LEFT_BEHIND):  # its vNICs go, the compartment stays
                    for nic in self._net.interfaces(system.compartment_id):
                        self._net.remove_interface(nic.if_index)
                else:
                    self._net.remove_compartment(system.compartment_id)
            system.compartment_id = None
            system.network_built = False
            system.state = "Stopped"
            system.exit_type = exit_type
            system.shutting_down = False
            if journal_op:
                self._record(journal_op, system_id)
            self._events.hcs_event(event, system_id)
            self.changed.notify_all()
            for proc in ended:
                if proc.program is None:  # a process only recorded (a model without a launcher)
                    self._process_exited(proc, exit_code)

    def _build_network(self, system: ComputeSystem) -> None:
        """The compartment, one vNIC per endpoint and the endpoint attachment, as HCS creates them."""
        system.network_built = True
        if system.config.hv_partition and not self._deviates(Deviation.HYPERV_HOST_COMPARTMENT):
            # Hyper-V isolation: the compartment and the endpoint's NIC live in the utility VM's own
            # network stack, so the host gains neither; HNS still shows the endpoint attached (INFERRED:
            # moby's Windows driver attaches the same endpoint by id under either isolation).
            for ep in system.endpoint_ids:
                if not self._deviates(Deviation.ENDPOINT_NOT_ATTACHED):
                    self._hns.attach_to_guest(ep, system.id)
            return
        if not system.endpoint_ids:
            comp = self._net.create_container_compartment(system.id)
            system.compartment_id = comp.id
            return
        first = self._hns.endpoint_state(system.endpoint_ids[0])
        existing = self._net.compartment(first.compartment_id) if first.compartment_id is not None else None
        if existing is not None:  # an endpoint that already brought one
            comp = self._net.assign_container(existing.id, system.id)
        else:
            comp = self._net.create_container_compartment(system.id)
        system.compartment_id = comp.id
        for ep in system.endpoint_ids:
            if self._deviates(Deviation.ENDPOINT_NOT_ATTACHED):
                self._hns.bind_to_compartment(ep, comp.id)
            else:
                self._hns.attach_endpoint(ep, system.id, comp.id)

    def _check_utility_vm(self, config: ContainerConfig, op: str, system_id: str) -> None:
        """A Hyper-V isolated container needs the Hyper-V role (HCS_E_HYPERV_NOT_INSTALLED, as daemons
        report it on hosts without it) and its utility VM image: HvRuntime.ImagePath, a folder
        (INFERRED: HCS's answer to a missing one is taken to be a file-not-found, as for a missing layer)."""
        if not self.hyperv:
            self._events.hyperv_not_installed(system_id)
            raise HcsError.of(HCS_E_HYPERV_NOT_INSTALLED, op, system_id)
        image = config.hv_runtime_image_path
        if not image or not self._layers.is_folder(image):
            raise HcsError.of(E_FILE_NOT_FOUND, op, system_id)

    def _check_storage(self, config: ContainerConfig, op: str, system_id: str) -> None:
        folder = config.layer_folder_path
        if not folder or not self._layers.layer_exists(folder):
            raise HcsError.of(E_FILE_NOT_FOUND, op, system_id)
        for layer in config.layers:
            if not self._layers.layer_exists(layer.path):
                raise HcsError.of(E_FILE_NOT_FOUND, op, system_id)
        volume = config.volume_path
        if volume.startswith("\\\\?\\Volume{"):
            active = {(lay.volume_path or "").rstrip("\\").casefold() for lay in self._layers.layers()}
            if volume.rstrip("\\").casefold() not in active:
                raise HcsError.of(E_FILE_NOT_FOUND, op, system_id)

    def _check_os_build(self, config: ContainerConfig, op: str, system_id: str) -> None:
        """Process isolation shares the host kernel: the image's build must be the host's.  A
        Hyper-V isolated container runs the image's own kernel, so an older image runs there."""
        layers = config.layers
        if not self.host_build or not layers or self._deviates(Deviation.IMAGE_BUILD_MISMATCH_RUNS):
            return
        image_build = self._layers.os_build_of(layers[-1].path)
        if image_build is None:
            return
        hyperv = config.hv_partition
        if image_build == self.host_build or (hyperv and image_build < self.host_build):
            return
        err = HcsError.of(HCS_E_IMAGE_MISMATCH, op, system_id)
        if self.host_build < 17763:
            err = HcsError(HCS_E_IMAGE_MISMATCH, IMAGE_MISMATCH_TEXT_BEFORE_1809, op, system_id)
        raise err

    def _require(self, system_id: str, op: str) -> ComputeSystem:
        system = self._systems.get(system_id.casefold())
        if system is None:
            raise HcsError.of(HCS_E_SYSTEM_NOT_FOUND, op, system_id)
        return system
