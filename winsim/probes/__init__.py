"""Native implementations of the wcc probe module (``drivers/probe/Wcc.psm1``) for winsim.

Importing this package registers every probe function in the PowerShell command registry.
``winsim.programs.install_programs`` imports it with the program modules; it adds no programs.
"""

from __future__ import annotations

from winsim.probes import dispatch as _dispatch  # noqa: F401  (registers the commands)
from winsim.probes.functions import PROBES

PROGRAMS: dict[str, object] = {}

__all__ = ["PROBES", "PROGRAMS"]
