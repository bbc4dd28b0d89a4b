"""Named deviations: each breaks exactly one documented behaviour of the simulated host.

A host started with ``--deviation NAME`` models Windows faithfully except for that one
behaviour.  The conformance suite's own tests use them to prove each conformance test can fail.
The model reads them through ``HostModel.deviates(name)`` at the one place it implements the
behaviour; nothing in winsim checks who is asking.
"""

from __future__ import annotations

# name -> the documented behaviour it breaks (what a real host would have to get wrong).
DEVIATIONS: dict[str, str] = {
    "debug-log-drops-query": "dockerd's debug log writes API calls without their query string",
    "wait-next-exit-immediate": "wait?condition=next-exit returns at once for a running container",
    "wait-next-exit-created-immediate": "wait?condition=next-exit on a created container returns at once "
    "(StatusCode 0), like not-running",
    "graph-driver-not-windowsfilter": "the daemon reports a graph driver other than windowsfilter",
    "parent-layer-mounted": "GetLayerMountPath of a read-only image layer returns a volume path",
    "scratch-layer-random-id": "the container's scratch layer folder gets a random id, not the container id",
    "layerchain-base-first": "layerchain.json lists the base layer first",
    "layerchain-base-only": "a container's layerchain.json lists only the image's base layer",
    "layerchain-skips-parent": "a container's layerchain.json lists the top and base layers, not those between",
    "image-layer-dir-missing": "an image's GraphDriver.Data.dir names a folder that does not exist",
    "start-without-activation": "start does not activate the scratch layer or prepare the wcifs filter",
    "stable-volume-path": "a layer gets the same volume path on every activation",
    "volume-path-unresolvable": "an activated layer's volume path does not resolve on the host",
    "default-compartment-not-native": "the default compartment (id 1) has a type other than Native",
    "container-compartment-native": "container compartments have type Native",
    "compartment-description-format": "container compartment descriptions are not \\Container_<container id>",
    "no-default-route": "a container compartment has no default route via the gateway",
    "compartment-writable": "a cmdlet can change a network compartment",
    "nic-alias-format": "container interfaces are not named as the build names them "
    "(vEthernet (Container NIC <endpoint prefix>) before 1803, vEthernet (<endpoint name>) from 1803)",
    "compartment-filter-ignored": "Get-NetIPInterface -CompartmentId returns interfaces of every compartment",
    "route-filter-ignored": "Get-NetRoute -CompartmentId returns the routes of every compartment",
    "compartment-type-number-shifted": "Get-NetCompartment numbers a container compartment's type one higher",
    "endpoint-brings-compartment": "creating an HNS endpoint creates a compartment and an interface at once",
    "endpoint-attached-at-create": "a new HNS endpoint is in state Attached before any compute system exists",
    "endpoint-nic-at-create": "creating an HNS endpoint adds an address-less container NIC in compartment 1",
    "compartment-at-start": "the compartment and vNIC appear when the compute system starts, not when it is created",
    "endpoint-not-attached": "the HNS endpoint is not attached to the container after start",
    "hcs-owner-not-docker": "compute systems created by dockerd have an owner other than docker",
    "no-container-process": "starting a container creates no process in its compute system",
    "no-hcs-events": "the Hyper-V-Compute operational log records nothing for containers",
    "containers-restored": "containers running when dockerd died are running again after it restarts",
    "live-restore-accepted": "dockerd starts with live-restore in daemon.json",
    "filter-not-wcifs": "the container filesystem filter is not named wcifs",
    "image-build-mismatch-runs": "process isolation runs an image built for another Windows build",
}


def check_deviations(names: frozenset[str]) -> None:
    unknown = sorted(set(names) - set(DEVIATIONS))
    if unknown:
        raise ValueError(
            f"unknown winsim deviation(s): {', '.join(unknown)}; known: {', '.join(sorted(DEVIATIONS))}"
        )
