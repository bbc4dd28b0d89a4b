"""The seed's lifecycle performed directly (no Docker), every step observed, over WinRM and SSH."""

from __future__ import annotations

import time

import pytest

from drivers.direct import Mount
from drivers.errors import DriverError, ProbeError
from drivers.host import Host, connect
from tests.drivers.lab import Lab


def test_direct_lifecycle_step_by_step(shared_host: Host):
    image = shared_host.docker.client.images.list()[0].tags[0]
    h = shared_host
    with h.hcs.direct(image) as c:
        scratch = c.create_scratch()
        assert scratch.lower() == f"{h.layers.root}\\{c.id}".lower()
        assert c.id in h.layers.folders()
        assert h.layers.layerchain(c.id) == c.parent_layers  # nearest parent first
        assert h.layers.mount_path(c.parent_layers[0]).lower() == c.parent_layers[0].lower()

        volume = c.activate()
        assert volume.startswith("\\\\?\\Volume{") and volume.endswith("}\\")

        ep = c.create_endpoint()
        assert h.hns.endpoint(ep.id) is not None
        assert h.net.compartment_for_container(c.id) is None  # only a virtual resource so far

        cs = c.create_compute_system()
        assert (cs.id, cs.owner, cs.system_type) == (c.id, f"wcc-{h.run_id}", "Container")
        compartment = h.net.compartment_for_container(c.id)
        assert compartment is not None and compartment.type == "Unspecified"

        running = c.start()
        assert running.state == "Running"
        now = h.hcs.get(c.id)
        assert now is not None and now.state == "Running"
        process = c.create_process("cmd /c ping -t localhost")
        assert process.process_id in [p.process_id for p in h.hcs.processes(c.id)]
    assert c.steps[-4:] == [
        "HcsTerminateComputeSystem",
        "HNSCall DELETE /endpoints/",
        "UnprepareLayer+DeactivateLayer",
        "DestroyLayer",
    ]
    assert h.hcs.get(c.id) is None
    assert h.hns.endpoint(ep.id) is None
    assert c.id not in h.layers.folders()


def test_teardown_runs_when_a_step_fails(shared_host: Host):
    image = shared_host.docker.client.images.list()[0].tags[0]
    with pytest.raises(RuntimeError, match="step failed"), shared_host.hcs.direct(image) as c:
        c.create_scratch()
        c.activate()
        raise RuntimeError("step failed")
    assert c.steps == [
        "CreateSandboxLayer",
        "ActivateLayer+PrepareLayer",
        "UnprepareLayer+DeactivateLayer",
        "DestroyLayer",
    ]
    assert c.id not in shared_host.layers.folders()


def test_hyperv_lifecycle_builds_libcontainerds_configuration(tmp_path, via: str):
    """Under Hyper-V isolation: HvPartition, HvRuntime.ImagePath the base layer's UtilityVM, no VolumePath
    (moby libcontainerd/local/local_windows.go); nothing mounted on the host, no host compartment."""
    lab = Lab.start(tmp_path, name="drv-hv", hyperv=True)
    h = connect(lab.spec(via), run_id="drvhv")
    try:
        image = h.docker.client.images.list()[0].tags[0]
        with h.hcs.direct(image, isolation="hyperv") as c:
            c.create_scratch()
            assert c.activate() == ""
            c.create_endpoint()
            config = c.configuration()
            assert (config["HvPartition"], config["LayerFolderPath"]) == (True, c.scratch)
            assert config["HvRuntime"] == {"ImagePath": c.parent_layers[-1] + "\\UtilityVM"}
            assert "VolumePath" not in config
            cs = c.create_compute_system()
            assert c.start().state == "Running" and cs.id == c.id
            assert h.net.compartment_for_container(c.id) is None  # inside the utility VM
            assert [s.id for s in h.hcs.list() if c.id in s.id] == [c.id]
        assert "UnprepareLayer+DeactivateLayer" not in c.steps
        assert h.hcs.get(c.id) is None and c.id not in h.layers.folders()
    finally:
        h.close()
        lab.close()


def test_hyperv_compute_system_is_refused_without_the_hyperv_role(shared_host: Host):
    image = shared_host.docker.client.images.list()[0].tags[0]
    with shared_host.hcs.direct(image, isolation="hyperv") as c:
        c.create_scratch()
        c.create_endpoint()
        with pytest.raises(ProbeError, match="a required feature is not installed"):
            c.create_compute_system()
    assert shared_host.hcs.get(c.id) is None and c.id not in shared_host.layers.folders()


def test_an_unknown_isolation_is_refused(shared_host: Host):
    with pytest.raises(DriverError, match="isolation 'vm'"):
        shared_host.hcs.direct("x", isolation="vm")


def _entries_once(host: Host, folder: str, name: str, deadline: float = 10.0) -> dict[str, str | None]:
    """The folder's files once ``name`` is there (a container's process writes it), or as they are at the deadline."""
    end = time.monotonic() + deadline
    while True:
        entries = {e.name: e.content for e in host.folders.entries(folder)}
        if name in entries or time.monotonic() > end:
            return entries
        time.sleep(0.1)


def test_direct_mounts_map_host_folders(shared_host: Host):
    """MappedDirectories as libcontainerd builds them; an HCS process writes through the mapping."""
    h = shared_host
    image = h.docker.client.images.list()[0].tags[0]
    rw, ro = h.folders.for_run(h.run_id, "direct-rw"), h.folders.for_run(h.run_id, "direct-ro")
    try:
        assert [(e.name, e.content) for e in h.folders.create(rw, "in.txt", "from the host")] == [
            ("in.txt", "from the host")
        ]
        h.folders.create(ro, "in.txt", "read only")
        mounts = [Mount(rw, "C:\\data"), Mount(ro, "C:\\ro", read_only=True)]
        with h.hcs.direct(image) as c:
            c.create_scratch()
            c.activate()
            config = c.configuration(mounts)
            assert list(config)[7:10] == ["HostName", "MappedDirectories", "HvPartition"]
            assert config["MappedDirectories"][1] == {
                "HostPath": ro,
                "ContainerPath": "C:\\ro",
                "ReadOnly": True,
                "BandwidthMaximum": 0,
                "IOPSMaximum": 0,
                "CreateInUtilityVM": False,
            }
            assert "MappedDirectories" not in c.configuration()
            c.create_compute_system(mounts)
            c.start()
            c.create_process(
                "cmd /c copy C:\\data\\in.txt C:\\data\\copy.txt & copy C:\\ro\\in.txt C:\\ro\\copy.txt"
                " & echo done> C:\\data\\done.txt"
            )
            seen = _entries_once(h, rw, "done.txt")
            assert seen == {"copy.txt": "from the host", "done.txt": "done\r\n", "in.txt": "from the host"}
            assert {e.name for e in h.folders.entries(ro)} == {"in.txt"}
    finally:
        h.folders.remove(h.folders.for_run(h.run_id))
    assert h.folders.entries(rw) == []
