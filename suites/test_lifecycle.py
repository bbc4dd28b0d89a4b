"""Beyond the seed: the container's life after start: a second process (exec), stop, and removal.

Each test changes a container (adds a process, stops it, removes it), so each makes its own.
"""

from __future__ import annotations

import time

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.observe import compartment_of, endpoint_of, interface_of
from suites.subjects import DOCKER_COMMAND, Subject, default_network, start_direct, start_docker

STOP_TIMEOUT = 2  # docker stop -t: seconds before dockerd terminates what did not shut down (small: cheap)
# INFERRED: how long after the timeout a stop may return (the terminate, the network's release, the call).
STOP_SLACK = 5
# A process without a console that lives until stopped (the direct lifecycle's own has a console).
SLEEPING_COMMAND = "powershell.exe -NoProfile -Command Start-Sleep -Seconds 600"
EXEC_EXIT = 3


def _own(host, via, containers, direct) -> Subject:
    return start_docker(host, containers) if via == "docker" else start_direct(host, direct)


@behaviour(
    id="hcs/exec-is-a-process",
    must="`docker exec` MUST create a process in the container's own compute system: HCS's process list and "
    "`docker top` show it by the pid the exec reports, and the exec reports the exit code its process returned.",
    source="moby daemon/exec_windows.go and libcontainerd (Exec: HcsCreateProcess in the container's compute "
    "system), daemon/top_windows.go (top is HCS's process list: Name, PID, CPU, Private Working Set)",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "an exec is HcsCreateProcess in the container's compute system under either isolation (moby libcontainerd/local exec); `docker top` reads that system's process list (INFERRED for a utility VM)",
    },
)
def test_exec_is_a_process_of_the_compute_system(host, via, containers):
    container = containers.run(command=DOCKER_COMMAND)
    api = host.docker.client.api
    running = api.exec_create(container.id, ["ping", "-t", "localhost"])["Id"]
    api.exec_start(running, detach=True)
    info = api.exec_inspect(running)
    pid = int(info["Pid"])
    expect.equal(host, f"Running of exec {running[:12]} (ping -t)", True, info["Running"])
    listed = [(p.process_id, p.image_name.lower()) for p in host.hcs.processes(container.id)]
    expect.that(
        (pid, "ping.exe") in listed,
        host,
        f"HCS process list of {container.id[:12]} (exec pid {pid})",
        expect.Described(f"holds ({pid}, 'ping.exe')"),
        listed,
    )
    top = api.top(container.id)
    expect.equal(host, f"docker top {container.id[:12]} columns", facts.TOP_TITLES, top["Titles"])
    shown = [row[0].lower() for row in top["Processes"] if row[1] == str(pid)]
    expect.equal(host, f"docker top {container.id[:12]} row of pid {pid}", ["ping.exe"], shown)
    ended = api.exec_create(container.id, ["cmd", "/c", f"exit {EXEC_EXIT}"])["Id"]
    api.exec_start(ended)
    done = api.exec_inspect(ended)
    expect.equal(
        host,
        f"exec {ended[:12]} (cmd /c exit {EXEC_EXIT}): Running, ExitCode",
        (False, EXEC_EXIT),
        (done["Running"], done["ExitCode"]),
    )


@behaviour(
    id="hcs/stop-shuts-down",
    must="Stopping a container MUST ask HCS to shut its compute system down and terminate it only once the stop "
    "timeout has passed: a container whose process ends on the shutdown (one without a console takes "
    "CTRL_SHUTDOWN_EVENT) stops before the timeout, ExitType GracefulExit and exit code 3221225786 "
    "(STATUS_CONTROL_C_EXIT); one whose process does not (a console process, `docker run -t`, gets no console "
    "control event) is terminated no earlier than the timeout and within a few seconds of it, ExitType "
    "ForcedExit and the exit code the host reports for a terminate; either way HCS no longer lists it.",
    source="moby daemon/stop.go (the stop signal, a wait of -t seconds, then the kill) and "
    "libcontainerd/local/local_windows.go@02e3d3ce (SignalProcess: SIGKILL is hcsshim Terminate, any other "
    "signal Shutdown); moby/moby#40678 (a container run with -t gets no CTRL_SHUTDOWN_EVENT and is killed "
    "after the timeout); microsoft/dotnet-framework-docker#431 (docker stop of servercore:1809 on Server 2019 "
    "shows Exited (3221225786)); HCS schema reference (NotificationType GracefulExit, ForcedExit)",
    via=("docker", "direct"),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "docker stop is HcsShutdownComputeSystem of the container's compute system under either isolation (moby libcontainerd/local); its ExitType and exit code under Hyper-V are INFERRED to be process isolation's (no sample)",
    },
)
def test_stop_terminates_only_after_the_timeout(host, via, containers, direct):
    # The timeout stays under CExecSvc's own 5 s (moby#25982: ProcessShutdownTimeoutSeconds), after which
    # Windows itself ends a process that handles the shutdown event and keeps running.
    ending = _stoppable(host, via, containers, direct, console=False)
    holding = _stoppable(host, via, containers, direct, console=True)
    for subject, console in ((ending, False), (holding, True)):
        began = time.monotonic()
        outcome = _stop(subject)
        took = time.monotonic() - began
        what = f"{'console' if console else 'no-console'} container {subject.id[:12]}"
        if console:
            expect.that(
                STOP_TIMEOUT <= took <= STOP_TIMEOUT + STOP_SLACK,
                host,
                f"seconds until {what} stopped (stop timeout {STOP_TIMEOUT}s)",
                f"from {STOP_TIMEOUT} to {STOP_TIMEOUT + STOP_SLACK}: a terminate once the timeout passed",
                round(took, 1),
            )
        else:
            expect.that(
                took < STOP_TIMEOUT,
                host,
                f"seconds until {what} stopped",
                f"under the {STOP_TIMEOUT}s timeout (ended by the shutdown, not a terminate after it)",
                round(took, 1),
            )
        expected = (
            ("exited", facts.TERMINATE_EXIT_CODE if console else facts.STOP_EXIT_CODE)
            if via == "docker"
            else ("Stopped", facts.HCS_FORCED_EXIT if console else facts.HCS_GRACEFUL_EXIT)
        )
        label = "docker State.Status, ExitCode" if via == "docker" else "HCS State, ExitType"
        expect.equal(host, f"{label} of {what} after stop", expected, outcome)
        expect.equal(host, f"HCS lists {what} after stop", False, host.hcs.get(subject.id) is not None)


def _stoppable(host, via, containers, direct, console: bool) -> Subject:
    """A running container whose process lives until stopped: with a console (docker run -it) or
    without one (the seed's run -id; directly, a PowerShell that sleeps)."""
    if via == "docker":
        if not console:
            return start_docker(host, containers)
        container = containers.run(command=DOCKER_COMMAND, tty=True)
        return Subject("docker", container.id, "", container.attrs["HostConfig"]["NetworkMode"], container)
    if console:
        return start_direct(host, direct)
    dc = direct(network=default_network(host))
    dc.create_scratch()
    dc.activate()
    endpoint = dc.create_endpoint()
    dc.create_compute_system()
    dc.start()
    process = dc.create_process(SLEEPING_COMMAND, console=False)
    return Subject("direct", dc.id, endpoint.ip_address, dc.network, dc, endpoint.id, process.process_id)


def _stop(subject: Subject) -> tuple[str, object] | None:
    """Stop with the small timeout: docker's (Status, ExitCode) after it, or HCS's (State, ExitType)."""
    if subject.via == "docker":
        subject.handle.stop(timeout=STOP_TIMEOUT)
        subject.handle.reload()
        state = subject.handle.attrs["State"]
        return (state["Status"], state["ExitCode"])
    stopped = subject.handle.shut_down(STOP_TIMEOUT)
    return (stopped.state, stopped.raw.get("ExitType")) if stopped else None


@behaviour(
    id="layers/removal-cleans-up",
    must="Removing a container (docker rm, or DestroyLayer after the direct lifecycle's teardown) MUST delete its "
    "scratch folder under windowsfilter and the volume its layer was mounted on.",
    source="moby daemon/graphdriver/windows (Remove: hcsshim DestroyLayer of the container's folder; Put: "
    "UnprepareLayer, DeactivateLayer); leftovers in windowsfilter are among the most reported Windows "
    "container problems (issue 21)",
    via=("docker", "direct"),
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_LAYER_IN_VM,
    },
)
def test_removal_deletes_scratch_and_volume(host, via, containers, direct):
    subject = _own(host, via, containers, direct)
    # the container's own folder, as its creator knows it (docker: GraphDriver.Data.dir)
    scratch = (
        str(subject.handle.attrs["GraphDriver"]["Data"]["dir"])
        if via == "docker"
        else str(subject.handle.scratch)
    )
    volume = host.layers.mount_path(scratch)
    expect.that(host.layers.exists(scratch), host, f"scratch folder {scratch} while running", True, False)
    if via == "docker":
        subject.handle.remove(force=True)
    else:
        subject.handle.teardown()
    left = [
        what for what, path in (("scratch folder", scratch), ("volume", volume)) if host.layers.exists(path)
    ]
    folders = [f for f in host.layers.folders() if expect.same_id(f, expect.basename(scratch))]
    expect.equal(host, f"what of {subject.id[:12]}'s layer is left after removal", ([], []), (left, folders))


@behaviour(
    id="network/removal-cleans-up",
    must="Removing a container (docker rm, or the direct lifecycle's teardown) MUST leave none of its network "
    "behind: its HNS endpoint, its compartment, the vNIC that carried its address and its compute system are gone.",
    source="moby libnetwork/drivers/windows (DeleteEndpoint: HNS DELETE /endpoints) and libcontainerd "
    "(the compute system's terminate takes its compartment); HNS endpoints and compartments left behind are "
    "among the most reported Windows container problems (issue 21)",
    via=("docker", "direct"),
    isolation=("process",),
    isolation_evidence={
        "hyperv": "the test finds the container's compartment and vNIC on the host first, and under Hyper-V isolation they are inside the utility VM (INFERRED, as isolation/hyperv-utility-vm)",
    },
)
def test_removal_deletes_endpoint_and_compartment(host, via, containers, direct):
    subject = _own(host, via, containers, direct)
    endpoint = endpoint_of(host, subject)
    compartment = compartment_of(host, subject)
    nic = interface_of(host, subject)
    if via == "docker":
        subject.handle.remove(force=True)
    else:
        subject.handle.teardown()
    left = {
        "endpoint": host.hns.endpoint(endpoint.id) is not None,
        "compartment": compartment.id in {c.id for c in host.net.compartments()},
        "vNIC": any(subject.ip in i.ipv4_addresses for i in host.net.interfaces()),
        "compute system": host.hcs.get(subject.id) is not None,
    }
    expect.equal(
        host,
        f"what of {subject.id[:12]}'s network is left after removal "
        f"(endpoint {endpoint.id}, compartment {compartment.id}, vNIC {nic.alias!r})",
        [],
        [what for what, there in left.items() if there],
    )
