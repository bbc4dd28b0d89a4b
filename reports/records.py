"""Result records: one JSON line per conformance test, written as the test finishes.

Each pytest process appends to its own ``<results>/<worker>.jsonl`` with a single ``write``
of a whole line, so a crashed worker leaves every finished test readable (at worst a torn last
line, which :func:`read_records` skips and reports).  ``hosts.json`` beside them says what the
run expected: the selected hosts, their facts and the selected tests.

    rec = Record(behaviour="compartments/default-native", host="ws2022-sim", via="direct",
                 outcome=PASSED, nodeid="suites/test_compartments.py::test_x[ws2022-sim-direct-process]",
                 isolation="process")
    append_record(Path("reports/out/results"), "gw0", rec)
    records, problems = read_records([Path("reports/out/results")])
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from filelock import FileLock

PASSED = "passed"
FAILED = "failed"
ERROR = "error"
NOT_APPLICABLE = "not-applicable"
OUTCOMES = (PASSED, FAILED, ERROR, NOT_APPLICABLE)

HOSTS_FILE = "hosts.json"
PROBLEMS_FILE = "problems.json"  # unreadable lines a merge found in its inputs (reports.merge)


@dataclass(frozen=True)
class Record:
    """What one conformance test concluded about one host, through one driver, under one isolation mode."""

    behaviour: str
    host: str
    via: str
    outcome: str
    nodeid: str
    # the mode its containers ran under; a record from before isolation was an axis ran under process
    isolation: str = "process"
    reason: str = ""
    # product-deviation | host-unreachable | timeout | lost-shell | unexpected-skip | broken | ""
    category: str = ""
    duration: float = 0.0
    worker: str = "main"
    must: str = ""
    seed: str = ""
    source: str = ""  # a behaviour beyond the seed: its evidence
    os_build: int | None = None
    round_trips: int | None = None  # framed calls to the host's PowerShell session
    wire_round_trips: int | None = None  # on the wire, waited on one after the other
    wire_requests: int | None = None  # on the wire, handshakes included
    bytes: int | None = None  # sent and received on the wire

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"record outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}")

    @property
    def area(self) -> str:
        return self.behaviour.split("/", 1)[0]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def append_record(results_dir: Path, worker: str, record: Record) -> Path:
    """Append one record to ``<results_dir>/<worker>.jsonl`` with one write (O_APPEND)."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{worker}.jsonl"
    line = (json.dumps(asdict(record), sort_keys=True) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def read_records(dirs: Iterable[Path]) -> tuple[list[Record], list[str]]:
    """All records under the given result dirs (searched recursively), and what could not be read."""
    records: list[Record] = []
    problems: list[str] = []
    for path in _files(dirs, "*.jsonl"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(Record.from_json(json.loads(line)))
            except (ValueError, TypeError) as exc:
                problems.append(f"{path}:{number}: unreadable record ({exc})")
    for path in _files(dirs, PROBLEMS_FILE):
        problems += [str(p) for p in json.loads(path.read_text(encoding="utf-8"))]
    return records, problems


@dataclass
class RunInfo:
    """``hosts.json``: hosts the run was asked to cover, what is known of them, tests selected."""

    expected: set[str] = field(default_factory=set)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (nodeid, behaviour, host, via, isolation) of every conformance test collected for the run
    selected: set[tuple[str, str, str, str, str]] = field(default_factory=set)
    # names (never values) of environment variables holding passwords, for redaction after the run
    secret_envs: set[str] = field(default_factory=set)

    def merge(self, other: RunInfo) -> None:
        self.expected |= other.expected
        self.selected |= other.selected
        self.secret_envs |= other.secret_envs
        for name, facts in other.facts.items():
            self.facts.setdefault(name, {}).update({k: v for k, v in facts.items() if v not in (None, "")})

    def to_json(self) -> dict[str, Any]:
        return {
            "expected": sorted(self.expected),
            "facts": {k: self.facts[k] for k in sorted(self.facts)},
            "selected": [list(t) for t in sorted(self.selected)],
            "secret_envs": sorted(self.secret_envs),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunInfo:
        return cls(
            expected=set(data.get("expected", [])),
            facts={str(k): dict(v) for k, v in data.get("facts", {}).items()},
            # an entry from before isolation was an axis has four fields: it ran under process
            selected={_selected(entry) for entry in data.get("selected", [])},
            secret_envs=set(data.get("secret_envs", [])),
        )


def _selected(entry: Sequence[Any]) -> tuple[str, str, str, str, str]:
    nodeid, behaviour, host, via, *mode = (str(v) for v in entry)
    return nodeid, behaviour, host, via, mode[0] if mode else "process"


def update_run_info(results_dir: Path, update: RunInfo) -> RunInfo:
    """Merge ``update`` into ``<results_dir>/hosts.json`` (several workers may do this at once)."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / HOSTS_FILE
    with reports_lock():
        info = RunInfo.from_json(json.loads(path.read_text())) if path.exists() else RunInfo()
        info.merge(update)
        write_atomic(path, json.dumps(info.to_json(), indent=1, sort_keys=True))
    return info


def read_run_info(dirs: Iterable[Path]) -> RunInfo:
    info = RunInfo()
    for path in _files(dirs, HOSTS_FILE):
        info.merge(RunInfo.from_json(json.loads(path.read_text())))
    return info


def reports_lock() -> FileLock:
    """The inter-process lock for read-modify-write of report files (workers write at once).

    One lock file per user in the temporary folder, whatever the report directory: a file per
    path would leave one behind for every output folder ever used (``reports.run`` gives pytest
    its own temporary folder, so there even this one goes at the end of the run).
    """
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return FileLock(os.path.join(tempfile.gettempdir(), f"wcc-reports-{user}.lock"))


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file so readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.chmod(tmp, 0o644)  # a report, not a secret (mkstemp makes it owner-only)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:  # whatever stopped the write (Ctrl-C too), no temporary file stays behind
        Path(tmp).unlink(missing_ok=True)
        raise


def _files(dirs: Iterable[Path], pattern: str) -> list[Path]:
    found: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise FileNotFoundError(f"result directory {d} does not exist")
        found.extend(sorted(d.rglob(pattern)))
    return found
