"""The docker CLI against a simulated host: what a container runs, runs (output, lifetime, exit code)."""

from __future__ import annotations

import time

from tests.winsim_docker.conftest import Sim

NANO = "mcr.microsoft.com/windows/nanoserver:ltsc2022"


def _status(sim: Sim, name: str) -> str:
    return sim.cli("ps", "-a", "--filter", f"name={name}", "--format", "{{.Status}}").stdout.strip()


def test_cmd_ver_prints_the_builds_version_line(sim: Sim) -> None:
    done = sim.cli("run", "--rm", NANO, "cmd", "/c", "ver")
    assert done.stdout == "\nMicrosoft Windows [Version 10.0.20348.2849]\n"


def test_exit_code_and_echo(sim: Sim) -> None:
    assert sim.cli("run", "--rm", NANO, "cmd", "/c", "echo", "hello").stdout == "hello\n"
    done = sim.cli("run", "--name", "three", NANO, "cmd", "/c", "exit 3", check=False)
    assert done.returncode == 3
    assert _status(sim, "three").startswith("Exited (3)")


def test_start_sleep_keeps_running_until_stopped(sim: Sim) -> None:
    sim.cli("run", "-d", "--name", "sleeper", NANO, "powershell", "-Command", "Start-Sleep 300")
    time.sleep(1.0)
    assert _status(sim, "sleeper").startswith("Up ")
    sim.cli("stop", "sleeper")
    assert _status(sim, "sleeper").startswith("Exited (3221225786)")


def test_tty_shell_without_command_stays_up(sim: Sim) -> None:
    sim.cli("run", "-t", "-d", "--name", "shell", NANO)
    sim.cli("run", "-d", "--name", "noinput", NANO)
    time.sleep(1.0)
    assert _status(sim, "shell").startswith("Up ")
    assert _status(sim, "noinput").startswith("Exited (0)")
    assert "Microsoft Windows [Version 10.0.20348.2849]" in sim.cli("logs", "shell").stdout


def test_ping_t_runs_and_logs(sim: Sim) -> None:
    sim.cli("run", "-d", "--name", "pinger", NANO, "ping", "-t", "127.0.0.1")
    time.sleep(2.5)
    lines = sim.cli("logs", "pinger").stdout.splitlines()
    assert lines[:2] == ["", "Pinging 127.0.0.1 with 32 bytes of data:"]
    replies = lines[2:]
    assert len(replies) >= 2 and set(replies) == {"Reply from 127.0.0.1: bytes=32 time<1ms TTL=128"}
    assert _status(sim, "pinger").startswith("Up ")
    sim.cli("rm", "-f", "pinger")
