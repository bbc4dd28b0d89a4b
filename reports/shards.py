"""What a merge of CI shards expects: the latest attempt of each shard, every host of the inventory.

A CI system re-runs a failed job as a new attempt and keeps the old attempt's artifact, so the
report stage may download ``conformance-lab-ltsc2022-1`` and ``conformance-lab-ltsc2022-2``:
only the latest attempt of a shard is merged.  The hosts a merge expects come from the
inventory the shards ran from: every host carrying a shard's tags, named with that shard's job,
so a job that died without results shows its hosts as "not run" by it.

    kept, superseded = latest_attempts([Path("conformance-a-1"), Path("conformance-a-2")])
    expected_hosts(Path("lab.yml"), ["ltsc2022=lab_ltsc2022"])   # {"ws2022-lab": "lab_ltsc2022"}
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from inventory import load_inventory

ATTEMPT = re.compile(r"^(?P<stem>.+)-(?P<attempt>\d+)$")


def latest_attempts(inputs: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The inputs without earlier attempts of a shard (``<name>-<attempt>``), and one line per one left out."""
    best: dict[str, tuple[int, Path]] = {}
    for path in inputs:
        match = ATTEMPT.match(path.name)
        if match is None:
            continue
        key = str(path.parent / match["stem"])
        attempt = int(match["attempt"])
        if key not in best or attempt > best[key][0]:
            best[key] = (attempt, path)
    latest = {p for _, p in best.values()}
    kept, dropped = [], []
    for path in inputs:
        match = ATTEMPT.match(path.name)
        if match is None or path in latest:
            kept.append(path)
        else:
            newer = best[str(path.parent / match["stem"])][1]
            dropped.append(f"{path} is an earlier attempt of {newer.name}: left out")
    return kept, dropped


def expected_hosts(inventory: Path, tag_jobs: Sequence[str]) -> dict[str, str]:
    """Host -> job for every host of ``inventory`` that a ``TAGS=JOB`` shard (comma-separated tags,
    a host needs all) selects; without shards every host is expected, from no job in particular."""
    hosts = load_inventory(inventory, check_env=False).hosts
    if not tag_jobs:
        return {h.name: "" for h in hosts}
    expected: dict[str, str] = {}
    for value in tag_jobs:
        tags, sep, job = value.partition("=")
        wanted = {t.strip() for t in tags.split(",") if t.strip()}
        if not sep or not wanted or not job.strip():
            raise ValueError(f"--expect-tags {value}: give TAGS=JOB (tags comma-separated)")
        for host in hosts:
            if wanted <= set(host.tags):
                expected.setdefault(host.name, job.strip())
    return expected
