"""Enum values: a number that prints as its name and compares equal to its name.

PowerShell converts a string to the enum's type when it compares the two, so
``$_.AddressFamily -eq 'IPv4'`` is true for the value 2 of ``AddressFamily``.  Text output shows
the name; Windows PowerShell 5.1's ConvertTo-Json writes the number.

>>> family = PSEnum(2, {2: "IPv4", 23: "IPv6"}, "AddressFamily")
>>> str(family), int(family), family == "ipv4", family == 2, family == "IPv6"
('IPv4', 2, True, True, False)
>>> family.convert("IPv6")
23
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class PSEnum(int):
    """One value of an enum type; ``members`` maps every number of the type to its name."""

    members: Mapping[int, str]
    type_name: str

    def __new__(cls, value: int, members: Mapping[int, str], type_name: str = "System.Enum") -> PSEnum:
        obj = super().__new__(cls, value)
        obj.members = members
        obj.type_name = type_name
        return obj

    @property
    def name(self) -> str:
        """The member name; a number that is no member prints as the number, as .NET does."""
        return self.members.get(int(self), str(int(self)))

    def convert(self, other: Any) -> int | None:
        """``other`` as a number of this enum type (a name, case-insensitive, or a number); None if neither."""
        if isinstance(other, int) and not isinstance(other, bool):
            return int(other)
        text = str(other).strip()
        folded = text.casefold()
        for number, name in self.members.items():
            if name.casefold() == folded:
                return number
        try:
            return int(text)
        except ValueError:
            return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.convert(other) == int(self)
        return int(self) == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = int.__hash__

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"PSEnum({int(self)}, {self.name!r})"


def enum_props(props: dict[str, Any], enums: Mapping[str, Mapping[int, str]], type_prefix: str = "") -> None:
    """Replace the numbers of the properties named in ``enums`` by :class:`PSEnum` values (in place)."""
    for key, members in enums.items():
        value = props.get(key)
        if isinstance(value, int) and not isinstance(value, (bool, PSEnum)):
            props[key] = PSEnum(value, members, type_prefix + key)
