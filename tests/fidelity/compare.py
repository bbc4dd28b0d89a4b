"""Comparing a real sample with winsim's answer: names, order, types, formats and defaults.

Values that are naturally per host (ids, addresses, times) are compared by *shape*; the fixed
values a stock host always answers (``Scope: local``, ``Mode: ""``) are compared exactly.  Every
function returns a list of differences, empty when winsim matches.

>>> shape("00-15-5D-CD-BE-47"), shape("00:15:5d:cb:00:45"), shape("172.31.192.253/16")
('mac-dash-upper', 'mac-colon-lower', 'ipv4/16')
>>> json_tokens('{"Name": "nat", "IPv6": false}')
[('Name', 'str', 'nat'), ('IPv6', 'bool', 'false')]
"""

from __future__ import annotations

import re

_SHAPES: tuple[tuple[str, str], ...] = (
    ("hex64", r"[0-9a-f]{64}"),
    ("sha256", r"sha256:[0-9a-f]{64}"),
    ("guid-upper", r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"),
    ("guid-lower", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    ("guid-braced-lower", r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}"),
    ("mac-dash-upper", r"[0-9A-F]{2}(?:-[0-9A-F]{2}){5}"),
    ("mac-colon-lower", r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}"),
    ("time-rfc3339", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"),
    ("ipv4", r"\d{1,3}(?:\.\d{1,3}){3}"),
    ("winpath", r"[A-Za-z]:\\.*"),
)
# Keys whose string value is a fixed answer of a stock daemon, compared exactly.
EXACT_KEYS = frozenset(
    {
        "Scope",
        "Driver",
        "Type",
        "Mode",
        "Propagation",
        "Platform",
        "Os",
        "Architecture",
        "Isolation",
        "NetworkMode",
        "Tag",
    }
)
_TOKEN = re.compile(
    r'"([A-Za-z][A-Za-z0-9_.-]*)":\s*("(?:[^"\\]|\\.)*"|\{|\[|-?\d[\d.eE+-]*|true|false|null)'
)


def shape(value: str) -> str:
    """A per-host string reduced to its format; any other string is its own shape."""
    m = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3}){3})/(\d+)", value)
    if m:
        return f"ipv4/{m.group(2)}"
    for name, pattern in _SHAPES:
        if re.fullmatch(pattern, value):
            return name
    return "text"


def json_tokens(text: str) -> list[tuple[str, str, str]]:
    """``(key, type, raw value)`` for every member in document order (works on fragments too)."""
    out = []
    for m in _TOKEN.finditer(text):
        key, raw = m.group(1), m.group(2)
        if re.fullmatch(r"[0-9a-f]{64}", key):
            continue
        if raw.startswith('"'):
            kind = "str"
        elif raw == "{":
            kind = "object"
        elif raw == "[":
            kind = "array"
        elif raw in ("true", "false"):
            kind = "bool"
        elif raw == "null":
            kind = "null"
        else:
            kind = "number"
        out.append((key, kind, raw))
    return out


def _string(raw: str) -> str:
    return raw[1:-1].replace("\\\\", "\\").replace('\\"', '"')


def compare_json(sample_text: str, sim_text: str) -> list[str]:
    """Every member of the sample, in order, must be in winsim's JSON with the same type and format."""
    want = json_tokens(sample_text.replace('\\"', '"'))
    have = json_tokens(sim_text)
    problems: list[str] = []
    pos = 0
    for key, kind, raw in want:
        hit = next((i for i in range(pos, len(have)) if have[i][0] == key), None)
        if hit is None:
            earlier = any(h[0] == key for h in have[:pos])
            problems.append(f"{key}: {'out of order' if earlier else 'missing'}")
            continue
        pos = hit + 1
        _, skind, sraw = have[hit]
        if skind != kind:
            problems.append(f"{key}: {kind} on the host, {skind} in winsim ({raw} vs {sraw})")
            continue
        if kind == "str":
            real, sim = _string(raw), _string(sraw)
            if key in EXACT_KEYS or real == "":
                if real != sim:
                    problems.append(f"{key}: {real!r} on the host, {sim!r} in winsim")
            elif shape(real) != "text" and shape(real) != shape(sim):
                problems.append(
                    f"{key}: format {shape(real)} ({real}) on the host, {shape(sim)} ({sim}) in winsim"
                )
    return problems


def table_problems(sample_lines: list[str], sim_lines: list[str]) -> list[str]:
    """A console table: the header and dash lines exactly (names, widths), then the column starts."""
    real = [line.rstrip() for line in sample_lines if line.strip()]
    sim = [line.rstrip() for line in sim_lines if line.strip()]
    if len(sim) < 2:
        return ["winsim printed no table"]
    problems = []
    for what, a, b in (("header", real[0], sim[0]), ("dashes", real[1], sim[1])):
        if a != b:
            problems.append(f"{what}: {a!r} on the host, {b!r} in winsim")
    starts = [m.start() for m in re.finditer(r"-+", real[1])]
    for row in sim[2:]:
        cells = [m.start() for m in re.finditer(r"(?<!\S)\S", row)]
        if cells and cells[0] != 0:
            problems.append(f"row does not start in column 0: {row!r}")
        bad = [c for c in cells if not any(s <= c < s + 60 for s in starts)]
        if bad:
            problems.append(f"row cell outside the header's columns: {row!r}")
    return problems


def list_view_keys(text: str) -> tuple[list[str], set[int]]:
    """``Key : Value`` lines of Format-List: the keys in order and the columns of their colons."""
    keys, colons = [], set()
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z][A-Za-z0-9]*)(\s*): ", line + " ")
        if m:
            keys.append(m.group(1))
            colons.add(len(m.group(1)) + len(m.group(2)))
    return keys, colons


def ordered_subset(want: list[str], have: list[str]) -> list[str]:
    """The names of ``want`` that ``have`` lacks or lists in another order."""
    problems, pos = [], 0
    for key in want:
        try:
            pos = have.index(key, pos) + 1
        except ValueError:
            problems.append(f"{key}: {'out of order' if key in have else 'missing'}")
    return problems


def template(text: str) -> str:
    """A regular expression from a real line: ids, GUIDs and numbers become wildcards."""
    token = re.compile(r"[0-9a-f]{64}|[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}|\d+")
    parts, pos = [], 0
    for m in token.finditer(text):
        parts.append(re.escape(text[pos : m.start()]))
        value = m.group()
        parts.append("[0-9a-f]{64}" if len(value) == 64 else "[0-9A-Fa-f-]{36}" if "-" in value else r"\d+")
        pos = m.end()
    parts.append(re.escape(text[pos:]))
    return "".join(parts)
