"""Values of the simulated PowerShell: what cmdlets emit and the pipeline carries.

Plain Python values stand for .NET ones: ``str``, ``int``, ``float``, ``bool``, ``None``
($null), ``list`` (object[]), ``dict`` (hashtable, insertion-ordered).  Anything with named
properties and a .NET type name is a :class:`PSObject`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PSObject:
    """An object with ordered properties, as ``[pscustomobject]`` or a CIM/.NET object prints.

    ``type_names`` mirrors ``$obj.PSObject.TypeNames`` (most derived first).  ``display`` names
    the properties the default view shows and ``view`` says whether PowerShell formats the type
    as a ``table`` or a ``list`` by default; ``None`` means "all properties, chosen by count"
    (table for up to 4 properties, list above), which is PowerShell's rule for custom objects.
    ``enum_names`` maps a property to the names of its enum values so that text output shows
    ``Native`` while ConvertTo-Json writes the number, as Windows PowerShell 5.1 does.
    ``labels`` renames a property in the default views only (format data of CIM classes does that).
    ``align`` sets a table column's alignment (``"left"``/``"right"``) where format data decides it;
    otherwise numbers are right-aligned and everything else left-aligned.
    ``widths`` fixes a table column's width where format data does (longer values are cut with
    ``...``); other columns are sized to their contents.

    >>> o = PSObject.of("Demo", {"Id": 1, "Name": "x"})
    >>> o["Name"]
    'x'
    """

    type_names: list[str]
    props: dict[str, Any] = field(default_factory=dict)
    display: list[str] | None = None
    view: str | None = None
    enum_names: dict[str, dict[int, str]] = field(default_factory=dict)
    # Column / list labels that differ from the property name (``NlMtu`` shows as ``NlMtu(Bytes)``).
    labels: dict[str, str] = field(default_factory=dict)
    align: dict[str, str] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)
    # .NET methods of the object by lower-case name (``EventLogRecord.ToXml()``).
    methods: dict[str, Callable[[list[Any]], Any]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        type_name: str,
        props: dict[str, Any],
        display: Iterable[str] | None = None,
        view: str | None = None,
    ) -> PSObject:
        return cls([type_name, "System.Object"], dict(props), list(display) if display else None, view)

    @classmethod
    def custom(cls, props: dict[str, Any]) -> PSObject:
        """``[pscustomobject]@{...}``."""
        return cls(["System.Management.Automation.PSCustomObject", "System.Object"], dict(props))

    def get(self, name: str, default: Any = None) -> Any:
        """Property lookup, case-insensitive like PowerShell."""
        if name in self.props:
            return self.props[name]
        low = name.lower()
        for key, value in self.props.items():
            if key.lower() == low:
                return value
        return default

    def has(self, name: str) -> bool:
        low = name.lower()
        return any(k.lower() == low for k in self.props)

    def set(self, name: str, value: Any) -> None:
        low = name.lower()
        for key in self.props:
            if key.lower() == low:
                self.props[key] = value
                return
        self.props[name] = value

    def __getitem__(self, name: str) -> Any:
        if not self.has(name):
            raise KeyError(name)
        return self.get(name)

    @property
    def type_name(self) -> str:
        return self.type_names[0]
