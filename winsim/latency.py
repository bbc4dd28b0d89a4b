"""Network round-trip delay of a simulated host (its ``host.latency`` profile).

What counts as one round trip:

* WinRM: every HTTP request the client sends and waits on (NTLM handshake legs included),
  charged before the request is handled.
* SSH: every exec request (the client waits for the process to start and stream back),
  charged before the process starts, on the channel's own thread so other channels on the
  same connection are not held up; and every chunk of stdin, charged before the program
  reads it (the writer does not wait, but whatever answers that input reaches the client one
  round trip after it was sent, as on a real link).

>>> round_trip(host)    # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from winsim.host import SimHost


def round_trip(host: SimHost) -> None:
    """Spend one round trip of ``host``'s latency profile (nothing with the ``none`` profile)."""
    delay = host.latency.round_trip
    if delay > 0:
        time.sleep(delay)  # the modelled wire delay itself, not a stand-in for work
