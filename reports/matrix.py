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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from reports import seed
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
SCHEMA = 1

PASS, FAIL, NA, ERR = "pass", "fail", "na", "error"
STATUSES = (PASS, FAIL, NA, ERR)
# Worst first: a failure is the strongest statement about a host; n/a only when nothing applied.
_RANK = {FAIL: 3, ERR: 2, PASS: 1, NA: 0}
_FROM_OUTCOME = {PASSED: PASS, FAILED: FAIL, NOT_APPLICABLE: NA, ERROR: ERR}
NEWLY_FAILING, NEWLY_PASSING = "newly-failing", "newly-passing"
UNREACHABLE = "host-unreachable"  # reports.verdict's category for a host that could not be reached
NO_RESULT = "no result: the test did not report (host or worker lost, run interrupted or never started)"


@dataclass
class TestResult:
    nodeid: str
    status: str
    reason: str = ""
    category: str = ""
    duration: float = 0.0
    allure: str = ""  # the test's page in the Allure report (reports.allure_results.report_ids)


@dataclass
class ViaResult:
    status: str
    reason: str = ""
    tests: list[TestResult] = field(default_factory=list)


@dataclass
class Cell:
    status: str
    reason: str = ""
    via: dict[str, ViaResult] = field(default_factory=dict)
    change: str = ""
    previous: str = ""


@dataclass
class Row:
    id: str
    area: str
    must: str
    seed: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return worst(c.status for c in self.cells.values()) if self.cells else ERR


@dataclass
class HostCost:
    """Round trips, bytes and wall time of one host's tests (connection openings included)."""

    tests: int = 0
    round_trips: int = 0
    wire_round_trips: int = 0
    wire_requests: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def add(self, rec: Record) -> None:
        self.tests += 1
        self.round_trips += rec.round_trips or 0
        self.wire_round_trips += rec.wire_round_trips or 0
        self.wire_requests += rec.wire_requests or 0
        self.bytes += rec.bytes or 0
        self.seconds += rec.duration

    def line(self) -> str:
        return (
            f"{self.round_trips} round trips ({self.wire_round_trips} on the wire, {self.wire_requests} "
            f"requests), {self.bytes / 1024:.0f} KiB, {self.seconds:.1f} s in {self.tests} tests"
        )


@dataclass
class Matrix:
    hosts: list[str]
    facts: dict[str, dict[str, Any]]
    rows: list[Row]
    generated: str
    problems: list[str] = field(default_factory=list)
    baseline: str = ""
    # stopped by Ctrl-C/SIGTERM: the tests that did not run show as errors, and the next run
    # compares with the last complete matrix instead of this one (reports.outdir)
    interrupted: bool = False
    # host -> what reaching it cost over the run: summed from its tests' records
    costs: dict[str, HostCost] = field(default_factory=dict)

    def summary(self, host: str) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.cells[host].status] += 1
        return counts

    def unreachable(self, host: str) -> str:
        """Why the host could not be reached, when none of its tests got further; else ""."""
        tests = [t for r in self.rows for v in r.cells[host].via.values() for t in v.tests]
        if not tests or any(t.category != UNREACHABLE for t in tests):
            return ""
        return _reason_once(tests[0].reason)

    def verdict(self, host: str) -> str:
        counts = self.summary(host)
        if counts[FAIL]:
            return "deviates"
        if counts[ERR]:
            return "incomplete"
        return "conforms"

    def link_allure(self, pages: Mapping[str, str], report: str = "allure-report/index.html") -> None:
        """Point every test at its page in the Allure report (``pages``: node id -> page id)."""
        for row in self.rows:
            for cell in row.cells.values():
                for via in cell.via.values():
                    for test in via.tests:
                        if test.nodeid in pages:
                            test.allure = f"{report}#/{pages[test.nodeid]}"

    def changes(self) -> list[dict[str, str]]:
        return [
            {"behaviour": r.id, "host": h, "change": c.change, "from": c.previous, "to": c.status}
            for r in self.rows
            for h, c in r.cells.items()
            if c.change
        ]

    @property
    def ok(self) -> bool:
        """True when there were results to judge and every cell passed or did not apply."""
        return bool(self.rows and self.hosts) and all(
            c.status in (PASS, NA) for r in self.rows for c in r.cells.values()
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated": self.generated,
            "baseline": self.baseline,
            "interrupted": self.interrupted,
            "hosts": [
                {
                    "name": h,
                    "facts": self.facts.get(h, {}),
                    "summary": self.summary(h),
                    "verdict": self.verdict(h),
                    "unreachable": self.unreachable(h),
                    "cost": asdict(self.costs.get(h, HostCost())),
                }
                for h in self.hosts
            ],
            "behaviours": [
                {
                    "id": r.id,
                    "area": r.area,
                    "must": r.must,
                    "seed": r.seed,
                    "cells": {h: _cell_json(c) for h, c in r.cells.items()},
                }
                for r in self.rows
            ],
            "changes": self.changes(),
            "problems": self.problems,
        }


def _reason_once(reason: str) -> str:
    """A test's reason without the phase and exception prefixes (``setup: fixtures.hosts.X: X: ...``)."""
    text = reason.split("\n", 1)[0]
    text = text.removeprefix("setup: ")
    head, sep, rest = text.partition(": ")
    while sep and all(p.isidentifier() for p in head.split(".")) and head.rsplit(".", 1)[-1][:1].isupper():
        text = rest
        head, sep, rest = text.partition(": ")
    return text


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: _RANK[s], default=ERR)


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
    expect_hosts: Iterable[str] = (),
    problems: Sequence[str] = (),
) -> Matrix:
    hosts = sorted(info.expected | {r.host for r in records} | set(expect_hosts))
    by_id = {str(e["id"]): e for e in catalogue}
    if info.selected:
        ids = {t[1] for t in info.selected} | {r.behaviour for r in records}
    else:
        ids = set(by_id) | {r.behaviour for r in records}

    vias: dict[str, set[str]] = {i: set(by_id.get(i, {}).get("drivers") or ()) for i in ids}
    expected_tests: dict[tuple[str, str, str], set[str]] = {}
    for nodeid, bid, host, via in info.selected:
        vias[bid].add(via)
        expected_tests.setdefault((bid, host, via), set()).add(nodeid)
    got: dict[tuple[str, str, str], list[Record]] = {}
    for rec in records:
        vias[rec.behaviour].add(rec.via)
        got.setdefault((rec.behaviour, rec.host, rec.via), []).append(rec)

    rows = []
    for bid in sorted(ids):
        entry = by_id.get(bid, {})
        sample = next((r for r in records if r.behaviour == bid), None)
        row = Row(
            id=bid,
            area=str(entry.get("area") or bid.split("/", 1)[0]),
            must=str(entry.get("must") or (sample.must if sample else "")),
            seed=str(entry.get("seed") or (sample.seed if sample else "")),
        )
        for host in hosts:
            row.cells[host] = _cell(
                {v: _via(got, expected_tests, bid, host, v) for v in sorted(vias[bid] or {""})}
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
        hosts, facts, rows, datetime.now(UTC).isoformat(timespec="seconds"), list(problems), costs=costs
    )


def _via(
    got: Mapping[tuple[str, str, str], list[Record]],
    expected: Mapping[tuple[str, str, str], set[str]],
    bid: str,
    host: str,
    via: str,
) -> ViaResult:
    key = (bid, host, via)
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


def _cell(vias: dict[str, ViaResult]) -> Cell:
    status = worst(v.status for v in vias.values())
    reasons = [
        f"{via}: {v.reason}" if via else v.reason for via, v in vias.items() if v.status != PASS and v.reason
    ]
    return Cell(status, "\n".join(reasons), vias)


def _cell_json(cell: Cell) -> dict[str, Any]:
    return {
        "status": cell.status,
        "reason": cell.reason,
        "change": cell.change,
        "previous": cell.previous,
        "via": {
            name: {
                "status": v.status,
                "reason": v.reason,
                "tests": [t.__dict__ for t in v.tests],
            }
            for name, v in cell.via.items()
        },
    }


def apply_baseline(matrix: Matrix, baseline: Mapping[str, Any], label: str = "") -> None:
    """Mark cells whose verdict moved between pass and fail/error since ``baseline`` (a matrix JSON)."""
    if baseline.get("schema") != SCHEMA:
        raise ValueError(
            f"baseline {label or ''} is not a wcc matrix JSON (schema {baseline.get('schema')!r})"
        )
    before = {
        (b["id"], h): c["status"]
        for b in baseline.get("behaviours", [])
        for h, c in b.get("cells", {}).items()
    }
    matrix.baseline = label
    for row in matrix.rows:
        for host, cell in row.cells.items():
            old = before.get((row.id, host))
            if old is None or (matrix.interrupted and _no_result(cell)):
                continue  # a test the interruption stopped says nothing new about the host
            cell.previous = old
            if old == PASS and cell.status in (FAIL, ERR):
                cell.change = NEWLY_FAILING
            elif old in (FAIL, ERR) and cell.status == PASS:
                cell.change = NEWLY_PASSING


def _no_result(cell: Cell) -> bool:
    tests = [t for v in cell.via.values() for t in v.tests]
    return all(t.category == "no-result" for t in tests) if tests else cell.reason == NO_RESULT


def write_matrix(matrix: Matrix, out: Path) -> tuple[Path, Path]:
    """Write ``matrix.json`` and ``matrix.html`` into ``out``."""
    from reports.matrix_html import render

    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "matrix.json", out / "matrix.html"
    write_atomic(json_path, json.dumps(matrix.to_json(), indent=1, sort_keys=False) + "\n")
    write_atomic(html_path, render(matrix))
    write_atomic(out / seed.PAGE, seed.render(seed.SEED.read_text(encoding="utf-8"), quoted_lines(matrix)))
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
        t.category == "no-result"
        for r in matrix.rows
        for c in r.cells.values()
        for v in c.via.values()
        for t in v.tests
    )
    if baseline is not None:
        apply_baseline(matrix, json.loads(baseline.read_text(encoding="utf-8")), str(baseline))
    return matrix


def summary_lines(matrix: Matrix) -> list[str]:
    lines = []
    for host in matrix.hosts:
        c = matrix.summary(host)
        build = matrix.facts.get(host, {}).get("os_build")
        where = f"{host} (build {build})" if build else host
        if why := matrix.unreachable(host):
            lines.append(f"{where}: unreachable, no test ran: {why}")
            continue
        lines.append(
            f"{where}: {c[PASS]} pass, {c[FAIL]} fail, {c[ERR]} error, {c[NA]} n/a -> {matrix.verdict(host)}"
        )
        if host in matrix.costs and matrix.costs[host].tests:
            lines.append(f"  {host}: {matrix.costs[host].line()}")
    lines += [
        f"{ch['change']}: {ch['behaviour']} on {ch['host']} ({ch['from']} -> {ch['to']})"
        for ch in matrix.changes()
    ]
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE, help="conformance catalogue YAML")
    parser.add_argument(
        "--baseline", type=Path, help="an earlier matrix.json: mark newly failing/passing cells"
    )
    parser.add_argument(
        "--expect-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host that must have results (repeatable)",
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
