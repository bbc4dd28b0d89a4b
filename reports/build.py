"""Merge results from several places (xdist workers, CI jobs) into one matrix and one Allure report.

    python -m reports.build --out reports/out                      # rebuild from reports/out itself
    python -m reports.build --out merged job-ws2022/ job-ws2025/ lab/ [--baseline nightly/matrix.json]

Each input is a run's output directory (holding ``results/`` and ``allure-results/``, as
``reports.run`` writes it), a folder this command wrote, or a bare results directory.  The
records of every input go to ``<out>/results`` (``reports.merge``: the same run given twice
counts once, two runs of one host's test are refused), so a merged folder merges again like a
job's; the Allure results are copied into ``<out>/allure-results`` (file names are unique) with
one merged ``environment.properties`` and ``categories.json``, the HTML is generated from there,
and ``<out>/junit.xml`` holds every test, one suite per host.  ``--expect-host HOST=JOB``
names a host that must have results and the job that runs it: without any, the merge fails
with one line and the matrix shows the host "not run".
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from inventory import InventoryError
from reports import allure_meta
from reports.junit import write_junit
from reports.matrix import CATALOGUE, add_expect_host_option, expected_jobs, not_run_reason
from reports.merge import MixedRuns, combine, write_results
from reports.run import finish, show_paths
from reports.shards import expected_hosts, latest_attempts


def _layout(source: Path) -> tuple[Path, Path | None]:
    """(results dir, allure results dir or None) of one input."""
    if not source.is_dir():
        raise FileNotFoundError(f"input {source} is not a directory")
    results = source / "results" if (source / "results").is_dir() else source
    allure = source / "allure-results"
    if allure.is_dir():
        return results, allure
    return results, source if any(source.glob("*-result.json")) else None


def merge_allure(sources: Sequence[Path], target: Path) -> int:
    """Copy allure result files into ``target``; returns how many were copied."""
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for source in sources:
        if source.resolve() == target.resolve():
            continue
        for path in source.iterdir():
            if path.is_file() and path.name not in ("environment.properties", "categories.json"):
                shutil.copy2(path, target / path.name)
                copied += 1
    return copied


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("reports/out"))
    parser.add_argument(
        "inputs", type=Path, nargs="*", help="run output or results directories (default: --out)"
    )
    parser.add_argument(
        "--baseline", type=Path, help="an earlier matrix.json: mark newly failing/passing cells"
    )
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    add_expect_host_option(parser)
    parser.add_argument(
        "--expect-inventory",
        type=Path,
        metavar="FILE",
        help="every host of this inventory must have results (those --expect-tags select, when given)",
    )
    parser.add_argument(
        "--expect-tags",
        action="append",
        default=[],
        metavar="TAGS=JOB",
        help="with --expect-inventory: the hosts with these tags are run by JOB (repeatable)",
    )
    parser.add_argument(
        "--latest-attempt",
        action="store_true",
        help="of inputs named <shard>-<attempt> (a re-run job's artifacts), merge only the latest",
    )
    parser.add_argument(
        "--allure-history",
        type=Path,
        metavar="FILE",
        help="Allure's history (JSON lines, e.g. the last night's): read for trends, appended to",
    )
    parser.add_argument("--no-html", action="store_true", help="skip the Allure HTML")
    args = parser.parse_args(argv)
    inputs = args.inputs or [args.out]
    if args.latest_attempt:
        inputs, dropped = latest_attempts(inputs)
        for line in dropped:
            print(f"reports.build: {line}", file=sys.stderr)
    expected = expected_jobs(args.expect_host)
    if args.expect_inventory is not None:
        try:
            expected = {**expected_hosts(args.expect_inventory, args.expect_tags), **expected}
        except (InventoryError, ValueError) as exc:
            parser.error(str(exc).strip())
    elif args.expect_tags:
        parser.error("--expect-tags needs --expect-inventory")
    try:
        layouts = [_layout(p) for p in inputs]
    except FileNotFoundError as exc:
        parser.error(str(exc))
    if args.baseline is not None and not args.baseline.is_file():
        parser.error(f"--baseline {args.baseline}: no such file")
    result_dirs = [r for r, _ in layouts]
    allure_dirs = [a for _, a in layouts if a is not None]
    try:
        combined = combine(result_dirs)
    except MixedRuns as exc:
        print(f"reports.build: {exc}", file=sys.stderr)
        return 2
    for line in combined.duplicates:
        print(f"reports.build: {line}", file=sys.stderr)
    results = args.out / "results"
    if [r.resolve() for r in result_dirs] != [results.resolve()]:
        write_results(combined, results)

    merged = args.out / "allure-results"
    merge_allure(allure_dirs, merged)
    allure_meta.write_environment(merged, combined.info.facts)
    allure_meta.write_categories(merged)
    matrix, html_ok = finish(
        args.out,
        [results],
        [merged],
        baseline=args.baseline,
        catalogue=args.catalogue,
        expect_hosts=[f"{host}={job}" for host, job in expected.items()],
        html=not args.no_html,
        allure_history=args.allure_history,
    )
    write_junit(matrix, args.out / "junit.xml")
    show_paths(args.out)
    for host, job in expected.items():
        if host in matrix.not_run:
            print(f"reports.build: expected host {host} is {not_run_reason(job)}", file=sys.stderr)
    return 0 if matrix.ok and html_ok else 1


if __name__ == "__main__":
    sys.exit(main())
