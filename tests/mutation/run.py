"""``make mutation``: cosmic-ray mutates winsim's host model in place; the conformance suite must kill each mutant.

    python -m tests.mutation.run            # init, narrow to the scope, run every mutant, report
    python -m tests.mutation.run --report   # only the report of the last session

Prints the kill rate and every survivor (file:line, operator, diff).  A survivor is either a
gap in the suite (strengthen the test) or a mutant that cannot change documented behaviour
(record it in tests/mutation/equivalent.md).  Long: not part of CI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

from tests.mutation.scope import skip_out_of_scope

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "mutation" / "cosmic-ray.toml"
OUT = ROOT / "reports" / "out" / "mutation"
SESSION = OUT / "session.sqlite"


def cosmic_ray(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cosmic_ray.cli", *args], cwd=ROOT, check=True)


def session_config() -> Path:
    """The checked-in config with this interpreter in the test command (a bare `python` may lack the tools)."""
    text = CONFIG.read_text().replace(
        'test-command = "python -m tests.mutation.trial"',
        f'test-command = "{sys.executable} -m tests.mutation.trial"',
    )
    path = OUT / "cosmic-ray.toml"
    path.write_text(text)
    return path


def baseline() -> None:
    """The suite must pass on the unmutated model, or every mutant would count as killed."""
    done = subprocess.run([sys.executable, "-m", "tests.mutation.trial"], cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit("make mutation: the conformance suite fails on the unmutated model; fix that first")


def report(db: WorkDB) -> int:
    killed = survived = incompetent = 0
    survivors = []
    for item, result in db.completed_work_items:
        if result is None or result.worker_outcome == WorkerOutcome.SKIPPED:
            continue
        if result.test_outcome == TestOutcome.KILLED:
            killed += 1
        elif result.test_outcome == TestOutcome.INCOMPETENT:
            incompetent += 1
        else:
            survived += 1
            survivors.append((item, result))
    total = killed + survived
    rate = 100.0 * killed / total if total else 0.0
    print(
        f"mutants run: {total + incompetent} ({incompetent} incompetent), killed {killed}, survived {survived}"
    )
    print(f"kill rate: {rate:.1f}%")
    for item, result in sorted(
        survivors, key=lambda p: (str(p[0].mutations[0].module_path), p[0].mutations[0].start_pos)
    ):
        mutation = item.mutations[0]
        print(
            f"\nSURVIVED {mutation.module_path}:{mutation.start_pos[0]} {mutation.operator_name} ({item.job_id})"
        )
        print((result.diff or "").rstrip())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only report the last session")
    args = parser.parse_args(argv)
    if not args.report:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "winsim"], cwd=ROOT, capture_output=True, text=True
        ).stdout
        if dirty.strip():
            raise SystemExit(f"make mutation mutates winsim/ in place; commit or stash first:\n{dirty}")
        OUT.mkdir(parents=True, exist_ok=True)
        SESSION.unlink(missing_ok=True)
        config = session_config()
        baseline()
        cosmic_ray("init", str(config), str(SESSION))
        with use_db(str(SESSION), WorkDB.Mode.open) as db:
            kept, skipped = skip_out_of_scope(db, ROOT)
        print(f"mutants in scope: {kept} (outside it: {skipped})", flush=True)
        cosmic_ray("exec", str(config), str(SESSION))
    with use_db(str(SESSION), WorkDB.Mode.open) as db:
        return report(db)


if __name__ == "__main__":
    sys.exit(main())
