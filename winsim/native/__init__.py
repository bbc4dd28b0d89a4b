"""Native DLL exports of a simulated host, the surface P/Invoke reaches below PowerShell.

A DLL is a table of :class:`Export`\\ s with the real signatures.  ``Add-Type`` reads a script's
``[DllImport]`` declarations and binds each extern to ``find_export(dll, name)``; a call passes
plain values, with :class:`Cell`\\ s for ``out`` / ``ref`` parameters, and gets the export's
return value (an HRESULT for vmcompute.dll).  Memory the exports hand out (strings allocated
with CoTaskMemAlloc) lives in the calling process's :class:`~winsim.native.memory.NativeHeap`.

>>> export = find_export("vmcompute.dll", "NameToGuid")
>>> [p.name for p in export.params], export.params[1].direction
(['name', 'guid'], 'out')
"""

from __future__ import annotations

from winsim.native.exports import Cell, EntryPointNotFound, Export, NativeProcess, Param, UnknownDll
from winsim.native.vmcompute import EXPORTS as VMCOMPUTE

__all__ = ["Cell", "EntryPointNotFound", "Export", "NativeProcess", "Param", "UnknownDll", "find_export"]

DLLS: dict[str, dict[str, Export]] = {"vmcompute.dll": VMCOMPUTE}


def find_export(dll: str, name: str) -> Export:
    """The export ``name`` of ``dll`` (``vmcompute`` or ``vmcompute.dll``, any case)."""
    key = dll.lower() if dll.lower().endswith(".dll") else dll.lower() + ".dll"
    table = DLLS.get(key)
    if table is None:
        raise UnknownDll(dll)
    export = table.get(name)
    if export is None:
        raise EntryPointNotFound(dll, name)
    return export
