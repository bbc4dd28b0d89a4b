from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from winsim.deviations import check_deviations
from winsim.docker_api.server import DockerSurface, start
from winsim.host import SimHost
from winsim.profiles import PROFILES


@dataclass
class Sim:
    host: SimHost
    surface: DockerSurface

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        exe = shutil.which("docker")
        if exe is None:
            if os.environ.get("CI") == "true":
                pytest.fail("the docker CLI is not installed; CI must provide it")
            pytest.skip("the docker CLI is not installed (fails under CI=true)")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update(self.surface.env(), DOCKER_CONFIG=str(self.host.state_dir / "cli-config"))
        done = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} -> {done.returncode}: {done.stderr}")
        return done

    def sdk(self) -> docker.DockerClient:
        certs = self.surface.cert_path
        assert certs is not None
        tls = docker.tls.TLSConfig(
            client_cert=(str(certs / "cert.pem"), str(certs / "key.pem")),
            ca_cert=str(certs / "ca.pem"),
            verify=True,
        )
        return docker.DockerClient(
            base_url=self.surface.url.replace("tcp://", "https://"), tls=tls, version="auto"
        )


MakeSim = Callable[..., Sim]


@pytest.fixture
def make_sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeSim]:
    # requests lets these override the SDK's own CA bundle; a client environment quirk, not the server's
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    made: list[Sim] = []

    def make(
        profile: str = "ws2022",
        deviations: frozenset[str] = frozenset(),
        daemon_debug: bool = True,
        hyperv: bool = False,
    ) -> Sim:
        # Debug on by default here: these tests read dockerd's log (a stock host has it off).
        check_deviations(deviations)
        host = SimHost(
            f"{profile}-sim",
            PROFILES[profile],
            tmp_path / f"h{len(made)}",
            deviations,
            daemon_debug=daemon_debug,
            hyperv=hyperv,
        )
        sim = Sim(host, start(host, "127.0.0.1", tls=True))
        made.append(sim)
        return sim

    yield make
    for sim in made:
        sim.surface.close()


@pytest.fixture
def sim(make_sim: MakeSim) -> Sim:
    return make_sim()
