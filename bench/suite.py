"""The conformance suite on 1, 2, 4 and 8 simulated hosts, one worker per host: tests per second.

Each size is one ``pytest suites -n N`` run (its own simulated hosts, started and stopped by the
fixtures); the machine's CPU busy share over the run comes from ``/proc/stat``, so a run that is
limited by the cores (not by the hosts) shows it.

Each host's *floor* is the wall time its latency profile alone forces on the run: the host
operations it charged (container create, start, stop: a lifecycle each; a dockerd restart) at
the profile's times, plus the round trips its clients waited on times its round trip.  The hosts
write what they charged when they stop (``winsim serve --charges``, ``winsim.latency.Charges``);
wall over floor is what the suite, the simulator and the machine add.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 2, 4, 8)
LATENCY = "lab"  # the link and host costs of a lab (winsim.profiles); "none" makes it CPU-bound
_OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|error|errors|xfailed|xpassed|host down)")


CHARGES_ENV = "WINSIM_CHARGES"  # where each simulated host writes what it charged (winsim serve)


@dataclass(frozen=True)
class HostFloor:
    """One host's floor: what its latency profile charged, as counts and the seconds they cost."""

    host: str
    lifecycles: int  # containers created
    round_trips: int  # waited on by its clients
    round_trip: float  # seconds each
    host_seconds: float  # its operations' charged time (container create/start/stop, dockerd restart)

    @property
    def seconds(self) -> float:
        return self.host_seconds + self.round_trips * self.round_trip


def floor(host: str, charges: dict[str, Any]) -> HostFloor:
    """The floor of one host from its ``<host>.charges.json``."""
    operations = charges["operations"]
    return HostFloor(
        host=host,
        lifecycles=int(operations.get("container_create", {}).get("count", 0)),
        round_trips=int(charges["round_trips"]),
        round_trip=float(charges["round_trip"]),
        host_seconds=sum((float(o["seconds"]) for o in operations.values()), 0.0),
    )


def read_floors(folder: Path) -> list[HostFloor]:
    suffix = ".charges.json"
    return [
        floor(path.name.removesuffix(suffix), json.loads(path.read_text()))
        for path in sorted(folder.glob(f"*{suffix}"))
    ]


@dataclass(frozen=True)
class SuiteRun:
    hosts: int
    workers: int
    tests: int
    failed: int
    seconds: float
    cpu_busy: float  # share of all cores busy over the run, 0..1
    cores: int
    floors: list[HostFloor] = field(default_factory=list)  # each host's, by name

    @property
    def tests_per_second(self) -> float:
        return self.tests / self.seconds if self.seconds else 0.0


def _cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    fields = [float(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def inventory(hosts: int) -> dict[str, object]:
    """``hosts`` simulated hosts, ws2022 and ws2019 in turn, reached over WinRM and SSH in turn."""
    entries = []
    for i in range(hosts):
        profile, build = (("ws2022", 20348), ("ws2019", 17763))[i % 2]
        via = ("winrm", "ssh")[(i // 2) % 2]
        entries.append(
            {
                "name": f"bench{i + 1}-sim",
                "transport": "sim",
                "sim": {"profile": profile, "via": via, "latency": LATENCY},
                "os_build": build,
            }
        )
    return {"hosts": entries}


def run_one(hosts: int, workdir: Path, select: Sequence[str] = ("suites",)) -> SuiteRun:
    """The suite (or the ``select``ed tests) on ``hosts`` simulated hosts, one worker each."""
    folder = workdir / f"suite-{hosts}"
    folder.mkdir(parents=True, exist_ok=True)
    inv = folder / "inventory.yml"
    inv.write_text(yaml.safe_dump(inventory(hosts)))
    charges = folder / "charges"
    cmd = [sys.executable, "-m", "pytest", *select, f"--inventory={inv}", "-n", str(hosts)]
    cmd += ["-p", "no:cacheprovider", "-q", "--no-header"]
    env = dict(os.environ, TMPDIR=str(folder), **{CHARGES_ENV: str(charges)})
    busy0, total0 = _cpu_times()
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    seconds = time.monotonic() - started
    busy1, total1 = _cpu_times()
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-500:]
    counts: dict[str, int] = {}
    for number, outcome in _OUTCOME.findall(tail):
        counts[outcome] = counts.get(outcome, 0) + int(number)
    if not counts:
        raise RuntimeError(f"the suite on {hosts} hosts reported nothing: {tail}")
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    return SuiteRun(
        hosts=hosts,
        workers=hosts,
        tests=sum(counts.values()),
        failed=failed,
        seconds=seconds,
        cpu_busy=(busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0,
        cores=os.cpu_count() or 1,
        floors=read_floors(charges),
    )


def run(workdir: Path, sizes: tuple[int, ...] = SIZES) -> list[SuiteRun]:
    return [run_one(n, workdir) for n in sizes]
