"""Each deviation breaks exactly its behaviour: the check holds on a faithful host and fails on the deviant one."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from tests.winsim_model.conftest import MakeModel, run_seed
from winsim.deviations import DEVIATIONS, Deviation
from winsim.model import HCS_OPERATIONAL, DaemonNotRunning, DaemonStartError, HostModel
from winsim.model.container_process import KILL_EXIT_CODE
from winsim.model.docker_base import DAEMON_JSON
from winsim.model.errors import DockerError
from winsim.model.hcs import ContainerConfig
from winsim.model.paths import win_basename
from winsim.native.hnscall import hns_call

Check = Callable[[HostModel], bool]
# Without activation there is no volume and no filter: these follow from the deviation itself.
# The layerchain deviations each break the one fact "the chain is every image layer, nearest first".
_LAYERCHAIN = {
    Deviation.LAYERCHAIN_BASE_FIRST,
    Deviation.LAYERCHAIN_BASE_ONLY,
    Deviation.LAYERCHAIN_SKIPS_PARENT,
}
CONSEQUENCES = {
    Deviation.START_WITHOUT_ACTIVATION: {
        Deviation.STABLE_VOLUME_PATH,
        Deviation.VOLUME_PATH_UNRESOLVABLE,
        Deviation.FILTER_NOT_WCIFS,
        Deviation.LAYER_FILTER_NOT_WCIFS,
    },
    **{name: _LAYERCHAIN - {name} for name in _LAYERCHAIN},
    # Both break the one check "the layer's filter is wcifs" (its name, or where it is attached).
    Deviation.FILTER_NOT_WCIFS: {Deviation.LAYER_FILTER_NOT_WCIFS},
    Deviation.LAYER_FILTER_NOT_WCIFS: {Deviation.FILTER_NOT_WCIFS},
    # an endpoint that brings a host compartment and NIC brings them under Hyper-V isolation too
    Deviation.ENDPOINT_BRINGS_COMPARTMENT: {
        Deviation.ENDPOINT_NIC_AT_CREATE,
        Deviation.HYPERV_HOST_COMPARTMENT,
    },
    Deviation.ENDPOINT_NIC_AT_CREATE: {Deviation.ENDPOINT_BRINGS_COMPARTMENT},
    # an endpoint left unattached is unattached under Hyper-V isolation too
    Deviation.ENDPOINT_NOT_ATTACHED: {Deviation.HYPERV_HOST_COMPARTMENT},
    # a daemon that restores every container restores those with a restart policy too
    Deviation.CONTAINERS_RESTORED: {Deviation.RESTARTABLE_CONTAINERS_RESTORED},
    # one build-aware alias check serves both alias deviations, each breaking it on its own builds
    Deviation.NIC_ALIAS_2016_FORM: {Deviation.NIC_ALIAS_FORMAT},
    # without a container process nothing holds a shutdown, so no stop reaches its timeout
    Deviation.NO_CONTAINER_PROCESS: {Deviation.STOP_TERMINATES_AT_ONCE},
    # both break the one check "a bind's host folder is the container's, read-only ones refusing writes"
    Deviation.MAPPED_DIRECTORIES_DROPPED: {Deviation.MAPPED_READ_ONLY_WRITABLE},
    Deviation.MAPPED_READ_ONLY_WRITABLE: {Deviation.MAPPED_DIRECTORIES_DROPPED},
}
POWERSHELL_SIDE = {
    Deviation.COMPARTMENT_WRITABLE,
    Deviation.COMPARTMENT_FILTER_IGNORED,
    Deviation.ROUTE_FILTER_IGNORED,
    Deviation.COMPARTMENT_TYPE_NUMBER_SHIFTED,
}  # checked by the PowerShell helper's tests
# Deviations of a behaviour that holds only on older builds are checked on a host of such a build.
CHECK_PROFILE = {Deviation.NIC_ALIAS_FORMAT: "ws2016"}


def _image(model: HostModel):
    image = model.dockerd.images.resolve("mcr.microsoft.com/windows/servercore:ltsc2022")
    assert image is not None
    return image


def debug_log_keeps_query(m: HostModel) -> bool:
    m.dockerd.log_api_call("POST", "/v1.43/containers/create?name=example")
    return m.dockerd.debug_log()[-1].endswith('msg="Calling POST /v1.43/containers/create?name=example"')


def wait_next_exit_blocks(m: HostModel) -> bool:
    c = run_seed(m)
    try:
        m.dockerd.wait_container(c.id, "next-exit", cancelled=lambda: True)
    except DaemonNotRunning:
        return True  # it really waited (and saw its client give up)
    return False


def wait_next_exit_on_created_holds(m: HostModel) -> bool:
    """A next-exit wait registered while the container is created is still pending after start."""
    d = m.dockerd
    c = d.create_container(
        {"Image": "mcr.microsoft.com/windows/servercore:ltsc2022", "Cmd": ["powershell"], "OpenStdin": True}
    )
    result = d.begin_wait(c.id, "next-exit")
    d.start_container(c.id)
    try:
        result(lambda: True)
    except DaemonNotRunning:
        return True  # still pending after start (its client gave up)
    return False


def graph_driver(m: HostModel) -> bool:
    return m.dockerd.graph_driver == "windowsfilter"


def parent_mount_is_folder(m: HostModel) -> bool:
    top = _image(m).top_layer
    return m.windowsfilter.get_layer_mount_path(top) == top


def scratch_named_after_container(m: HostModel) -> bool:
    c = run_seed(m)
    return win_basename(c.scratch_path) == c.id


def layerchain_base_last(m: HostModel) -> bool:
    c = run_seed(m)
    chain = m.windowsfilter.layer_chain(c.scratch_path) or []
    return chain[-1] == _image(m).layer_paths[0] and chain[0] == _image(m).top_layer


def layerchain_complete(m: HostModel) -> bool:
    """A four-layer image: the container's chain is every image layer, nearest first."""
    ref = "mcr.microsoft.com/dotnet/framework/runtime:4.8.1-windowsservercore-ltsc2022"
    m.dockerd.images.pull(ref)
    image = m.dockerd.images.resolve(ref)
    assert image is not None and len(image.layer_paths) == 4
    c = m.dockerd.create_container({"Image": ref, "Cmd": ["powershell"]})
    return m.windowsfilter.layer_chain(c.scratch_path) == list(reversed(image.layer_paths))


def image_dir_exists(m: HostModel) -> bool:
    return m.files.is_dir(m.dockerd.image_layer_dir(_image(m)))


def start_activates(m: HostModel) -> bool:
    c = run_seed(m)
    seen = [e.op for e in m.journal if e.subject == c.scratch_path]
    return (
        "hcsshim::ActivateLayer" in seen
        and "hcsshim::PrepareLayer" in seen
        and c.volume_path.startswith("\\\\?\\")
    )


def volume_path_changes(m: HostModel) -> bool:
    c = run_seed(m)
    first = c.volume_path
    m.dockerd.stop_container(c.id)
    m.dockerd.start_container(c.id)
    return c.volume_path != first


def volume_path_resolves(m: HostModel) -> bool:
    c = run_seed(m)
    return bool(c.volume_path) and m.files.exists(c.volume_path)


def default_compartment_native(m: HostModel) -> bool:
    comp = m.net.compartment(1)
    return comp is not None and comp.type == "Native"


def container_compartment_unspecified(m: HostModel) -> bool:
    comp = m.net.compartment_for_container(run_seed(m).id)
    return comp is not None and comp.type == "Unspecified"


def compartment_description(m: HostModel) -> bool:
    c = run_seed(m)
    return any(comp.description == f"\\Container_{c.id}" for comp in m.net.compartments())


def default_route(m: HostModel) -> bool:
    c = run_seed(m)
    comp = m.net.compartment_for_container(c.id)
    gw = next(iter(c.networks.values())).gateway
    return comp is not None and any(
        r.destination_prefix == "0.0.0.0/0" and r.next_hop == gw for r in m.net.routes(comp.id)
    )


def nic_alias(m: HostModel) -> bool:
    """The alias the build gives: the HNS endpoint's name from 1803, Container NIC before (each
    build runs its own base image, so the 2016 profile's container starts under process isolation)."""
    d = m.dockerd
    image = f"mcr.microsoft.com/windows/servercore:{m.profile.ltsc_tag}"
    d.pull(image)
    c = d.create_container({"Image": image, "Cmd": ["powershell"], "OpenStdin": True})
    d.start_container(c.id)
    hns_id = next(iter(c.networks.values())).hns_endpoint_id
    name = m.hns.endpoint(hns_id).name
    want = (
        f"vEthernet ({name})"
        if m.profile.nic_alias_is_endpoint_name
        else f"vEthernet (Container NIC {hns_id[:8].lower()})"
    )
    return any(i.alias == want for i in m.net.interfaces())


def endpoint_is_virtual(m: HostModel) -> bool:
    nat = m.hns.network_by_name("nat")
    assert nat is not None
    before = len(m.net.compartments()), len(m.net.interfaces())
    hns_call(m.hns, "POST", "/endpoints/", json.dumps({"VirtualNetwork": nat.id}))
    return (len(m.net.compartments()), len(m.net.interfaces())) == before


def endpoint_created_state(m: HostModel) -> bool:
    nat = m.hns.network_by_name("nat")
    assert nat is not None
    out = json.loads(hns_call(m.hns, "POST", "/endpoints/", json.dumps({"VirtualNetwork": nat.id})))
    return bool(out["Output"]["State"] == 1 and out["Output"]["SharedContainers"] == [])


def compartment_at_create(m: HostModel) -> bool:
    image = _image(m)
    cid = "cd" * 32
    chain = list(reversed(image.layer_paths))
    scratch = m.windowsfilter.create_sandbox_layer(cid, chain)
    m.hcs.create_compute_system(cid, ContainerConfig(name=cid, owner="wcc", layer_folder_path=scratch))
    return m.net.compartment_for_container(cid) is not None


def endpoint_attached(m: HostModel) -> bool:
    c = run_seed(m)
    ep = m.hns.endpoint(next(iter(c.networks.values())).hns_endpoint_id)
    return ep.state == 2 and c.id in ep.shared_containers


def owner_docker(m: HostModel) -> bool:
    system = m.hcs.get(run_seed(m).id)
    return system is not None and system.owner == "docker"


def container_process(m: HostModel) -> bool:
    c = run_seed(m)
    system = m.hcs.get_compute_system_properties(c.id)
    return "powershell.exe" in [p.image_name for p in system.processes.values() if p.exit_code is None]


def hcs_events(m: HostModel) -> bool:
    c = run_seed(m)
    return any(r.system_id == c.id for r in m.events.records(HCS_OPERATIONAL))


def not_restored(m: HostModel) -> bool:
    c = run_seed(m)
    m.dockerd.kill()
    m.dockerd.start()
    return c.status == "exited" and m.hcs.get(c.id) is None


def user_network_named_by_id(m: HostModel) -> bool:
    net = m.dockerd.create_network("usernetwork", "nat")
    return m.hns.network(net.hns_id).name == net.id


def restartable_started_anew(m: HostModel) -> bool:
    """A --restart always container is terminated on restore and started again in a new compute system."""
    d = m.dockerd
    c = d.create_container(
        {
            "Image": "mcr.microsoft.com/windows/servercore:ltsc2022",
            "Cmd": ["powershell"],
            "OpenStdin": True,
            "HostConfig": {"RestartPolicy": {"Name": "always"}},
        }
    )
    d.start_container(c.id)
    before = m.hcs.get(c.id)
    assert before is not None
    d.kill()
    d.start()
    after = m.hcs.get(c.id)
    return c.running and after is not None and after.runtime_id != before.runtime_id


def live_restore_refused(m: HostModel) -> bool:
    m.dockerd.stop()
    m.files.write_text(DAEMON_JSON, '{"live-restore": true}')
    try:
        m.dockerd.start()
    except DaemonStartError:
        return True
    return False


def filter_wcifs(m: HostModel) -> bool:
    run_seed(m)
    running = sum(1 for c in m.dockerd.containers.values() if c.running)
    return m.layer_filter() == "wcifs" and any(
        f.name == "wcifs" and f.instances == running for f in m.filters()
    )


def process_isolation_needs_host_build(m: HostModel) -> bool:
    """The seed's 2016 image is refused under process isolation on a 20348 host."""
    c = m.dockerd.create_container(
        {"Image": "microsoft/windowsservercore", "HostConfig": {"Isolation": "process"}}
    )
    try:
        m.dockerd.start_container(c.id)
    except DockerError as exc:
        return "does not match the host operating system" in exc.message
    return False


def _published(m: HostModel, port: int):
    body = {
        "Image": "mcr.microsoft.com/windows/servercore:ltsc2022",
        "Cmd": ["powershell"],
        "OpenStdin": True,
        "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": str(port)}]}},
    }
    return m.dockerd.create_container(body)


def static_mapping_goes_with_its_endpoint(m: HostModel) -> bool:
    c = _published(m, 8081)
    m.dockerd.start_container(c.id)
    mapped = [x.external_port for x in m.hns.winnat.mappings()].count(8081) == 1
    m.dockerd.remove_container(c.id, force=True)
    return mapped and all(x.external_port != 8081 for x in m.hns.winnat.mappings())


def taken_port_refused(m: HostModel) -> bool:
    first, second = _published(m, 8082), _published(m, 8082)
    m.dockerd.start_container(first.id)
    try:
        m.dockerd.start_container(second.id)
    except DockerError as exc:
        refused = "being used by another process" in exc.message
    else:
        refused = False
    for c in (first, second):
        m.dockerd.remove_container(c.id, force=True)
    return refused


def exec_exit_code(m: HostModel) -> bool:
    """An exec ended by its container's stop reports what HCS says its process exited with."""
    c = run_seed(m)
    ex = m.dockerd.start_exec(m.dockerd.create_exec(c.id, {"Cmd": ["ping", "-t", "localhost"]}).id)
    system = m.hcs.get(c.id)
    assert system is not None
    process = system.processes[ex.pid]  # HCS's own record of it
    m.dockerd.stop_container(c.id)
    return (
        process.image_name == "ping.exe"
        and process.exit_code not in (None, 0)
        and ex.exit_code == process.exit_code
    )


def bind_mount_mapped(m: HostModel) -> bool:
    """The host folders of -v binds are the container's folders; a read-only one refuses the container's writes."""
    m.files.write_text(r"C:\rw\in.txt", "host")
    m.files.mkdir(r"C:\ro")
    c = m.dockerd.create_container(
        {
            "Image": _image(m).id,
            "Cmd": ["powershell"],
            "OpenStdin": True,
            "HostConfig": {"Binds": [r"C:\rw:C:\data", r"C:\ro:C:\ro:ro"]},
        }
    )
    m.dockerd.start_container(c.id)
    view = m.hcs.container_files(c.id)
    assert view is not None
    if not view.exists(r"C:\data\in.txt") or view.read_text(r"C:\data\in.txt") != "host":
        return False
    view.write_text(r"C:\data\out.txt", "container")
    try:
        view.write_text(r"C:\ro\out.txt", "container")
    except PermissionError:
        refused = True
    else:
        refused = False
    return refused and m.files.read_text(r"C:\rw\out.txt") == "container" and m.files.list_dir(r"C:\ro") == []


def stop_shuts_down(m: HostModel) -> bool:
    """The seed's container ends on the shutdown; one with a console (Tty) is terminated, after -t only."""
    c = run_seed(m)
    mark = m.journal_mark()
    m.dockerd.stop_container(c.id)
    ops = [e.op for e in m.journal_since(mark) if e.op.startswith("Hcs")]
    graceful = ops[:1] == ["HcsShutdownComputeSystem"] and c.exit_code == 0xC000013A
    held = run_seed(m, tty=True)
    began = time.monotonic()
    m.dockerd.stop_container(held.id, timeout=1)
    return graceful and time.monotonic() - began >= 1 and held.exit_code == KILL_EXIT_CODE


def removal_destroys_scratch(m: HostModel) -> bool:
    c = run_seed(m)
    m.dockerd.remove_container(c.id, force=True)
    return not m.files.exists(c.scratch_path) and m.windowsfilter.layer(c.scratch_path) is None


def removal_deletes_network(m: HostModel) -> bool:
    c = run_seed(m)
    endpoint = next(iter(c.networks.values())).hns_endpoint_id
    compartment = m.net.compartment_for_container(c.id)
    m.dockerd.remove_container(c.id, force=True)
    gone = compartment is not None and all(k.id != compartment.id for k in m.net.compartments())
    return gone and all(e.id != endpoint for e in m.hns.endpoints())


def hyperv_network_in_vm(m: HostModel) -> bool:
    """A Hyper-V isolated container's compartment and NIC are not the host's; its endpoint is attached."""
    c = m.dockerd.create_container(
        {
            "Image": _image(m).id,
            "Cmd": ["powershell"],
            "OpenStdin": True,
            "HostConfig": {"Isolation": "hyperv"},
        }
    )
    m.dockerd.start_container(c.id)
    ip = next((e.ip for e in m.hns.endpoints() if c.id.lower() in e.shared_containers), None)
    if ip is None:  # no endpoint attached to it
        m.dockerd.remove_container(c.id, force=True)
        return False
    in_host = any(c.id.lower() in comp.description.lower() for comp in m.net.compartments()) or any(
        ip in [a for a, _ in nic.addresses] for nic in m.net.interfaces()
    )
    m.dockerd.remove_container(c.id, force=True)
    return not in_host


CHECKS: dict[str, Check] = {
    Deviation.DEBUG_LOG_DROPS_QUERY: debug_log_keeps_query,
    Deviation.WAIT_NEXT_EXIT_IMMEDIATE: wait_next_exit_blocks,
    Deviation.WAIT_NEXT_EXIT_CREATED_IMMEDIATE: wait_next_exit_on_created_holds,
    Deviation.GRAPH_DRIVER_NOT_WINDOWSFILTER: graph_driver,
    Deviation.PARENT_LAYER_MOUNTED: parent_mount_is_folder,
    Deviation.SCRATCH_LAYER_RANDOM_ID: scratch_named_after_container,
    Deviation.LAYERCHAIN_BASE_FIRST: layerchain_base_last,
    Deviation.LAYERCHAIN_BASE_ONLY: layerchain_complete,
    Deviation.LAYERCHAIN_SKIPS_PARENT: layerchain_complete,
    Deviation.IMAGE_LAYER_DIR_MISSING: image_dir_exists,
    Deviation.START_WITHOUT_ACTIVATION: start_activates,
    Deviation.STABLE_VOLUME_PATH: volume_path_changes,
    Deviation.VOLUME_PATH_UNRESOLVABLE: volume_path_resolves,
    Deviation.DEFAULT_COMPARTMENT_NOT_NATIVE: default_compartment_native,
    Deviation.CONTAINER_COMPARTMENT_NATIVE: container_compartment_unspecified,
    Deviation.COMPARTMENT_DESCRIPTION_FORMAT: compartment_description,
    Deviation.NO_DEFAULT_ROUTE: default_route,
    Deviation.NIC_ALIAS_FORMAT: nic_alias,
    Deviation.NIC_ALIAS_2016_FORM: nic_alias,
    Deviation.ENDPOINT_BRINGS_COMPARTMENT: endpoint_is_virtual,
    Deviation.ENDPOINT_ATTACHED_AT_CREATE: endpoint_created_state,
    Deviation.ENDPOINT_NIC_AT_CREATE: endpoint_is_virtual,
    Deviation.COMPARTMENT_AT_START: compartment_at_create,
    Deviation.ENDPOINT_NOT_ATTACHED: endpoint_attached,
    Deviation.HCS_OWNER_NOT_DOCKER: owner_docker,
    Deviation.NO_CONTAINER_PROCESS: container_process,
    Deviation.NO_HCS_EVENTS: hcs_events,
    Deviation.CONTAINERS_RESTORED: not_restored,
    Deviation.LIVE_RESTORE_ACCEPTED: live_restore_refused,
    Deviation.FILTER_NOT_WCIFS: filter_wcifs,
    Deviation.LAYER_FILTER_NOT_WCIFS: filter_wcifs,
    Deviation.IMAGE_BUILD_MISMATCH_RUNS: process_isolation_needs_host_build,
    Deviation.HNS_NETWORK_NAMED_BY_NAME: user_network_named_by_id,
    Deviation.RESTARTABLE_CONTAINERS_RESTORED: restartable_started_anew,
    Deviation.STATIC_MAPPING_LEFT_BEHIND: static_mapping_goes_with_its_endpoint,
    Deviation.PORT_CONFLICT_ACCEPTED: taken_port_refused,
    Deviation.EXEC_EXIT_CODE_LOST: exec_exit_code,
    Deviation.STOP_TERMINATES_AT_ONCE: stop_shuts_down,
    Deviation.LAYER_FOLDER_LEFT_BEHIND: removal_destroys_scratch,
    Deviation.COMPARTMENT_LEFT_BEHIND: removal_deletes_network,
    Deviation.HYPERV_HOST_COMPARTMENT: hyperv_network_in_vm,
    Deviation.MAPPED_DIRECTORIES_DROPPED: bind_mount_mapped,
    Deviation.MAPPED_READ_ONLY_WRITABLE: bind_mount_mapped,
}


def test_every_model_deviation_has_a_check() -> None:
    assert set(CHECKS) == set(DEVIATIONS) - POWERSHELL_SIDE


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_deviation_breaks_its_behaviour(make_model: MakeModel, name: Deviation) -> None:
    check, profile = CHECKS[name], CHECK_PROFILE.get(name, "ws2022")
    # with the Hyper-V role, so that the Hyper-V isolation checks run too
    assert check(make_model(profile, hyperv=True)), f"{name}: the behaviour must hold on a faithful host"
    assert not check(make_model(profile, deviations=frozenset({name}), hyperv=True)), (
        f"{name}: the deviant host must break it"
    )


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_deviation_breaks_nothing_else(make_model: MakeModel, name: Deviation) -> None:
    """A deviant host still passes every other model check (run in turn on one host; daemon checks last)."""
    model = make_model(deviations=frozenset({name}), hyperv=True)
    others = [o for o in CHECKS if o != name and o not in CONSEQUENCES.get(name, set())]
    daemon = (
        Deviation.CONTAINERS_RESTORED,
        Deviation.RESTARTABLE_CONTAINERS_RESTORED,
        Deviation.LIVE_RESTORE_ACCEPTED,
    )
    others.sort(key=lambda o: daemon.index(o) + 1 if o in daemon else 0)  # live-restore leaves dockerd down
    failing = [o for o in others if not CHECKS[o](model)]
    assert failing == []
