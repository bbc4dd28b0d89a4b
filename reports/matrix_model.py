"""The conformance matrix as data: verdict names, the cells, rows and whole matrix, and its JSON.

A cell is one behaviour on one host; under it, one :class:`Mode` per isolation mode the tests ran
under (the axis: behaviour × host × isolation), and under each mode one :class:`ViaResult` per driver.

Built by :mod:`reports.matrix`, rendered by :mod:`reports.matrix_html`; both import this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from reports.records import Record

SCHEMA = 1

PASS, FAIL, NA, ERR = "pass", "fail", "na", "error"
STATUSES = (PASS, FAIL, NA, ERR)
# Worst first: a failure is the strongest statement about a host; n/a only when nothing applied.
_RANK = {FAIL: 3, ERR: 2, PASS: 1, NA: 0}
NEWLY_FAILING, NEWLY_PASSING, NEWLY_NA = "newly-failing", "newly-passing", "newly-na"
NA_NEW_REASON = "na-new-reason"  # n/a then and now, for another reason (a gate moved)
HOST_UNCHANGED = "host unchanged"
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
class Mode:
    """A behaviour on a host under one isolation mode: its verdict and its drivers' results."""

    status: str
    reason: str = ""
    via: dict[str, ViaResult] = field(default_factory=dict)
    change: str = ""  # since the baseline, as the cell's (a baseline from before the axis: its process)
    previous: str = ""


@dataclass
class Cell:
    status: str
    reason: str = ""
    isolation: dict[str, Mode] = field(default_factory=dict)  # mode -> its result, process first
    change: str = ""
    previous: str = ""
    # what differs in the host's facts between the baseline and now, or HOST_UNCHANGED
    host_change: str = ""

    def results(self) -> list[tuple[str, str, ViaResult]]:
        """(isolation, via, result) of every driver under every mode."""
        return [(m, v, r) for m, mode in self.isolation.items() for v, r in mode.via.items()]

    def tests(self) -> list[TestResult]:
        return [t for _, _, r in self.results() for t in r.tests]


@dataclass
class Row:
    id: str
    area: str
    must: str
    seed: str
    cells: dict[str, Cell] = field(default_factory=dict)
    source: str = ""  # a behaviour beyond the seed: where its MUST comes from
    isolation: tuple[str, ...] = ()  # the isolation modes it holds under (the catalogue's); (): not known
    isolation_evidence: dict[str, str] = field(default_factory=dict)  # mode -> why it holds there, or not

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
    # expected hosts without a single result -> the job that should have run them ("" unknown)
    not_run: dict[str, str] = field(default_factory=dict)

    def summary(self, host: str) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.cells[host].status] += 1
        return counts

    def unreachable(self, host: str) -> str:
        """Why the host could not be reached, when none of its tests got further; else ""."""
        tests = [t for r in self.rows for t in r.cells[host].tests()]
        if not tests or any(t.category != UNREACHABLE for t in tests):
            return ""
        return _reason_once(tests[0].reason)

    def verdict(self, host: str) -> str:
        if host in self.not_run:
            return "not run"
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
                for test in cell.tests():
                    if test.nodeid in pages:
                        test.allure = f"{report}#/{pages[test.nodeid]}"

    def changes(self) -> list[dict[str, str]]:
        """One entry per behaviour, host and isolation mode whose verdict moved since the baseline
        (a cell without modes, a host not run, by its own change)."""
        return [
            {
                "behaviour": r.id,
                "host": h,
                "isolation": mode,
                "change": change,
                "from": previous,
                "to": status,
                "host_change": c.host_change,
            }
            for r in self.rows
            for h, c in r.cells.items()
            for mode, change, previous, status in (
                [(m, sub.change, sub.previous, sub.status) for m, sub in c.isolation.items()]
                if c.isolation
                else [("", c.change, c.previous, c.status)]
            )
            if change
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
                    "not_run": not_run_reason(self.not_run[h]) if h in self.not_run else "",
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
                    "source": r.source,
                    "isolation": list(r.isolation),
                    "isolation_evidence": dict(r.isolation_evidence),
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


def not_run_reason(job: str) -> str:
    """What a cell and the summary say of an expected host that has no result at all."""
    return f"not run: no results from {f'job {job}' if job else 'any input'}"


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: _RANK[s], default=ERR)


def _cell_json(cell: Cell) -> dict[str, Any]:
    return {
        "status": cell.status,
        "reason": cell.reason,
        "change": cell.change,
        "previous": cell.previous,
        "host_change": cell.host_change,
        "isolation": {
            mode: {
                "status": m.status,
                "reason": m.reason,
                "change": m.change,
                "previous": m.previous,
                "via": {
                    name: {"status": v.status, "reason": v.reason, "tests": [t.__dict__ for t in v.tests]}
                    for name, v in m.via.items()
                },
            }
            for mode, m in cell.isolation.items()
        },
    }
