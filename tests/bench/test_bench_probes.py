"""The benchmark's round-trip counts, exactly (they are deterministic; its timings are only reported).

``make bench`` runs :mod:`bench` with the ``lab`` latency profile; here the same code runs
against a host without latency, and the counts it reports are checked, with the files it writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import output, probes
from bench.suite import SuiteRun

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def methods(tmp_path_factory: pytest.TempPathFactory) -> list[probes.Method]:
    measured, _ = probes.run(tmp_path_factory.mktemp("bench"), latency="none")
    return measured


def test_round_trips_per_probe_on_the_wire(methods: list[probes.Method]):
    counts = {m.name: (m.round_trips_per_probe, m.wire_requests / m.probes) for m in methods}
    assert counts == {
        # a new TCP connection; NTLM with message encryption (the empty POST and 2 legs); Create,
        # Command, Receive, Signal, Delete
        "pywinrm run_ps per probe": (9.0, 8.0),
        # the Send, waited on; the Receive that was already pending brings the answer
        "drivers, one call per probe (WinRM)": (1.0, 2.0),
        "drivers, one call per probe (SSH)": (1.0, 1.0),
        "drivers, one batch of 20 (WinRM)": (1 / 20, 2 / 20),
    }


def test_the_table_the_json_and_the_chart(methods: list[probes.Method], tmp_path: Path):
    runs = [SuiteRun(1, 1, 35, 0, 30.0, 0.6, 2), SuiteRun(2, 2, 70, 0, 33.0, 0.95, 2)]
    data = output.summary(methods, 0.020, runs)
    text = output.table(data)
    assert "pywinrm run_ps per probe" in text and "speed-up" in text and "% of 2 cores" in text
    json_path, png_path = output.write(data, tmp_path)
    saved = json.loads(json_path.read_text())
    assert [p["name"] for p in saved["probes"]] == [m.name for m in methods]
    assert saved["suite"][1]["speed_up"] == pytest.approx((70 / 33) / (35 / 30))
    assert png_path.read_bytes().startswith(b"\x89PNG")
