"""A host that stops answering (SIGSTOP on the simulated host's process: frozen; SIGKILL: gone)
costs bounded time: the call in flight and every later test fail with one short line, the
end-of-run sweep is skipped, and the host's process and the run directory are gone afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

INVENTORY = """
hosts:
  - name: frozen
    transport: sim
    sim: {profile: ws2022, via: %s}
    lost_after: 3
    winrm: {operation_timeout: 2, read_timeout: 4}
"""

MODULE = """
import json, os, signal
from fixtures.plugin import RUN_DIR
from wcc_fault_recorder import record

def test_a_answers(host):
    assert host.net.compartments()

def test_b_freezes_during_a_call(host, request):
    run_dir = request.config.stash[RUN_DIR]
    pid = json.loads((run_dir / "sim" / f"{host.name}.json").read_text())["pid"]
    record(pid=pid, run_dir=str(run_dir))
    os.kill(pid, signal.SIG%s)
    host.session.run("Start-Sleep -Seconds 1; 'late'")

def test_c_a_later_probe(host):
    host.net.compartments()

def test_d_a_later_docker_call(host, containers):
    containers.run()
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize(("via", "how"), [("winrm", "STOP"), ("ssh", "STOP"), ("winrm", "KILL")])
def test_a_host_that_stops_answering_ends_its_tests_in_bounded_time(fault_run, via: str, how: str):
    run = fault_run(INVENTORY % via, MODULE % how)
    out = run.result.stdout.str()
    assert "1 passed" in run.summary and "3 host down" in run.summary, out
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert out.count("HostLost: frozen stopped answering") == 1  # said once, for three tests
    assert "Traceback" not in out and len(out.splitlines()) <= 50
    assert "end-of-run sweep skipped" not in out or "frozen" in out
    assert run.seconds < 45, f"took {run.seconds:.0f} s"
    assert _gone(run.seen["pid"])
    assert not Path(run.seen["run_dir"]).exists()
