"""Isolation: process isolation shares the host's kernel (an image of another build is refused); Hyper-V
isolation runs the container in a utility VM, with its network stack inside."""

from __future__ import annotations

import re

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.subjects import DIRECT_COMMAND, DOCKER_COMMAND, default_network, docker_ip

GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@behaviour(
    id="hcs/process-isolation-needs-host-build",
    must="`docker run --isolation=process` of an image built for another Windows build MUST be refused at "
    "CreateComputeSystem with 'The container operating system does not match the host operating system.', "
    "and no container may run.",
    seed="hcsshim::CreateComputeSystem creates container.",
    min_build=17763,
    evidence="the seed's microsoft/windowsservercore is a 14393 image, so it runs on 2016 and is refused from "
    "1809 on, where HCS words the refusal this way (tests/fidelity/samples/error-os-mismatch-*.txt; "
    "learn.microsoft.com windows container version compatibility)",
    isolation=("process",),
    isolation_evidence={
        "hyperv": "Hyper-V isolation runs an image of an older build in its own kernel, so the refusal is process isolation's only (learn.microsoft.com Windows container version compatibility)",
    },
)
def test_mismatched_image_is_refused_with_process_isolation(host, via, containers, run_id):
    image = containers.ensure_image(facts.SEED_IMAGE)
    name = containers.name()
    args = ["run", "-id", "--isolation=process", "--name", name, "--label", f"wcc.run={run_id}"]
    result = host.docker.cli(*args, image, DOCKER_COMMAND)
    inspect = host.docker.cli("inspect", "--format", "{{.Id}} {{.State.Running}}", name)
    if inspect.rc == 0:
        containers.track(inspect.stdout.split()[0])
    expect.equal(
        host,
        f"exit code of docker run of {facts.SEED_IMAGE} (a {facts.SEED_IMAGE_BUILD} image)",
        125,
        result.rc,
    )
    expect.that(
        bool(facts.OS_MISMATCH.search(result.stderr)),
        host,
        f"the daemon's answer to running {facts.SEED_IMAGE} with process isolation",
        expect.Described(f"matching {facts.OS_MISMATCH.pattern}"),
        result.stderr.strip()[:400],
    )
    expect.equal(
        host,
        f"whether container {name} runs",
        "false",
        inspect.stdout.split()[-1] if inspect.rc == 0 else "false",
    )


def _norm(path: str) -> str:
    return path.replace("/", "\\").rstrip("\\").lower()


@behaviour(
    id="isolation/hyperv-utility-vm",
    must="A container run with Hyper-V isolation (`docker run --isolation=hyperv`, or HcsCreateComputeSystem with "
    "HvPartition and HvRuntime) MUST be one running HCS compute system under its container id (SystemType "
    "Container, a RuntimeId: its utility VM's), and HcsEnumerateComputeSystems MUST list no other system carrying "
    "that id (the utility VM is not a compute system of its own); its network compartment and NIC MUST be inside "
    "that VM: no compartment of the host (Get-NetCompartment) describes it and no host interface carries its "
    "address, while its HNS endpoint holds that address attached to it; its scratch layer MUST be "
    "windowsfilter\\<container id> with a layerchain.json listing its image's layers, nearest first, as under "
    "process isolation. Through Docker, inspect MUST show HostConfig.Isolation hyperv.",
    seed="",
    source="learn.microsoft.com 'Isolation modes' (each Hyper-V isolated container runs in a highly optimized "
    "virtual machine with its own kernel); moby daemon/internal/libcontainerd/local/local_windows.go (one "
    "hcsshim.CreateContainer per container, HvPartition and HvRuntime.ImagePath the base layer's UtilityVM, no "
    "VolumePath; MicrosoftDocs/Virtualization-Documentation#1128 quotes that document); hcsshim internal/hcs/schema1 "
    "ContainerProperties (RuntimeId); hcsdiag list of a utility VM (tests/fidelity/samples/hcsdiag-list-vm-client.txt); "
    "moby daemon/graphdriver/windows/windows.go Remove (a Hyper-V container's template VM, listed on RS1/RS2 with "
    "IsRuntimeTemplate and its own id, is the only other system HCS v1 enumerates for it); that no per-container "
    "utility VM system is listed, and the compartment and NIC inside the VM, are INFERRED",
    isolation=("hyperv",),
    via=("docker", "direct"),
    isolation_evidence={
        "process": "under process isolation there is no utility VM: the container shares the host's kernel and its compartment is the host's (learn.microsoft.com 'Isolation modes')",
    },
)
def test_hyperv_container_is_backed_by_a_utility_vm(host, via, containers, direct):
    network = default_network(host)
    if via == "docker":
        container = containers.run(command=DOCKER_COMMAND, network=network, isolation="hyperv")
        cid = container.id
        expect.equal(
            host,
            f"inspect HostConfig.Isolation of {cid[:12]}",
            "hyperv",
            container.attrs["HostConfig"]["Isolation"],
        )
        address = docker_ip(container, network)
        scratch = str(container.attrs["GraphDriver"]["Data"]["dir"])
        image = host.docker.client.images.get(container.attrs["Image"])
        image_dir = _norm(image.attrs["GraphDriver"]["Data"]["dir"])
        layer_count = len(image.attrs["RootFS"]["Layers"])
    else:
        dc = direct(network=network, isolation="hyperv")
        dc.create_scratch()
        dc.activate()  # nothing is mounted on the host under Hyper-V isolation
        endpoint = dc.create_endpoint()
        dc.create_compute_system()
        dc.start()
        dc.create_process(DIRECT_COMMAND)
        cid, address, scratch = dc.id, endpoint.ip_address, str(dc.scratch)
        image_dir, layer_count = _norm(dc.parent_layers[0]), len(dc.parent_layers)
    short = cid[:12]
    system = expect.present(host, f"HCS compute system {short}", host.hcs.get(cid))
    expect.equal(
        host,
        f"SystemType and State of HCS compute system {short}",
        ("Container", "Running"),
        (system.system_type, system.state),
    )
    expect.that(
        bool(GUID.fullmatch(system.runtime_id)),
        host,
        f"RuntimeId of HCS compute system {short} (its utility VM)",
        expect.Described("a GUID"),
        system.runtime_id,
    )
    expect.equal(
        host,
        f"compute systems HcsEnumerateComputeSystems lists with {short}'s id in their Id or Name",
        [cid.lower()],
        [s.id.lower() for s in host.hcs.list() if cid.lower() in f"{s.id} {s.name}".lower()],
    )
    described = facts.COMPARTMENT_DESCRIPTION.format(id=cid)
    expect.equal(
        host,
        f"host compartments (Get-NetCompartment) describing {short} ({described})",
        [],
        [c.id for c in host.net.compartments() if cid.lower() in c.description.lower()],
    )
    expect.equal(
        host,
        f"host interfaces carrying {short}'s address {address}",
        [],
        [(i.alias, i.compartment_id) for i in host.net.interfaces() if address in i.ipv4_addresses],
    )
    endpoints = [e for e in host.hns.endpoints() if e.ip_address == address]
    expect.equal(
        host,
        f"HNS endpoints with {short}'s address {address}: their containers",
        [[cid.lower()]],
        [[c.lower() for c in e.shared_containers] for e in endpoints],
    )
    expect.equal(host, f"scratch folder of {short}", cid.lower(), expect.basename(scratch).lower())
    chain = expect.present(host, f"layerchain.json of {short}", host.layers.layerchain(scratch))
    expect.equal(
        host,
        f"{short}'s layerchain.json: first entry (its image's top layer) and count (the image's layers)",
        (image_dir, layer_count),
        (_norm(chain[0]), len({_norm(e) for e in chain})),
    )
