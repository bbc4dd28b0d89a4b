"""The unmanaged memory of one simulated process: blocks at addresses, UTF-16 strings in them.

Exports hand out strings as CoTaskMemAlloc'd blocks; scripts read them with
``Marshal.PtrToStringUni`` and free them with ``Marshal.FreeCoTaskMem``, or allocate buffers
with ``Marshal.AllocHGlobal`` that an export fills.

>>> heap = NativeHeap()
>>> p = heap.alloc_string("abc")
>>> heap.read_string(p)
'abc'
>>> heap.free(p, "cotask")
"""

from __future__ import annotations


class AccessViolation(Exception):
    """A read, write or free at an address that is not a live block of the right kind."""


class NativeHeap:
    def __init__(self) -> None:
        self._blocks: dict[int, tuple[str, bytearray]] = {}
        self._next = 0x1_0000_0000

    def alloc(self, size: int, kind: str) -> int:
        """A zeroed block of ``size`` bytes; ``kind`` is the allocator (``cotask`` or ``hglobal``)."""
        if size < 0:
            raise AccessViolation(f"cannot allocate {size} bytes")
        address = self._next
        self._next += (size + 0x17) & ~0xF
        self._blocks[address] = (kind, bytearray(size))
        return address

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
        block = self._block(address)
        end = next(
            (i for i in range(0, len(block) - 1, 2) if block[i] == 0 and block[i + 1] == 0), len(block)
        )
        return bytes(block[:end]).decode("utf-16-le", "surrogatepass")

    def free(self, address: int, kind: str) -> None:
        entry = self._blocks.get(address)
        if entry is None or entry[0] != kind:
            raise AccessViolation(f"no {kind} block at {address:#x} to free")
        del self._blocks[address]

    def live(self) -> int:
        """How many blocks are still allocated (a leak shows here)."""
        return len(self._blocks)

    def _block(self, address: int) -> bytearray:
        entry = self._blocks.get(address)
        if entry is None:
            raise AccessViolation(f"no block at {address:#x}")
        return entry[1]
