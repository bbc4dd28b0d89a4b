"""``docker.exe`` on the simulated host: the real docker CLI of this machine, pointed at the host's own endpoint.

>>> p = spawn(host, "docker.exe ps -a")    # doctest: +SKIP
>>> p.wait(); p.read_output(0).stdout      # doctest: +SKIP
b'CONTAINER ID   IMAGE ...'

Arguments are split as Windows does (double quotes group).  Output streams as the CLI writes it.
Without a docker CLI on PATH, or with no Docker endpoint served for the host, it says so on
stderr and exits 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from typing import IO

from winsim.cmdline import split_command_line
from winsim.docker_api.endpoints import endpoint_for
from winsim.processes import OutStream, ProcessIO


def _split(command_line: str) -> list[str]:
    # CommandLineToArgvW rules (backslash-escaped quotes), as docker.exe's C runtime splits them.
    return split_command_line(command_line)[1:]


def _pump(src: IO[bytes], dst: OutStream) -> None:
    for chunk in iter(lambda: src.read1(65536), b""):  # type: ignore[attr-defined]
        dst.write(chunk)


def program(proc: ProcessIO) -> int:
    exe = shutil.which("docker")
    if exe is None:
        proc.stderr.write("docker.exe: the docker CLI is not installed on the machine running winsim\r\n")
        return 1
    surface = endpoint_for(proc.host)
    if surface is None:
        proc.stderr.write("docker.exe: this simulated host serves no Docker endpoint\r\n")
        return 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(surface.env())
    env["DOCKER_CONFIG"] = str(proc.host.state_dir / "docker-cli-config")
    child = subprocess.Popen(
        [exe, *_split(proc.command_line)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    pumps = [
        threading.Thread(target=_pump, args=(child.stdout, proc.stdout), daemon=True),
        threading.Thread(target=_pump, args=(child.stderr, proc.stderr), daemon=True),
    ]
    for t in pumps:
        t.start()
    while child.poll() is None:
        if proc.terminated.wait(0.05):
            child.kill()
            break
    for t in pumps:
        t.join()
    return child.wait()


PROGRAMS = {"docker.exe": program}
