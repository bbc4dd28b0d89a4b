"""The probe module cannot hang: a program that never exits ends at its deadline, with its tree.

Over WinRM and SSH against winsim (whose .NET Process is as strict as .NET's: ReadToEnd blocks
until every holder of the pipe has exited, ``ping -t`` never exits), the module's
Invoke-WccProgram returns at its deadline with an error naming the program and the deadline,
and no process it started is left.  The body it had before (tests/drivers/data/) does not
return: the call is cut by the transport's timeout and only ending the remote shell (its job) ends what it started.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.docker import CLI_DEADLINE_SHARE
from drivers.errors import ProbeError, ProbeTimeout
from drivers.host import Host, connect
from drivers.probe import module_text
from tests.drivers.lab import Lab
from tests.suites.probe_coverage import OUTSIDE_THE_RUN
from winsim.tracing import FunctionTrace, read_traces

IMAGE = "mcr.microsoft.com/windows/servercore:ltsc2022"
OLD_BODY = Path(__file__).parent / "data" / "invoke_wcc_program_before_i20.ps1"
DEADLINE_MS = 1500
# Starting the programs, taskkill and the answer's way back, on top of the deadline.
SLACK_S = 6.0
TRANSPORT_TIMEOUT_S = 8.0
# cmd waits for ping, which never exits; in the second, cmd's own child holds its stdout too; in
# the third, cmd exits at once and the child it left behind holds the pipe (taskkill cannot name
# an exited root: the module finds the orphan by its parent's id).
HANGS = {
    "orphan holds stdout": ["/c", "start", "/b", "ping", "-t", "127.0.0.1"],
    "never exits": ["/c", "ping", "-t", "127.0.0.1"],
    "child holds stdout": ["/c", "start", "/b", "ping", "-t", "127.0.0.1", "&", "ping", "-t", "127.0.0.1"],
}


@pytest.fixture
def timed_host(fresh_lab: Lab, via: str) -> Iterator[Host]:
    host = connect(fresh_lab.spec(via), run_id="deadline", timeout=TRANSPORT_TIMEOUT_S)
    yield host
    host.close()


def _started_by_the_call(lab: Lab, before: set[int]) -> list[str]:
    """The programs still running that the call started (the shell's own process excluded)."""
    return sorted(
        f"{io.image} (pid {io.pid})"
        for io in lab.sim.processes.running()
        if io.pid not in before and io.image.lower() != "powershell.exe"
    )


@pytest.mark.parametrize("case", sorted(HANGS))
def test_a_program_that_hangs_ends_at_its_deadline_with_its_tree(
    timed_host: Host, fresh_lab: Lab, case: str, tmp_path: Path
) -> None:
    fresh_lab.sim.function_trace = FunctionTrace(tmp_path / "trace" / "host.functions")
    before = {io.pid for io in fresh_lab.sim.processes.running()}
    started = time.monotonic()
    with pytest.raises(ProbeError) as failure:
        timed_host.session.call(
            "Invoke-WccProgram", File="cmd.exe", Arguments=HANGS[case], TimeoutMs=DEADLINE_MS
        )
    took = time.monotonic() - started
    message = str(failure.value)
    assert f"cmd.exe did not finish within its deadline of {DEADLINE_MS} ms" in message
    assert "its process tree was ended" in message
    assert DEADLINE_MS / 1000 <= took < DEADLINE_MS / 1000 + SLACK_S
    assert _started_by_the_call(fresh_lab, before) == []
    # what the conformance run never reaches ran here (tests/suites/probe_coverage.py)
    assert set(OUTSIDE_THE_RUN) <= read_traces(tmp_path / "trace")
    # the session is still usable: the module answered instead of hanging
    result = timed_host.session.call(
        "Invoke-WccProgram", File="cmd.exe", Arguments=["/c", "echo", "done"], TimeoutMs=5000
    )
    assert result[0]["Stdout"] == "done\r\n"
    assert result[0]["ExitCode"] == 0


def test_a_program_that_exits_is_read_whole(timed_host: Host) -> None:
    result = timed_host.session.call(
        "Invoke-WccProgram", File="ping.exe", Arguments=["-n", "2", "127.0.0.1"], TimeoutMs=10000
    )[0]
    assert result["ExitCode"] == 0
    assert result["Stdout"].count("Reply from 127.0.0.1: bytes=32 time<1ms TTL=128\r\n") == 2


def test_every_caller_must_pass_a_deadline(timed_host: Host) -> None:
    with pytest.raises(ProbeError, match="TimeoutMs"):
        timed_host.session.call("Invoke-WccProgram", File="cmd.exe", Arguments=["/c", "echo", "x"])


def test_the_body_before_issue_20_does_not_return_at_its_deadline(timed_host: Host, fresh_lab: Lab) -> None:
    """Known to fail against the old code: ReadToEnd() blocks on a program that never exits."""
    quoting = _function(module_text(), "ConvertTo-WccArgument")
    script = (
        quoting
        + "\n"
        + OLD_BODY.read_text()
        + "\n"
        + (
            "Invoke-WccProgram -File 'cmd.exe' -Arguments @('/c', 'ping', '-t', '127.0.0.1') -TimeoutMs "
            + str(DEADLINE_MS)
        )
    )
    before = {io.pid for io in fresh_lab.sim.processes.running()}
    started = time.monotonic()
    with pytest.raises(ProbeTimeout):
        timed_host.session.run(script)
    took = time.monotonic() - started
    assert took >= TRANSPORT_TIMEOUT_S > DEADLINE_MS / 1000 + SLACK_S
    # the session gave up and ended its shell: the shell's job takes cmd and ping with it
    assert _started_by_the_call(fresh_lab, before) == []


def _function(text: str, name: str) -> str:
    """One function's text from the module (it starts at its line and ends at the next '}' line)."""
    start = text.index(f"function {name} {{")
    return text[start : text.index("\n}\n", start) + 3]


def test_the_docker_cli_runs_within_the_session_timeout(timed_host: Host) -> None:
    """drivers/docker.py gives docker.exe a deadline inside the call's, so the module's error
    (naming docker.exe) arrives before the transport gives up on the call."""
    share = int(TRANSPORT_TIMEOUT_S * CLI_DEADLINE_SHARE * 1000)
    assert timed_host.docker.cli_deadline_ms(None) == share
    assert timed_host.docker.cli_deadline_ms(TRANSPORT_TIMEOUT_S * 10) == share
    assert timed_host.docker.cli_deadline_ms(2.0) == int(2.0 * CLI_DEADLINE_SHARE * 1000)


def test_a_docker_command_that_never_returns_ends_at_its_deadline(timed_host: Host, fresh_lab: Lab) -> None:
    client = timed_host.docker.client
    client.images.pull(IMAGE)
    container = client.containers.run(IMAGE, "ping -t localhost", detach=True)
    try:
        before = {io.pid for io in fresh_lab.sim.processes.running()}
        started = time.monotonic()
        deadline = int(4.0 * CLI_DEADLINE_SHARE * 1000)
        with pytest.raises(
            ProbeError, match=rf"docker\.exe did not finish within its deadline of {deadline} ms"
        ):
            timed_host.docker.cli("wait", container.id, timeout=4.0)  # waits for an exit that never comes
        assert time.monotonic() - started < TRANSPORT_TIMEOUT_S
        assert _started_by_the_call(fresh_lab, before) == []
        assert client.containers.get(container.id).status == "running"
    finally:
        container.remove(force=True)
