"""The model's state machine and the order of operations for docker-driven containers."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.winsim_model.conftest import run_seed
from winsim.model import (
    HCS_OPERATIONAL,
    DaemonNotRunning,
    DaemonStartError,
    DockerError,
    ErrorKind,
    HcsError,
    HostModel,
)
from winsim.model.container_process import KILL_EXIT_CODE, STOP_EXIT_CODE
from winsim.model.docker_base import DAEMON_JSON
from winsim.model.hcs import ContainerConfig, LayerRef, ProcessConfig, SystemQuery
from winsim.model.paths import win_basename
from winsim.native.hcs_schema1 import properties_document
from winsim.native.hnscall import hns_call


def ops(model: HostModel, since: int = 0) -> list[str]:
    return [e.op for e in model.journal_since(since)]


def test_create_makes_scratch_layer_named_after_container_with_chain(model: HostModel) -> None:
    image = model.dockerd.images.resolve("mcr.microsoft.com/windows/servercore:ltsc2022")
    assert image is not None
    mark = model.journal_mark()
    c = model.dockerd.create_container(
        {"Image": "mcr.microsoft.com/windows/servercore:ltsc2022", "Cmd": ["cmd"]}, name="a1"
    )
    assert ops(model, mark)[:2] == ["hcsshim::GetLayerMountPath", "hcsshim::CreateSandboxLayer"]
    assert win_basename(c.scratch_path) == c.id
    assert c.id in model.windowsfilter.folders()
    raw = model.files.read_text(c.scratch_path + "\\layerchain.json")
    assert raw == json.dumps(list(reversed(image.layer_paths)), separators=(",", ":"))
    assert model.windowsfilter.layer_chain(image.layer_paths[0]) == []  # the base layer's chain is empty


def test_start_order_matches_moby(model: HostModel) -> None:
    mark = model.journal_mark()
    c = run_seed(model)
    seen = [op for op in ops(model, mark) if op != "hcsshim::NameToGuid"]
    start = seen.index("hcsshim::ActivateLayer")
    assert seen[start:] == [
        "hcsshim::ActivateLayer",
        "hcsshim::PrepareLayer",
        "hcsshim::GetLayerMountPath",
        "HNSCall POST /endpoints",
        "HcsCreateComputeSystem",
        "HNSCall POST /endpoints/attach",
        "HcsStartComputeSystem",
        "HcsCreateProcess",
    ]
    assert c.volume_path.startswith("\\\\?\\Volume{") and c.volume_path.endswith("}\\")


def test_endpoint_is_virtual_until_compute_system_exists(model: HostModel) -> None:
    nat = model.hns.network_by_name("nat")
    assert nat is not None
    before = (len(model.net.compartments()), len(model.net.interfaces()))
    env = json.loads(hns_call(model.hns, "POST", "/endpoints", json.dumps({"VirtualNetwork": nat.id})))
    assert env["Success"] is True and env["Output"]["State"] == 1
    assert (len(model.net.compartments()), len(model.net.interfaces())) == before


def test_running_container_network_view(model: HostModel) -> None:
    c = run_seed(model)
    comp = model.net.compartment_for_container(c.id)
    assert comp is not None and comp.type == "Unspecified" and comp.description == f"\\Container_{c.id}"
    default = model.net.compartment(1)
    assert default is not None and (default.type, default.description) == ("Native", "Default Compartment")
    assert default.guid == "{b1062982-2b18-4b4f-b3d5-a78ddb9cdd49}"
    att = next(iter(c.networks.values()))
    nics = [i for i in model.net.interfaces(comp.id) if i.endpoint_id == att.hns_endpoint_id]
    assert [n.alias for n in nics] == ["vEthernet (Ethernet)"]  # 20348: the endpoint's name
    assert nics[0].addresses == [(att.ip, 20)]
    routes = {(r.destination_prefix, r.next_hop) for r in model.net.routes(comp.id)}
    assert ("0.0.0.0/0", att.gateway) in routes
    ep = model.hns.endpoint(att.hns_endpoint_id)
    assert ep.state == 2 and c.id in ep.shared_containers and ep.mac.count("-") == 5
    system = [
        properties_document(s) for s in model.hcs.enumerate_compute_systems(SystemQuery(owners=("docker",)))
    ]
    assert [(s["Id"], s["Name"], s["Owner"], s["SystemType"], s["State"]) for s in system] == [
        (c.id, c.id, "docker", "Container", "Running")
    ]
    procs = properties_document(model.hcs.get_compute_system_properties(c.id), with_processes=True)
    assert "powershell.exe" in [p["ImageName"] for p in procs["ProcessList"]]
    wcifs = next(f for f in model.filters() if f.name == "wcifs")
    assert wcifs.instances == 1


def test_stop_reverses_and_removes_compartment(model: HostModel) -> None:
    c = run_seed(model)
    comp = model.net.compartment_for_container(c.id)
    assert comp is not None
    mark = model.journal_mark()
    model.dockerd.stop_container(c.id)
    assert ops(model, mark) == [
        "HcsShutdownComputeSystem",  # the call, then what its completion undoes
        "HNSCall POST /endpoints/detach",
        "HcsCloseComputeSystem",
        "HNSCall DELETE /endpoints",
        "hcsshim::UnprepareLayer",
        "hcsshim::DeactivateLayer",
    ]
    assert model.net.compartment(comp.id) is None and model.net.interfaces(comp.id) == []
    assert c.status == "exited" and c.exit_code == 3221225786
    model.dockerd.remove_container(c.id)
    assert c.id not in model.windowsfilter.folders()


def test_volume_path_changes_on_every_activation(model: HostModel) -> None:
    c = run_seed(model)
    first = c.volume_path
    model.dockerd.stop_container(c.id)
    model.dockerd.start_container(c.id)
    assert c.volume_path != first


def test_stop_waits_the_timeout_for_a_console_process_then_terminates(model: HostModel) -> None:
    c = run_seed(model, tty=True)
    system = model.hcs.get(c.id)
    assert system is not None
    mark = model.journal_mark()
    began = time.monotonic()
    model.dockerd.stop_container(c.id, timeout=1)
    took = time.monotonic() - began
    assert 1.0 <= took < 1.5
    assert [o for o in ops(model, mark) if o.startswith("Hcs")][:2] == [
        "HcsShutdownComputeSystem",
        "HcsTerminateComputeSystem",
    ]
    assert (system.exit_type, c.status, c.exit_code) == ("ForcedExit", "exited", KILL_EXIT_CODE)
    assert model.hcs.get(c.id) is None
    assert any(
        "failed to exit within 1 seconds of signal 15 - using the force" in line
        for line in model.dockerd.debug_log()
    )


def test_a_shutdown_waits_for_a_console_process_and_ends_the_others(model: HostModel) -> None:
    c = run_seed(model, tty=True)
    init = c.pid
    pid = model.hcs.create_process(c.id, ProcessConfig(command_line="ping -t localhost"))
    model.hcs.shutdown_compute_system(c.id)
    system = model.hcs.get(c.id)
    assert system is not None and system.state == "Running" and system.shutting_down
    assert system.processes[pid].exit_code == STOP_EXIT_CODE  # no console: CTRL_SHUTDOWN_EVENT ended it
    assert system.processes[init].exit_code is None  # the console process holds the shutdown
    model.hcs.shutdown_compute_system(c.id)  # asked again: still pending
    model.hcs.terminate_compute_system(c.id)
    assert (system.state, system.exit_type, system.processes[init].exit_code, c.exit_code) == (
        "Stopped",
        "ForcedExit",
        KILL_EXIT_CODE,
        KILL_EXIT_CODE,
    )


def test_a_created_system_cannot_be_shut_down(model: HostModel) -> None:
    c = model.dockerd.create_container({"Image": "mcr.microsoft.com/windows/servercore:ltsc2022"})
    layer = model.windowsfilter.layer(c.scratch_path)
    assert layer is not None
    model.hcs.create_compute_system("s1", ContainerConfig(name="s1", layer_folder_path=c.scratch_path))
    with pytest.raises(HcsError) as state:
        model.hcs.shutdown_compute_system("s1")
    assert state.value.hresult == 0xC0370105  # HCS_E_INVALID_STATE (HcsShutDownComputeSystem's reference)


def test_hcs_events_for_create_start_terminate(model: HostModel) -> None:
    c = run_seed(model)
    model.dockerd.remove_container(c.id, force=True)
    recs = [r for r in model.events.records(HCS_OPERATIONAL) if r.system_id == c.id]
    assert len(recs) == 3 and recs[0].time_created <= recs[-1].time_created
    assert [r.message.split("'")[2] for r in recs] == [" was created.", " started.", " was terminated."]


def test_docker_errors(model: HostModel) -> None:
    c = run_seed(model, "example")
    with pytest.raises(DockerError) as conflict:
        model.dockerd.create_container(
            {"Image": "mcr.microsoft.com/windows/servercore:ltsc2022"}, name="example"
        )
    assert conflict.value.kind is ErrorKind.CONFLICT and f'by container "{c.id}"' in conflict.value.message
    with pytest.raises(DockerError) as running:
        model.dockerd.remove_container("example")
    assert running.value.kind is ErrorKind.CONFLICT and running.value.message.startswith(
        "You cannot remove a running container"
    )
    with pytest.raises(DockerError) as missing:
        model.dockerd.container("nope")
    assert (missing.value.kind, missing.value.message) == (ErrorKind.NOT_FOUND, "No such container: nope")


def test_hcs_error_codes(model: HostModel) -> None:
    with pytest.raises(HcsError) as e:
        model.hcs.start_compute_system("missing")
    assert e.value.hresult == 0xC037010E
    c = run_seed(model)
    with pytest.raises(HcsError) as dup:
        model.hcs.create_compute_system(c.id, ContainerConfig())
    assert dup.value.hresult == 0xC037010F
    with pytest.raises(HcsError) as state:
        model.hcs.start_compute_system(c.id)
    assert state.value.result_document() == {
        "Error": -1070137083,
        "ErrorMessage": "The requested compute system operation is not valid in the current state.",
    }


def test_hns_errors_use_the_envelope(model: HostModel) -> None:
    out = json.loads(hns_call(model.hns, "GET", "/endpoints/00000000-0000-0000-0000-000000000000"))
    assert out == {"Success": False, "Error": "Element not found."}
    nat = json.loads(hns_call(model.hns, "GET", "/networks/"))["Output"][0]
    assert (
        nat["Name"] == "nat"
        and nat["ID"] == nat["ID"].upper()
        and nat["Subnets"][0]["AddressPrefix"].endswith("/20")
    )


def test_direct_lifecycle_without_dockerd(model: HostModel) -> None:
    """The seed's sequence through the Win32-shaped calls only (what the drivers' direct route does)."""
    image = model.dockerd.images.resolve("mcr.microsoft.com/windows/servercore:ltsc2022")
    assert image is not None
    cid = "ab" * 32
    chain = list(reversed(image.layer_paths))
    store = model.windowsfilter
    scratch = store.create_sandbox_layer(cid, chain)
    store.activate_layer(scratch)
    store.prepare_layer(scratch, chain)
    volume = store.get_layer_mount_path(scratch)
    nat = model.hns.network_by_name("nat")
    assert nat is not None
    ep = json.loads(hns_call(model.hns, "POST", "/endpoints/", json.dumps({"VirtualNetwork": nat.id})))[
        "Output"
    ]
    assert model.net.compartment_for_container(cid) is None
    config = ContainerConfig(
        name=cid,
        owner="wcc-test",
        volume_path=volume.rstrip("\\"),
        layer_folder_path=scratch,
        layers=tuple(LayerRef(store.name_to_guid(win_basename(p)), p) for p in chain),
        endpoints=(ep["ID"],),
    )
    model.hcs.create_compute_system(cid, config)
    assert (
        model.net.compartment_for_container(cid) is not None
    )  # the compartment comes with the compute system
    model.hcs.start_compute_system(cid)
    pid = model.hcs.create_process(cid, ProcessConfig("cmd /c ping -t localhost"))
    assert pid > 0
    model.hcs.terminate_compute_system(cid)
    assert model.net.compartment_for_container(cid) is None
    model.hcs.close_compute_system(cid)
    assert model.hcs.get(cid) is None


def test_wait_next_exit_blocks_until_the_container_exits(model: HostModel) -> None:
    c = run_seed(model)
    codes: list[int] = []
    registered = threading.Event()

    def waiter() -> None:
        with model.lock:
            registered.set()  # the wait holds the lock until it starts waiting on the condition
            codes.append(model.dockerd.wait_container(c.id, "next-exit"))

    t = threading.Thread(target=waiter)
    t.start()
    registered.wait()
    with model.lock:
        assert codes == []
    model.dockerd.stop_container(c.id)
    t.join(5)
    assert codes == [3221225786]


def test_wait_next_exit_on_a_created_container_holds_through_start(model: HostModel) -> None:
    d = model.dockerd
    c = d.create_container(
        {"Image": "mcr.microsoft.com/windows/servercore:ltsc2022", "Cmd": ["powershell"], "OpenStdin": True}
    )
    next_exit = d.begin_wait(c.id, "next-exit")
    not_running = d.begin_wait(c.id, "not-running")
    assert not_running(None) == 0, "not-running returns at once for a created container"
    d.start_container(c.id)
    codes: list[int] = []
    t = threading.Thread(target=lambda: codes.append(next_exit(None)))
    t.start()
    t.join(0.3)
    assert t.is_alive() and codes == [], "next-exit stays pending while the container runs"
    d.stop_container(c.id)
    t.join(5)
    assert codes == [3221225786]


def test_kill_keeps_compute_systems_and_restart_terminates_them(model: HostModel) -> None:
    c = run_seed(model)
    model.dockerd.kill()
    assert model.dockerd.service_status == "Stopped" and model.dockerd.pid is None
    with pytest.raises(DaemonNotRunning):
        model.dockerd.container(c.id)
    system = model.hcs.get(c.id)
    assert system is not None and system.state == "Running"
    assert model.net.compartment_for_container(c.id) is not None
    model.dockerd.start()
    assert model.hcs.get(c.id) is None
    assert c.status == "exited" and model.net.compartment_for_container(c.id) is None
    assert "HcsTerminateComputeSystem" in ops(model)


def test_restart_policy_container_comes_back_after_restart(model: HostModel) -> None:
    d = model.dockerd
    c = d.create_container(
        {
            "Image": "mcr.microsoft.com/windows/servercore:ltsc2022",
            "Cmd": ["ping", "-t", "localhost"],
            "HostConfig": {"RestartPolicy": {"Name": "always"}},
        }
    )
    d.start_container(c.id)
    d.kill()
    d.start()
    assert c.status == "running" and model.hcs.get(c.id) is not None


def test_live_restore_refuses_start_with_dockerds_error(model: HostModel) -> None:
    model.dockerd.stop()
    model.files.write_text(DAEMON_JSON, '{"debug": true, "live-restore": true}')
    with pytest.raises(DaemonStartError) as e:
        model.dockerd.start()
    assert str(e.value) == (
        "unable to configure the Docker daemon with file C:\\ProgramData\\docker\\config\\daemon.json: "
        "the following directives don't match any configuration option: live-restore"
    )
    assert model.dockerd.service_status == "Stopped"


def test_files_are_case_insensitive_and_confined(model: HostModel) -> None:
    model.files.write_text("C:\\Temp\\A.txt", "x")
    assert model.files.read_text("c:/TEMP/a.TXT") == "x"
    assert model.files.exists("C:\\PROGRAMDATA\\DOCKER\\CONFIG\\DAEMON.JSON")
    with pytest.raises(ValueError, match="escapes"):
        model.files.real("C:\\..\\..\\etc\\passwd")


def test_concurrent_creates_lose_nothing(model: HostModel) -> None:
    ids: list[str] = []
    errors: list[Exception] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                c = model.dockerd.create_container(
                    {
                        "Image": "mcr.microsoft.com/windows/servercore:ltsc2022",
                        "Cmd": ["ping", "-t", "localhost"],
                    },
                    name=f"w{n}-{i}",
                )
                model.dockerd.start_container(c.id)
                ids.append(c.id)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 40
    assert len(model.dockerd.list_containers()) == 40
    assert len(model.net.compartments()) == 41
    assert len({c.id for c in model.hcs.systems()}) == 40
    assert set(ids) <= set(model.windowsfilter.folders())
