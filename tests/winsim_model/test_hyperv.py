"""Hyper-V isolation in the model: the Hyper-V role it needs, the utility VM image, what HCS lists."""

from __future__ import annotations

import pytest

from tests.winsim_model.conftest import MakeModel
from winsim.model import HostModel
from winsim.model.errors import DockerError, HcsError
from winsim.model.eventlog import HCS_ADMIN
from winsim.model.hcs import ContainerConfig, LayerRef, SystemQuery
from winsim.model.paths import win_join


def _hyperv_config(model: HostModel, uvm: str | None = None) -> tuple[str, ContainerConfig]:
    image = model.dockerd.images.resolve(f"mcr.microsoft.com/windows/servercore:{model.profile.ltsc_tag}")
    assert image is not None
    store = model.windowsfilter
    parents = list(reversed(image.layer_paths))  # nearest first
    cid = "c" * 64
    scratch = store.create_sandbox_layer(cid, parents)
    config = ContainerConfig(
        name=cid,
        owner="wcc",
        layer_folder_path=scratch,
        layers=tuple(LayerRef(store.name_to_guid(p.rsplit("\\", 1)[-1]), p) for p in parents),
        hv_partition=True,
        hv_runtime_image_path=uvm if uvm is not None else win_join(parents[-1], "UtilityVM"),
    )
    return cid, config


def test_a_stock_host_has_no_hyperv_role(make_model: MakeModel) -> None:
    stock, with_role = make_model(), make_model(hyperv=True)
    assert "vmms" not in [s.name for s in stock.services()]
    assert "vmms" in [s.name for s in with_role.services()]
    cid, config = _hyperv_config(stock)
    with pytest.raises(HcsError) as info:
        stock.hcs.create_compute_system(cid, config)
    assert info.value.hresult == 0x80370102 and stock.hcs.systems() == []
    (event,) = [r for r in stock.events.records(HCS_ADMIN) if r.id == 11008]
    assert event.message == f"Cannot create system '{cid}' since Hyper-V is not installed on the host."


def test_the_utility_vm_image_must_exist(make_model: MakeModel) -> None:
    model = make_model(hyperv=True)
    cid, config = _hyperv_config(model, uvm="C:\\ProgramData\\docker\\windowsfilter\\nope\\UtilityVM")
    with pytest.raises(HcsError, match="cannot find the file"):
        model.hcs.create_compute_system(cid, config)


def test_hcs_lists_one_system_per_hyperv_container(make_model: MakeModel) -> None:
    model = make_model(hyperv=True)
    cid, config = _hyperv_config(model)
    model.hcs.create_compute_system(cid, config)
    model.hcs.start_compute_system(cid)
    (listed,) = model.hcs.enumerate_compute_systems(SystemQuery())
    assert (listed.id, listed.system_type, listed.state) == (cid, "Container", "Running")
    assert model.net.compartment_for_container(cid) is None  # in the utility VM


def test_dockerd_refuses_an_image_without_a_utility_vm(make_model: MakeModel) -> None:
    model = make_model(hyperv=True)
    image = model.dockerd.images.resolve(f"mcr.microsoft.com/windows/servercore:{model.profile.ltsc_tag}")
    assert image is not None
    model.files.remove(win_join(image.layer_paths[0], "UtilityVM"))
    c = model.dockerd.create_container({"Image": image.id, "HostConfig": {"Isolation": "hyperv"}})
    with pytest.raises(DockerError, match="utility VM image could not be found"):
        model.dockerd.start_container(c.id)
