"""Proof that every conformance test can fail: one simulated host per deviation, one suite run.

Two faithful hosts (dockerd's debug log off, as on a stock host, and on) must pass everything; a host with deviation D must fail exactly the behaviour
D breaks (every via of it, as a product deviation whose message names the host) and pass the
rest.  The behaviour x deviation matrix is printed and saved to reports/out/deviation-matrix.txt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from reports.records import FAILED, PASSED, Record, read_records
from suites import catalogue
from tests.suites.deviation_map import ALSO_BREAKS, DEVIATION_BREAKS, NEEDS_DAEMON_DEBUG

ROOT = Path(__file__).resolve().parents[2]
FAITHFUL = "faithful"
FAITHFUL_DEBUG = "faithful-debug"
PROFILE, BUILD = "ws2022", 20348
IMAGE = "mcr.microsoft.com/dotnet/framework/runtime:4.8.1-windowsservercore-ltsc2022"  # four layers
RUN_TIMEOUT = 900
SYMBOL = {PASSED: ".", FAILED: "F", "error": "E", "not-applicable": "-"}


def host_name(deviation: str | None) -> str:
    return f"dev-{deviation}" if deviation else FAITHFUL


def write_inventory(path: Path) -> None:
    hosts = [
        {"name": FAITHFUL, "transport": "sim", "sim": {"profile": PROFILE}, "os_build": BUILD},
        {
            "name": FAITHFUL_DEBUG,
            "transport": "sim",
            "sim": {"profile": PROFILE, "daemon_debug": True},
            "os_build": BUILD,
        },
    ]
    for deviation in sorted(DEVIATION_BREAKS):
        sim: dict[str, object] = {"profile": PROFILE, "deviations": [deviation]}
        if deviation in NEEDS_DAEMON_DEBUG:
            sim["daemon_debug"] = True
        hosts.append({"name": host_name(deviation), "transport": "sim", "sim": sim, "os_build": BUILD})
    path.write_text(yaml.safe_dump({"base_images": {BUILD: IMAGE}, "hosts": hosts}, sort_keys=False))


def expected_cells() -> list[tuple[str, str]]:
    return [(e["id"], via) for e in catalogue.load() for via in e["drivers"]]


def render_matrix(records: list[Record]) -> str:
    """Rows: behaviour[via]; columns: the faithful hosts, then each deviation by number (legend below)."""
    deviations = sorted(DEVIATION_BREAKS)
    columns = [FAITHFUL, FAITHFUL_DEBUG, *(host_name(d) for d in deviations)]
    cell = {(r.behaviour, r.via, r.host): r.outcome for r in records}
    width = max(len(f"{b}[{v}]") for b, v in expected_cells())
    head = " " * width + "  F D " + " ".join(f"{i:>2}" for i in range(1, len(deviations) + 1))
    lines = [
        "behaviour x deviation (F/D = faithful host, debug log off/on; . pass, F fail, E error, - n/a, ? no result)",
        head,
    ]
    for behaviour, via in expected_cells():
        row = [SYMBOL.get(cell.get((behaviour, via, h), ""), "?") for h in columns]
        lines.append(
            f"{behaviour + '[' + via + ']':<{width}}  {row[0]} {row[1]} "
            + " ".join(f"{s:>2}" for s in row[2:])
        )
    lines.append("")
    lines += [f"{i:>2} {d} -> breaks {DEVIATION_BREAKS[d]}" for i, d in enumerate(deviations, 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_each_deviation_breaks_exactly_its_behaviour(tmp_path):
    inventory = tmp_path / "deviations.yml"
    write_inventory(inventory)
    results = tmp_path / "results"
    cmd = [sys.executable, "-m", "pytest", "suites", "-n", "2", "-p", "no:cacheprovider", "-q", "--no-header"]
    cmd += ["--inventory", str(inventory), "--wcc-results", str(results)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # requests lets these override the docker client's own CA (the simulated hosts' CA is private).
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        env.pop(name, None)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    assert results.is_dir(), (
        f"the suite wrote no results (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    records, problems = read_records([results])
    assert records, (
        f"the suite wrote no results (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    matrix = render_matrix(records)
    out = ROOT / "reports" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "deviation-matrix.txt").write_text(matrix)
    print(matrix)

    by_host: dict[str, dict[tuple[str, str], Record]] = defaultdict(dict)
    for record in records:
        by_host[record.host][(record.behaviour, record.via)] = record
    wrong: list[str] = list(problems)
    for deviation in [None, "", *sorted(DEVIATION_BREAKS)]:
        host = FAITHFUL_DEBUG if deviation == "" else host_name(deviation)
        broken = DEVIATION_BREAKS.get(deviation or "")
        for behaviour, via in expected_cells():
            found = by_host[host].get((behaviour, via))
            if found is None:
                wrong.append(f"{host}: {behaviour}[{via}]: no result")
                continue
            record = found
            if behaviour == broken or behaviour in ALSO_BREAKS.get(deviation or "", ()):
                if record.outcome != FAILED or record.category != "product-deviation":
                    wrong.append(
                        f"{host}: {behaviour}[{via}]: expected a product deviation, got {record.outcome}: {record.reason[:300]}"
                    )
                elif host not in record.reason:
                    wrong.append(
                        f"{host}: {behaviour}[{via}]: failure message does not name the host: {record.reason[:300]}"
                    )
            elif record.outcome != PASSED:
                wrong.append(
                    f"{host}: {behaviour}[{via}]: expected pass, got {record.outcome}: {record.reason[:300]}"
                )
    assert not wrong, f"{len(wrong)} unexpected outcome(s):\n" + "\n".join(wrong) + "\n\n" + matrix
