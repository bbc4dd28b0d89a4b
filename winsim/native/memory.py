"""The unmanaged memory of one simulated process: blocks at addresses, UTF-16 strings in them.

Exports hand out strings as CoTaskMemAlloc'd blocks; scripts read them with
``Marshal.PtrToStringUni`` and free them with ``Marshal.FreeCoTaskMem``, or allocate buffers
with ``Marshal.AllocHGlobal`` that an export fills.  The P/Invoke marshaller lays arguments
(strings, structs, out slots) out in blocks too, and exports read them at any address inside a
block; an address outside every live block is an access violation.

>>> heap = NativeHeap()
>>> p = heap.alloc_string("abc")
>>> heap.read_string(p)
'abc'
>>> heap.free(p, "cotask")
"""

from __future__ import annotations

import bisect


class AccessViolation(Exception):
    """A read, write or free at an address that is not a live block of the right kind."""


class NativeHeap:
    def __init__(self) -> None:
        self._blocks: dict[int, tuple[str, bytearray]] = {}
        self._bases: list[int] = []  # sorted block addresses, to find the block holding an address
        self._next = 0x1_0000_0000

    def alloc(self, size: int, kind: str) -> int:
        """A zeroed block of ``size`` bytes; ``kind`` is the allocator (``cotask`` or ``hglobal``)."""
        if size < 0:
            raise AccessViolation(f"cannot allocate {size} bytes")
        address = self._next
        self._next += (size + 0x17) & ~0xF
        self._blocks[address] = (kind, bytearray(size))
        bisect.insort(self._bases, address)
        return address

    def alloc_bytes(self, data: bytes, kind: str) -> int:
        address = self.alloc(len(data), kind)
        self._blocks[address][1][:] = data
        return address

    def read(self, address: int, size: int) -> bytes:
        block, at = self._locate(address, size)
        return bytes(block[at : at + size])

    def write(self, address: int, data: bytes) -> None:
        block, at = self._locate(address, len(data))
        block[at : at + len(data)] = data

    def alloc_string(self, text: str) -> int:
        """A CoTaskMemAlloc'd NUL-terminated UTF-16LE copy of ``text``."""
        data = text.encode("utf-16-le", "surrogatepass") + b"\0\0"
        address = self.alloc(len(data), "cotask")
        self._blocks[address][1][:] = data
        return address

    def write_string(self, address: int, text: str) -> None:
        block = self._block(address)
        data = text.encode("utf-16-le", "surrogatepass") + b"\0\0"
        if len(data) > len(block):
            raise AccessViolation(
                f"a {len(data)}-byte string overruns the {len(block)}-byte block at {address:#x}"
            )
        block[: len(data)] = data

    def read_string(self, address: int) -> str:
        """The UTF-16 string at ``address`` (inside a block), up to its NUL or the block's end."""
        return self.read_to_nul(address, 2).decode("utf-16-le", "replace")

    def read_to_nul(self, address: int, unit: int) -> bytes:
        """The ``unit``-byte characters at ``address`` up to a NUL one (or the block's end)."""
        block, at = self._locate(address, 0)
        end = next(
            (i for i in range(at, len(block) - unit + 1, unit) if not any(block[i : i + unit])),
            at + (len(block) - at) // unit * unit,
        )
        return bytes(block[at:end])

    def free(self, address: int, kind: str) -> None:
        entry = self._blocks.get(address)
        if entry is None or entry[0] != kind:
            raise AccessViolation(f"no {kind} block at {address:#x} to free")
        del self._blocks[address]
        self._bases.remove(address)

    def live(self) -> int:
        """How many blocks are still allocated (a leak shows here)."""
        return len(self._blocks)

    def _block(self, address: int) -> bytearray:
        entry = self._blocks.get(address)
        if entry is None:
            raise AccessViolation(f"no block at {address:#x}")
        return entry[1]

    def _locate(self, address: int, size: int) -> tuple[bytearray, int]:
        """The block holding ``size`` bytes at ``address`` and the offset in it."""
        i = bisect.bisect_right(self._bases, address) - 1
        if i >= 0:
            base = self._bases[i]
            block = self._blocks[base][1]
            if address - base + size <= len(block) and (size or address - base < len(block) or not block):
                return block, address - base
        raise AccessViolation(f"{size} bytes at {address:#x} are not inside a live block")
