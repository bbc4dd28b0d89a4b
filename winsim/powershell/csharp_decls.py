"""What ``Add-Type`` read from C#: structs (fields, layout, marshalling) and P/Invoke externs.

Only what the CLR's marshaller needs is kept: each field's type and ``[MarshalAs]``, the struct's
``StructLayout`` (kind, ``CharSet``, ``Pack``); each extern's ``[DllImport]`` settings and each
parameter's direction, type, ``[MarshalAs]`` and ``[In]``/``[Out]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from winsim.powershell.objects import PSObject

# Zero values of the field types a struct starts with (New-Object / default(T)).
_ZERO: dict[str, Any] = {"string": None, "guid": "00000000-0000-0000-0000-000000000000", "bool": False}


@dataclass(frozen=True)
class ManagedParam:
    direction: str  # in / out / ref
    type: str  # as written in C#
    name: str
    marshal_as: str | None = None  # an UnmanagedType member: LPWStr, I4, ...
    in_attr: bool = False
    out_attr: bool = False


@dataclass
class Extern:
    name: str
    dll: str
    entry_point: str
    returns: str
    params: list[ManagedParam]
    charset: str = "Ansi"  # DllImport's default (CharSet.None marshals as Ansi)
    exact_spelling: bool = False
    preserve_sig: bool = True


@dataclass
class AddedType:
    """A type a script added: a struct (``fields``) or a static class of externs."""

    full_name: str
    fields: dict[str, str] = field(default_factory=dict)
    externs: dict[str, Extern] = field(default_factory=dict)
    is_struct: bool = False
    field_marshal: dict[str, str] = field(default_factory=dict)  # field -> [MarshalAs] type
    layout: str = "Sequential"  # C# structs are sequential unless StructLayout says otherwise
    charset: str = "Ansi"
    pack: int = 8

    def new(self) -> PSObject:
        """A zeroed instance of the struct."""
        props = {name: _ZERO.get(ctype.rsplit(".", 1)[-1].lower(), 0) for name, ctype in self.fields.items()}
        return PSObject([self.full_name, "System.ValueType", "System.Object"], props)
