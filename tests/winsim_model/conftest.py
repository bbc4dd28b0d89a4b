from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from winsim.model import HostModel
from winsim.model.docker_objects import Container
from winsim.profiles import PROFILES

MakeModel = Callable[..., HostModel]


@pytest.fixture
def make_model(tmp_path: Path) -> MakeModel:
    counter = iter(range(1000))

    def make(
        profile: str = "ws2022",
        deviations: frozenset[str] = frozenset(),
        daemon_debug: bool = True,
        hyperv: bool = False,
    ) -> HostModel:
        # Debug logging on unless asked: many model tests read dockerd's log (a stock host has it off).
        # ``hyperv``: the Hyper-V role, off as on a stock host.
        path = tmp_path / f"host{next(counter)}"
        return HostModel(PROFILES[profile], path, deviations, daemon_debug, hyperv=hyperv)

    return make


@pytest.fixture
def model(make_model: MakeModel) -> HostModel:
    return make_model()


def run_seed(model: HostModel, name: str | None = None) -> Container:
    """The seed's command at model level: network, then run -id powershell (a generated name unless given)."""
    d = model.dockerd
    if not any(n.name == "examplenetwork" for n in d.networks.values()):
        d.create_network("examplenetwork", "nat")
    c = d.create_container(
        {
            "Image": "mcr.microsoft.com/windows/servercore:ltsc2022",
            "Cmd": ["powershell"],
            "OpenStdin": True,
            "HostConfig": {"NetworkMode": "examplenetwork"},
        },
        name=name,
    )
    d.start_container(c.id)
    return c
