"""The conformance matrix: behaviours down, hosts across, one verdict per cell.

Built from the result records of one or more runs (xdist workers, CI jobs), the catalogue and
the hosts the runs were asked to cover.  A cell with no result for an expected host is an
*error*, never a pass.  Given an earlier matrix JSON, cells that changed are marked.

    python -m reports.matrix --out reports/out reports/out/results [more result dirs] \\
        [--baseline last-night/matrix.json] [--expect-host ws2022-lab]

    m = build_matrix(records, run_info, load_catalogue(CATALOGUE))
    m.rows[0].cells["ws2022-sim"].status     # 'pass' | 'fail' | 'na' | 'error'
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from fixtures.behaviour import ISOLATIONS
from reports import matrix_html, seed
from reports.matrix_model import (
    ERR,
    FAIL,
    HOST_UNCHANGED,
    NA,
    NA_NEW_REASON,
    NEWLY_FAILING,
    NEWLY_NA,
    NEWLY_PASSING,
    NO_RESULT,
    PASS,
    SCHEMA,
    Cell,
    HostCost,
    Matrix,
    Mode,
    Row,
    TestResult,
    ViaResult,
    not_run_reason,
    worst,
)
from reports.records import (
    ERROR,
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    Record,
    RunInfo,
    read_records,
    read_run_info,
    write_atomic,
)

CATALOGUE = Path(__file__).resolve().parent.parent / "suites" / "conformance.yaml"
_FROM_OUTCOME = {PASSED: PASS, FAILED: FAIL, NOT_APPLICABLE: NA, ERROR: ERR}


def load_catalogue(path: Path = CATALOGUE) -> list[dict[str, Any]]:
    """Catalogue entries (``suites/conformance.yaml``); empty when the file does not exist yet."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list) or not all(isinstance(e, dict) and "id" in e for e in data):
        raise ValueError(f"{path}: expected a YAML list of entries with an 'id'")
    return data


def build_matrix(
    records: Sequence[Record],
    info: RunInfo,
    catalogue: Sequence[Mapping[str, Any]] = (),
    expect_hosts: Mapping[str, str] | Iterable[str] = (),
    problems: Sequence[str] = (),
) -> Matrix:
    jobs = expected_jobs(expect_hosts)
    hosts = sorted(info.expected | {r.host for r in records} | set(jobs))
    reported = {r.host for r in records}
    not_run = {h: job for h, job in jobs.items() if h not in reported}
    by_id = {str(e["id"]): e for e in catalogue}
    if info.selected:
        ids = {t[1] for t in info.selected} | {r.behaviour for r in records}
    else:
        ids = set(by_id) | {r.behaviour for r in records}

    vias: dict[str, set[str]] = {i: set(by_id.get(i, {}).get("via") or ()) for i in ids}
    modes: dict[str, set[str]] = {i: set() for i in ids}  # the isolation modes its tests ran under
    expected_tests: dict[tuple[str, str, str, str], set[str]] = {}
    for nodeid, bid, host, via, mode in info.selected:
        vias[bid].add(via)
        modes[bid].add(mode)
        expected_tests.setdefault((bid, host, mode, via), set()).add(nodeid)
    got: dict[tuple[str, str, str, str], list[Record]] = {}
    for rec in records:
        vias[rec.behaviour].add(rec.via)
        modes[rec.behaviour].add(rec.isolation)
        got.setdefault((rec.behaviour, rec.host, rec.isolation, rec.via), []).append(rec)

    rows = []
    for bid in sorted(ids):
        entry = by_id.get(bid, {})
        sample = next((r for r in records if r.behaviour == bid), None)
        row = Row(
            id=bid,
            area=str(entry.get("area") or bid.split("/", 1)[0]),
            must=str(entry.get("must") or (sample.must if sample else "")),
            seed=str(entry.get("seed") or (sample.seed if sample else "")),
            source=str(entry.get("source") or (sample.source if sample else "")),
            isolation=tuple(str(m) for m in entry.get("isolation") or ()),
            isolation_evidence={str(k): str(v) for k, v in (entry.get("isolation_evidence") or {}).items()},
        )
        # process first, as ISOLATIONS orders them; a behaviour with no test at all shows under process
        ran = sorted(modes[bid] or {"process"}, key=_mode_order)
        for host in hosts:
            if host in not_run:
                row.cells[host] = Cell(ERR, not_run_reason(not_run[host]))
                continue
            row.cells[host] = _cell(
                {
                    mode: _mode(
                        {
                            v: _via(got, expected_tests, (bid, host, mode, v))
                            for v in sorted(vias[bid] or {""})
                        }
                    )
                    for mode in ran
                }
            )
        rows.append(row)
    facts = {h: dict(info.facts.get(h, {})) for h in hosts}
    for rec in records:  # records carry the build they saw, should the facts be missing
        if rec.os_build is not None:
            facts[rec.host].setdefault("os_build", rec.os_build)
    costs = {h: HostCost() for h in hosts}
    for rec in records:
        costs[rec.host].add(rec)
    return Matrix(
        hosts,
        facts,
        rows,
        datetime.now(UTC).isoformat(timespec="seconds"),
        list(problems),
        costs=costs,
        not_run=not_run,
    )


def expected_jobs(values: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """``--expect-host`` values (``HOST`` or ``HOST=JOB``) as host -> the job that should run it."""
    if isinstance(values, Mapping):
        return {str(h): str(j) for h, j in values.items()}
    jobs: dict[str, str] = {}
    for value in values:
        host, _, job = value.partition("=")
        if not host.strip():
            raise ValueError(f"--expect-host {value}: give HOST or HOST=JOB")
        jobs[host.strip()] = job.strip()
    return jobs


def expect_host(value: str) -> str:
    """argparse type of ``--expect-host``: ``HOST`` or ``HOST=JOB``."""
    if not value.partition("=")[0].strip():
        raise argparse.ArgumentTypeError(f"{value!r}: give HOST or HOST=JOB")
    return value


def add_expect_host_option(parser: argparse.ArgumentParser) -> None:
    """``--expect-host``, as reports.run and reports.build both take it."""
    parser.add_argument(
        "--expect-host",
        action="append",
        default=[],
        type=expect_host,
        metavar="HOST[=JOB]",
        help="a host that must have results, and the job that runs it (repeatable)",
    )


def _mode_order(mode: str) -> tuple[int, str]:
    return (ISOLATIONS.index(mode) if mode in ISOLATIONS else len(ISOLATIONS), mode)


def _via(
    got: Mapping[tuple[str, str, str, str], list[Record]],
    expected: Mapping[tuple[str, str, str, str], set[str]],
    key: tuple[str, str, str, str],  # behaviour, host, isolation, via
) -> ViaResult:
    tests = [
        TestResult(r.nodeid, _FROM_OUTCOME[r.outcome], r.reason, r.category, r.duration)
        for r in sorted(got.get(key, []), key=lambda r: r.nodeid)
    ]
    reported = {t.nodeid for t in tests}
    tests += [TestResult(n, ERR, NO_RESULT, "no-result") for n in sorted(expected.get(key, set()) - reported)]
    if not tests:
        return ViaResult(ERR, NO_RESULT)
    status = worst(t.status for t in tests)
    reasons = [t.reason for t in tests if t.status == status and t.reason]
    return ViaResult(status, reasons[0] if reasons else "", tests)


def _mode(vias: dict[str, ViaResult]) -> Mode:
    status = worst(v.status for v in vias.values())
    reasons = [
        f"{via}: {v.reason}" if via else v.reason for via, v in vias.items() if v.status != PASS and v.reason
    ]
    return Mode(status, "\n".join(reasons), vias)


def _cell(modes: dict[str, Mode]) -> Cell:
    """A host's cell: the worst of its modes; its reason says each mode's (prefixed when there are several)."""
    status = worst(m.status for m in modes.values())
    several = len(modes) > 1
    reasons = [
        "\n".join(f"{mode} · {line}" if several else line for line in m.reason.splitlines())
        for mode, m in modes.items()
        if m.status != PASS and m.reason
    ]
    return Cell(status, "\n".join(reasons), modes)


# Host facts a change is put down to, in the words a reader uses; os_build only when there is no
# os_revision to say it (an older matrix).
FACT_LABELS = {
    "os_revision": "OS",
    "os_build": "OS build",
    "engine": "engine",
    "docker_version": "engine version",
    "containerd_version": "containerd",
    "isolation": "isolation",
    "hns_version": "HNS",
}


def host_change(before: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    """What differs between two sets of a host's facts: ``OS 20348.2849 → 20348.2966 (engine unchanged)``."""
    keys = [
        k for k in FACT_LABELS if not (k == "os_build" and "os_revision" in before and "os_revision" in now)
    ]
    moved = [k for k in keys if (k in before or k in now) and before.get(k) != now.get(k)]
    if not moved:
        return HOST_UNCHANGED
    text = ", ".join(f"{FACT_LABELS[k]} {before.get(k, 'unknown')} → {now.get(k, 'unknown')}" for k in moved)
    engine = {"engine", "docker_version", "containerd_version"}
    if not engine & set(moved):
        text += " (engine unchanged)"
    elif not {"os_revision", "os_build"} & set(moved):
        text += " (OS unchanged)"
    return text


def apply_baseline(matrix: Matrix, baseline: Mapping[str, Any], label: str = "") -> None:
    """Mark cells whose verdict moved since ``baseline`` (a matrix JSON), and what moved on the host.

    Newly failing: pass or n/a to fail/error; newly passing: fail/error to pass; newly n/a: anything to
    n/a; n/a for a new reason: n/a then and now, said differently (a gate or the build moved).  Each names the host facts that differ between the two runs, or says the host is unchanged.
    Each isolation mode of a cell is compared with the same mode then; a baseline from before
    isolation was an axis ran everything under process, so its cell is its process mode.
    """
    if baseline.get("schema") != SCHEMA:
        raise ValueError(
            f"baseline {label or ''} is not a wcc matrix JSON (schema {baseline.get('schema')!r})"
        )
    then: dict[tuple[str, str], tuple[str, str]] = {}
    modes_then: dict[tuple[str, str, str], tuple[str, str]] = {}
    for b in baseline.get("behaviours", []):
        for h, c in b.get("cells", {}).items():
            then[(b["id"], h)] = (c["status"], str(c.get("reason", "")))
            for mode, m in (c.get("isolation") or {"process": c}).items():
                modes_then[(b["id"], h, mode)] = (m["status"], str(m.get("reason", "")))
    matrix.baseline = label
    facts_then = {str(h.get("name")): dict(h.get("facts") or {}) for h in baseline.get("hosts", [])}
    for row in matrix.rows:
        for host, cell in row.cells.items():
            old = then.get((row.id, host))
            if old is None or (matrix.interrupted and _no_result(cell)):
                continue  # a test the interruption stopped says nothing new about the host
            cell.previous, cell.change = old[0], _change(old, cell.status, cell.reason)
            for mode_name, mode in cell.isolation.items():
                before = modes_then.get((row.id, host, mode_name))
                if before is not None:
                    mode.previous, mode.change = before[0], _change(before, mode.status, mode.reason)
            if cell.change or any(m.change for m in cell.isolation.values()):
                cell.host_change = host_change(facts_then.get(host, {}), matrix.facts.get(host, {}))


def _change(before: tuple[str, str], status: str, reason: str) -> str:
    old, old_reason = before
    if old in (PASS, NA) and status in (FAIL, ERR):
        return NEWLY_FAILING
    if old in (FAIL, ERR) and status == PASS:
        return NEWLY_PASSING
    if old != NA and status == NA:
        return NEWLY_NA
    if old == NA and status == NA and old_reason != reason:
        return NA_NEW_REASON
    return ""


def _no_result(cell: Cell) -> bool:
    tests = cell.tests()
    return all(t.category == "no-result" for t in tests) if tests else cell.reason == NO_RESULT


def write_matrix(matrix: Matrix, out: Path) -> tuple[Path, Path]:
    """Write ``matrix.json`` and ``matrix.html`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "matrix.json", out / "matrix.html"
    write_atomic(json_path, json.dumps(matrix.to_json(), indent=1, sort_keys=False) + "\n")
    write_atomic(html_path, matrix_html.render(matrix))
    beyond = [(r.id, r.must, r.source) for r in matrix.rows if r.source and not r.seed]
    write_atomic(
        out / seed.PAGE,
        seed.render(seed.SEED.read_text(encoding="utf-8"), quoted_lines(matrix), beyond=beyond),
    )
    return json_path, html_path


def quoted_lines(matrix: Matrix) -> dict[int, list[str]]:
    """Seed line -> the behaviours whose clause quotes it."""
    text = seed.SEED.read_text(encoding="utf-8")
    quoted: dict[int, list[str]] = {}
    for row in matrix.rows:
        for number in seed.clause_lines(text, row.seed):
            quoted.setdefault(number, []).append(row.id)
    return quoted


def matrix_from_dirs(
    dirs: Sequence[Path],
    catalogue: Path = CATALOGUE,
    baseline: Path | None = None,
    expect_hosts: Iterable[str] = (),
    interrupted: bool = False,
) -> Matrix:
    records, problems = read_records(dirs)
    matrix = build_matrix(records, read_run_info(dirs), load_catalogue(catalogue), expect_hosts, problems)
    # interrupted after every test reported (e.g. during pytest's teardown): the results are whole
    matrix.interrupted = interrupted and any(
        t.category == "no-result" for r in matrix.rows for c in r.cells.values() for t in c.tests()
    )
    if baseline is not None:
        apply_baseline(matrix, json.loads(baseline.read_text(encoding="utf-8")), str(baseline))
    return matrix


def summary_lines(matrix: Matrix) -> list[str]:
    lines = []
    for host in matrix.hosts:
        c = matrix.summary(host)
        build = matrix.facts.get(host, {}).get("os_revision") or matrix.facts.get(host, {}).get("os_build")
        where = f"{host} (build {build})" if build else host
        if host in matrix.not_run:
            lines.append(f"{where}: {not_run_reason(matrix.not_run[host])}")
            continue
        if why := matrix.unreachable(host):
            lines.append(f"{where}: unreachable, no test ran: {why}")
            continue
        lines.append(
            f"{where}: {c[PASS]} pass, {c[FAIL]} fail, {c[ERR]} error, {c[NA]} n/a -> {matrix.verdict(host)}"
        )
        if host in matrix.costs and matrix.costs[host].tests:
            lines.append(f"  {host}: {matrix.costs[host].line()}")
    lines += [
        f"{ch['change']}: {ch['behaviour']} on {ch['host']}{_under(ch['isolation'])} "
        f"({ch['from']} -> {ch['to']}); {ch['host_change']}"
        for ch in matrix.changes()
    ]
    return lines


def _under(modes: str) -> str:
    return f" under {modes}" if modes else ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE, help="conformance catalogue YAML")
    parser.add_argument(
        "--baseline", type=Path, help="an earlier matrix.json: mark newly failing/passing cells"
    )
    parser.add_argument(
        "--expect-host",
        action="append",
        type=expect_host,
        default=[],
        metavar="HOST[=JOB]",
        help="a host that must have results, and the job that runs it (repeatable)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.matrix", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="where matrix.html and matrix.json go")
    parser.add_argument(
        "results", type=Path, nargs="+", help="result directories (with *.jsonl and hosts.json)"
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        matrix = matrix_from_dirs(args.results, args.catalogue, args.baseline, args.expect_host)
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    write_matrix(matrix, args.out)
    print("\n".join(summary_lines(matrix)))
    return 0 if matrix.ok else 1


if __name__ == "__main__":
    sys.exit(main())
