"""The docker CLI against a simulated host: what a container runs, runs (output, lifetime, exit code)."""

from __future__ import annotations

import os
import shutil
import subprocess
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


def test_exec_runs_in_the_containers_compute_system(sim: Sim) -> None:
    sim.cli("run", "-d", "--name", "host", NANO, "ping", "-t", "127.0.0.1")
    assert sim.cli("exec", "host", "cmd", "/c", "echo", "inside").stdout == "inside\n"
    assert sim.cli("exec", "host", "cmd", "/c", "exit 5", check=False).returncode == 5
    sim.cli("exec", "-d", "host", "powershell", "-Command", "Start-Sleep 300")
    cid = sim.cli("inspect", "-f", "{{.Id}}", "host").stdout.strip()
    listed = {
        p.image_name
        for p in sim.host.model.hcs.get_compute_system_properties(cid).processes.values()
        if p.exit_code is None
    }
    assert {"PING.exe".lower(), "powershell.exe"} <= {n.lower() for n in listed}
    top = sim.cli("top", "host").stdout.splitlines()
    assert top[0].split() == ["Name", "PID", "CPU", "Private", "Working", "Set"]
    rows = [line.split() for line in top[1:]]
    assert ["powershell.exe", "00:00:00.000", "593.9kB"] in [[r[0], r[2], r[3]] for r in rows]
    assert "CExecSvc.exe" in [r[0] for r in rows]
    done = sim.cli("top", "host", "-x", check=False)
    assert done.returncode != 0 and "Windows does not support arguments to top" in done.stderr


def test_exec_in_a_stopped_container_is_refused(sim: Sim) -> None:
    sim.cli("run", "--name", "done", NANO, "cmd", "/c", "ver")
    cid = sim.cli("inspect", "-f", "{{.Id}}", "done").stdout.strip()
    done = sim.cli("exec", "done", "cmd", check=False)
    assert done.returncode != 0 and f"container {cid} is not running" in done.stderr.lower()


def test_stats_one_shot_and_stop_timeout(sim: Sim) -> None:
    sim.cli("run", "-d", "--name", "busy", NANO, "ping", "-t", "127.0.0.1")
    out = sim.cli("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", "busy").stdout.split()
    assert out[0] == "busy" and out[1].endswith("MiB")
    started = time.monotonic()
    sim.cli("stop", "-t", "30", "busy")
    assert time.monotonic() - started < 10  # the shutdown ends ping at once; -t is only an upper bound
    assert _status(sim, "busy").startswith("Exited (3221225786)")
    journal = [e.op for e in sim.host.model.journal]
    assert "HcsShutdownComputeSystem" in journal and "HcsTerminateComputeSystem" not in journal[-6:]


def test_stop_t_waits_for_a_console_process_then_terminates(sim: Sim) -> None:
    """`docker run -t`: a console process gets no CTRL_SHUTDOWN_EVENT, so `docker stop -t 2` waits the 2 s
    and then terminates it; the same shell without a console ends on the shutdown at once."""
    sim.cli("run", "-dit", "--name", "held", NANO, "powershell")
    sim.cli("run", "-di", "--name", "ends", NANO, "powershell")
    held_id = sim.cli("inspect", "-f", "{{.Id}}", "held").stdout.strip()
    top = [row.split()[0] for row in sim.cli("top", "held").stdout.splitlines()[1:]]
    assert "powershell.exe" in top and "CExecSvc.exe" in top
    began = time.monotonic()
    sim.cli("stop", "-t", "2", "held")
    held = time.monotonic() - began
    began = time.monotonic()
    sim.cli("stop", "-t", "2", "ends")
    ends = time.monotonic() - began
    assert 2.0 <= held < 3.5 and ends < 1.0, (held, ends)
    assert _status(sim, "held").startswith("Exited (1)")  # INFERRED: the exit code after a terminate
    assert _status(sim, "ends").startswith("Exited (3221225786)")
    log = sim.host.model.dockerd.debug_log()
    assert any(
        f"Container {held_id} failed to exit within 2 seconds of signal 15 - using the force" in line
        for line in log
    )
    assert sim.host.model.hcs.get(held_id) is None


def test_container_prune_removes_what_does_not_run(sim: Sim) -> None:
    sim.cli("run", "--name", "old", NANO, "cmd", "/c", "ver")
    sim.cli("run", "-d", "--name", "live", NANO, "ping", "-t", "127.0.0.1")
    old = sim.cli("inspect", "-f", "{{.Id}}", "old").stdout.strip()
    out = sim.cli("container", "prune", "-f").stdout
    assert out.splitlines()[:2] == ["Deleted Containers:", old]
    assert "Total reclaimed space: 0B" in out
    names = sim.cli("ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert names == ["live"]
    assert not sim.host.model.files.exists(rf"C:\ProgramData\docker\windowsfilter\{old}")


def test_rm_deletes_scratch_endpoint_compartment_and_compute_system(sim: Sim) -> None:
    sim.cli("run", "-d", "--name", "gone", NANO, "ping", "-t", "127.0.0.1")
    cid = sim.cli("inspect", "-f", "{{.Id}}", "gone").stdout.strip()
    model = sim.host.model
    scratch = rf"C:\ProgramData\docker\windowsfilter\{cid}"
    compartment = model.net.compartment_for_container(cid)
    endpoints = {e.id for e in model.hns.endpoints() if cid in e.shared_containers}
    assert model.files.exists(scratch) and compartment is not None and len(endpoints) == 1
    sim.cli("rm", "-f", "gone")
    assert not model.files.exists(scratch)
    assert model.hcs.get(cid) is None
    assert all(c.id != compartment.id for c in model.net.compartments())
    assert not endpoints & {e.id for e in model.hns.endpoints()}


def test_after_a_daemon_kill_nothing_is_restored_and_rm_cleans_up(sim: Sim) -> None:
    sim.cli("run", "-d", "--name", "orphan", NANO, "ping", "-t", "127.0.0.1")
    cid = sim.cli("inspect", "-f", "{{.Id}}", "orphan").stdout.strip()
    model = sim.host.model
    model.dockerd.kill()
    assert model.hcs.get(cid) is not None  # HCS keeps the compute system while dockerd is dead
    model.dockerd.start()
    assert _status(sim, "orphan").startswith("Exited (255)")
    assert model.hcs.get(cid) is None and model.net.compartment_for_container(cid) is None
    assert not [e for e in model.hns.endpoints() if cid in e.shared_containers]
    assert model.files.exists(rf"C:\ProgramData\docker\windowsfilter\{cid}")  # the container is still there
    sim.cli("rm", "orphan")
    assert not model.files.exists(rf"C:\ProgramData\docker\windowsfilter\{cid}")


def test_exec_reads_its_stdin_and_stats_stream(sim: Sim) -> None:
    sim.cli("run", "-d", "--name", "talk", NANO, "ping", "-t", "127.0.0.1")
    exe = shutil.which("docker")
    assert exe is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(sim.surface.env(), DOCKER_CONFIG=str(sim.host.state_dir / "cli-config"))
    done = subprocess.run(
        [exe, "exec", "-i", "talk", "cmd"],
        input="echo typed\nexit 4\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 4 and "typed" in done.stdout
    stream = sim.sdk().containers.get("talk").stats(stream=True, decode=True)
    first = next(stream)
    assert first["memory_stats"]["privateworkingset"] > 0 and first["name"] == "/talk"
    stream.close()
