"""Allure 3 HTML from allure results, with the pinned npm package (no Java).

``package.json``/``package-lock.json`` pin ``allure``; ``npm ci`` installs it into
``node_modules``, as one of the install steps every entry point runs (Makefile, tox.ini,
azure-pipelines.yml): a missing install is an error here, never installed behind the user's back.  ``allurerc.mjs`` holds the report's
configuration (categories, single-file output).

    if node_missing() is None:
        generate([Path("reports/out/allure-results")], Path("reports/out/allure-report"))
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "allurerc.mjs"
TIMEOUT = 600.0
# Allure 3's report page loads Google Analytics (its awesome plugin has no switch for it in
# 3.18): the tag and its config script are taken out of the page after generation.
ANALYTICS = re.compile(
    r"<script async src=\"https://www\.googletagmanager\.com/gtag/js[^\"]*\"></script>\s*"
    r"<script>\s*window\.dataLayer.*?</script>\s*",
    re.DOTALL,
)


class AllureError(RuntimeError):
    """Allure could not be installed or could not generate the report."""


def node_missing() -> str | None:
    """Why the HTML report cannot be built here, or None when node and npm are on PATH."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    return (
        f"{' and '.join(missing)} not found on PATH (install Node.js 20+ for the Allure HTML report)"
        if missing
        else None
    )


def allure_bin(root: Path = ROOT) -> Path:
    """The pinned allure CLI that ``npm ci`` installed from the lockfile."""
    binary = root / "node_modules" / ".bin" / "allure"
    if not binary.exists():
        raise AllureError(f"{binary} is missing: run `npm ci` in {root} (make does it with the venv)")
    return binary


def generate(
    results: Sequence[Path],
    out: Path,
    *,
    single_file: bool = True,
    name: str = "wcc conformance",
    history: Path | None = None,
) -> Path:
    """Write the Allure report for ``results`` into ``out`` (replacing it); returns its index.html.

    ``history``: Allure's history file (JSON lines), read for the trend and appended this run.
    """
    if not results:
        raise AllureError("no allure results directory given")
    for d in results:
        if not d.is_dir():
            raise AllureError(f"allure results directory {d} does not exist")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        str(allure_bin()),
        "generate",
        *map(str, results),
        "--config",
        str(CONFIG),
        "-o",
        str(out),
        "--name",
        name,
    ]
    env = {
        **os.environ,
        "WCC_ALLURE_SINGLE_FILE": "1" if single_file else "0",
        "NO_COLOR": "1",
        "ALLURE_NO_ANALYTICS": "true",  # honoured by Allure's other report plugins
        **({"WCC_ALLURE_HISTORY": str(history.resolve())} if history is not None else {}),
    }
    _run(cmd, ROOT, "allure generate", env)
    index = out / "index.html"
    if not index.exists():
        raise AllureError(f"allure generate wrote no {index}")
    remove_analytics(index)
    return index


def remove_analytics(index: Path) -> None:
    page = index.read_text(encoding="utf-8")
    clean = ANALYTICS.sub("", page, count=1)
    if clean != page:
        index.write_text(clean, encoding="utf-8")


def _run(cmd: list[str], cwd: Path, what: str, env: dict[str, str] | None = None) -> None:
    try:
        # its own session: a Ctrl-C meant for the run (reports.supervise) does not kill the report
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            start_new_session=os.name == "posix",
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AllureError(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
        raise AllureError(f"{what} exited {proc.returncode}:\n{tail}")
