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
    assert default["CompartmentGuid"] == "B1062982-2B18-4B4F-B3D5-A78DDB9CDD49"
    assert default["CompartmentId"] == 1 and default["IsDefault"] is True
    container = run_seed(model)
    spaces = model.hns.namespaces()
    assert len(spaces) == 2
    ns = spaces[1]
    comp = model.net.compartment_for_container(container.id)
    assert comp is not None
    assert ns["CompartmentId"] == comp.id != 1
    assert ns["CompartmentGuid"] == comp.guid.strip("{}").upper()
    endpoint = next(e for e in model.hns.endpoints() if e.get("Namespace"))
    assert endpoint["Namespace"]["CompartmentId"] == comp.id
