"""The export's side of a call: machine words in, each read as its native type, words back out.

A caller (the P/Invoke marshaller) passes one 64-bit word per parameter, as the x64 calling
convention does, with strings, structs and out slots in the process's native heap.  The export
reads each word as its own signature says (see :mod:`winsim.native.signatures`): the low 4 bytes
of a ``DWORD``, a whole ``HANDLE``, a UTF-16 string at an ``LPCWSTR``, a struct's fields at their
offsets; it writes what its out pointers point at the same way.  A caller that passed fewer
words leaves the rest of the registers as they were (INFERRED: modelled as a fixed junk value).

>>> heap = NativeHeap()
>>> word = heap.alloc_bytes("ab".encode("utf-16-le") + bytes(2), "cotask")
>>> read_word(heap, Scalar("LPCWSTR", 8, kind="wstr"), word), read_word(heap, DWORD, 0x1_0000_0007)
('ab', 7)
"""

from __future__ import annotations

import uuid
from typing import Any

from winsim.native.exports import Cell, Export, NativeProcess
from winsim.native.memory import AccessViolation, NativeHeap
from winsim.native.signatures import DWORD, NativeType, Pointer, Scalar, Struct

JUNK = 0xCCCC_CCCC_CCCC_CCCC  # a register the caller did not set


def invoke(export: Export, process: NativeProcess, words: list[int]) -> int:
    """Call ``export`` with one word per parameter; the return register (RAX)."""
    params = export.signature.params
    words = [*words[: len(params)], *[JUNK] * (len(params) - len(words))]
    by_name = {p.name: w for p, w in zip(params, words, strict=True)}
    heap = process.heap
    args: list[Any] = []
    writes: list[tuple[NativeType, int, Cell]] = []
    for param, word in zip(params, words, strict=True):
        ctype = param.type
        if isinstance(ctype, Pointer) and ctype.access != "in":
            heap.read(word, ctype.target.size)  # a pointer it cannot write faults before any effect
            cell = Cell(read(heap, ctype.target, word) if ctype.access == "inout" else None)
            writes.append((ctype.target, word, cell))
            args.append(cell)
        elif isinstance(ctype, Pointer):
            args.append(_read_pointer(heap, ctype, word, by_name))
        else:
            args.append(read_word(heap, ctype, word))
    returned = export.fn(process, *args)
    for target, address, cell in writes:
        if cell.value is not None:
            write(heap, target, address, cell.value)
    # A 32-bit result is written to EAX, which zeroes the upper half of RAX.
    return int(returned) & ((1 << (8 * export.signature.returns.size)) - 1)


def _read_pointer(heap: NativeHeap, ctype: Pointer, word: int, by_name: dict[str, int]) -> Any:
    if word == 0:
        return None
    if ctype.count is None:
        return read(heap, ctype.target, word)
    count = read_word(heap, DWORD, by_name[ctype.count])
    return [read(heap, ctype.target, word + i * ctype.target.size) for i in range(count)]


def read_word(heap: NativeHeap, ctype: Scalar | Struct, word: int) -> Any:
    """A parameter passed in a register, read as ``ctype``."""
    if isinstance(ctype, Struct) or ctype.kind == "guid":
        raise TypeError(f"{ctype.name} is passed by pointer")
    if ctype.kind == "wstr":
        return heap.read_string(word) if word else None
    return _integer(word.to_bytes(8, "little")[: ctype.size], ctype.signed)


def read(heap: NativeHeap, ctype: NativeType, address: int) -> Any:
    """The value of type ``ctype`` stored at ``address``."""
    if isinstance(ctype, Struct):
        offsets = ctype.offsets()
        return {name: read(heap, t, address + offsets[name]) for name, t in ctype.fields}
    data = heap.read(address, ctype.size)
    if isinstance(ctype, Pointer):
        return _integer(data, False)
    if ctype.kind == "guid":
        return str(uuid.UUID(bytes_le=data))
    if ctype.kind == "wstr":
        pointer = _integer(data, False)
        return heap.read_string(pointer) if pointer else None
    return _integer(data, ctype.signed)


def write(heap: NativeHeap, ctype: NativeType, address: int, value: Any) -> None:
    """Store ``value`` as ``ctype`` at ``address`` (a struct from a dict of its fields)."""
    if isinstance(ctype, Struct):
        offsets = ctype.offsets()
        for name, t in ctype.fields:
            write(heap, t, address + offsets[name], value.get(name) or 0)
        return
    if isinstance(ctype, Scalar) and ctype.kind == "guid":
        heap.write(address, uuid.UUID(str(value)).bytes_le)
        return
    if not isinstance(value, int):
        raise AccessViolation(f"cannot store {value!r} as {ctype.name}")
    heap.write(address, (value & ((1 << (8 * ctype.size)) - 1)).to_bytes(ctype.size, "little"))


def _integer(data: bytes, signed: bool) -> int:
    return int.from_bytes(data, "little", signed=signed)
