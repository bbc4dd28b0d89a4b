"""The fidelity corpus: real outputs of Windows container hosts, each file a header and the sample.

A sample file is ``key: value`` lines (kind, source, host, build, engine, command, ...), a line
``---``, then the output exactly as captured.  ``profile`` picks the simulated build it is held to:
the sample's own build, or the one its ``build`` line names ("compared against the ws2022 profile").

>>> s = load(SAMPLES / "docker-info-ws2019-18.09.txt")
>>> (s.kind, s.profile)
('docker-info-text', 'ws2019')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"
REQUIRED = ("kind", "source", "host", "build", "engine", "command")


@dataclass(frozen=True)
class Sample:
    path: Path
    meta: dict[str, str]
    body: str

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def kind(self) -> str:
        return self.meta["kind"]

    @property
    def build(self) -> int | None:
        """The Windows build the sample came from, when it is known or inferred."""
        m = re.match(r"\s*(\d{5})", self.meta["build"])
        return int(m.group(1)) if m else None

    @property
    def profile(self) -> str:
        named = re.search(r"compared against the (ws\d{4}) profile", self.meta["build"])
        if named:
            return named.group(1)
        return profile_for_build(self.build)


def profile_for_build(build: int | None) -> str:
    """The simulated profile nearest a real build: same kernel generation, same NIC naming."""
    if build is None:
        return "ws2022"
    if build < 17134:
        return "ws2016"
    if build < 19000:
        return "ws2019"
    if build < 22000:
        return "ws2022"
    return "ws2025"


def load(path: Path) -> Sample:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise ValueError(f"{path.name}: no '---' line between the header and the sample")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"{path.name}: header line is not 'key: value': {line!r}")
        meta[key.strip()] = value.strip()
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise ValueError(f"{path.name}: header lacks {', '.join(missing)}")
    return Sample(path, meta, body)


def samples() -> list[Sample]:
    return [load(p) for p in sorted(SAMPLES.glob("*.txt"))]
