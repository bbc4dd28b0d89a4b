"""A simulated host's folder when the caller names none: private, and removed on every way out.

The folder holds the host's disk and its secrets (TLS and SSH private keys, its users'
passwords), so ``winsim serve`` and ``winsim exec`` remove it however they stop: normally,
on SIGTERM, SIGINT or SIGHUP, or on a bad argument such as an unknown profile.  A folder given
with ``--state-dir`` belongs to the caller (a host's disk, reused across restarts) and is kept.

    with host_folder(args.state_dir, prefix="winsim-") as state_dir:
        host = SimHost.create(name, profile, state_dir)
        ...

A script can keep the interpreter from ever running a signal handler: a regular expression that
backtracks for ever runs in C holding the GIL, so the main thread never gets to raise
:class:`Stopped`.  So on POSIX a small watchdog process is forked first.  The signal module's
wakeup fd (written by the C-level handler, GIL or not) is a pipe to it: on a stop signal it gives
the host :data:`STOP_GRACE` seconds to be gone, then freezes it, removes the folder and kills it.
The pipe's end of file (the host gone, even by SIGKILL) makes it remove the folder and exit.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, n))
STOP_GRACE = 3.0  # seconds a host has to unwind after a stop signal before the watchdog kills it


class Stopped(SystemExit):
    """A stop signal arrived: unwinds like ``sys.exit`` so every ``finally`` runs."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(128 + signum)


@contextmanager
def host_folder(given: Path | None, prefix: str) -> Iterator[Path]:
    """``given`` (created if needed, kept), or a new private temporary folder removed on leaving.

    Until the caller installs its own handlers, a stop signal unwinds the process through here
    (the default SIGTERM action would end it on the spot and leave the folder behind).
    """
    main = threading.current_thread() is threading.main_thread()
    saved = {s: signal.signal(s, _stop) for s in SIGNALS} if main else {}
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
    folder = given if given is not None else Path(tempfile.mkdtemp(prefix=prefix))  # mode 0700
    if main and hasattr(os, "fork"):
        _start_watchdog(None if given is not None else folder)
    try:
        yield folder
    finally:
        if given is None:
            shutil.rmtree(folder, ignore_errors=True)
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _start_watchdog(folder: Path | None) -> None:
    """Fork the watchdog.  Its pipe stays open until this process is gone (an interpreter that
    hangs on its way out, a daemon thread holding the GIL, is still watched)."""
    read_end, write_end = os.pipe()  # not inherited by programs the host starts (O_CLOEXEC)
    host_pid = os.getpid()
    if os.fork() == 0:
        try:
            os.close(write_end)
            _watch(read_end, host_pid, folder)
        finally:
            os._exit(0)
    os.close(read_end)
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)


def _watch(read_end: int, host_pid: int, folder: Path | None) -> None:
    """The watchdog's life: wait for a stop signal's byte or the host's end, then make sure of both."""
    for signum in SIGNALS:  # a terminal's Ctrl-C reaches the whole group: only the pipe moves it
        signal.signal(signum, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # hold none of the host's streams open after it ends
        os.dup2(null, fd)
    stops = {signum.value for signum in SIGNALS}
    while data := os.read(read_end, 64):
        if stops.intersection(data):
            deadline = time.monotonic() + STOP_GRACE
            while (left := deadline - time.monotonic()) > 0 and select.select([read_end], [], [], left)[0]:
                if not os.read(read_end, 64):  # the host is gone in time
                    break
            else:
                _kill(host_pid, folder)
            break
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _kill(host_pid: int, folder: Path | None) -> None:
    """Freeze the host, remove its folder, then kill it: whoever waits for it finds the folder gone."""
    try:
        os.kill(host_pid, signal.SIGSTOP)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        os.kill(host_pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
