"""The docker daemon and the host: no restore after dockerd dies, live-restore refused, wcifs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from drivers.models import parse_time
from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.subjects import DOCKER_COMMAND, host_clock

RESTORE_SEED = "Docker on Windows doesn't support restoring containers when daemon dies."
RESTART_WITHIN = 60.0  # seconds a restarted dockerd may take to start a container with a restart policy


@pytest.fixture
def daemon_restored(host) -> Iterator[None]:
    """Leave dockerd as found: running (if it was) with the same daemon.json, even when the test failed."""
    status, config = host.daemon.status(), host.daemon.config()
    yield
    if status == "Running" and host.daemon.status() != "Running":
        host.daemon.start()
    expect.equal(host, "dockerd after the test", status, host.daemon.status())
    expect.equal(host, "daemon.json after the test", config, host.daemon.config())


@behaviour(
    id="daemon/no-restore-after-kill",
    must="Containers MUST NOT be restored when dockerd dies: after a kill and a start, a container that was running is "
    "exited and its compute system gone; one with a restart policy (--restart always) is started anew: running, "
    "started after the kill, in a new compute system (another RuntimeId).",
    seed=RESTORE_SEED,
    destructive=True,
    evidence="moby libcontainerd (local_windows.go Restore): no re-attach on Windows, the compute system is "
    "terminated and the container reported exited; daemon.restore then starts those whose restart policy says so",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "dockerd's restore reads a container's state and restart policy, not its isolation (moby daemon/daemon.go restore); a Hyper-V container's compute system ends with its utility VM (INFERRED)",
    },
)
def test_killed_daemon_does_not_restore_containers(host, via, containers, daemon_restored):
    container = containers.run(command=DOCKER_COMMAND)
    always = containers.run(command=DOCKER_COMMAND, restart_policy={"Name": "always"})
    expect.present(host, f"compute system of running {container.id[:12]}", host.hcs.get(container.id))
    first = expect.present(host, f"compute system of running {always.id[:12]}", host.hcs.get(always.id))
    killed = host_clock(host)
    host.daemon.kill()
    host.daemon.start()
    expect.equal(host, "dockerd after start", "Running", host.daemon.status())
    container.reload()
    expect.equal(
        host, f"docker status of {container.id[:12]} after dockerd restarted", "exited", container.status
    )
    system = host.hcs.get(container.id)
    expect.that(
        system is None or system.stopped,
        host,
        f"compute system {container.id[:12]} after dockerd restarted",
        expect.Described("gone"),
        system.state if system else None,
    )
    _restarted(host, always, first.runtime_id, killed)


def _restarted(host, container, runtime_id: str, killed: datetime) -> None:
    """A --restart always container after dockerd was killed and started: started anew, not restored."""
    __tracebackhide__ = True
    what = f"{container.id[:12]} (--restart always) after dockerd restarted"
    deadline = time.monotonic() + RESTART_WITHIN  # the daemon starts such containers after it is up
    container.reload()
    while container.status != "running" and time.monotonic() < deadline:
        time.sleep(1)
        container.reload()
    expect.equal(host, f"docker status of {what}", "running", container.status)
    state = container.attrs["State"]
    started = parse_time(state["StartedAt"])
    expect.that(
        started > killed,
        host,
        f"State.StartedAt of {what}",
        f"after the kill ({killed.isoformat()})",
        state["StartedAt"],
    )
    system = expect.present(host, f"compute system of {what}", host.hcs.get(container.id))
    expect.that(
        system.runtime_id.lower() != runtime_id.lower(),
        host,
        f"RuntimeId of the compute system of {what}",
        f"a new compute system, not {runtime_id}",
        system.runtime_id,
    )


@behaviour(
    id="daemon/live-restore-refused",
    must="dockerd MUST refuse to start with live-restore in daemon.json.",
    seed=RESTORE_SEED,
    destructive=True,
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "daemon.json is read at dockerd's start, before any container: isolation plays no part (moby daemon/config)",
    },
)
def test_live_restore_config_refused(host, via, daemon_restored):
    with host.daemon.edited_config({facts.LIVE_RESTORE_KEY: True}) as result:
        expect.that(
            not result.started,
            host,
            "dockerd start with live-restore: true",
            expect.Described("refused"),
            result.status,
        )
        said = " ".join([result.error, *result.log_lines])
        expect.that(
            facts.LIVE_RESTORE_KEY in said,
            host,
            "dockerd's error",
            f"names {facts.LIVE_RESTORE_KEY}",
            said[-400:],
        )


@behaviour(
    id="daemon/filter-is-wcifs",
    must="The container filesystem filter MUST be wcifs: fltmc lists it, and the one filter instance that "
    "PrepareLayer attaches to a container layer's volume is wcifs's.",
    seed="Windows Container Isolation (wcifs.sys) is the name of filesystem filter driver used for containers.",
    via=("direct",),
    isolation=("process",),
    isolation_evidence={
        "hyperv": "the filter is prepared on a layer mounted on the host, which under Hyper-V isolation happens inside the utility VM (moby daemon/daemon_windows.go conditionalMountOnStart); what the host shows then is not modelled by winsim: unknown",
    },
)
def test_container_filter_is_wcifs(host, via, direct):
    names = [f.name for f in host.filters.list()]
    expect.that(
        facts.FILTER_DRIVER in [n.lower() for n in names],
        host,
        "fltmc filters",
        f"lists {facts.FILTER_DRIVER}",
        names,
    )
    # This run's own layer, prepared as windowsfilter's Get() does: the filter on its volume, not
    # a host-wide count (other containers' layers have volumes of their own).
    dc = direct()
    dc.create_scratch()
    volume = dc.activate()
    attached = sorted(i.filter.lower() for i in host.filters.instances(volume))
    expect.equal(
        host,
        f"filters attached to {volume} (fltmc instances -v), the prepared layer {dc.id[:12]}'s volume",
        [facts.FILTER_DRIVER],
        attached,
    )
