"""HCS: the compute system behind a container, its process, and the Hyper-V-Compute log."""

from __future__ import annotations

from datetime import timedelta

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.subjects import DOCKER_COMMAND, host_clock

CLOCK_RESOLUTION = timedelta(seconds=1)  # event times and SystemTime are read by different clocks' ticks


@behaviour(
    id="hcs/compute-system-identity",
    must="A container's compute system MUST have the container id as its id, owner docker and type Container, and "
    "Docker and HCS MUST agree on its state.",
    seed="hcsshim::CreateComputeSystem creates container.",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "a Hyper-V isolated container is still one compute system under its container id, owner docker, SystemType Container (hcsshim schema1 ContainerConfig with HvPartition; tests/fidelity/samples/hcsdiag-list-vm-client.txt)",
    },
)
def test_compute_system_matches_container(host, via, containers):
    container = containers.run(command=DOCKER_COMMAND)
    system = expect.present(
        host, f"compute system {container.id[:12]} (HcsOpenComputeSystem)", host.hcs.get(container.id)
    )
    expect.that(expect.same_id(system.id, container.id), host, "compute system id", container.id, system.id)
    expect.equal(host, f"owner of compute system {container.id[:12]}", facts.HCS_OWNER, system.owner)
    expect.equal(
        host, f"type of compute system {container.id[:12]}", facts.HCS_SYSTEM_TYPE, system.system_type
    )
    listed = [s.id for s in host.hcs.list()]
    expect.equal(
        host,
        f"times HcsEnumerateComputeSystems lists {container.id[:12]}",
        1,
        sum(expect.same_id(i, container.id) for i in listed),
    )
    container.reload()
    agreeing = facts.HCS_STATE_FOR_DOCKER.get(container.status, frozenset())
    expect.that(
        system.state in agreeing,
        host,
        f"HCS state while docker says '{container.status}'",
        sorted(agreeing),
        system.state,
    )
    container.stop()
    container.reload()
    after = host.hcs.get(container.id)
    expect.that(
        after is None or after.stopped,
        host,
        f"compute system once docker says '{container.status}'",
        expect.Described("gone or stopped"),
        after.state if after else None,
    )


@behaviour(
    id="hcs/container-process",
    must="Starting a container MUST create its process in the container's compute system.",
    seed="hcsshim::ComputeSystem::Start and hcsshim::ComputeSystem::CreateProces start container and creates its process.",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "dockerd starts the process through the container's compute system (HcsCreateProcess) under either isolation (moby libcontainerd/local; hcsshim); the process list is the utility VM's (INFERRED)",
    },
)
def test_process_runs_in_compute_system(host, via, subject):
    # The container's process, by the id the host gave it: docker's State.Pid, or HcsCreateProcess's answer.
    if via == "docker":
        subject.handle.reload()
        pid = int(subject.handle.attrs["State"]["Pid"])
    else:
        pid = subject.pid
    processes = host.hcs.processes(subject.id)
    shown = [(p.process_id, p.image_name) for p in processes]
    wanted = DOCKER_COMMAND.lower()
    mine = [p.image_name.lower().removesuffix(".exe") for p in processes if p.process_id == pid]
    expect.equal(
        host, f"process {pid} of compute system {subject.id[:12]} ({via}; all: {shown})", [wanted], mine
    )


@behaviour(
    id="hcs/operational-log",
    must="The Microsoft-Windows-Hyper-V-Compute-Operational log MUST have timestamped entries for the container.",
    seed='To see HNS and HCS logs run Get-WinEvent -Filterhashtable @{LogName="Microsoft-Windows-Hyper-V-Compute-Operational"} '
    "but they just seem to have basic messages and timestamps.",
    via=("docker", "direct"),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "vmcompute writes the Hyper-V-Compute Operational log for every compute system it runs, a utility VM's container included (INFERRED: no Hyper-V isolated sample)",
    },
)
def test_operational_log_has_container_entries(host, via, subject):
    events = [e for e in host.events.hcs_operational() if expect.same_id(e.system_id, subject.id)]
    expect.present(host, f"{facts.HCS_EVENT_LOG} entries for {subject.id[:12]}", events, "none")
    # On the host's own clock: after it was read just before the container was made, and not later than now.
    assert subject.started is not None
    earliest, latest = subject.started - CLOCK_RESOLUTION, host_clock(host) + CLOCK_RESOLUTION
    for event in events:
        expect.that(
            earliest <= event.time_created <= latest,
            host,
            f"TimeCreated of event {event.id} for {subject.id[:12]}",
            f"between {earliest.isoformat()} and {latest.isoformat()} (host clock)",
            event.time_created.isoformat(),
        )
