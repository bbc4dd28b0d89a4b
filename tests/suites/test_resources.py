"""fixtures.resources against a simulated host: labels, reverse cleanup, sweeps that spare others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.hosts import HostPool
from fixtures.resources import LABEL, CleanupError, Containers, Direct, Networks, Stack, sweep
from fixtures.simhosts import stop_all
from inventory.model import HostSpec, Inventory, SimSettings

IMAGE = "mcr.microsoft.com/windows/servercore:ltsc2022"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    run_dir = tmp_path_factory.mktemp("run")
    spec = HostSpec(name="res-sim", transport="sim", sim=SimSettings(profile="ws2022"), os_build=20348)
    pool = HostPool(Inventory(hosts=(spec,), base_images={20348: IMAGE}), run_dir, "resrun")
    try:
        yield pool.get("res-sim")
    finally:
        pool.close()
        stop_all(run_dir)


def _container_ids(host) -> set[str]:
    return {c["Id"] for c in host.docker.client.api.containers(all=True)}


def test_stack_undoes_in_reverse_and_reports_every_failure():
    done: list[str] = []
    stack = Stack("h1")
    stack.push("a", lambda: done.append("a"))
    stack.push("b", lambda: (_ for _ in ()).throw(RuntimeError("stuck")))
    stack.push("c", lambda: done.append("c"))
    with pytest.raises(CleanupError, match=r"h1: cleanup failed for b: RuntimeError: stuck"):
        stack.close()
    assert done == ["c", "a"]


def test_factories_label_and_clean_up_in_reverse_on_failure(host):
    stack = Stack(host.name)
    networks, containers = Networks(host, "run1", stack), Containers(host, "run1", stack)
    with pytest.raises(ZeroDivisionError):
        try:
            network = networks.create(driver="nat")
            container = containers.run(network=network.name)
            assert container.labels[LABEL] == "run1"
            assert network.attrs["Labels"][LABEL] == "run1"
            assert container.name.startswith("wcc-run1-")  # wcc-<run>-<worker>-<test>-<n>
            1 / 0  # noqa: B018 - the test body fails
        finally:
            stack.close()  # container first (it uses the network), then the network
    assert container.id not in _container_ids(host)
    assert network.name not in {n["Name"] for n in host.docker.client.api.networks()}


def test_direct_factory_tears_down(host):
    stack = Stack(host.name)
    dc = Direct(host, stack)()
    scratch = dc.create_scratch()
    dc.activate()
    dc.create_endpoint()
    dc.create_compute_system()
    dc.start()
    assert host.hcs.get(dc.id) is not None
    stack.close()
    assert host.hcs.get(dc.id) is None
    assert not host.layers.exists(scratch)


def test_sweep_removes_only_other_runs_labelled_leftovers(host):
    client = host.docker.client
    stack = Stack(host.name)
    old = Containers(host, "oldrun", Stack(host.name)).create()
    old_net = Networks(host, "oldrun", Stack(host.name)).create(driver="nat")
    mine = Containers(host, "thisrun", stack).create()
    bare = client.containers.create(IMAGE, "powershell", name="not-ours", stdin_open=True)
    try:
        removed = sweep(host, "thisrun", mine=False)
        ids = _container_ids(host)
        assert old.id not in ids and old_net.name not in {n["Name"] for n in client.api.networks()}
        assert mine.id in ids, "the sweep at start removed this run's container"
        assert bare.id in ids, "the sweep removed an unlabelled container"
        assert "nat" in {n["Name"] for n in client.api.networks()}
        assert f"container {old.id[:12]}" in removed
        sweep(host, "thisrun", mine=True)
        assert mine.id not in _container_ids(host)
        assert bare.id in _container_ids(host)
    finally:
        bare.remove(force=True)
        stack.close()


def test_sweep_is_idempotent_on_a_clean_host(host):
    assert sweep(host, "nobody", mine=True) == []
