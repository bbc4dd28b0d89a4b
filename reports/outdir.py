"""A run's output folder: written aside, swapped in only when the run produced reports.

``reports.run`` writes into a new folder inside ``--out`` (``.run-<pid>-XXXX``) and moves its
outputs into place at the end; a run that produced nothing (a usage error, an interruption
before the tests were collected) leaves the previous reports and their baseline untouched.

    staging = Staging.create(Path("reports/out"))
    baseline = staging.baseline()            # the last complete run's matrix.json, if any
    ... write into staging.path ...
    staging.promote()                        # or staging.discard()
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

# What a run writes into --out (anything else there, e.g. screenshots, is left alone).
OUTPUTS = (
    "results",
    "allure-results",
    "allure-report",
    "junit.xml",
    "matrix.json",
    "matrix.html",
    "seed.html",
    "catalogue.html",
)
MATRIX = "matrix.json"
# The last complete run's matrix, kept while the current matrix.json is an interrupted run's.
PREVIOUS = "matrix.previous.json"
STAGING_PREFIX = ".run-"


def interrupted(matrix_json: Path) -> bool:
    try:
        return bool(json.loads(matrix_json.read_text(encoding="utf-8")).get("interrupted"))
    except (OSError, ValueError):
        return True  # unreadable: no baseline to compare with


@dataclass(frozen=True)
class Staging:
    out: Path
    path: Path

    @classmethod
    def create(cls, out: Path) -> Staging:
        out.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(out)
        return cls(out, Path(tempfile.mkdtemp(dir=out, prefix=f"{STAGING_PREFIX}{os.getpid()}-")))

    def baseline(self) -> Path | None:
        """The matrix of the last run that was not interrupted: what this run is compared with."""
        for name in (MATRIX, PREVIOUS):
            candidate = self.out / name
            if candidate.is_file() and not interrupted(candidate):
                return candidate
        return None

    def promote(self) -> None:
        """Replace the previous outputs by this run's; the last complete matrix stays as the baseline."""
        current = self.out / MATRIX
        if current.is_file() and not interrupted(current):
            current.replace(self.out / PREVIOUS)
        for name in OUTPUTS:
            new, old = self.path / name, self.out / name
            if old.is_dir():
                old.replace(self.path / f".old-{name}")  # out of the way in one rename, removed below
            elif old.exists() and not new.exists():
                old.unlink()
            if new.exists():
                new.replace(old)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _remove_abandoned(out: Path) -> None:
    """Staging folders of runs that were killed outright (their process is gone)."""
    for path in out.glob(f"{STAGING_PREFIX}*"):
        pid = path.name[len(STAGING_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # Windows' os.kill(pid, 0) would send a Ctrl-C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's live process; Windows: no probe by signal 0
        return True
    return True
