"""Run the conformance suite and write every report (``make conformance``).

    python -m reports.run --out reports/out -- -n 4 -k compartments

Cleans the previous results first (before pytest starts: allure's own --clean-alluredir races
under xdist), runs pytest with Allure, JUnit and wcc result records, masks known secrets in what
pytest wrote, builds the matrix (comparing with the previous run's matrix when there is one),
then the Allure HTML when node is available.  Exit status: pytest's, or 1 when pytest passed but
the matrix has failures or errors (e.g. a host with no results).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from reports import allure_html
from reports.matrix import CATALOGUE, Matrix, matrix_from_dirs, summary_lines, write_matrix
from reports.records import read_run_info
from reports.redact import env_secrets, redact_files

# What a run writes into --out (anything else there, e.g. screenshots, is left alone).
OUTPUTS = ("results", "allure-results", "allure-report", "junit.xml", "matrix.json", "matrix.html")
PREVIOUS = "matrix.previous.json"


def clean(out: Path) -> Path | None:
    """Remove the previous run's outputs; keep its matrix as the baseline. Returns the baseline path."""
    out.mkdir(parents=True, exist_ok=True)
    previous = None
    if (out / "matrix.json").exists():
        previous = out / PREVIOUS
        (out / "matrix.json").replace(previous)
    for name in OUTPUTS:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    return previous


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
) -> tuple[Matrix, bool]:
    """Matrix + Allure HTML into ``out``; returns the matrix and whether the HTML step went well."""
    matrix = matrix_from_dirs(result_dirs, catalogue, baseline, expect_hosts)
    json_path, html_path = write_matrix(matrix, out)
    print("\n".join(["", "Conformance matrix:", *summary_lines(matrix)]))
    print(f"matrix: {html_path} ({json_path.name} beside it)")
    if not html:
        return matrix, True
    why = allure_html.node_missing()
    if why:
        print(f"Allure HTML skipped: {why}; `make report` builds it later")
        return matrix, True
    try:
        index = allure_html.generate(list(allure_dirs), out / "allure-report")
    except allure_html.AllureError as exc:
        print(f"Allure HTML failed: {exc}", file=sys.stderr)
        return matrix, False
    print(f"allure: {index}")
    return matrix, True


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
        "--baseline", type=Path, help="matrix.json of an earlier run (default: the previous run's)"
    )
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("--expect-host", action="append", default=[], metavar="NAME")
    parser.add_argument("--no-html", action="store_true", help="skip the Allure HTML")
    args = parser.parse_args(own)
    if args.baseline is not None and not args.baseline.is_file():
        parser.error(f"--baseline {args.baseline}: no such file")

    previous = clean(args.out)
    rc = subprocess.call(pytest_command(args.out, pytest_args))
    results = args.out / "results"
    if not results.is_dir():  # usage error, nothing collected: nothing to report on
        print(f"pytest exited {rc} before recording anything; no reports written", file=sys.stderr)
        return rc or 1
    mask_secrets(args.out, sorted(read_run_info([results]).secret_envs))
    matrix, html_ok = finish(
        args.out,
        [results],
        [args.out / "allure-results"],
        baseline=args.baseline or previous,
        catalogue=args.catalogue,
        expect_hosts=args.expect_host,
        html=not args.no_html,
    )
    if rc != 0:
        return rc
    return 0 if matrix.ok and html_ok else 1


if __name__ == "__main__":
    sys.exit(main())
