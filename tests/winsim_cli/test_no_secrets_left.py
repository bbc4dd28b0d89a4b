"""``winsim serve`` and ``winsim exec`` leave nothing in the temporary folder, however they stop.

Without ``--state-dir`` a host keeps its TLS and SSH private keys and its users' passwords in a
temporary folder; each way of stopping it (closing its stdin, SIGTERM, SIGINT, SIGHUP, a bad
argument) must remove that folder.  ``TMPDIR`` points at a fresh folder per test, so "nothing
left" is exact.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import winrm

from winsim.hostfolder import STOP_GRACE

ROOT = Path(__file__).resolve().parents[2]


def winsim(temp: Path, *args: str, stdin: int = subprocess.PIPE) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "winsim", *args],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(temp)},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def served(temp: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = winsim(temp, "serve", "--profile", "ws2022")
    assert proc.stdout is not None
    ready = json.loads(proc.stdout.readline() or "{}")
    assert ready.get("name") == "ws2022-sim", proc.stderr.read() if proc.stderr else ""
    keys = Path(ready["docker"]["cert_path"])
    assert (keys / "key.pem").is_file() and keys.is_relative_to(temp)  # the secrets are there while it runs
    return proc, ready


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGHUP", "stdin closed"])
def test_a_served_host_leaves_nothing_behind(tmp_path: Path, how: str):
    proc, _ = served(tmp_path)
    if how == "stdin closed":
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    else:
        proc.send_signal(getattr(signal, how))
        proc.communicate(timeout=30)
    assert list(tmp_path.iterdir()) == [], how


@pytest.mark.parametrize(
    "bad", [["--profile", "ws1999"], ["--deviation", "no-such-deviation"], ["--latency", "satellite"]]
)
def test_a_bad_argument_leaves_nothing_behind(tmp_path: Path, bad: list[str]):
    for command in ("serve", "exec") if bad[0] != "--latency" else ("serve",):
        args = [command, *bad] + (["powershell.exe", "-Command", "-"] if command == "exec" else [])
        proc = winsim(tmp_path, *args)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 2, stderr
        assert bad[1] in stderr
        assert list(tmp_path.iterdir()) == [], (command, bad)


def test_exec_leaves_nothing_behind_when_its_program_ends(tmp_path: Path):
    proc = winsim(tmp_path, "exec", "powershell.exe", "-Command", "-")
    out, err = proc.communicate("Write-Output 'hello'\n", timeout=60)
    assert proc.returncode == 0 and "hello" in out, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_exec_leaves_nothing_behind_when_stopped(tmp_path: Path, how: str):
    proc = winsim(tmp_path, "exec", "powershell.exe", "-Command", "-")
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("Write-Output 'ready'\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "ready"
    assert list(tmp_path.iterdir()), "exec keeps its host in the temporary folder while it runs"
    proc.send_signal(getattr(signal, how))
    proc.communicate(timeout=30)
    assert list(tmp_path.iterdir()) == [], how


def test_serve_help_lists_the_deviations():
    from winsim.deviations import DEVIATIONS

    done = subprocess.run(
        [sys.executable, "-m", "winsim", "serve", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0
    for name, what in DEVIATIONS.items():
        assert name in done.stdout and what.split()[0] in done.stdout


# 'a'*35+'!' against ^(a+)+$ backtracks for ever in C holding the GIL: no signal handler can run
CATASTROPHIC = "('a'*35+'!') -match '^(a+)+$'"


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def _stopped_in_seconds(proc: subprocess.Popen[str], how: str, temp: Path) -> None:
    """Send ``how``; the host ends within seconds, leaving neither its folder nor its watchdog."""
    (watchdog,) = _children(proc.pid)
    started = time.monotonic()
    proc.send_signal(getattr(signal, how))
    proc.communicate(timeout=30)
    took = time.monotonic() - started
    assert took < STOP_GRACE + 5, f"{how} took {took:.1f} s"
    if how != "SIGKILL":  # whoever waits for the host finds the folder gone
        assert list(temp.iterdir()) == [], how
    deadline = time.monotonic() + 5
    while not _gone(watchdog) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(watchdog)
    assert list(temp.iterdir()) == [], how  # after SIGKILL, once the watchdog has seen the end


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the watchdog is forked")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_exec_stops_in_seconds_whatever_a_script_computes(tmp_path: Path, how: str):
    proc = winsim(tmp_path, "exec", "powershell.exe", "-Command", "-")
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("Write-Output 'ready'\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "ready"
    proc.stdin.write(CATASTROPHIC + "\n")
    proc.stdin.flush()
    time.sleep(2)  # the match runs now
    _stopped_in_seconds(proc, how, tmp_path)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the watchdog is forked")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_serve_stops_in_seconds_whatever_a_script_computes(tmp_path: Path, how: str):
    """SIGKILL too: the watchdog sees the host's end and removes the folder with its keys."""
    proc, ready = served(tmp_path)
    session = winrm.Session(
        ready["winrm"]["http"],
        auth=(ready["credentials"]["username"], ready["credentials"]["password"]),
        transport="ntlm",
        read_timeout_sec=60,
        operation_timeout_sec=50,
    )

    def match() -> None:
        with contextlib.suppress(Exception):  # the host goes away under it
            session.run_ps(CATASTROPHIC)

    threading.Thread(target=match, daemon=True).start()
    time.sleep(3)  # the request is in and matching
    _stopped_in_seconds(proc, how, tmp_path)
