"""What an export is: its native signature, the cells for pointers it writes, the calling process's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from winsim.native.memory import NativeHeap
from winsim.native.signatures import Signature

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
    """What a pointer the export writes points at: the export reads and writes ``value``."""

    value: Any = None


@dataclass
class NativeProcess:
    """Per-process native state: its heap and the handles the DLLs gave it."""

    host: HostServices
    heap: NativeHeap = field(default_factory=NativeHeap)
    handles: dict[int, tuple[str, str]] = field(default_factory=dict)  # handle -> (kind, subject)
    # HCS handles are pointers to the client library's objects, so 64-bit values above 4 GiB
    # (INFERRED: no published sample of a handle value; x64 user-mode heaps lie above 4 GiB).
    _next_handle: int = 0x0000_01E4_5A3F_0000

    def open_handle(self, kind: str, subject: str) -> int:
        self._next_handle += 0x60
        self.handles[self._next_handle] = (kind, subject)
        return self._next_handle

    def handle(self, value: int, kind: str) -> str | None:
        entry = self.handles.get(value)
        return entry[1] if entry is not None and entry[0] == kind else None

    def close_handle(self, value: int) -> None:
        self.handles.pop(value, None)


@dataclass(frozen=True)
class Export:
    """A function a DLL exports, ``fn(process, *args) -> return value``, with its native signature.

    ``fn`` takes each parameter as the export reads it (a string for ``LPCWSTR``, an int, a dict
    for a struct it reads, a list for an array) and a :class:`Cell` for each pointer it writes;
    :func:`winsim.native.abi.invoke` turns a call's machine words into those."""

    dll: str
    signature: Signature
    fn: Callable[..., Any]

    @property
    def name(self) -> str:
        return self.signature.name
