"""Fixtures: a simulated host, an in-process PowerShell runspace on it, and a running container.

``ps(script)`` runs a script in one runspace of the host and returns what Windows PowerShell
would have written (text), the error records and the output objects.  Containers are started
with the docker SDK through the host's Docker API, as the seed's ``docker run`` does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import pytest

from winsim.docker_api import server
from winsim.host import SimHost
from winsim.powershell.errors import ErrorRecord, ExitSignal
from winsim.powershell.format import render
from winsim.powershell.interpreter import Interpreter


@dataclass
class PSResult:
    objects: list[Any] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    host_text: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return render(self.objects)

    @property
    def error_ids(self) -> list[str]:
        return [e.error.error_id for e in self.errors]

    @property
    def error_text(self) -> str:
        return "\n".join("\n".join(e.lines()) for e in self.errors)


def make_host(state: Path, deviations: frozenset[str] = frozenset(), profile: str = "ws2022") -> SimHost:
    return SimHost.create("wccsim", profile, state, deviations=deviations)


@pytest.fixture
def profile() -> str:
    """Override with ``@pytest.mark.parametrize('profile', ['ws2016'])`` for a behaviour of another build
    (the seed's ``*Container NIC*`` alias is Windows Server 2016's)."""
    return "ws2022"


@pytest.fixture
def deviations() -> frozenset[str]:
    """Override (e.g. with ``@pytest.mark.parametrize('deviations', ...)``) to break one behaviour."""
    return frozenset()


@pytest.fixture
def sim_host(tmp_path: Path, deviations: frozenset[str], profile: str) -> SimHost:
    return make_host(tmp_path / "state", deviations, profile)


@pytest.fixture
def ps(sim_host: SimHost) -> Callable[[str], PSResult]:
    """Run a script in one persistent runspace (variables survive between calls)."""
    result = PSResult()
    interp = Interpreter(
        sim_host,
        on_output=lambda items: result.objects.extend(items),
        on_error=result.errors.append,
        write_stdout=result.host_text.append,
    )

    def run(script: str) -> PSResult:
        result.objects.clear()
        result.errors.clear()
        result.host_text.clear()
        with contextlib.suppress(ExitSignal):  # `exit N` ends the script, as in powershell.exe
            interp.run(script)
        return PSResult(list(result.objects), list(result.errors), list(result.host_text))

    return run


@dataclass
class StartedContainer:
    id: str
    name: str


@pytest.fixture
def docker_client(sim_host: SimHost, monkeypatch: pytest.MonkeyPatch) -> Iterator[docker.DockerClient]:
    """The docker SDK against the host's Docker API (plain TCP: TLS is the docker tests' subject)."""
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    surface = server.start(sim_host, "127.0.0.1", tls=False)
    client = docker.DockerClient(base_url=surface.url, version="1.39")
    yield client
    client.close()
    surface.close()


@pytest.fixture
def start_container(docker_client: docker.DockerClient, sim_host: SimHost) -> Callable[..., StartedContainer]:
    """``start_container(name=...)``: ``docker run -id --name <name> servercore powershell`` through the API."""

    def _start(name: str = "example") -> StartedContainer:
        tag = sim_host.profile.ltsc_tag
        image = f"mcr.microsoft.com/windows/servercore:{tag}"
        c = docker_client.containers.run(image, ["powershell"], name=name, detach=True, stdin_open=True)
        return StartedContainer(c.id, name)

    return _start
