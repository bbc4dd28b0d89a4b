"""Combine the result records of several inputs (job folders, merged folders) into one set.

A merge writes what it combined as a results folder of its own (``<out>/results``), so a merged
folder is an input like any job's and merging is associative: (A+B)+C holds the records of
A+B+C.  The same test of a host found in two inputs is the same run given twice when the records
are identical (counted once, said once); when they differ, two runs of that host are mixed and
the merge refuses with one line naming both inputs.

    merged = combine([Path("job-a/results"), Path("job-b/results")])
    write_results(merged, Path("out/results"))
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reports.records import (
    HOSTS_FILE,
    PROBLEMS_FILE,
    Record,
    RunInfo,
    read_records,
    read_run_info,
    write_atomic,
)

MERGED_RECORDS = "merged.jsonl"


class MixedRuns(ValueError):
    """Two inputs hold different results of one test on one host: two runs of it."""


@dataclass
class Merged:
    records: list[Record] = field(default_factory=list)
    info: RunInfo = field(default_factory=RunInfo)
    problems: list[str] = field(default_factory=list)
    # one line per (host, input, earlier input) whose records were a copy of the earlier ones
    duplicates: list[str] = field(default_factory=list)


def combine(result_dirs: Sequence[Path]) -> Merged:
    """Records and run info of every input; raises :class:`MixedRuns` on two runs of a host's test."""
    merged = Merged(info=read_run_info(result_dirs))
    first: dict[tuple[str, str], tuple[Record, Path]] = {}  # (host, nodeid) -> record, its input
    copies: dict[tuple[str, Path, Path], int] = {}
    for source in result_dirs:
        records, problems = read_records([source])
        merged.problems += problems
        for rec in records:
            key = (rec.host, rec.nodeid)
            seen = first.get(key)
            if seen is None:
                first[key] = (rec, source)
                merged.records.append(rec)
            elif seen[1] == source:
                merged.records.append(rec)  # one input's own records are as it wrote them
            elif seen[0] == rec:
                copies[(rec.host, source, seen[1])] = copies.get((rec.host, source, seen[1]), 0) + 1
            else:
                raise MixedRuns(
                    f"{rec.host} has results from two different runs, in {seen[1]} and {source} "
                    f"({rec.nodeid}): merge one run of each host"
                )
    merged.problems = list(dict.fromkeys(merged.problems))  # a merged input repeats its parts
    merged.duplicates = [
        f"{host}: {count} results in {source} repeat those in {earlier}; counted once"
        for (host, source, earlier), count in sorted(copies.items())
    ]
    return merged


def write_results(merged: Merged, target: Path) -> None:
    """Replace ``target`` with the merged records and run info (it may be one of the inputs)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        ordered = sorted(merged.records, key=lambda r: (r.host, r.nodeid, r.worker))
        text = "".join(json.dumps(asdict(r), sort_keys=True) + "\n" for r in ordered)
        write_atomic(staging / MERGED_RECORDS, text)
        write_atomic(staging / HOSTS_FILE, json.dumps(merged.info.to_json(), indent=1, sort_keys=True))
        if merged.problems:
            write_atomic(staging / PROBLEMS_FILE, json.dumps(merged.problems, indent=1))
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
