"""What a probe costs on the wire, counted exactly (deterministic: no timing is asserted).

Over WinRM a Receive waits on a second connection of the shell while the Send is made, so a probe
costs one wire round trip (its Send) and two wire requests (the Send and the pending Receive that
brings the answer); over SSH one stdin write.  A batch of twenty costs the same as one probe.
The session open is counted from its first byte: every NTLM leg and the SSH set-up exchanges.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from drivers.host import Host, connect
from drivers.stats import StatsSnapshot
from drivers.transports.ssh import SETUP_EXCHANGES
from tests.drivers.lab import Lab, ten_probes
from tests.faults.conftest import ROOT


def test_a_probe_costs_one_wire_round_trip(shared_host: Host):
    shared_host.net.compartments()
    before = shared_host.stats.snapshot()
    for _ in range(5):
        shared_host.net.compartments()
    cost = shared_host.stats.since(before)
    assert (cost.round_trips, cost.wire_round_trips) == (5, 5)
    per_probe = 2 if shared_host.spec.transport == "winrm" else 1
    assert cost.wire_requests == 5 * per_probe
    records = shared_host.stats.calls_since(before)
    assert [(r.wire_round_trips, r.wire_requests) for r in records] == [(1, per_probe)] * 5


def test_a_batch_of_twenty_costs_one_wire_round_trip(shared_host: Host):
    shared_host.net.compartments()
    before = shared_host.stats.snapshot()
    with shared_host.batch() as b:
        results = ten_probes(b) + ten_probes(b)
    assert all(r.done for r in results)
    cost = shared_host.stats.since(before)
    assert (cost.round_trips, cost.calls, cost.wire_round_trips) == (1, 20, 1)


# WinRM over HTTP with message encryption: the empty POST and the NTLM negotiate/authenticate
# legs (3 requests), Create and Command (the session's connection); the module load's Send; and
# the receiving connection's own 3 legs and the Receive that brings the answer (not waited on:
# they go out while the Send is made).
WINRM_OPEN = {"wire_requests": 3 + 2 + 1 + 3 + 1, "wire_round_trips": 3 + 2 + 1}
# SSH: the set-up exchanges, the channel open and exec request, the module load line.
SSH_OPEN = {"wire_requests": SETUP_EXCHANGES + 2 + 1, "wire_round_trips": SETUP_EXCHANGES + 2 + 1}


def test_the_session_open_is_counted_in_full(lab: Lab, via: str):
    host = connect(lab.spec(via), run_id="open-count", open_now=False)
    try:
        host.session.open()
        cost = host.stats.snapshot()
        (opening,) = host.stats.calls_since(StatsSnapshot())
    finally:
        host.close()
    expected = WINRM_OPEN if via == "winrm" else SSH_OPEN
    assert {k: getattr(cost, k) for k in expected} == expected
    assert opening.fn == "Get-WccHostInfo"  # its record carries the opening, from the first byte
    assert {k: getattr(opening, k) for k in expected} == expected
    assert (cost.round_trips, cost.process_starts) == (1, 1)


def test_pending_receives_that_time_out_are_normal(fresh_lab: Lab):
    """OperationTimeout of 1 s: the pending Receive ends in w:TimedOut several times meanwhile."""
    host = connect(fresh_lab.spec("winrm", operation_timeout=1, read_timeout=5), run_id="optimeout")
    try:
        host.net.compartments()
        result = host.session.run("Start-Sleep -Seconds 3; 'after'")
        assert result.rc == 0 and "after" in result.stdout
        before = host.stats.snapshot()
        host.net.compartments()
        assert host.stats.since(before).reconnects == 0
    finally:
        host.close()
    assert fresh_lab.surface("winrm").shells.shell_ids() == []


def test_no_shell_is_left_after_a_session_closes(fresh_lab: Lab):
    host = connect(fresh_lab.spec("winrm"), run_id="noleak")
    host.net.compartments()
    assert len(fresh_lab.surface("winrm").shells.shell_ids()) == 1
    host.close()
    assert fresh_lab.surface("winrm").shells.shell_ids() == []


def test_a_shell_that_dies_with_a_receive_pending_is_reopened(fresh_lab: Lab):
    host = connect(fresh_lab.spec("winrm", lost_after=3.0), run_id="dies")
    try:
        host.net.compartments()
        fresh_lab.drop_connections("winrm")  # every shell deleted while its Receive waits
        assert host.net.compartments()  # read-only: re-opened and replayed
        assert len(fresh_lab.surface("winrm").shells.shell_ids()) == 1
    finally:
        host.close()
    assert fresh_lab.surface("winrm").shells.shell_ids() == []


INTERRUPTED = """
import time
from wcc_fault_recorder import record

def test_a_runs(host):
    assert host.net.compartments()

def test_b_waits(host):
    record(phase="call")
    host.session.run("Start-Sleep -Seconds 20", timeout=60)
"""


@pytest.mark.slow
@pytest.mark.parametrize("interrupt", [False, True], ids=["finished", "interrupted"])
def test_no_shell_is_left_after_a_run(fresh_lab: Lab, tmp_path: Path, interrupt: bool):
    """A pytest run against the host, to its end or Ctrl-C'd during a call: no shell stays open."""
    from tests.faults.conftest import RECORDER

    spec = fresh_lab.spec("winrm")
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data.update(os_build=20348, base_image="mcr.microsoft.com/windows/servercore:ltsc2022")
    (tmp_path / "inv.yml").write_text(yaml.safe_dump({"hosts": [data]}))
    (tmp_path / "test_run.py").write_text(INTERRUPTED if interrupt else INTERRUPTED.split("def test_b")[0])
    (tmp_path / "wcc_fault_recorder.py").write_text(RECORDER)
    seen = tmp_path / "seen.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), WCC_FAULT_OUT=str(seen), TMPDIR=str(tmp_path))
    args = ["-p", "fixtures.plugin", "--inventory=inv.yml", "-p", "no:cacheprovider", "-q"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    shells = fresh_lab.surface("winrm").shells
    if interrupt:
        deadline = time.monotonic() + 60
        while not seen.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the call's Send has gone; its Receive is pending
        assert shells.shell_ids(), "the run holds its shell"
        proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=90)[0]
    expected = pytest.ExitCode.INTERRUPTED if interrupt else pytest.ExitCode.OK
    assert proc.returncode == expected, out
    assert shells.shell_ids() == [], out
