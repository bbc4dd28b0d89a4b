"""ConvertTo-Json and ConvertFrom-Json (Windows PowerShell 5.1 behaviour)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winsim.powershell.json_text import from_json, to_json
from winsim.powershell.registry import Invocation, Param, cmdlet
from winsim.powershell.values import to_int, to_string

_MISSING = object()


@cmdlet(
    "ConvertTo-Json",
    Param("InputObject", position=0, from_pipeline=True),
    Param("Depth", type="int"),
    Param("Compress", switch=True),
)
def convert_to_json(inv: Invocation) -> Iterable[Any]:
    """One item -> that item; several pipeline items -> a JSON array; -InputObject keeps arrays."""
    depth = to_int(inv.args.get("Depth", 2))
    compress = inv.switch("Compress")
    if "InputObject" in inv.args:
        value: Any = inv.args["InputObject"]
    elif not inv.input:
        return
    else:
        value = inv.input[0] if len(inv.input) == 1 else list(inv.input)
    yield to_json(value, depth, compress)


@cmdlet(
    "ConvertFrom-Json", Param("InputObject", position=0, mandatory=True, from_pipeline=True, type="string")
)
def convert_from_json(inv: Invocation) -> Iterable[Any]:
    """Pipeline strings are joined before parsing; a JSON array comes out as one object, as in 5.1."""
    if "InputObject" in inv.args:
        text = to_string(inv.args["InputObject"])
    else:
        text = "\n".join(to_string(s) for s in inv.input)
    if not text.strip():
        return
    yield from_json(text)
