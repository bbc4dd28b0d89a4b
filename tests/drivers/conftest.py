"""Simulated hosts for the driver tests: one shared per session (read-mostly tests) and fresh ones
for tests that change host-wide state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.host import Host, connect
from tests.drivers.lab import VIAS, Lab


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    shared = Lab.start(tmp_path_factory.mktemp("drivers-lab"))
    yield shared
    shared.close()


@pytest.fixture(scope="session", params=VIAS)
def via(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def shared_host(lab: Lab, via: str) -> Iterator[Host]:
    host = connect(lab.spec(via), run_id="drvtest")
    yield host
    host.close()


@pytest.fixture
def fresh_lab(tmp_path) -> Iterator[Lab]:
    own = Lab.start(tmp_path, name="drv-fresh")
    yield own
    own.close()


@pytest.fixture
def fresh_host(fresh_lab: Lab, via: str) -> Iterator[Host]:
    host = connect(fresh_lab.spec(via, lost_after=3.0), run_id="drvfresh")
    yield host
    host.close()
