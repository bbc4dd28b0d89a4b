"""mypy checks code that uses ``host.batch()``: a batched call is a ``Deferred[T]``, not a ``T``.

One mypy run over a snippet of right and wrong uses; each wrong line (marked ``# wrong``) is the
one mypy rejects, and no right line is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

pytestmark = pytest.mark.slow  # one mypy run over the drivers, uncached

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
from drivers.host import Host
from drivers.models import Compartment
from drivers.probers import Deferred


def right(host: Host) -> None:
    with host.batch() as b:
        comps = b.net.compartments()
        routes = b.net.routes(1)
        version: Deferred[str | None] = b.hns.version()
        raw = b.call("Get-WccRoute", CompartmentId=1)
    first: Compartment = comps.value[0]
    assert routes.value[0].destination_prefix and raw.value and first.id and version.value
    now: list[Compartment] = host.net.compartments()
    host.daemon.stop()
    assert now


def wrong(host: Host) -> None:
    with host.batch() as b:
        comps = b.net.compartments()
        first: Compartment = b.net.compartments()[0]  # wrong: a Deferred has no items
        b.daemon.stop()  # wrong: several dependent calls, not in a batch
        b.net.routes("1")  # wrong: the argument's type is still checked
    comps[0].id  # wrong: the Deferred, not its value
    assert host.net.compartments().value and first  # wrong: an immediate call answers the value itself
"""


def test_mypy_rejects_each_batch_misuse_and_accepts_right_use(tmp_path: Path) -> None:
    snippet = tmp_path / "batch_use.py"
    snippet.write_text(SNIPPET, encoding="utf-8")
    stdout, stderr, status = api.run(
        [
            str(snippet),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "--no-error-summary",
            "--hide-error-context",
        ]
    )
    assert stderr == "" and status == 1, stdout
    rejected = sorted({int(line.split(":")[1]) for line in stdout.splitlines() if ": error:" in line})
    wrong = [n for n, line in enumerate(SNIPPET.splitlines(), 1) if "# wrong" in line]
    assert rejected == wrong, stdout
