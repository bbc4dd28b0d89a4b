"""What an export is: its signature, the cells for out/ref parameters, the calling process's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from winsim.native.memory import NativeHeap

if TYPE_CHECKING:
    from winsim.processes import HostServices


class UnknownDll(Exception):
    """LoadLibrary failed: the DLL is not on this host (DllNotFoundException)."""

    def __init__(self, dll: str) -> None:
        super().__init__(
            f"Unable to load DLL '{dll}': The specified module could not be found. "
            "(Exception from HRESULT: 0x8007007E)"
        )


class EntryPointNotFound(Exception):
    """GetProcAddress failed: the DLL has no such export (EntryPointNotFoundException)."""

    def __init__(self, dll: str, name: str) -> None:
        super().__init__(f"Unable to find an entry point named '{name}' in DLL '{dll}'.")


@dataclass
class Cell:
    """The storage behind an ``out`` or ``ref`` parameter: the export reads and writes ``value``."""

    value: Any = None


@dataclass(frozen=True)
class Param:
    """One parameter of an export: C type as P/Invoke marshals it, and in / out / ref."""

    name: str
    type: str
    direction: str = "in"


@dataclass
class NativeProcess:
    """Per-process native state: its heap and the handles the DLLs gave it."""

    host: HostServices
    heap: NativeHeap = field(default_factory=NativeHeap)
    handles: dict[int, tuple[str, str]] = field(default_factory=dict)  # handle -> (kind, subject)
    _next_handle: int = 0x1F4

    def open_handle(self, kind: str, subject: str) -> int:
        self._next_handle += 4
        self.handles[self._next_handle] = (kind, subject)
        return self._next_handle

    def handle(self, value: int, kind: str) -> str | None:
        entry = self.handles.get(value)
        return entry[1] if entry is not None and entry[0] == kind else None

    def close_handle(self, value: int) -> None:
        self.handles.pop(value, None)


@dataclass(frozen=True)
class Export:
    """A function a DLL exports: ``fn(process, *args) -> return value``."""

    dll: str
    name: str
    returns: str
    params: tuple[Param, ...]
    fn: Callable[..., Any]

    def __call__(self, process: NativeProcess, args: list[Any]) -> Any:
        return self.fn(process, *args)
