"""A simulated host's folder when the caller names none: private, and removed on every way out.

The folder holds the host's disk and its secrets (TLS and SSH private keys, its users'
passwords), so ``winsim serve`` and ``winsim exec`` remove it however they stop: normally,
on SIGTERM, SIGINT or SIGHUP, or on a bad argument such as an unknown profile.  A folder given
with ``--state-dir`` belongs to the caller (a host's disk, reused across restarts) and is kept.

    with host_folder(args.state_dir, prefix="winsim-") as state_dir:
        host = SimHost.create(name, profile, state_dir)
        ...
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, n))


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
    saved = (
        {s: signal.signal(s, _stop) for s in SIGNALS}
        if threading.current_thread() is threading.main_thread()
        else {}
    )
    try:
        if given is not None:
            given.mkdir(parents=True, exist_ok=True)
            yield given
            return
        folder = Path(tempfile.mkdtemp(prefix=prefix))  # mode 0700
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
