"""Function-invocation tracing: which script functions ran on a host (a coverage aid).

``winsim serve --trace-functions DIR`` (or ``WINSIM_TRACE_FUNCTIONS=DIR`` in its environment)
appends the name of every script function any runspace of the host invokes to
``DIR/<host>.functions``, each name once, as soon as it first runs.  It records names only;
arguments never leave the host.

>>> trace = FunctionTrace(Path("/tmp/t/h1.functions"))   # doctest: +SKIP
>>> trace.record("Get-Thing")                             # doctest: +SKIP
"""

from __future__ import annotations

import threading
from pathlib import Path

ENV_VAR = "WINSIM_TRACE_FUNCTIONS"


class FunctionTrace:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, name: str) -> None:
        if name in self._seen:  # the common case: no lock, no I/O
            return
        with self._lock:
            if name in self._seen:
                return
            self._seen.add(name)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(name + "\n")


def read_traces(folder: Path) -> set[str]:
    """Every function name recorded under ``folder`` (all hosts)."""
    return {
        line.strip()
        for file in folder.glob("*.functions")
        for line in file.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
