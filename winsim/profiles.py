"""Host profiles (which Windows Server a simulated host resembles) and latency profiles.

Values marked INFERRED in ../shared/reference/windows-internals.md live here as plain data so
they are easy to change once someone captures them on a real host.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HostProfile:
    name: str
    build: int
    ubr: int
    product_name: str
    display_version: str
    ltsc_tag: str  # base image tag that matches this build
    docker_version: str
    docker_api_version: str
    kernel_version: str
    isolation: str = "process"
    hns_version: str = "13.2"

    @property
    def os_version(self) -> str:
        return f"10.0.{self.build}.{self.ubr}"

    @property
    def engine_version(self) -> tuple[int, int]:
        """(major, minor) of the docker engine (18, 9 for 18.09.7): engines change answers by it."""
        major, _, rest = self.docker_version.partition(".")
        minor = "".join(ch for ch in rest.split(".", 1)[0] if ch.isdigit())
        return int(major), int(minor or 0)

    @property
    def engine_major(self) -> int:
        return self.engine_version[0]

    @property
    def nic_alias_is_endpoint_name(self) -> bool:
        """From 1803 (17134) a container vNIC is ``vEthernet (<HNS endpoint name>)``; before it,
        ``vEthernet (Container NIC <first group of the endpoint GUID>)`` (tests/fidelity samples
        ipconfig-container-nic-*; cloudfoundry/winc network/netrules encodes the same split)."""
        return self.build >= NIC_ALIAS_ENDPOINT_NAME_BUILD


# Windows Server 1803: the first build whose container vNIC alias names the HNS endpoint.
NIC_ALIAS_ENDPOINT_NAME_BUILD = 17134
# Docker Engine 23.0 refuses to start below Windows Server 2019 (moby daemon_windows.go
# checkSystem), so a 2016 profile runs the last engine line that supported it.
ENGINE_23_MIN_BUILD = 17763

PROFILES: dict[str, HostProfile] = {
    "ws2016": HostProfile(
        name="ws2016",
        build=14393,
        ubr=447,
        product_name="Windows Server 2016 Datacenter",
        display_version="1607",
        ltsc_tag="ltsc2016",
        docker_version="18.09.7",
        docker_api_version="1.39",
        # the kernel line of a real 14393.447 host (tests/fidelity/samples/docker-info-ws2016-1.12.txt)
        kernel_version="10.0 14393 (14393.447.amd64fre.rs1_release_inmarket.161102-0100)",
        hns_version="6.2",  # INFERRED: HNS v1 only on 2016
    ),
    "ws2019": HostProfile(
        name="ws2019",
        build=17763,
        ubr=6414,
        product_name="Windows Server 2019 Datacenter",
        display_version="1809",
        ltsc_tag="ltsc2019",
        docker_version="24.0.7",
        docker_api_version="1.43",
        kernel_version="10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)",
        hns_version="11.0",
    ),
    "ws2022": HostProfile(
        name="ws2022",
        build=20348,
        ubr=2849,
        product_name="Windows Server 2022 Datacenter",
        display_version="21H2",
        ltsc_tag="ltsc2022",
        docker_version="24.0.7",
        docker_api_version="1.43",
        kernel_version="10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)",
        hns_version="15.1",
    ),
    "ws2025": HostProfile(
        name="ws2025",
        build=26100,
        ubr=2314,
        product_name="Windows Server 2025 Datacenter",
        display_version="24H2",
        ltsc_tag="ltsc2025",
        docker_version="27.5.1",
        docker_api_version="1.47",
        kernel_version="10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)",  # INFERRED lab string
        hns_version="15.4",  # INFERRED
    ),
}


@dataclass(frozen=True)
class LatencyProfile:
    """Delays the simulator adds so benchmarks see the costs a real lab has (seconds)."""

    name: str
    round_trip: float = 0.0  # each WinRM HTTP request / each SSH exec or stdin exchange
    powershell_start: float = 0.0  # each powershell.exe process start


LATENCY: dict[str, LatencyProfile] = {
    "none": LatencyProfile("none"),
    # Resembles a lab VM over a LAN: published powershell.exe cold starts are 0.2-0.6 s.
    "lab": LatencyProfile("lab", round_trip=0.020, powershell_start=0.400),
}
