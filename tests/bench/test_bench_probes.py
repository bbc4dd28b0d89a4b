"""What a probe costs against a simulated host with lab-like latency (20 ms per round trip on the
wire, 0.4 s per powershell.exe start), over WinRM and over SSH.

Three benchmarks per transport, in one group so the table compares them as ratios:
``first`` (shell + powershell.exe start + module load + one probe), ``single`` (one probe on the
open session) and ``batch10`` (ten probes in one ``host.batch()``).  Round trips, wire requests and
process starts per operation go into ``extra_info`` (see the JSON with ``--benchmark-json``).
Not a timed assertion: the counts are asserted, the times are reported.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.host import Host, connect
from drivers.stats import StatsSnapshot
from tests.drivers.lab import VIAS, Lab, ten_probes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab.start(tmp_path_factory.mktemp("bench-probes"), name="bench-lab", latency="lab")
    yield lab
    lab.close()


@pytest.fixture(scope="module", params=VIAS)
def via(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def open_host(lab_lab: Lab, via: str) -> Iterator[Host]:
    host = connect(lab_lab.spec(via), run_id="bench")
    yield host
    host.close()


def _record(benchmark, cost: StatsSnapshot, rounds: int) -> None:
    for name in ("round_trips", "wire_requests", "process_starts", "calls", "reconnects"):
        benchmark.extra_info[name + "_per_op"] = getattr(cost, name) / rounds


@pytest.mark.benchmark(group="probe-cost")
def test_first_call(benchmark, lab_lab: Lab, via: str):
    hosts: list[Host] = []

    def first() -> None:
        host = connect(lab_lab.spec(via), run_id="bench", open_now=False)
        hosts.append(host)
        host.net.compartments()

    benchmark.pedantic(first, rounds=3, iterations=1)
    rounds = len(hosts)  # benchmarks run once when disabled (e.g. under xdist)
    total = StatsSnapshot()
    for host in hosts:
        total = total + host.stats.snapshot()
        host.close()
    assert total.process_starts == rounds
    assert total.round_trips == 2 * rounds  # module load + the probe
    _record(benchmark, total, rounds)


@pytest.mark.benchmark(group="probe-cost")
def test_single_probe(benchmark, open_host: Host):
    open_host.net.compartments()
    before = open_host.stats.snapshot()
    benchmark.pedantic(open_host.net.compartments, rounds=15, iterations=1)
    cost = open_host.stats.since(before)
    rounds = cost.calls
    assert (cost.round_trips, cost.process_starts, cost.reconnects) == (rounds, 0, 0)
    _record(benchmark, cost, rounds)


@pytest.mark.benchmark(group="probe-cost")
def test_batch_of_ten(benchmark, open_host: Host):
    open_host.net.compartments()
    before = open_host.stats.snapshot()

    runs: list[int] = []

    def batch() -> None:
        runs.append(1)
        with open_host.batch() as b:
            results = ten_probes(b)
        assert all(r.done for r in results)

    benchmark.pedantic(batch, rounds=10, iterations=1)
    rounds = len(runs)
    cost = open_host.stats.since(before)
    assert (cost.round_trips, cost.calls, cost.process_starts) == (rounds, 10 * rounds, 0)
    _record(benchmark, cost, rounds)
