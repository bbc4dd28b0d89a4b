"""Twenty probes, four ways, on one simulated host (lab latency): round trips and wall time per probe.

Round trips are counted on the wire by the client: every HTTP request (NTLM legs included) and
every new TCP connection for pywinrm, ``wire_round_trips`` for the drivers (what the caller
waited on, one after the other; see :mod:`drivers.stats`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import winrm

from drivers.host import Host, connect
from drivers.session import ProbeCall
from drivers.stats import CallStats
from drivers.transports.winrm import counting_protocol
from fixtures.simhosts import ensure_started, link_round_trip, resolve, stop_all
from inventory.model import HostSpec, SimSettings

PROFILE: Final = "ws2019"
# What the suite's probes ask a host, as PowerShell a person would type (each returns JSON or text).
PROBES = (
    "Get-NetCompartment | ConvertTo-Json",
    "Get-NetIPInterface -AddressFamily IPv4 | Select-Object InterfaceAlias, ifIndex, CompartmentId | ConvertTo-Json",
    "Get-NetIPAddress -AddressFamily IPv4 | Select-Object IPAddress, InterfaceAlias | ConvertTo-Json",
    "Get-NetRoute -AddressFamily IPv4 | Select-Object DestinationPrefix, NextHop | ConvertTo-Json",
    "Get-HnsNetwork | ConvertTo-Json -Depth 3",
    "Get-HnsEndpoint | ConvertTo-Json -Depth 3",
    "Get-HnsNamespace | ConvertTo-Json -Depth 3",
    "Get-Service docker | Select-Object Name, Status | ConvertTo-Json",
    "Get-Service vmcompute | Select-Object Name, Status | ConvertTo-Json",
    "Get-Service hns | Select-Object Name, Status | ConvertTo-Json",
    r"Get-ChildItem C:\ProgramData\docker\windowsfilter | Select-Object Name | ConvertTo-Json",
    r"Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' | Select-Object CurrentBuild, UBR | ConvertTo-Json",
    "Get-Process dockerd | Select-Object Id, ProcessName | ConvertTo-Json",
    r"Get-Content C:\ProgramData\docker\config\daemon.json",
    r"Test-Path C:\ProgramData\docker\windowsfilter",
    "fltmc filters",
    "Get-NetCompartment -CompartmentId 1 | ConvertTo-Json",
    "Get-NetIPInterface -InterfaceIndex 1 | Select-Object InterfaceAlias | ConvertTo-Json",
    "Get-Service docker | Select-Object -ExpandProperty Status",
    r"Test-Path C:\ProgramData\docker\config\daemon.json",
)


@dataclass(frozen=True)
class Method:
    name: str
    probes: int
    round_trips: int  # on the wire, waited on one after the other
    wire_requests: int
    seconds: float

    @property
    def round_trips_per_probe(self) -> float:
        return self.round_trips / self.probes

    @property
    def wall_per_probe(self) -> float:
        return self.seconds / self.probes


def _sim(via: Literal["winrm", "ssh"], latency: Literal["none", "lab"]) -> HostSpec:
    return HostSpec(name="bench", transport="sim", sim=SimSettings(profile=PROFILE, via=via, latency=latency))


def naive(spec: HostSpec) -> Method:
    """A new pywinrm Session and ``run_ps`` per probe, counted by the same wire counter."""
    stats = CallStats()
    endpoint = f"http://{spec.address}:{spec.effective_port}/wsman"
    started = time.monotonic()
    for script in PROBES:
        session = winrm.Session(endpoint, auth=(spec.username or "", spec.password() or ""), transport="ntlm")
        session.protocol = counting_protocol(
            endpoint, stats, transport="ntlm", username=spec.username, password=spec.password()
        )
        stats.add(wire_round_trips=1)  # its new TCP connection
        result = session.run_ps(script)
        if result.status_code != 0:
            raise RuntimeError(f"naive run_ps failed on {script!r}: {result.std_err[:300]!r}")
        session.protocol.transport.close_session()
    seconds = time.monotonic() - started
    snap = stats.snapshot()
    return Method("pywinrm run_ps per probe", len(PROBES), snap.wire_round_trips, snap.wire_requests, seconds)


def per_call(host: Host, name: str) -> Method:
    host.session.open()
    before = host.stats.snapshot()
    started = time.monotonic()
    for script in PROBES:
        result = host.session.run(script)
        if result.rc != 0:
            raise RuntimeError(f"{name}: {script!r} failed: {result.stderr[:300]!r}")
    seconds = time.monotonic() - started
    cost = host.stats.since(before)
    return Method(name, len(PROBES), cost.wire_round_trips, cost.wire_requests, seconds)


def batched(host: Host) -> Method:
    host.session.open()
    calls = [ProbeCall("Invoke-WccScript", {"Script": s, "Arguments": {}}) for s in PROBES]
    before = host.stats.snapshot()
    started = time.monotonic()
    outcomes = host.session.call_many(calls)
    seconds = time.monotonic() - started
    if not all(o.ok for o in outcomes):
        raise RuntimeError("drivers batch: a probe failed")
    cost = host.stats.since(before)
    return Method(
        f"drivers, one batch of {len(PROBES)} (WinRM)",
        len(PROBES),
        cost.wire_round_trips,
        cost.wire_requests,
        seconds,
    )


def run(workdir: Path, latency: Literal["none", "lab"] = "lab") -> tuple[list[Method], float]:
    """The four methods against one served host with ``latency``; and that profile's round trip."""
    run_dir = workdir / "run"
    try:
        endpoints = ensure_started(_sim("winrm", latency), run_dir)  # one host, reached both ways
        winrm_spec = resolve(_sim("winrm", latency), endpoints, run_dir)
        ssh_spec = resolve(_sim("ssh", latency), endpoints, run_dir)
        methods = [naive(winrm_spec)]
        for spec, label in ((winrm_spec, "WinRM"), (ssh_spec, "SSH")):
            host = connect(spec, run_id="bench")
            try:
                methods.append(per_call(host, f"drivers, one call per probe ({label})"))
            finally:
                host.close()
        host = connect(winrm_spec, run_id="bench")
        try:
            methods.append(batched(host))
        finally:
            host.close()
        return methods, link_round_trip(latency)
    finally:
        stop_all(run_dir)
