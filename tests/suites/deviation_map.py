"""Which behaviour each winsim deviation breaks: the one place that pairs them.

Every deviation breaks exactly one behaviour and every behaviour is broken by at least one
deviation (some by several: each a different way a host gets the same fact wrong, or the same fact
wrong at another layer of the host: the model, or the cmdlet the probe module asks).
"""

from __future__ import annotations

DEVIATION_BREAKS: dict[str, str] = {
    "debug-log-drops-query": "api/run-create-wait-start",
    "wait-next-exit-immediate": "api/wait-next-exit",
    "wait-next-exit-created-immediate": "api/wait-next-exit",
    "graph-driver-not-windowsfilter": "layers/graph-driver-windowsfilter",
    "parent-layer-mounted": "layers/parent-read-only-folder",
    "scratch-layer-random-id": "layers/scratch-id-is-container-id",
    "layerchain-base-first": "layers/layerchain-nearest-first",
    "layerchain-base-only": "layers/layerchain-nearest-first",
    "layerchain-skips-parent": "layers/layerchain-nearest-first",
    "image-layer-dir-missing": "layers/image-layer-folder",
    "start-without-activation": "layers/activated-on-start",
    "stable-volume-path": "layers/volume-path-changes",
    "volume-path-unresolvable": "layers/volume-path-changes",
    "default-compartment-not-native": "compartments/default-is-native",
    "container-compartment-native": "compartments/container-type-unspecified",
    "compartment-description-format": "compartments/description-names-container",
    "no-default-route": "compartments/routes-default-gateway",
    "compartment-writable": "compartments/read-only",
    "nic-alias-format": "interfaces/container-nic-alias",
    "compartment-filter-ignored": "interfaces/compartment-id-narrows",
    "route-filter-ignored": "compartments/routes-default-gateway",
    "compartment-type-number-shifted": "compartments/container-type-unspecified",
    "endpoint-brings-compartment": "network/endpoint-virtual-first",
    "endpoint-attached-at-create": "network/endpoint-virtual-first",
    "endpoint-nic-at-create": "network/endpoint-virtual-first",
    "compartment-at-start": "network/vnic-compartment-on-create",
    "endpoint-not-attached": "network/endpoint-attached-on-start",
    "hcs-owner-not-docker": "hcs/compute-system-identity",
    "no-container-process": "hcs/container-process",
    "no-hcs-events": "hcs/operational-log",
    "containers-restored": "daemon/no-restore-after-kill",
    "live-restore-accepted": "daemon/live-restore-refused",
    "filter-not-wcifs": "daemon/filter-is-wcifs",
    "image-build-mismatch-runs": "hcs/process-isolation-needs-host-build",
}

# Deviations seen only through dockerd's debug log: their hosts run with debug logging on.
NEEDS_DAEMON_DEBUG = frozenset({"debug-log-drops-query"})

# Behaviours a deviation breaks besides its own, because their tests read the fact it breaks:
# the layerchain's first entry is checked against the image's GraphDriver.Data.dir.
ALSO_BREAKS: dict[str, frozenset[str]] = {
    "image-layer-dir-missing": frozenset({"layers/layerchain-nearest-first"}),
}
