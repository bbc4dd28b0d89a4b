"""Run the conformance suite and write every report (``make conformance``).

    python -m reports.run --out reports/out --workers auto -- -k compartments

Runs pytest (as a child it can stop cleanly: ``reports.supervise``) with Allure, JUnit and wcc
result records written into a new folder inside ``--out``, masks known secrets in what pytest
wrote, builds the matrix (compared with the last complete run's) and the Allure HTML, then
swaps the new reports in (``reports.outdir``).  A run that produced nothing (a usage error such
as an unknown host, nothing selected) leaves the previous reports and baseline as they were.
A Ctrl-C or SIGTERM stops pytest and still writes the reports of what ran, marked interrupted;
a second one stops at once and keeps the previous reports.

Exit status: pytest's; 1 when pytest passed but the matrix has failures or errors (e.g. a host
with no results); 128 + the signal's number after an interruption.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from inventory import DEFAULT_INVENTORY, InventoryError, load_inventory
from reports import allure_html, allure_results, catalogue_html
from reports.matrix import (
    CATALOGUE,
    add_expect_host_option,
    load_catalogue,
    matrix_from_dirs,
    summary_lines,
    write_matrix,
)
from reports.matrix_model import Matrix
from reports.outdir import Staging
from reports.records import read_run_info, write_atomic
from reports.redact import env_secrets, redact_files
from reports.supervise import Forced, Supervisor

# pytest's exit statuses for "nothing was tested": no report replaces the previous one
USAGE_ERROR, NO_TESTS = 4, 5


# Options of the wcc plugin whose value may be an existing path: joined into one token, since
# pytest reads a separate existing path as something to test and moves its rootdir there.
JOIN_VALUE = ("--inventory",)


def join_option_values(args: Sequence[str]) -> list[str]:
    """``["--inventory", "/x.yml"]`` -> ``["--inventory=/x.yml"]``; everything else unchanged."""
    out: list[str] = []
    pending: str | None = None
    for arg in args:
        if pending is not None:
            out.append(f"{pending}={arg}")
            pending = None
        elif arg in JOIN_VALUE:
            pending = arg
        else:
            out.append(arg)
    if pending is not None:
        out.append(pending)
    return out


def _option(args: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name and i + 1 < len(args):
            return args[i + 1]
    return None


def auto_workers(args: Sequence[str]) -> int:
    """One worker per selected host (a host's tests stay on one worker).

    A real host's worker mostly waits on the network, so real hosts get one each whatever the
    cores; simulated hosts run here and share the cores (at most one worker per core for them).
    """
    path = _option(args, "--inventory") or os.environ.get("WCC_INVENTORY") or str(DEFAULT_INVENTORY)
    split = [
        [v.strip() for v in value.split(",") if v.strip()] if value else None
        for value in (_option(args, "--hosts"), _option(args, "--host-tags"))
    ]
    try:
        hosts = load_inventory(path, check_env=False).select(*split)
    except (InventoryError, KeyError):
        return 1  # pytest says what is wrong with the inventory or the selection
    simulated = sum(1 for h in hosts if h.sim is not None)
    return max(1, len(hosts) - simulated + min(simulated, os.cpu_count() or 1))


def worker_args(workers: str, args: Sequence[str]) -> list[str]:
    """``-n N`` for ``--workers`` (a number or ``auto``), unless the pytest arguments choose already."""
    if any(a in ("-n", "--numprocesses") or a.startswith(("-n", "--numprocesses=")) for a in args):
        return []
    count = auto_workers(args) if workers == "auto" else int(workers)
    return ["-n", str(count)]


def pytest_command(out: Path, args: Sequence[str]) -> list[str]:
    # "--opt=value" in one token: pytest's early pass (rootdir, testpaths) does not know plugin
    # options yet and would take a separate value for a path to collect
    return [
        sys.executable,
        "-m",
        "pytest",
        f"--alluredir={out / 'allure-results'}",
        f"--junitxml={out / 'junit.xml'}",
        f"--wcc-results={out / 'results'}",
        *join_option_values(args),
    ]


def mask_secrets(out: Path, secret_envs: Sequence[str] = ()) -> int:
    files = [out / "junit.xml", *sorted((out / "allure-results").glob("*"))]
    return redact_files([f for f in files if f.is_file()], env_secrets(names=secret_envs))


def finish(
    out: Path,
    result_dirs: Sequence[Path],
    allure_dirs: Sequence[Path],
    *,
    baseline: Path | None,
    catalogue: Path,
    expect_hosts: Sequence[str],
    html: bool,
    interrupted: bool = False,
    allure_history: Path | None = None,
) -> tuple[Matrix, bool]:
    """Matrix + Allure HTML into ``out``; returns the matrix and whether the HTML step went well."""
    matrix = matrix_from_dirs(result_dirs, catalogue, baseline, expect_hosts, interrupted)
    html_ok = _allure_html(out, allure_dirs, allure_history) if html else True
    if (out / "allure-report" / "index.html").is_file():
        matrix.link_allure(allure_results.report_ids(allure_dirs))
    write_matrix(matrix, out)
    write_atomic(out / catalogue_html.PAGE, catalogue_html.render(load_catalogue(catalogue)))
    print("\n".join(["", "Conformance matrix:", *summary_lines(matrix)]))
    return matrix, html_ok


def _allure_html(out: Path, allure_dirs: Sequence[Path], history: Path | None = None) -> bool:
    why = allure_html.node_missing()
    if why:
        print(f"Allure HTML skipped: {why}; `make report` builds it later")
        return True
    for folder in allure_dirs:
        allure_results.tidy(folder)
    try:
        allure_html.generate(list(allure_dirs), out / "allure-report", history=history)
    except allure_html.AllureError as exc:
        print(f"Allure HTML failed: {exc}", file=sys.stderr)
        return False
    return True


def show_paths(out: Path) -> None:
    print(f"matrix: {out / 'matrix.html'} (matrix.json beside it)")
    if (out / "allure-report" / "index.html").is_file():
        print(f"allure: {out / 'allure-report' / 'index.html'}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, pytest_args = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    )
    parser = argparse.ArgumentParser(prog="python -m reports.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path("reports/out"), help="output directory (default reports/out)"
    )
    parser.add_argument(
        "--baseline", type=Path, help="matrix.json of an earlier run (default: the last complete run's)"
    )
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    add_expect_host_option(parser)
    parser.add_argument("--no-html", action="store_true", help="skip the Allure HTML")
    parser.add_argument(
        "--workers",
        metavar="N|auto",
        help="pytest-xdist workers; auto: one per selected host (simulated ones: at most one per CPU core)",
    )
    args = parser.parse_args(own)
    if args.baseline is not None and not args.baseline.is_file():
        parser.error(f"--baseline {args.baseline}: no such file")
    if args.workers not in (None, "auto") and not str(args.workers).isdigit():
        parser.error(f"--workers {args.workers}: a number of workers or 'auto'")
    if args.workers:
        pytest_args = [*pytest_args, *worker_args(args.workers, pytest_args)]

    staging = Staging.create(args.out)
    try:
        with Supervisor() as supervisor:
            rc = supervisor.run(pytest_command(staging.path, pytest_args))
            interrupted = supervisor.signum
            return _report(args, staging, rc, interrupted)
    except Forced as forced:
        print(
            f"wcc: stopped at once ({forced}); the previous reports in {args.out} are kept", file=sys.stderr
        )
        return 128 + forced.signum
    finally:
        staging.discard()


def _report(args: argparse.Namespace, staging: Staging, rc: int, interrupted: int | None) -> int:
    results = staging.path / "results"
    ran = results.is_dir() and any(results.glob("*.jsonl"))
    if not results.is_dir() or rc in (USAGE_ERROR, NO_TESTS) or (interrupted and not ran):
        what = "was interrupted" if interrupted else f"exited {rc}"
        print(
            f"pytest {what} before recording any test; the previous reports in {args.out} are kept",
            file=sys.stderr,
        )
        return 128 + interrupted if interrupted else (rc or 1)
    mask_secrets(staging.path, sorted(read_run_info([results]).secret_envs))
    matrix, html_ok = finish(
        staging.path,
        [results],
        [staging.path / "allure-results"],
        baseline=args.baseline or staging.baseline(),
        catalogue=args.catalogue,
        expect_hosts=args.expect_host,
        html=not args.no_html,
        interrupted=interrupted is not None,
    )
    staging.promote()
    show_paths(args.out)
    if interrupted:
        return 128 + interrupted
    if rc != 0:
        return rc
    return 0 if matrix.ok and html_ok else 1


if __name__ == "__main__":
    sys.exit(main())
