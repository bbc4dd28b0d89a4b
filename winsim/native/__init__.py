"""Native DLL exports of a simulated host, the surface P/Invoke reaches below PowerShell.

A DLL is a table of :class:`Export`\\ s, each with its real native signature
(:mod:`winsim.native.signatures`).  ``Add-Type`` reads a script's ``[DllImport]`` declarations;
a call marshals the C# arguments into machine words and native memory as the CLR does, and
:func:`winsim.native.abi.invoke` has the export read them as its own signature says and answer
(an HRESULT for vmcompute.dll).  Memory the exports hand out (strings allocated with
CoTaskMemAlloc) lives in the calling process's :class:`~winsim.native.memory.NativeHeap`.

>>> export = find_export("vmcompute.dll", "NameToGuid")
>>> export.signature.render()
'HRESULT NameToGuid(LPCWSTR name, GUID* guid)'
"""

from __future__ import annotations

from winsim.native.exports import Cell, EntryPointNotFound, Export, NativeProcess, UnknownDll
from winsim.native.vmcompute import EXPORTS as VMCOMPUTE

__all__ = [
    "Cell",
    "EntryPointNotFound",
    "Export",
    "NativeProcess",
    "UnknownDll",
    "dll_exports",
    "find_export",
]

DLLS: dict[str, dict[str, Export]] = {"vmcompute.dll": VMCOMPUTE}


def dll_exports(dll: str) -> dict[str, Export]:
    """The export table of ``dll`` (``vmcompute`` or ``vmcompute.dll``, any case)."""
    key = dll.lower() if dll.lower().endswith(".dll") else dll.lower() + ".dll"
    table = DLLS.get(key)
    if table is None:
        raise UnknownDll(dll)
    return table


def find_export(dll: str, name: str) -> Export:
    """The export ``name`` of ``dll`` (names are case-sensitive, as GetProcAddress's are)."""
    export = dll_exports(dll).get(name)
    if export is None:
        raise EntryPointNotFound(dll, name)
    return export
