"""winsim's processes are as strict as Windows where the probe module depends on them.

[Diagnostics.Process]::Start runs the program while the script goes on; a redirected stream ends
only when every process holding its write end has exited (a child's children too); WaitForExit(ms)
is false when the time runs out; Kill() ends the process alone; taskkill /T /F ends a tree; a
process table (Win32_Process) knows each process's parent; ping -t never exits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from winsim.host import SimHost
from winsim.processes import spawn

START = (
    "$i = New-Object System.Diagnostics.ProcessStartInfo; $i.FileName = 'cmd.exe'; $i.Arguments = '{args}'; "
    "$i.UseShellExecute = $false; $i.RedirectStandardOutput = $true; $i.RedirectStandardError = $true; "
    "$p = [Diagnostics.Process]::Start($i)"
)


@pytest.fixture
def host(tmp_path: Path) -> SimHost:
    return SimHost.create("proc-sim", "ws2022", tmp_path / "host")


@pytest.fixture
def ps(host: SimHost) -> Callable[[str], list[str]]:
    def run(script: str) -> list[str]:
        proc = spawn(host, "powershell.exe -NoProfile -NonInteractive -Command -")
        proc.write_stdin(script.replace("\n", "\r\n").encode("utf-8") + b"\r\n", eof=True)
        assert proc.wait(30) == 0, "powershell.exe did not finish"
        out = proc.read_output(0.01)
        assert out.stderr == b"", out.stderr.decode()
        return [line for line in out.stdout.decode().split("\r\n") if line]

    return run


def _left(host: SimHost) -> list[str]:
    return sorted(io.image for io in host.processes.running())


def test_read_to_end_waits_for_every_holder_of_the_pipe(ps, host: SimHost) -> None:
    started = time.monotonic()
    lines = ps(
        START.format(args="/c start /b ping -n 3 127.0.0.1")
        + "\n'cmd exited: ' + $p.WaitForExit(5000)"
        + "\n$p.StandardOutput.ReadToEnd()"
    )
    took = time.monotonic() - started
    assert lines[0] == "cmd exited: True"
    # ping's three replies, a second apart, all read: the read ended when ping, not cmd, exited
    assert lines.count("Reply from 127.0.0.1: bytes=32 time<1ms TTL=128") == 3
    assert took >= 2.0
    assert _left(host) == []


def test_wait_for_exit_times_out_and_kill_ends_the_process_alone(ps, host: SimHost) -> None:
    lines = ps(
        START.format(args="/c ping -t 127.0.0.1")
        + "\n$out = $p.StandardOutput.ReadToEndAsync()"
        + "\n'exited: ' + $p.WaitForExit(1500) + ' ' + $p.HasExited"
        + "\ntry { $p.ExitCode } catch { 'ExitCode: ' + $_.Exception.Message }"
        + "\n$p.Kill(); 'after kill: ' + $p.WaitForExit(1000) + ' ' + $p.ExitCode"
        + "\n'read done: ' + $out.Wait(500)"
        + "\n$left = @(Get-CimInstance -ClassName Win32_Process -Filter ('ParentProcessId = ' + $p.Id))"
        + "\n'left: ' + ($left | ForEach-Object { $_.Name })"
        + "\n$k = New-Object System.Diagnostics.ProcessStartInfo; $k.FileName = 'taskkill.exe'"
        + "; $k.Arguments = '/T /F /PID ' + $left[0].ProcessId; $k.UseShellExecute = $false"
        + "; $k.RedirectStandardOutput = $true; $k.RedirectStandardError = $true"
        + "\n$kp = [Diagnostics.Process]::Start($k); $kp.StandardOutput.ReadToEnd().Trim(); 'taskkill: ' + $kp.ExitCode"
        + "\n'read done: ' + $out.Wait(2000)"
    )
    assert lines[0] == "exited: False False"
    assert lines[1] == "ExitCode: Process must exit before requested information can be determined."
    assert lines[2] == "after kill: True -1"
    # ping inherited cmd's stdout and still runs: the stream is still open
    assert lines[3] == "read done: False"
    assert lines[4] == "left: ping.exe"
    assert lines[5].startswith("SUCCESS: The process with PID ") and lines[5].endswith(
        " has been terminated."
    )
    assert lines[6:] == ["taskkill: 0", "read done: True"]
    assert _left(host) == []


def test_taskkill_tree_ends_children_first_and_says_which(ps, host: SimHost) -> None:
    lines = ps(
        START.format(args="/c start /b ping -t 127.0.0.1 & ping -t 127.0.0.1")
        + "\nStart-Sleep -Milliseconds 300; $before = @(Get-CimInstance Win32_Process -Filter ('ParentProcessId = ' + $p.Id))"
        + "\n'children: ' + $before.Count"
        + "\n& taskkill.exe /T /F /PID $p.Id; 'taskkill: ' + $LASTEXITCODE"
        + "\n& taskkill.exe /F /PID $p.Id 2>&1 | ForEach-Object { [string]$_ }; 'again: ' + $LASTEXITCODE"
    )
    assert lines[0] == "children: 2"
    pid = None
    for line in lines[1:3]:
        assert line.startswith("SUCCESS: The process with PID ") and "(child process of PID " in line
        pid = line.split("(child process of PID ")[1].split(")")[0]
    assert lines[3].startswith("SUCCESS: The process with PID " + str(pid) + " ")
    assert lines[4] == "taskkill: 0"
    assert lines[5] == f'ERROR: The process "{pid}" not found.'
    assert lines[6] == "again: 128"
    assert _left(host) == []


def test_ping_counts_replies_and_says_what_it_cannot_reach(host: SimHost) -> None:
    proc = spawn(host, "ping -n 1 localhost")
    assert proc.wait(10) == 0
    out = proc.read_output(0.01).stdout.decode()
    assert "Pinging localhost [::1] with 32 bytes of data:\r\nReply from ::1: time<1ms\r\n" in out
    assert "Packets: Sent = 1, Received = 1, Lost = 0 (0% loss)," in out
    proc = spawn(host, "ping -n 1 nosuchhost")
    assert proc.wait(10) == 1
    assert proc.read_output(0.01).stdout == (
        b"Ping request could not find host nosuchhost. Please check the name and try again.\r\n"
    )


def test_win32_process_refuses_what_winsim_cannot_answer(host: SimHost) -> None:
    proc = spawn(host, "powershell.exe -NoProfile -NonInteractive -Command -")
    proc.write_stdin(b"Get-CimInstance Win32_Process -Filter \"Name = 'x'\"\r\n", eof=True)
    proc.wait(30)
    assert "winsim does not model the Win32_Process filter" in proc.read_output(0.01).stderr.decode()


def test_a_tree_ended_mid_line_runs_nothing_more(ps, host: SimHost) -> None:
    """cmd runs 'ping -t & ping -t': ending the tree during the first ends cmd too, so the
    second never starts (no process outlives taskkill /T)."""
    lines = ps(
        START.format(args="/c ping -t 127.0.0.1 & ping -t 127.0.0.1")
        + "\nStart-Sleep -Milliseconds 300; & taskkill.exe /T /F /PID $p.Id | Out-Null; 'taskkill: ' + $LASTEXITCODE"
        + "\n'cmd exited: ' + $p.WaitForExit(2000); Start-Sleep -Milliseconds 500"
        + "\n'left: ' + @(Get-CimInstance Win32_Process -Filter ('ParentProcessId = ' + $p.Id)).Count"
    )
    assert lines == ["taskkill: 0", "cmd exited: True", "left: 0"]
    assert _left(host) == []
