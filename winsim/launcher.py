"""Start ``python -m winsim serve`` as a child process and wait for its ready line.

>>> h = launch("ws2022-sim", "ws2022", Path("/tmp/s"))   # doctest: +SKIP
>>> h.endpoints["docker"]["host"]                          # doctest: +SKIP
'tcp://127.0.0.1:40321'
>>> h.stop()                                               # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

READY_TIMEOUT = 60.0


class LaunchError(RuntimeError):
    pass


@dataclass
class LaunchedHost:
    name: str
    process: subprocess.Popen[str]
    endpoints: dict[str, Any]

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()


def launch(
    name: str,
    profile: str,
    state_dir: Path,
    deviations: tuple[str, ...] = (),
    latency: str = "none",
    detach: bool = False,
    log_file: Path | None = None,
    daemon_debug: bool = False,
    revision: int | None = None,
    hyperv: bool = False,
) -> LaunchedHost:
    """Start one simulated host; raise :class:`LaunchError` naming the host if it does not come up.

    ``detach`` starts it in its own session with stdin from /dev/null, so it outlives the
    process that started it (the fixtures stop it by pid at the end of the run).
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "winsim", "serve", "--name", name, "--profile", profile]
    cmd += ["--state-dir", str(state_dir), "--latency", latency]
    for deviation in deviations:
        cmd += ["--deviation", deviation]
    if daemon_debug:
        cmd.append("--daemon-debug")
    if revision is not None:
        cmd += ["--revision", str(revision)]
    if hyperv:
        cmd.append("--hyperv")
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    stderr_target = open(log_file or state_dir / "winsim.log", "a")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL if detach else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr_target,
        text=True,
        env=env,
        start_new_session=detach,
    )
    stderr_target.close()
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline() if proc.stdout else ""))
    reader.start()
    try:
        reader.join(READY_TIMEOUT)
    except BaseException:  # Ctrl-C while the host starts: it must not outlive the one who started it
        proc.kill()
        proc.wait()
        raise
    if not line or not line[0].strip():
        proc.kill()
        log = (log_file or state_dir / "winsim.log").read_text(errors="replace")[-2000:]
        raise LaunchError(f"simulated host {name!r} ({profile}) did not start: {log.strip() or 'no output'}")
    try:
        endpoints = json.loads(line[0])
    except json.JSONDecodeError as exc:
        proc.kill()
        raise LaunchError(f"simulated host {name!r}: unreadable ready line ({exc})") from None
    return LaunchedHost(name, proc, endpoints)
