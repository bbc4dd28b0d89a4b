"""``winsim serve`` and ``winsim exec`` leave nothing in the temporary folder, however they stop.

Without ``--state-dir`` a host keeps its TLS and SSH private keys and its users' passwords in a
temporary folder; each way of stopping it (closing its stdin, SIGTERM, SIGINT, SIGHUP, a bad
argument) must remove that folder.  ``TMPDIR`` points at a fresh folder per test, so "nothing
left" is exact.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

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


def served(temp: Path) -> subprocess.Popen[str]:
    proc = winsim(temp, "serve", "--profile", "ws2022")
    assert proc.stdout is not None
    ready = json.loads(proc.stdout.readline() or "{}")
    assert ready.get("name") == "ws2022-sim", proc.stderr.read() if proc.stderr else ""
    keys = Path(ready["docker"]["cert_path"])
    assert (keys / "key.pem").is_file() and keys.is_relative_to(temp)  # the secrets are there while it runs
    return proc


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGHUP", "stdin closed"])
def test_a_served_host_leaves_nothing_behind(tmp_path: Path, how: str):
    proc = served(tmp_path)
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
