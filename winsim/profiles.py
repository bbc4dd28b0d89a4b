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
    """What a real link and a real host charge, so a benchmark sees what a lab costs (seconds).

    Network costs are counted in round trips of the link (``round_trip`` each), as the protocols
    define them; host costs are times.  Where each figure comes from is said beside it; a figure
    no public measurement pins down is marked INFERRED.
    """

    name: str
    round_trip: float = 0.0  # each WinRM HTTP request (NTLM legs included), SSH exec or stdin burst
    # TCP's three-way handshake: the client sends its first byte one round trip after connect()
    # (RFC 9293 section 3.5).
    tcp_connect_round_trips: int = 0
    # A full TLS 1.2 handshake takes two round trips before the first request (RFC 5246 section
    # 7.3); TLS 1.3 takes one (RFC 8446 section 2), enabled by default from Windows Server 2022
    # (Microsoft Learn, "Protocols in TLS/SSL (Schannel SSP)").  The lab charges TLS 1.2: the
    # listener of 2016/2019 hosts, and what a 2022 host negotiates with a TLS 1.2 client.
    tls_handshake_round_trips: int = 0
    tls_handshake_cpu: float = 0.0  # the server's RSA-2048 signature and key agreement: INFERRED
    # Each of NTLM's three messages (MS-NLMP section 1.3.1.1) travels in its own HTTP request
    # (charged as a round trip); this is the host's work per leg (LSA, local account): INFERRED.
    ntlm_leg: float = 0.0
    # SSH connection set-up after TCP: version lines + KEXINIT, the Diffie-Hellman exchange,
    # NEWKEYS + the service request (RFC 4253 sections 4, 7, 8, 10), then authentication (RFC
    # 4252 section 5): four round trips; the channel open and exec request are charged apart.
    ssh_setup_round_trips: int = 0
    ssh_kex_cpu: float = 0.0  # curve25519 + the host key's signature on the server: INFERRED
    ssh_auth: float = 0.0  # sshd's LogonUser for a password or key login: INFERRED
    powershell_start: float = 0.0  # each powershell.exe process start (cold start 0.2-0.6 s: INFERRED)
    # Docker on Windows, process isolation.  Public timings are whole `docker run`s: 3 s for a
    # nanoserver image and 5 s for servercore, warm (microsoft/Windows-Containers#478); 11-15 s
    # for a trivial program on a client build (moby/moby#40832); the split into create, start
    # and stop is INFERRED from them (start dominates: HCS creates the silo and boots its smss).
    container_create: float = 0.0
    container_start: float = 0.0
    container_stop: float = 0.0
    dockerd_restart: float = 0.0  # stop + start of the docker service, its containers reloaded: INFERRED


LATENCY: dict[str, LatencyProfile] = {
    "none": LatencyProfile("none"),
    # A lab VM over a routed LAN/VPN: 20 ms round trip (INFERRED: a site-to-site link).
    "lab": LatencyProfile(
        "lab",
        round_trip=0.020,
        tcp_connect_round_trips=1,
        tls_handshake_round_trips=2,
        tls_handshake_cpu=0.002,
        ntlm_leg=0.001,
        ssh_setup_round_trips=4,
        ssh_kex_cpu=0.003,
        ssh_auth=0.010,
        powershell_start=0.400,
        container_create=0.500,
        container_start=2.000,
        container_stop=0.500,
        dockerd_restart=5.000,
    ),
}


def profile_help() -> str:
    """The profiles a command line can name, for ``--profile``'s help: ``ws2016 (build 14393), ...``."""
    return "the Windows Server to simulate: " + ", ".join(
        f"{name} (build {PROFILES[name].build})" for name in sorted(PROFILES)
    )
