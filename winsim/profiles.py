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


PROFILES: dict[str, HostProfile] = {
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
