"""Named deviations: each breaks exactly one documented behaviour of the simulated host.

A host started with ``--deviation NAME`` models Windows faithfully except for that one
behaviour.  The conformance suite's own tests use them to prove each conformance test can fail.
The model reads them through ``HostModel.deviates(Deviation.X)`` at the one place it implements the
behaviour; nothing in winsim checks who is asking.  Names on the command line and in inventories are
the members' values (``--deviation debug-log-drops-query``).
"""

from __future__ import annotations

from enum import StrEnum


class Deviation(StrEnum):
    """A deviation's name: a member, so a misspelt one fails at import or type-check time."""

    DEBUG_LOG_DROPS_QUERY = "debug-log-drops-query"
    WAIT_NEXT_EXIT_IMMEDIATE = "wait-next-exit-immediate"
    WAIT_NEXT_EXIT_CREATED_IMMEDIATE = "wait-next-exit-created-immediate"
    GRAPH_DRIVER_NOT_WINDOWSFILTER = "graph-driver-not-windowsfilter"
    PARENT_LAYER_MOUNTED = "parent-layer-mounted"
    SCRATCH_LAYER_RANDOM_ID = "scratch-layer-random-id"
    LAYERCHAIN_BASE_FIRST = "layerchain-base-first"
    LAYERCHAIN_BASE_ONLY = "layerchain-base-only"
    LAYERCHAIN_SKIPS_PARENT = "layerchain-skips-parent"
    IMAGE_LAYER_DIR_MISSING = "image-layer-dir-missing"
    START_WITHOUT_ACTIVATION = "start-without-activation"
    STABLE_VOLUME_PATH = "stable-volume-path"
    VOLUME_PATH_UNRESOLVABLE = "volume-path-unresolvable"
    DEFAULT_COMPARTMENT_NOT_NATIVE = "default-compartment-not-native"
    CONTAINER_COMPARTMENT_NATIVE = "container-compartment-native"
    COMPARTMENT_DESCRIPTION_FORMAT = "compartment-description-format"
    NO_DEFAULT_ROUTE = "no-default-route"
    COMPARTMENT_WRITABLE = "compartment-writable"
    NIC_ALIAS_FORMAT = "nic-alias-format"
    NIC_ALIAS_2016_FORM = "nic-alias-2016-form"
    COMPARTMENT_FILTER_IGNORED = "compartment-filter-ignored"
    ROUTE_FILTER_IGNORED = "route-filter-ignored"
    COMPARTMENT_TYPE_NUMBER_SHIFTED = "compartment-type-number-shifted"
    ENDPOINT_BRINGS_COMPARTMENT = "endpoint-brings-compartment"
    ENDPOINT_ATTACHED_AT_CREATE = "endpoint-attached-at-create"
    ENDPOINT_NIC_AT_CREATE = "endpoint-nic-at-create"
    COMPARTMENT_AT_START = "compartment-at-start"
    ENDPOINT_NOT_ATTACHED = "endpoint-not-attached"
    HCS_OWNER_NOT_DOCKER = "hcs-owner-not-docker"
    NO_CONTAINER_PROCESS = "no-container-process"
    NO_HCS_EVENTS = "no-hcs-events"
    CONTAINERS_RESTORED = "containers-restored"
    LIVE_RESTORE_ACCEPTED = "live-restore-accepted"
    FILTER_NOT_WCIFS = "filter-not-wcifs"
    LAYER_FILTER_NOT_WCIFS = "layer-filter-not-wcifs"
    IMAGE_BUILD_MISMATCH_RUNS = "image-build-mismatch-runs"
    HNS_NETWORK_NAMED_BY_NAME = "hns-network-named-by-name"
    RESTARTABLE_CONTAINERS_RESTORED = "restartable-containers-restored"
    STATIC_MAPPING_LEFT_BEHIND = "static-mapping-left-behind"
    HYPERV_HOST_COMPARTMENT = "hyperv-host-compartment"
    PORT_CONFLICT_ACCEPTED = "port-conflict-accepted"
    EXEC_EXIT_CODE_LOST = "exec-exit-code-lost"
    STOP_TERMINATES_AT_ONCE = "stop-terminates-at-once"
    LAYER_FOLDER_LEFT_BEHIND = "layer-folder-left-behind"
    COMPARTMENT_LEFT_BEHIND = "compartment-left-behind"
    MAPPED_DIRECTORIES_DROPPED = "mapped-directories-dropped"
    MAPPED_READ_ONLY_WRITABLE = "mapped-read-only-writable"


# deviation -> the documented behaviour it breaks (what a real host would have to get wrong).
DEVIATIONS: dict[Deviation, str] = {
    Deviation.DEBUG_LOG_DROPS_QUERY: "dockerd's debug log writes API calls without their query string",
    Deviation.WAIT_NEXT_EXIT_IMMEDIATE: "wait?condition=next-exit returns at once for a running container",
    Deviation.WAIT_NEXT_EXIT_CREATED_IMMEDIATE: "wait?condition=next-exit on a created container returns at once "
    "(StatusCode 0), like not-running",
    Deviation.GRAPH_DRIVER_NOT_WINDOWSFILTER: "the daemon reports a graph driver other than windowsfilter",
    Deviation.PARENT_LAYER_MOUNTED: "GetLayerMountPath of a read-only image layer returns a volume path",
    Deviation.SCRATCH_LAYER_RANDOM_ID: "the container's scratch layer folder gets a random id, not the container id",
    Deviation.LAYERCHAIN_BASE_FIRST: "layerchain.json lists the base layer first",
    Deviation.LAYERCHAIN_BASE_ONLY: "a container's layerchain.json lists only the image's base layer",
    Deviation.LAYERCHAIN_SKIPS_PARENT: "a container's layerchain.json lists the top and base layers, not those between",
    Deviation.IMAGE_LAYER_DIR_MISSING: "an image's GraphDriver.Data.dir names a folder that does not exist",
    Deviation.START_WITHOUT_ACTIVATION: "start does not activate the scratch layer or prepare the wcifs filter",
    Deviation.STABLE_VOLUME_PATH: "a layer gets the same volume path on every activation",
    Deviation.VOLUME_PATH_UNRESOLVABLE: "an activated layer's volume path does not resolve on the host",
    Deviation.DEFAULT_COMPARTMENT_NOT_NATIVE: "the default compartment (id 1) has a type other than Native",
    Deviation.CONTAINER_COMPARTMENT_NATIVE: "container compartments have type Native",
    Deviation.COMPARTMENT_DESCRIPTION_FORMAT: "container compartment descriptions are not \\Container_<container id>",
    Deviation.NO_DEFAULT_ROUTE: "a container compartment has no default route via the gateway",
    Deviation.COMPARTMENT_WRITABLE: "a cmdlet can change a network compartment",
    Deviation.NIC_ALIAS_FORMAT: "before 1803, container interfaces are not named "
    "vEthernet (Container NIC <endpoint prefix>)",
    Deviation.NIC_ALIAS_2016_FORM: "from 1803, container interfaces keep the 2016-era alias "
    "vEthernet (Container NIC <endpoint prefix>) instead of vEthernet (<endpoint name>)",
    Deviation.COMPARTMENT_FILTER_IGNORED: "Get-NetIPInterface -CompartmentId returns interfaces of every compartment",
    Deviation.ROUTE_FILTER_IGNORED: "Get-NetRoute -CompartmentId returns the routes of every compartment",
    Deviation.COMPARTMENT_TYPE_NUMBER_SHIFTED: "Get-NetCompartment numbers a container compartment's type one higher",
    Deviation.ENDPOINT_BRINGS_COMPARTMENT: "creating an HNS endpoint creates a compartment and an interface at once",
    Deviation.ENDPOINT_ATTACHED_AT_CREATE: "a new HNS endpoint is in state Attached before any compute system exists",
    Deviation.ENDPOINT_NIC_AT_CREATE: "creating an HNS endpoint adds an address-less container NIC in compartment 1",
    Deviation.COMPARTMENT_AT_START: "the compartment and vNIC appear when the compute system starts, not when it is created",
    Deviation.ENDPOINT_NOT_ATTACHED: "the HNS endpoint is not attached to the container after start",
    Deviation.HCS_OWNER_NOT_DOCKER: "compute systems created by dockerd have an owner other than docker",
    Deviation.NO_CONTAINER_PROCESS: "starting a container creates no process in its compute system",
    Deviation.NO_HCS_EVENTS: "the Hyper-V-Compute operational log records nothing for containers",
    Deviation.CONTAINERS_RESTORED: "containers running when dockerd died are running again after it restarts",
    Deviation.LIVE_RESTORE_ACCEPTED: "dockerd starts with live-restore in daemon.json",
    Deviation.FILTER_NOT_WCIFS: "the container filesystem filter is not named wcifs",
    Deviation.LAYER_FILTER_NOT_WCIFS: "PrepareLayer attaches another filter (bindflt) to a container layer's "
    "volume; wcifs is listed with no instances",
    Deviation.IMAGE_BUILD_MISMATCH_RUNS: "process isolation runs an image built for another Windows build",
    Deviation.HNS_NETWORK_NAMED_BY_NAME: "the HNS network of a docker network the user creates is named by the "
    "docker network's name, not its id",
    Deviation.RESTARTABLE_CONTAINERS_RESTORED: "containers with a restart policy running when dockerd died keep their "
    "compute system and process after it restarts (restored, not terminated and started anew)",
    Deviation.STATIC_MAPPING_LEFT_BEHIND: "deleting an HNS endpoint leaves its WinNAT static port mappings",
    Deviation.PORT_CONFLICT_ACCEPTED: "WinNAT accepts a second static mapping of a host port already mapped",
    Deviation.EXEC_EXIT_CODE_LOST: "an exec's inspect reports exit code 0 whatever its process returned",
    Deviation.STOP_TERMINATES_AT_ONCE: "HcsShutdownComputeSystem terminates the compute system (ForcedExit) "
    "instead of shutting it down, so a stop ends every container at once, before its timeout",
    Deviation.LAYER_FOLDER_LEFT_BEHIND: "DestroyLayer forgets the layer but leaves its folder under windowsfilter",
    Deviation.COMPARTMENT_LEFT_BEHIND: "a stopped compute system's network compartment stays (its vNIC goes)",
    Deviation.HYPERV_HOST_COMPARTMENT: "a Hyper-V isolated container's compartment and vNIC are made in the host's "
    "network stack, as under process isolation",
    Deviation.MAPPED_DIRECTORIES_DROPPED: "HCS ignores a configuration's MappedDirectories: a bind mount's container "
    "path is the container's own folder, not the host's",
    Deviation.MAPPED_READ_ONLY_WRITABLE: "HCS maps a read-only MappedDirectories entry read-write: the container's "
    "writes reach the host folder",
}


def check_deviations(names: frozenset[str]) -> None:
    unknown = sorted(set(names) - set(DEVIATIONS))
    if unknown:
        raise ValueError(
            f"unknown winsim deviation(s): {', '.join(unknown)}; known: {', '.join(sorted(DEVIATIONS))}"
        )
