"""The base of the .NET objects winsim models, and ``[ref]`` (PSReference).

Below the modules that make or marshal them (netobjects, addtype, dotnet, expressions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from winsim.powershell.registry import PSError


def not_modeled(what: str) -> PSError:
    return PSError(f"winsim does not model {what}.", "NotModeled", "NotImplemented")


class NetObject:
    """A .NET instance: ``net_type``, properties in ``props``, methods by lower-case name."""

    net_type = "System.Object"
    settable: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.props: dict[str, Any] = {}

    def member(self, name: str) -> Any:
        for key, value in self.props.items():
            if key.lower() == name.lower():
                return value
        raise not_modeled(f"the property {name} of {self.net_type}")

    def set_member(self, name: str, value: Any) -> None:
        canonical = next((k for k in self.settable if k.lower() == name.lower()), None)
        if canonical is None:
            raise not_modeled(f"setting {name} on {self.net_type}")
        self.props[canonical] = value

    def methods(self) -> dict[str, Callable[[list[Any]], Any]]:
        return {}

    def call(self, name: str, args: list[Any]) -> Any:
        method = self.methods().get(name.lower())
        if method is None:
            raise not_modeled(f"the method {name}() on {self.net_type}")
        return method(args)

    def to_string(self) -> str:
        return self.net_type


class Ref(NetObject):
    """``[ref]$var``: reads and writes the variable it was made from."""

    net_type = "System.Management.Automation.PSReference"

    def __init__(self, read: Callable[[], Any], write: Callable[[Any], None]) -> None:
        super().__init__()
        self._read, self._write = read, write

    @property
    def value(self) -> Any:
        return self._read()

    @value.setter
    def value(self, new: Any) -> None:
        self._write(new)

    def member(self, name: str) -> Any:
        if name.lower() == "value":
            return self._read()
        return super().member(name)

    def set_member(self, name: str, value: Any) -> None:
        if name.lower() != "value":
            super().set_member(name, value)
        self._write(value)
