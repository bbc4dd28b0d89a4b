"""Fixtures: a simulated host with the WinRM listeners started in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import winrm

from tests.winsim_winrm.programs import make_host
from winsim.host import SimHost
from winsim.winrm.config import WinRMConfig
from winsim.winrm.server import WinRMSurface, start


@pytest.fixture
def sim_host(tmp_path: Path) -> SimHost:
    return make_host(tmp_path / "state")


@pytest.fixture
def start_winrm(sim_host: SimHost) -> Iterator[Callable[..., WinRMSurface]]:
    """Start WinRM on ``sim_host`` with optional config overrides; stopped at teardown."""
    started: list[WinRMSurface] = []

    def _start(**overrides: object) -> WinRMSurface:
        surface = start(sim_host, "127.0.0.1", WinRMConfig.from_mapping(overrides) if overrides else None)
        started.append(surface)
        return surface

    yield _start
    for surface in started:
        surface.close()


@pytest.fixture
def surface(start_winrm: Callable[..., WinRMSurface]) -> WinRMSurface:
    return start_winrm()


@pytest.fixture
def protocol(surface: WinRMSurface, sim_host: SimHost) -> Callable[..., winrm.Protocol]:
    """``protocol(transport="ntlm", **kwargs)``: a raw pywinrm Protocol against the HTTP listener."""

    def _make(transport: str = "ntlm", **kwargs: object) -> winrm.Protocol:
        options: dict[str, object] = {
            "username": sim_host.credentials.username,
            "password": sim_host.credentials.password,
        }
        options.update(kwargs)
        return winrm.Protocol(surface.endpoints["winrm"]["http"], transport=transport, **options)  # type: ignore[arg-type]

    return _make
