"""Proof that every conformance test can fail: one simulated host per deviation, one suite run.

Two faithful hosts (dockerd's debug log off, as on a stock host, and on) must pass everything; the
same run records which functions of the probe module ran (winsim's function tracing), and every
function must have run (or be listed in ``probe_coverage.REAL_HOST_ONLY`` with its reason).
A host with deviation D must fail exactly the behaviour
D breaks (every via of it, as a product deviation whose message names the host) and pass the
rest.  The behaviour x deviation matrix is printed and saved to reports/out/deviation-matrix.txt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from filelock import FileLock

from fixtures.behaviour import ISOLATIONS
from reports.records import FAILED, PASSED, Record, read_records
from suites import catalogue
from tests.suites.deviation_map import ALSO_BREAKS, DEVIATION_BREAKS, NEEDS_DAEMON_DEBUG
from tests.suites.probe_coverage import OUTSIDE_THE_RUN, REAL_HOST_ONLY, module_functions
from winsim.deviations import Deviation
from winsim.tracing import ENV_VAR as TRACE_ENV
from winsim.tracing import read_traces

ROOT = Path(__file__).resolve().parents[2]
FAITHFUL = "faithful"
FAITHFUL_DEBUG = "faithful-debug"
PROFILE, BUILD = "ws2022", 20348
IMAGE = "mcr.microsoft.com/dotnet/framework/runtime:4.8.1-windowsservercore-ltsc2022"  # four layers
# A behaviour whose documented form holds only on older builds is broken on a host of such a build.
OLD_PROFILE, OLD_BUILD, OLD_IMAGE = "ws2016", 14393, "mcr.microsoft.com/windows/servercore:ltsc2016"
ON_OLD_BUILD = frozenset({Deviation.NIC_ALIAS_FORMAT})
RUN_TIMEOUT = 900
SYMBOL = {PASSED: ".", FAILED: "F", "error": "E", "not-applicable": "-"}


def host_name(deviation: str | None) -> str:
    return f"dev-{deviation}" if deviation else FAITHFUL


def broken_behaviours(deviation: Deviation) -> set[str]:
    """The behaviours a deviation breaks, through any via."""
    return {DEVIATION_BREAKS[deviation]} | {b.split("[", 1)[0] for b in ALSO_BREAKS.get(deviation, ())}


def host_modes(deviation: Deviation | None) -> list[str]:
    """The isolation modes a host of the run offers.  The faithful hosts offer both, so every held
    mode of every behaviour must pass on a conforming host; a deviant host offers Hyper-V isolation
    only when a behaviour it breaks holds there (its hyperv form must fail too), which spares the run
    a mode on the hosts of deviations whose behaviours hold under process isolation alone (they are
    shown to break exactly those under that mode)."""
    if deviation is None:
        return list(ISOLATIONS)
    modes = {m for e in catalogue.load() if e["id"] in broken_behaviours(deviation) for m in e["isolation"]}
    return [m for m in ISOLATIONS if m in modes or m == "process"]


def write_inventory(path: Path) -> None:
    both = host_modes(None)
    hosts = [
        {
            "name": FAITHFUL,
            "transport": "sim",
            "sim": {"profile": PROFILE, "hyperv": True},
            "os_build": BUILD,
            "isolation": both,
        },
        {
            "name": FAITHFUL_DEBUG,
            "transport": "sim",
            "sim": {"profile": PROFILE, "daemon_debug": True, "hyperv": True},
            "os_build": BUILD,
            "isolation": both,
        },
    ]
    for deviation in sorted(DEVIATION_BREAKS):
        old = deviation in ON_OLD_BUILD
        sim: dict[str, object] = {
            "profile": OLD_PROFILE if old else PROFILE,
            "deviations": [str(deviation)],
            "hyperv": True,
        }
        if deviation in NEEDS_DAEMON_DEBUG:
            sim["daemon_debug"] = True
        hosts.append(
            {
                "name": host_name(deviation),
                "transport": "sim",
                "sim": sim,
                "os_build": OLD_BUILD if old else BUILD,
                "isolation": host_modes(deviation),
            }
        )
    images = {BUILD: IMAGE, OLD_BUILD: OLD_IMAGE}
    path.write_text(yaml.safe_dump({"base_images": images, "hosts": hosts}, sort_keys=False))


def applies(entry: dict[str, object], build: int) -> bool:
    """Whether a catalogue entry's build gates let it run on ``build``."""
    gates = entry.get("gates") or {}
    assert isinstance(gates, dict)
    low, high = gates.get("min_build"), gates.get("max_build")
    return (low is None or build >= low) and (high is None or build < high)


def host_build(deviation: str | None) -> int:
    return OLD_BUILD if deviation in ON_OLD_BUILD else BUILD


def expected_cells() -> list[tuple[str, str, str]]:
    """(behaviour, via, isolation) of every test: each mode, held or not."""
    return [(e["id"], via, mode) for e in catalogue.load() for via in e["via"] for mode in ISOLATIONS]


def render_matrix(records: list[Record]) -> str:
    """Rows: behaviour[via]; columns: the faithful hosts, then each deviation by number (legend below)."""
    deviations = sorted(DEVIATION_BREAKS)
    columns = [FAITHFUL, FAITHFUL_DEBUG, *(host_name(d) for d in deviations)]
    cell = {(r.behaviour, r.via, r.isolation, r.host): r.outcome for r in records}
    width = max(len(f"{b}[{v}-{m}]") for b, v, m in expected_cells())
    head = " " * width + "  F D " + " ".join(f"{i:>2}" for i in range(1, len(deviations) + 1))
    lines = [
        "behaviour x deviation (F/D = faithful host, debug log off/on; . pass, F fail, E error, - n/a, ? no result)",
        head,
    ]
    for behaviour, via, mode in expected_cells():
        row = [SYMBOL.get(cell.get((behaviour, via, mode, h), ""), "?") for h in columns]
        lines.append(
            f"{behaviour + '[' + via + '-' + mode + ']':<{width}}  {row[0]} {row[1]} "
            + " ".join(f"{s:>2}" for s in row[2:])
        )
    lines.append("")
    lines += [f"{i:>2} {d} -> breaks {DEVIATION_BREAKS[d]}" for i, d in enumerate(deviations, 1)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SuiteRun:
    records: list[Record]
    problems: list[str]
    traced: set[str]  # script functions that ran on the simulated hosts


def _run_suite(where: Path) -> str:
    """The whole suite on the deviation inventory, results and traces into ``where``; its output."""
    inventory = where / "deviations.yml"
    write_inventory(inventory)
    cmd = [sys.executable, "-m", "pytest", "suites", "-n", "2", "-p", "no:cacheprovider", "-q", "--no-header"]
    cmd += ["--inventory", str(inventory), "--wcc-results", str(where / "results")]
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{TRACE_ENV: str(where / "functions")})
    # requests lets these override the docker client's own CA (the simulated hosts' CA is private).
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        env.pop(name, None)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    return f"exit {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> SuiteRun:
    """One run of the whole suite against the faithful host and one host per deviation.

    Under xdist the two tests may land on two workers: the first runs the suite, the other reads
    its results (pytest-xdist's documented recipe, as tests/reports/conftest.py does).
    """
    if worker_id == "master":
        where = tmp_path_factory.mktemp("deviation-proof")
        output = _run_suite(where)
    else:
        where = tmp_path_factory.getbasetemp().parent / "wcc-deviation-proof"
        with FileLock(str(where) + ".lock"):
            if not (where / "output.txt").exists():
                where.mkdir(exist_ok=True)
                (where / "output.txt").write_text(_run_suite(where))
        output = (where / "output.txt").read_text()
    results, trace = where / "results", where / "functions"
    assert results.is_dir(), f"the suite wrote no results ({output})"
    records, problems = read_records([results])
    assert records, f"the suite wrote no results ({output})"
    return SuiteRun(records, list(problems), read_traces(trace) if trace.is_dir() else set())


@pytest.mark.slow
def test_each_deviation_breaks_exactly_its_behaviour(suite_run: SuiteRun):
    records, problems = suite_run.records, suite_run.problems
    matrix = render_matrix(records)
    out = ROOT / "reports" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "deviation-matrix.txt").write_text(matrix)
    print(matrix)

    by_host: dict[str, dict[tuple[str, str, str], Record]] = defaultdict(dict)
    for record in records:
        by_host[record.host][(record.behaviour, record.via, record.isolation)] = record
    wrong: list[str] = list(problems)
    gated = {e["id"]: e for e in catalogue.load()}
    for deviation in [None, "", *sorted(DEVIATION_BREAKS)]:
        host = FAITHFUL_DEBUG if deviation == "" else host_name(deviation)
        broken = DEVIATION_BREAKS[Deviation(deviation)] if deviation else None
        offered = host_modes(Deviation(deviation) if deviation else None)
        for behaviour, via, mode in expected_cells():
            key = (behaviour, via, mode)
            if (
                not applies(gated[behaviour], host_build(deviation))
                or mode not in gated[behaviour]["isolation"]
                or mode not in offered
            ):
                found = by_host[host].get(key)
                if found is None or found.outcome != "not-applicable":
                    wrong.append(f"{host}: {behaviour}[{via}-{mode}]: expected not applicable, got {found}")
                continue
            found = by_host[host].get(key)
            if found is None:
                wrong.append(f"{host}: {behaviour}[{via}-{mode}]: no result")
                continue
            record = found
            also = ALSO_BREAKS.get(deviation or "", frozenset())
            if behaviour == broken or behaviour in also or f"{behaviour}[{via}]" in also:
                if record.outcome != FAILED or record.category != "product-deviation":
                    wrong.append(
                        f"{host}: {behaviour}[{via}-{mode}]: expected a product deviation, got {record.outcome}: {record.reason[:300]}"
                    )
                elif host not in record.reason:
                    wrong.append(
                        f"{host}: {behaviour}[{via}-{mode}]: failure message does not name the host: {record.reason[:300]}"
                    )
            elif record.outcome != PASSED:
                wrong.append(
                    f"{host}: {behaviour}[{via}-{mode}]: expected pass, got {record.outcome}: {record.reason[:300]}"
                )
    assert not wrong, f"{len(wrong)} unexpected outcome(s):\n" + "\n".join(wrong) + "\n\n" + matrix


@pytest.mark.slow
def test_every_probe_module_function_ran(suite_run: SuiteRun):
    """The suite exercises every function of drivers/probe/Wcc.psm1 on the simulated hosts
    (each one's PowerShell ran in winsim), except those only a real host can reach and those
    only a project test reaches (OUTSIDE_THE_RUN)."""
    declared = set(module_functions())
    assert declared >= set(REAL_HOST_ONLY) | set(OUTSIDE_THE_RUN)
    never = sorted(declared - suite_run.traced - set(REAL_HOST_ONLY) - set(OUTSIDE_THE_RUN))
    assert not never, f"module functions that never ran in the conformance run: {never}"
