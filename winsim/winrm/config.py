"""The WinRM service settings a simulated host runs with (what ``winrm get winrm/config`` shows).

Defaults follow the MS-WSMV schema defaults; the ones not checked on a real host are marked
INFERRED.  A host can override them by writing ``<state_dir>/winrm/config.json`` (the
counterpart of ``winrm set winrm/config/...``), which also reaches hosts run as a subprocess:

>>> cfg = WinRMConfig.load(Path("/tmp/none"))   # doctest: +SKIP
>>> cfg.max_shells_per_user
30
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class WinRMConfig:
    # winrm/config/winrs
    idle_timeout: float = 180.0  # seconds a shell may sit unused (IdleTimeout 180000 ms)
    max_shells_per_user: int = 30
    max_processes_per_shell: int = 25
    # winrm/config (client-advertised MaxEnvelopeSize is 153600 bytes; the service rejects larger requests)
    max_envelope_size: int = 153600
    # longest OperationTimeout honoured for a Receive (MaxTimeoutms 60000); INFERRED
    max_operation_timeout: float = 60.0
    # HTTP body cap applied before any parsing, so a huge upload never reaches the XML parser
    max_request_body: int = 512 * 1024
    # winrm/config/service: the simulator allows Basic and unencrypted HTTP so raw clients work out of the box
    # (a stock Windows host has AllowUnencrypted=false and Basic=false)
    allow_unencrypted: bool = True
    allow_basic: bool = True
    # HTTP.sys closes keep-alive connections idle this long (IdleConnectionTimeout 120 s)
    connection_idle_timeout: float = 120.0

    @classmethod
    def load(cls, winrm_dir: Path) -> WinRMConfig:
        """Defaults, overridden by ``winrm_dir/config.json`` if present (unknown keys are an error)."""
        path = winrm_dir / CONFIG_FILE
        if not path.exists():
            return cls()
        try:
            data: Any = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read WinRM config {path}: {exc}") from exc
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Any, source: str = "WinRM config") -> WinRMConfig:
        if not isinstance(data, dict):
            raise ValueError(f"{source}: expected a JSON object")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ValueError(
                f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(fields))}"
            )
        values: dict[str, Any] = {}
        for key, value in data.items():
            default = getattr(cls(), key)
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{source}: {key} must be true or false, not {value!r}")
            elif isinstance(default, int | float) and (
                isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
            ):
                raise ValueError(f"{source}: {key} must be a positive number, not {value!r}")
            values[key] = type(default)(value)
        return cls(**values)
