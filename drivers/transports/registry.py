"""Transport registry: inventory ``transport`` name -> class, imported only when used.

transport = create_transport(spec, stats)   # WinRMTransport / SSHTransport / LocalTransport
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from drivers.errors import ConfigError

if TYPE_CHECKING:
    from drivers.stats import CallStats
    from drivers.transports.base import Transport
    from inventory.model import HostSpec

TRANSPORTS: dict[str, str] = {
    "winrm": "drivers.transports.winrm:WinRMTransport",
    "ssh": "drivers.transports.ssh:SSHTransport",
    "local": "drivers.transports.local:LocalTransport",
}


def create_transport(spec: HostSpec, stats: CallStats) -> Transport:
    target = TRANSPORTS.get(spec.transport)
    if target is None:
        hint = (
            " (the fixtures resolve 'sim' hosts to winrm or ssh before connecting)"
            if spec.transport == "sim"
            else ""
        )
        raise ConfigError(
            f"{spec.name}: unknown transport {spec.transport!r}; known: {', '.join(TRANSPORTS)}{hint}"
        )
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    transport: Transport = cls.from_spec(spec, stats)
    return transport
