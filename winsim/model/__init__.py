r"""The state of one simulated Windows Server container host.  No protocol code lives here.

``HostModel(profile, state_dir, deviations)`` builds the host as it looks after boot: the host
filesystem under ``state_dir/fs`` (``C:\...``), HNS with its default ``nat`` network, compartment 1,
dockerd running with the base images of the host's build already pulled.

Public attributes (stable names; the PowerShell, WinRM/SSH and drivers helpers rely on them):

- ``files``          ``HostFiles``: ``read_text/write_text/exists/is_dir/list_dir/mkdir/remove/rename`` on Windows paths
- ``windowsfilter``  ``LayerStore``: ``create_sandbox_layer, activate_layer, prepare_layer, get_layer_mount_path,
                     unprepare_layer, deactivate_layer, destroy_layer, name_to_guid, layer_chain, folders, layers``
- ``hcs``            ``Hcs``: ``create_compute_system(id, ContainerConfig)``, ``start_compute_system``, ``shutdown_compute_system``,
                     ``terminate_compute_system``, ``close_compute_system``, ``create_process(id, ProcessConfig) -> pid``,
                     ``get_compute_system_properties(id) -> ComputeSystem``, ``enumerate_compute_systems(SystemQuery)``,
                     ``modify_compute_system(id, NetworkRequest)``, ``systems()``, ``get(id)``
- ``hns``            ``Hns``: ``networks/endpoints/namespaces()`` -> ``HnsNetwork/HnsEndpoint/HnsNamespace`` copies,
                     ``create_network(NetworkSettings)/create_endpoint(EndpointSettings)/attach_endpoint/detach_endpoint/
                     delete_endpoint/delete_network``
- ``hns.winnat``     ``WinNat``: ``nats()``, ``mappings()`` (``NetNat``, ``StaticMapping``): the NAT of each nat network
                     and one static mapping per NAT policy of an endpoint
- ``net``            ``NetStack``: ``compartments()``, ``interfaces(compartment_id=None)``, ``routes(compartment_id=None)``,
                     ``compartment_for_container(id)`` (dataclasses ``Compartment``, ``IpInterface``, ``Route``)
- ``events``         ``EventLog``: ``records(log_name=None, since=None) -> list[EventRecord]``
- ``dockerd``        ``Dockerd``: containers, networks, images, ``start/stop/kill``, ``state``, ``pid``, ``service_status``,
                     ``debug_log()``; ``DAEMON_JSON`` / ``DEBUG_LOG`` are real files in ``files``
- ``journal``        ordered ``list[JournalEntry(seq, op, subject)]``, e.g. ``(7, "hcsshim::CreateSandboxLayer", path)``
- ``deviates(Deviation.X)``, ``filters()`` (fltmc), ``services()``, ``read(answer)`` (one consistent view)

Every public method takes the model's one lock itself; records and settings are dataclasses, and
no JSON crosses this boundary: the surfaces parse and render their wire formats (``winsim/native``
for vmcompute's HCS/HNS documents, ``winsim/docker_api/render.py`` for Docker's answers).

>>> model = HostModel(PROFILES["ws2022"], Path("/tmp/h1"))      # doctest: +SKIP
>>> model.net.compartments()[0].type                              # doctest: +SKIP
'Native'
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from winsim.deviations import Deviation
from winsim.model.container_process import Launcher
from winsim.model.docker_base import DAEMON_JSON, DEBUG_LOG
from winsim.model.dockerd import Dockerd
from winsim.model.errors import (
    DaemonNotRunning,
    DaemonStartError,
    DockerError,
    ErrorKind,
    HcsError,
    HnsError,
    LayerError,
    ModelError,
)
from winsim.model.eventlog import HCS_OPERATIONAL, EventLog, EventRecord
from winsim.model.hcs import ComputeSystem, Hcs
from winsim.model.hns import Hns
from winsim.model.images import CATALOGUE
from winsim.model.netstack import Compartment, IpInterface, NetStack, Route
from winsim.model.paths import STANDARD_FOLDERS, HostFiles
from winsim.model.windowsfilter import WINDOWSFILTER_ROOT, LayerStore
from winsim.profiles import HostProfile

__all__ = [
    "DAEMON_JSON",
    "DEBUG_LOG",
    "HCS_OPERATIONAL",
    "WINDOWSFILTER_ROOT",
    "Compartment",
    "ComputeSystem",
    "DaemonNotRunning",
    "DaemonStartError",
    "DockerError",
    "ErrorKind",
    "EventRecord",
    "FilterInfo",
    "HcsError",
    "HnsError",
    "HostModel",
    "IpInterface",
    "JournalEntry",
    "LayerError",
    "ModelError",
    "Route",
    "ServiceInfo",
]


T = TypeVar("T")


class JournalEntry(NamedTuple):
    seq: int
    op: str
    subject: str


@dataclass(frozen=True)
class FilterInfo:
    """One row of ``fltmc filters``."""

    name: str
    instances: int
    altitude: str
    frame: int = 0


@dataclass(frozen=True)
class ServiceInfo:
    """A Windows service as Get-Service shows it, with its process id when running."""

    name: str
    display_name: str
    status: str
    pid: int | None


# Minifilters of a Windows Server container host besides wcifs (windows-internals.md §5.8).
BASE_FILTERS = (
    ("bindflt", 1, "409800"),
    ("storqosflt", 0, "244000"),
    ("CldFlt", 0, "180451"),
    ("FileInfo", 4, "40500"),
)
WCIFS_ALTITUDE = "189900"


class HostModel:
    """One host's whole state; every component shares ``lock`` so cross-component steps are atomic."""

    def __init__(
        self,
        profile: HostProfile,
        state_dir: Path,
        deviations: frozenset[str] = frozenset(),
        daemon_debug: bool = False,
        launcher: Launcher | None = None,
        hyperv: bool = False,
    ) -> None:
        """``launcher`` runs what a compute system's processes run (the host's programs); without
        one a process is only recorded, and runs until its system stops.  ``hyperv``: the host has
        the Hyper-V role besides the Containers feature (a stock Windows Server has not)."""
        self.hyperv = hyperv
        self.profile = profile
        self.state_dir = Path(state_dir)
        self.deviations = frozenset(Deviation(name) for name in deviations)  # an unknown name fails here
        self.lock = threading.RLock()
        self.journal: list[JournalEntry] = []
        self._seq = itertools.count(1)
        self.files = HostFiles(self.state_dir / "fs")
        for folder in STANDARD_FOLDERS:
            self.files.mkdir(folder)
        self.events = EventLog(self.lock, enabled=not self.deviates(Deviation.NO_HCS_EVENTS))
        self.events.hcs_started()
        self.net = NetStack(self.lock, self.deviates, profile.nic_alias_is_endpoint_name)
        self.hns = Hns(
            self.lock,
            self.net,
            self.deviates,
            self.record,
            version=profile.hns_version,
            host_build=profile.build,
        )
        self.windowsfilter = LayerStore(self.lock, self.files, self.deviates, self.record)
        self.hcs = Hcs(
            self.lock,
            self.windowsfilter,
            self.hns,
            self.net,
            self.events,
            self.deviates,
            self.record,
            host_build=profile.build,
            launcher=launcher,
            hyperv=hyperv,
        )
        self.dockerd = Dockerd(self, debug=daemon_debug)
        self.dockerd.start()
        for repo, tag in (
            ("mcr.microsoft.com/windows/servercore", profile.ltsc_tag),
            ("mcr.microsoft.com/windows/nanoserver", profile.ltsc_tag),
            ("microsoft/windowsservercore", "latest"),
        ):
            if (repo, tag) in CATALOGUE:  # what a CI agent image has preloaded
                self.dockerd.images.pull(f"{repo}:{tag}")

    def deviates(self, deviation: Deviation) -> bool:
        """True when this host was started to break ``deviation``'s behaviour (see winsim.deviations)."""
        return deviation in self.deviations

    def read(self, answer: Callable[[HostModel], T]) -> T:
        """``answer(model)`` on one consistent state of the host, for a surface that renders several
        records as one reply (``model.read(lambda m: render.info(m, name))``); it must not block."""
        with self.lock:
            return answer(self)

    def record(self, op: str, subject: str) -> JournalEntry:
        """Append one operation to the journal (called by the components as they act)."""
        with self.lock:
            entry = JournalEntry(next(self._seq), op, subject)
            self.journal.append(entry)
            return entry

    def journal_since(self, seq: int = 0) -> list[JournalEntry]:
        with self.lock:
            return [e for e in self.journal if e.seq > seq]

    def journal_mark(self) -> int:
        with self.lock:
            return self.journal[-1].seq if self.journal else 0

    def filters(self) -> list[FilterInfo]:
        """``fltmc filters``: wcifs has one instance per prepared (mounted) container layer."""
        name = "wcnfs" if self.deviates(Deviation.FILTER_NOT_WCIFS) else "wcifs"
        layers = self.windowsfilter.prepared_count()
        on_layers = self.layer_filter()
        rows = [FilterInfo(n, i + (layers if n == on_layers else 0), a) for n, i, a in BASE_FILTERS]
        rows.insert(2, FilterInfo(name, layers if on_layers == name else 0, WCIFS_ALTITUDE))
        return rows

    def layer_filter(self) -> str:
        """The filter PrepareLayer attaches to a container layer's volume (one instance per layer)."""
        if self.deviates(Deviation.LAYER_FILTER_NOT_WCIFS):
            return "bindflt"
        return "wcnfs" if self.deviates(Deviation.FILTER_NOT_WCIFS) else "wcifs"

    def services(self) -> list[ServiceInfo]:
        """The container-related services: docker, and hns and vmcompute of the Containers feature;
        vmms (Hyper-V Virtual Machine Management) only with the Hyper-V role."""
        d = self.dockerd
        services = [
            ServiceInfo("docker", "Docker Engine", d.service_status, d.pid),
            ServiceInfo("hns", "Host Network Service", "Running", 1876),
            ServiceInfo("vmcompute", "Hyper-V Host Compute Service", "Running", 1520),
        ]
        if self.hyperv:
            services.append(ServiceInfo("vmms", "Hyper-V Virtual Machine Management", "Running", 2412))
        return services
