"""Which behaviour each winsim deviation breaks: the one place that pairs them.

Every deviation breaks exactly one behaviour and every behaviour is broken by at least one
deviation (some by several: each a different way a host gets the same fact wrong, or the same fact
wrong at another layer of the host: the model, or the cmdlet the probe module asks).
"""

from __future__ import annotations

from winsim.deviations import Deviation

DEVIATION_BREAKS: dict[Deviation, str] = {
    Deviation.DEBUG_LOG_DROPS_QUERY: "api/run-create-wait-start",
    Deviation.WAIT_NEXT_EXIT_IMMEDIATE: "api/wait-next-exit",
    Deviation.WAIT_NEXT_EXIT_CREATED_IMMEDIATE: "api/wait-next-exit",
    Deviation.GRAPH_DRIVER_NOT_WINDOWSFILTER: "layers/graph-driver-windowsfilter",
    Deviation.PARENT_LAYER_MOUNTED: "layers/parent-read-only-folder",
    Deviation.SCRATCH_LAYER_RANDOM_ID: "layers/scratch-id-is-container-id",
    Deviation.LAYERCHAIN_BASE_FIRST: "layers/layerchain-nearest-first",
    Deviation.LAYERCHAIN_BASE_ONLY: "layers/layerchain-nearest-first",
    Deviation.LAYERCHAIN_SKIPS_PARENT: "layers/layerchain-nearest-first",
    Deviation.IMAGE_LAYER_DIR_MISSING: "layers/image-layer-folder",
    Deviation.START_WITHOUT_ACTIVATION: "layers/activated-on-start",
    Deviation.STABLE_VOLUME_PATH: "layers/volume-path-changes",
    Deviation.VOLUME_PATH_UNRESOLVABLE: "layers/volume-path-changes",
    Deviation.DEFAULT_COMPARTMENT_NOT_NATIVE: "compartments/default-is-native",
    Deviation.CONTAINER_COMPARTMENT_NATIVE: "compartments/container-type-unspecified",
    Deviation.COMPARTMENT_DESCRIPTION_FORMAT: "compartments/description-names-container",
    Deviation.NO_DEFAULT_ROUTE: "compartments/routes-default-gateway",
    Deviation.COMPARTMENT_WRITABLE: "compartments/read-only",
    Deviation.NIC_ALIAS_FORMAT: "interfaces/container-nic-alias",
    Deviation.NIC_ALIAS_2016_FORM: "interfaces/container-nic-named-by-endpoint",
    Deviation.COMPARTMENT_FILTER_IGNORED: "interfaces/compartment-id-narrows",
    Deviation.ROUTE_FILTER_IGNORED: "compartments/routes-default-gateway",
    Deviation.COMPARTMENT_TYPE_NUMBER_SHIFTED: "compartments/container-type-unspecified",
    Deviation.ENDPOINT_BRINGS_COMPARTMENT: "network/endpoint-virtual-first",
    Deviation.ENDPOINT_ATTACHED_AT_CREATE: "network/endpoint-virtual-first",
    Deviation.ENDPOINT_NIC_AT_CREATE: "network/endpoint-virtual-first",
    Deviation.COMPARTMENT_AT_START: "network/vnic-compartment-on-create",
    Deviation.ENDPOINT_NOT_ATTACHED: "network/endpoint-attached-on-start",
    Deviation.HCS_OWNER_NOT_DOCKER: "hcs/compute-system-identity",
    Deviation.NO_CONTAINER_PROCESS: "hcs/container-process",
    Deviation.NO_HCS_EVENTS: "hcs/operational-log",
    Deviation.CONTAINERS_RESTORED: "daemon/no-restore-after-kill",
    Deviation.LIVE_RESTORE_ACCEPTED: "daemon/live-restore-refused",
    Deviation.FILTER_NOT_WCIFS: "daemon/filter-is-wcifs",
    Deviation.LAYER_FILTER_NOT_WCIFS: "daemon/filter-is-wcifs",
    Deviation.IMAGE_BUILD_MISMATCH_RUNS: "hcs/process-isolation-needs-host-build",
    Deviation.HNS_NETWORK_NAMED_BY_NAME: "network/user-network-named-by-id",
    Deviation.RESTARTABLE_CONTAINERS_RESTORED: "daemon/no-restore-after-kill",
    Deviation.STATIC_MAPPING_LEFT_BEHIND: "network/port-published",
    Deviation.HYPERV_HOST_COMPARTMENT: "isolation/hyperv-utility-vm",
    Deviation.PORT_CONFLICT_ACCEPTED: "network/port-conflict",
    Deviation.EXEC_EXIT_CODE_LOST: "hcs/exec-is-a-process",
    Deviation.STOP_TERMINATES_AT_ONCE: "hcs/stop-shuts-down",
    Deviation.LAYER_FOLDER_LEFT_BEHIND: "layers/removal-cleans-up",
    Deviation.COMPARTMENT_LEFT_BEHIND: "network/removal-cleans-up",
    Deviation.MAPPED_DIRECTORIES_DROPPED: "layers/bind-mount-mapped",
    Deviation.MAPPED_READ_ONLY_WRITABLE: "layers/bind-mount-mapped",
}

# Deviations seen only through dockerd's debug log: their hosts run with debug logging on.
NEEDS_DAEMON_DEBUG = frozenset({Deviation.DEBUG_LOG_DROPS_QUERY})

# Behaviours a deviation breaks besides its own ("behaviour[via]": through that via only), because
# their tests read the fact it breaks:
# the layerchain's first entry is checked against the image's GraphDriver.Data.dir.
# isolation/hyperv-utility-vm checks, under Hyper-V isolation, the scratch folder and layerchain.json
# facts of the layers behaviours, and that no host compartment or NIC holds the container's address
# (which an endpoint that brings its own compartment breaks under either isolation).  A behaviour
# written "id[via]" is broken through that via only: dockerd's layer deviations leave the direct
# lifecycle's own scratch layer and layerchain alone.
_HYPERV = "isolation/hyperv-utility-vm"
_HYPERV_DOCKER = f"{_HYPERV}[docker]"
ALSO_BREAKS: dict[str, frozenset[str]] = {
    Deviation.IMAGE_LAYER_DIR_MISSING: frozenset({"layers/layerchain-nearest-first", _HYPERV_DOCKER}),
    Deviation.SCRATCH_LAYER_RANDOM_ID: frozenset({_HYPERV_DOCKER}),
    Deviation.LAYERCHAIN_BASE_FIRST: frozenset({_HYPERV_DOCKER}),
    Deviation.LAYERCHAIN_BASE_ONLY: frozenset({_HYPERV_DOCKER}),
    Deviation.LAYERCHAIN_SKIPS_PARENT: frozenset({_HYPERV_DOCKER}),
    Deviation.ENDPOINT_BRINGS_COMPARTMENT: frozenset({_HYPERV}),
    # the Hyper-V behaviour reads the endpoint attached to its container (in the utility VM)
    Deviation.ENDPOINT_NOT_ATTACHED: frozenset({_HYPERV}),
    # a docker container without a process has nothing to hold its shutdown, so its stop never reaches
    # the timeout (an entry "behaviour[via]" is broken through that via only)
    Deviation.NO_CONTAINER_PROCESS: frozenset({"hcs/stop-shuts-down[docker]"}),
    # the bind test reads the exit code of the exec'd write that a read-only mapping refuses
    Deviation.EXEC_EXIT_CODE_LOST: frozenset({"layers/bind-mount-mapped[docker]"}),
}
