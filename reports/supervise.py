"""Run the suite's pytest as a child that Ctrl-C or SIGTERM stops cleanly.

The child gets its own process group and its own temporary folder (``TMPDIR``: the run's
folder, simulated hosts' keys, locks), so nothing of it outlives the run:

* the first SIGINT, SIGTERM or SIGHUP is forwarded once to the child's group as SIGINT (what a
  terminal's Ctrl-C does): pytest stops its workers, its fixtures stop the simulated hosts,
  and the caller still writes the reports of what ran;
* a second one forces: :class:`Forced` is raised, the child's group is killed;
* either way, on leaving, simulated hosts started under the temporary folder are stopped and
  the folder is removed.

    with Supervisor() as sup:
        rc = sup.run([sys.executable, "-m", "pytest", ...])
    sup.signum        # the signal that interrupted the run, or None
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

POSIX = os.name == "posix"
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
STOP_GRACE = 10.0  # seconds a leftover simulated host gets to stop on SIGTERM before SIGKILL


class Forced(BaseException):
    """A second interruption: stop now.  (BaseException: no ``except Exception`` swallows it.)"""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Supervisor:
    def __init__(self) -> None:
        self.signum: int | None = None
        self.scratch = Path(tempfile.mkdtemp(prefix="wcc-run-"))
        self._child: subprocess.Popen[bytes] | None = None
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> Supervisor:
        for signum in SIGNALS:
            self._saved[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._child is not None:  # leaving on an exception while the child runs
                self._kill_child()
            stop_processes_under(self.scratch)
            shutil.rmtree(self.scratch, ignore_errors=True)
        finally:
            for signum, handler in self._saved.items():
                signal.signal(signum, handler)

    def env(self) -> dict[str, str]:
        env = dict(os.environ, TMPDIR=str(self.scratch), TEMP=str(self.scratch), TMP=str(self.scratch))
        # host leases are shared between runs: they stay in the machine's temporary folder
        env.setdefault("WCC_LEASE_DIR", str(Path(tempfile.gettempdir()) / "wcc-leases"))
        return env

    def run(self, cmd: Sequence[str]) -> int:
        self._child = subprocess.Popen(list(cmd), env=self.env(), start_new_session=POSIX)
        try:
            return self._child.wait()
        except Forced:
            self._kill_child()
            raise
        finally:
            self._child = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            raise Forced(signum)
        self.signum = signum
        print(
            f"\nwcc: {signal.Signals(signum).name}: stopping the run and writing the reports of what ran "
            "(again to stop at once)",
            file=sys.stderr,
            flush=True,
        )
        child = self._child
        if child is not None and child.poll() is None and POSIX:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGINT)
        # elsewhere the console delivers Ctrl-C to the child itself

    def _kill_child(self) -> None:
        child = self._child
        if child is None:
            return
        with contextlib.suppress(ProcessLookupError):
            if POSIX:
                os.killpg(child.pid, signal.SIGKILL)
            else:
                child.kill()
        child.wait()


def stop_processes_under(folder: Path, grace: float = STOP_GRACE) -> list[int]:
    """Stop processes whose command line names ``folder`` (simulated hosts get ``--state-dir``
    inside it): SIGTERM, then SIGKILL after ``grace`` seconds.  Linux only (reads /proc)."""
    pids = _processes_naming(folder)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_exists(pid) for pid in pids):
        time.sleep(0.05)
    for pid in pids:
        if _exists(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return pids


def _processes_naming(folder: Path) -> list[int]:
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    needle = str(folder).encode()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def _exists(pid: int) -> bool:
    """Alive and not a zombie (a zombie has exited; its parent has not reaped it yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"
