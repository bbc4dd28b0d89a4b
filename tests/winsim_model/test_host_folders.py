"""The host filesystem has the folders of an installed Windows Server; HNS namespaces name their compartment."""

from __future__ import annotations

from tests.winsim_model.conftest import run_seed
from winsim.model import HostModel

FOLDERS = (
    r"C:\Users\Administrator",
    r"c:\windows\system32",
    r"C:\ProgramData\docker\config",
    r"C:\Users\Administrator\AppData\Local\Temp",
)


def test_standard_folders_exist(model: HostModel) -> None:
    for folder in FOLDERS:
        assert model.files.is_dir(folder), folder


def test_namespaces_carry_compartment_guid_and_id(model: HostModel) -> None:
    (default,) = model.hns.namespaces()
    assert default.compartment_guid == "B1062982-2B18-4B4F-B3D5-A78DDB9CDD49"
    assert default.compartment_id == 1 and default.is_default is True
    container = run_seed(model)
    spaces = model.hns.namespaces()
    assert len(spaces) == 2
    ns = spaces[1]
    comp = model.net.compartment_for_container(container.id)
    assert comp is not None
    assert ns.compartment_id == comp.id != 1
    assert ns.compartment_guid == comp.guid.strip("{}").upper()
    endpoint = next(e for e in model.hns.endpoints() if e.namespace_id)
    assert endpoint.compartment_id == comp.id and not endpoint.namespaced  # HCS attached it
