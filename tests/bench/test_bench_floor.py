"""The suite's floor per host: what the host's latency profile charged, beside the run's wall."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from bench import output, probes, suite
from winsim.latency import Charges, round_trip, spend
from winsim.profiles import LATENCY
from winsim.serve import CHARGES_ENV

TINY = ("suites/test_daemon.py::test_container_filter_is_wcifs",)


class _Host:
    latency = LATENCY["lab"]

    def __init__(self) -> None:
        self.charges = Charges()


def test_overlapping_round_trips_count_once_and_operations_keep_their_time():
    host = _Host()
    round_trip(host)
    overlapping = [threading.Thread(target=round_trip, args=(host,)) for _ in range(2)]
    for t in overlapping:
        t.start()
    for t in overlapping:
        t.join()
    round_trip(host, 0, 0.001)  # host work only: no round trip
    spend(host, "container_create")
    spend(host, "container_start")
    charged = host.charges.as_json(host.latency.round_trip)
    assert charged["round_trips"] in (2, 3)  # the two threads overlap unless the scheduler parts them
    assert charged["operations"] == {
        "container_create": {"count": 1, "seconds": 0.5},
        "container_start": {"count": 1, "seconds": 2.0},
    }


def test_floor_is_lifecycles_charged_time_plus_round_trips_times_rtt():
    charges = {
        "round_trip": 0.02,
        "round_trips": 150,
        "operations": {
            "container_create": {"count": 2, "seconds": 1.0},
            "container_start": {"count": 2, "seconds": 4.0},
            "container_stop": {"count": 2, "seconds": 1.0},
        },
    }
    f = suite.floor("h1", charges)
    assert (f.lifecycles, f.round_trips, f.host_seconds) == (2, 150, 6.0)
    assert f.seconds == pytest.approx(6.0 + 150 * 0.02)
    assert suite.CHARGES_ENV == CHARGES_ENV  # bench may not import winsim: the name is said twice


def test_a_tiny_run_reports_its_host_floor_beside_its_wall(tmp_path: Path):
    run = suite.run_one(1, tmp_path, select=TINY)
    assert run.tests >= 1 and run.failed == 0
    [f] = run.floors
    written = json.loads((tmp_path / "suite-1" / "charges" / f"{f.host}.charges.json").read_text())
    assert f.host == "bench1-sim" and f.round_trip == LATENCY["lab"].round_trip
    assert f.round_trips == written["round_trips"] > 0
    assert f.seconds == pytest.approx(
        sum(o["seconds"] for o in written["operations"].values()) + f.round_trips * f.round_trip
    )
    assert 0 < f.seconds < run.seconds
    data = output.summary([probes.Method("one", 1, 1, 1, 0.02)], 0.02, [run])
    [shown] = data["suite"][0]["floors"]
    assert shown["floor_seconds"] == f.seconds and shown["wall_over_floor"] == run.seconds / f.seconds
    assert f"{'bench1-sim':<12} {0:>10} {f.round_trips:>11}" in output.table(data)
