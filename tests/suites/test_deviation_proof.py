"""Proof that every conformance test can fail: simulated hosts carrying deviations, one suite run.

Two faithful hosts (dockerd's debug log off, as on a stock host, and on) must pass everything; the
same run records which functions of the probe module ran (winsim's function tracing), and every
function must have run (or be listed in ``probe_coverage.REAL_HOST_ONLY`` with its reason).
Each deviation breaks exactly the behaviour it names: a host carrying deviations must fail exactly
the cells (behaviour through a via) its deviations declare, each as a product deviation whose
message names the host, and pass the rest.  Deviations share hosts (``deviation_hosts``: each
cell of each deviation is settled on a host where no other deviation declares it), so 46 deviations
take 20 hosts.  The behaviour x host matrix is printed and saved to reports/out/deviation-matrix.txt.
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
from tests.suites.deviation_hosts import Cell, declared_cells, plan, settled_on
from tests.suites.deviation_map import DEVIATION_BREAKS, NEEDS_DAEMON_DEBUG
from tests.suites.probe_coverage import OUTSIDE_THE_RUN, REAL_HOST_ONLY, module_functions
from winsim.deviations import Deviation
from winsim.tracing import ENV_VAR as TRACE_ENV
from winsim.tracing import read_traces

ROOT = Path(__file__).resolve().parents[2]
FAITHFUL = "faithful"
FAITHFUL_DEBUG = "faithful-debug"
PROFILE, BUILD = "ws2022", 20348
IMAGE = "mcr.microsoft.com/dotnet/framework/runtime:4.8.1-windowsservercore-ltsc2022"  # four layers
# A behaviour whose documented form holds only on older builds is broken on a host of such a build:
# such a deviation has a host of that build to itself.
OLD_PROFILE, OLD_BUILD, OLD_IMAGE = "ws2016", 14393, "mcr.microsoft.com/windows/servercore:ltsc2016"
ON_OLD_BUILD = frozenset({Deviation.NIC_ALIAS_FORMAT})
# The faithful hosts are reached one over each transport; the deviant ones over SSH, whose client
# and server cost half of WinRM's CPU a test (NTLM-sealed SOAP), and a deviation is the host's, not the wire's.
DEVIANT_VIA = "ssh"
# Each host's tests run on one worker, and a host's run waits more than it computes (stop timeouts,
# process exits), so more workers than cores overlap the hosts' waits.
WORKERS = 6
RUN_TIMEOUT = 900
SYMBOL = {PASSED: ".", FAILED: "F", "error": "E", "not-applicable": "-"}


def _vias() -> dict[str, list[str]]:
    return {e["id"]: list(e["via"]) for e in catalogue.load()}


@dataclass(frozen=True)
class ProofHost:
    """One simulated host of the run: the deviations it carries (none on a faithful host)."""

    name: str
    deviations: frozenset[Deviation] = frozenset()
    daemon_debug: bool = False
    old: bool = False  # a host of OLD_BUILD
    via: str = DEVIANT_VIA

    @property
    def build(self) -> int:
        return OLD_BUILD if self.old else BUILD

    def modes(self) -> list[str]:
        """Both isolation modes, but for a host of the old build (which an old deviation has to itself):
        Hyper-V isolation only when the behaviour it breaks holds there."""
        if not self.old:
            return list(ISOLATIONS)
        broken = {DEVIATION_BREAKS[d] for d in self.deviations}
        held = {m for e in catalogue.load() if e["id"] in broken for m in e["isolation"]}
        return [m for m in ISOLATIONS if m in held or m == "process"]

    def declared(self, vias: dict[str, list[str]]) -> set[Cell]:
        """The cells this host must fail: those its deviations declare."""
        return set().union(*(declared_cells(d, vias) for d in self.deviations))

    def entry(self) -> dict[str, object]:
        sim: dict[str, object] = {
            "profile": OLD_PROFILE if self.old else PROFILE,
            "hyperv": True,
            "via": self.via,
        }
        if self.deviations:
            sim["deviations"] = sorted(str(d) for d in self.deviations)
        if self.daemon_debug:
            sim["daemon_debug"] = True
        return {
            "name": self.name,
            "transport": "sim",
            "sim": sim,
            "os_build": self.build,
            "isolation": self.modes(),
        }


def proof_hosts() -> list[ProofHost]:
    """The faithful hosts, each old-build deviation on a host of its own, then the shared deviant hosts."""
    hosts = [ProofHost(FAITHFUL, via="winrm"), ProofHost(FAITHFUL_DEBUG, daemon_debug=True, via="ssh")]
    hosts += [ProofHost(f"dev-{d}", frozenset({d}), old=True) for d in sorted(ON_OLD_BUILD)]
    shared = plan(sorted(d for d in DEVIATION_BREAKS if d not in ON_OLD_BUILD), _vias())
    hosts += [
        ProofHost(f"dev-{i:02d}", group, daemon_debug=bool(group & NEEDS_DAEMON_DEBUG))
        for i, group in enumerate(shared, 1)
    ]
    return hosts


def write_inventory(path: Path, hosts: list[ProofHost]) -> None:
    images = {BUILD: IMAGE, OLD_BUILD: OLD_IMAGE}
    inventory = {"base_images": images, "hosts": [h.entry() for h in hosts]}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))


def applies(entry: dict[str, object], build: int) -> bool:
    """Whether a catalogue entry's build gates let it run on ``build``."""
    gates = entry.get("gates") or {}
    assert isinstance(gates, dict)
    low, high = gates.get("min_build"), gates.get("max_build")
    return (low is None or build >= low) and (high is None or build < high)


def expected_cells() -> list[tuple[str, str, str]]:
    """(behaviour, via, isolation) of every test: each mode, held or not."""
    return [(e["id"], via, mode) for e in catalogue.load() for via in e["via"] for mode in ISOLATIONS]


def render_matrix(records: list[Record], hosts: list[ProofHost]) -> str:
    """Rows: behaviour[via-mode]; columns: the faithful hosts, then each deviant host by number (legend below)."""
    deviant = hosts[2:]
    cell = {(r.behaviour, r.via, r.isolation, r.host): r.outcome for r in records}
    width = max(len(f"{b}[{v}-{m}]") for b, v, m in expected_cells())
    head = " " * width + "  F D " + " ".join(f"{i:>2}" for i in range(1, len(deviant) + 1))
    lines = [
        "behaviour x host (F/D = faithful host, debug log off/on; . pass, F fail, E error, - n/a, ? no result)",
        head,
    ]
    for behaviour, via, mode in expected_cells():
        row = [SYMBOL.get(cell.get((behaviour, via, mode, h.name), ""), "?") for h in hosts]
        lines.append(
            f"{behaviour + '[' + via + '-' + mode + ']':<{width}}  {row[0]} {row[1]} "
            + " ".join(f"{s:>2}" for s in row[2:])
        )
    lines.append("")
    for i, host in enumerate(deviant, 1):
        lines.append(f"{i:>2} {host.name}:")
        lines += [f"     {d} -> breaks {DEVIATION_BREAKS[d]}" for d in sorted(host.deviations)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SuiteRun:
    records: list[Record]
    problems: list[str]
    traced: set[str]  # script functions that ran on the simulated hosts


def _run_suite(where: Path) -> str:
    """The whole suite on the deviation inventory, results and traces into ``where``; its output."""
    inventory = where / "deviations.yml"
    write_inventory(inventory, proof_hosts())
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "suites",
        "-n",
        str(WORKERS),
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
    ]
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


def test_every_cell_of_every_deviation_is_settled_on_a_host():
    """Each deviation's every cell has a host where no other deviation declares it (so its outcome
    there is that deviation's alone), and the hosts carry every deviation."""
    vias, hosts = _vias(), proof_hosts()
    declared = {d: declared_cells(d, vias) for d in DEVIATION_BREAKS}
    groups = [h.deviations for h in hosts if h.deviations]
    assert set().union(*groups) == set(DEVIATION_BREAKS)
    cells = [(b, v) for b, vs in vias.items() for v in vs]
    unsettled = [
        f"{d}: {c}" for d in DEVIATION_BREAKS for c in cells if settled_on(d, c, groups, declared) is None
    ]
    assert not unsettled
    for group in groups:  # two ways of breaking one behaviour would compose into a third
        assert len({DEVIATION_BREAKS[d] for d in group}) == len(group), sorted(group)
    assert len(groups) < len(DEVIATION_BREAKS) / 2, [sorted(g) for g in groups]  # sharing pays


@pytest.mark.slow
def test_each_deviation_breaks_exactly_its_behaviour(suite_run: SuiteRun):
    """Every host fails exactly the cells its deviations declare (as product deviations naming the
    host) and passes the rest; a faithful host passes everything.  That a deviation breaks a cell
    alone as in company is the plan's assumption (``deviation_hosts``): an interaction shows here."""
    records, problems = suite_run.records, suite_run.problems
    hosts, vias = proof_hosts(), _vias()
    matrix = render_matrix(records, hosts)
    out = ROOT / "reports" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "deviation-matrix.txt").write_text(matrix)
    print(matrix)

    by_host: dict[str, dict[tuple[str, str, str], Record]] = defaultdict(dict)
    for record in records:
        by_host[record.host][(record.behaviour, record.via, record.isolation)] = record
    wrong: list[str] = list(problems)
    gated = {e["id"]: e for e in catalogue.load()}
    for proof_host in hosts:
        host, offered, declared = proof_host.name, proof_host.modes(), proof_host.declared(vias)
        for behaviour, via, mode in expected_cells():
            key = (behaviour, via, mode)
            found = by_host[host].get(key)
            if (
                not applies(gated[behaviour], proof_host.build)
                or mode not in gated[behaviour]["isolation"]
                or mode not in offered
            ):
                if found is None or found.outcome != "not-applicable":
                    wrong.append(f"{host}: {behaviour}[{via}-{mode}]: expected not applicable, got {found}")
                continue
            if found is None:
                wrong.append(f"{host}: {behaviour}[{via}-{mode}]: no result")
            elif (behaviour, via) in declared:
                if found.outcome != FAILED or found.category != "product-deviation":
                    wrong.append(
                        f"{host}: {behaviour}[{via}-{mode}]: expected a product deviation, got {found.outcome}: {found.reason[:300]}"
                    )
                elif host not in found.reason:
                    wrong.append(
                        f"{host}: {behaviour}[{via}-{mode}]: failure message does not name the host: {found.reason[:300]}"
                    )
            elif found.outcome != PASSED:
                wrong.append(
                    f"{host}: {behaviour}[{via}-{mode}]: expected pass, got {found.outcome}: {found.reason[:300]}"
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
