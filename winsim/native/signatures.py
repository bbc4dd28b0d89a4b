"""The native signatures of vmcompute.dll's exports, as the x64 ABI lays them out.

Each parameter has a C type with its width, and each pointer says whether the export reads it,
writes it, or both.  ``Add-Type``'s P/Invoke binder marshals a script's C# declaration against
these, so a declaration that differs from the real one fails as it would on Windows.

Sources (microsoft/hcsshim at 7c9ff7f, ``git show``):

- ``internal/vmcompute/vmcompute.go`` ``//sys`` lines: every HCS v1 call returns an HRESULT
  (``hr error``; ``int32(r0) < 0`` is failure), takes ``string`` ids / JSON (UTF-16:
  ``syscall.UTF16PtrFromString``, i.e. ``LPCWSTR``), ``HcsSystem`` / ``HcsProcess`` handles
  (``syscall.Handle``, pointer-width), ``**uint16`` result strings (``LPWSTR*``, freed with
  CoTaskMemFree), and ``*HcsProcessInformation`` (``ProcessId uint32; _ uint32; StdInput,
  StdOutput, StdError syscall.Handle``: 32 bytes);
- ``internal/hns/hns.go``: ``HNSCall(method, path, object string, response **uint16)``;
- ``internal/wclayer/wclayer.go`` and ``layerutils.go``: ``*driverInfo`` (``struct DriverInfo
  { GraphDriverType Flavour; LPCWSTR HomeDir; }``, the enum 32-bit, the pointer at offset 8),
  ``[]WC_LAYER_DESCRIPTOR`` passed as pointer + length (``{ GUID LayerId; ULONG Flags; PCWSTR
  Path; }``: 16 + 4 + 4 padding + 8 = 32 bytes), ``nameToGuid(name string, guid *_guid)``,
  ``getLayerMountPath(info, id, length *uintptr, buffer *uint16)``, ``createSandboxLayer(info,
  id, parent uintptr, descriptors)``.

INFERRED: hcsshim passes a descriptor count as the slice length in a full register
(``uintptr(len(descriptors))``) while the C prototype is not published; the export is modelled
reading a 32-bit count (``DWORD``), so a C# ``int`` count (as the probe module declares) is read
whole.  Entry points carry no ``W``/``A`` suffix (hcsshim names them as written, ``= vmcompute.X?``).

>>> SIGNATURES["HcsOpenComputeSystem"].render()
'HRESULT HcsOpenComputeSystem(LPCWSTR id, HANDLE* computeSystem, LPWSTR* result)'
>>> STRUCTS["WC_LAYER_DESCRIPTOR"].offsets(), STRUCTS["WC_LAYER_DESCRIPTOR"].size
({'LayerId': 0, 'Flags': 16, 'Path': 24}, 32)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scalar:
    """A value of ``size`` bytes.  ``kind``: ``int``; ``wstr`` (a pointer the export reads as a
    NUL-terminated UTF-16 string); ``address`` (a pointer the export uses as is); ``guid``."""

    name: str
    size: int
    signed: bool = False
    kind: str = "int"
    align: int = 0

    @property
    def alignment(self) -> int:
        return self.align or self.size


@dataclass(frozen=True)
class Struct:
    """A C struct with natural (sequential, 8-byte pack) alignment."""

    name: str
    fields: tuple[tuple[str, NativeType], ...]

    @property
    def alignment(self) -> int:
        return max(t.alignment for _n, t in self.fields)

    def offsets(self) -> dict[str, int]:
        offsets, at = {}, 0
        for name, ctype in self.fields:
            at = -(-at // ctype.alignment) * ctype.alignment
            offsets[name] = at
            at += ctype.size
        return offsets

    @property
    def size(self) -> int:
        last, ctype = self.fields[-1]
        end = self.offsets()[last] + ctype.size
        return -(-end // self.alignment) * self.alignment


@dataclass(frozen=True)
class Pointer:
    """A pointer the export reads (``in``), writes (``out``) or both (``inout``); ``count`` names
    the parameter holding the number of elements when it points at an array."""

    target: NativeType
    access: str = "in"
    count: str | None = None
    size: int = 8
    alignment: int = 8

    @property
    def name(self) -> str:
        return f"{self.target.name}*"


NativeType = Scalar | Struct | Pointer


@dataclass(frozen=True)
class NativeParam:
    name: str
    type: NativeType


@dataclass(frozen=True)
class Signature:
    name: str
    returns: Scalar
    params: tuple[NativeParam, ...]

    def render(self) -> str:
        shown = ", ".join(f"{p.type.name} {p.name}" for p in self.params)
        return f"{self.returns.name} {self.name}({shown})"


HRESULT = Scalar("HRESULT", 4, signed=True)
DWORD = Scalar("DWORD", 4)
ULONG = Scalar("ULONG", 4)
GRAPH_DRIVER_TYPE = Scalar("GraphDriverType", 4, signed=True)  # a C enum: 32-bit
HANDLE = Scalar("HANDLE", 8)
SIZE_T = Scalar("SIZE_T", 8)
LPCWSTR = Scalar("LPCWSTR", 8, kind="wstr")
LPWSTR = Scalar("LPWSTR", 8, kind="address")  # a string the export allocates, or a buffer it fills
GUID = Scalar("GUID", 16, kind="guid", align=4)

STRUCTS: dict[str, Struct] = {
    s.name: s
    for s in (
        Struct("DriverInfo", (("Flavour", GRAPH_DRIVER_TYPE), ("HomeDir", LPCWSTR))),
        Struct("WC_LAYER_DESCRIPTOR", (("LayerId", GUID), ("Flags", ULONG), ("Path", LPCWSTR))),
        Struct(
            "HcsProcessInformation",
            (
                ("ProcessId", DWORD),
                ("Reserved", DWORD),
                ("StdInput", HANDLE),
                ("StdOutput", HANDLE),
                ("StdError", HANDLE),
            ),
        ),
    )
}


def _out(target: NativeType) -> Pointer:
    return Pointer(target, "out")


def _sig(name: str, *params: tuple[str, NativeType]) -> Signature:
    return Signature(name, HRESULT, tuple(NativeParam(n, t) for n, t in params))


_RESULT = ("result", _out(LPWSTR))
_INFO = ("info", Pointer(STRUCTS["DriverInfo"]))
_ID = ("id", LPCWSTR)
_DESCRIPTORS = ("descriptors", Pointer(STRUCTS["WC_LAYER_DESCRIPTOR"], count="descriptorCount"))

SIGNATURES: dict[str, Signature] = {
    s.name: s
    for s in (
        _sig("HcsEnumerateComputeSystems", ("query", LPCWSTR), ("computeSystems", _out(LPWSTR)), _RESULT),
        _sig("HcsOpenComputeSystem", _ID, ("computeSystem", _out(HANDLE)), _RESULT),
        _sig("HcsCloseComputeSystem", ("computeSystem", HANDLE)),
        _sig(
            "HcsGetComputeSystemProperties",
            ("computeSystem", HANDLE),
            ("propertyQuery", LPCWSTR),
            ("properties", _out(LPWSTR)),
            _RESULT,
        ),
        _sig(
            "HcsCreateComputeSystem",
            _ID,
            ("configuration", LPCWSTR),
            ("identity", HANDLE),
            ("computeSystem", _out(HANDLE)),
            _RESULT,
        ),
        _sig("HcsStartComputeSystem", ("computeSystem", HANDLE), ("options", LPCWSTR), _RESULT),
        _sig("HcsShutdownComputeSystem", ("computeSystem", HANDLE), ("options", LPCWSTR), _RESULT),
        _sig("HcsTerminateComputeSystem", ("computeSystem", HANDLE), ("options", LPCWSTR), _RESULT),
        _sig(
            "HcsCreateProcess",
            ("computeSystem", HANDLE),
            ("processParameters", LPCWSTR),
            ("processInformation", _out(STRUCTS["HcsProcessInformation"])),
            ("process", _out(HANDLE)),
            _RESULT,
        ),
        _sig("HcsCloseProcess", ("process", HANDLE)),
        _sig(
            "HNSCall",
            ("method", LPCWSTR),
            ("path", LPCWSTR),
            ("request", LPCWSTR),
            ("response", _out(LPWSTR)),
        ),
        _sig("NameToGuid", ("name", LPCWSTR), ("guid", _out(GUID))),
        _sig(
            "CreateSandboxLayer",
            _INFO,
            _ID,
            ("parent", LPCWSTR),
            _DESCRIPTORS,
            ("descriptorCount", DWORD),
        ),
        _sig("ActivateLayer", _INFO, _ID),
        _sig("PrepareLayer", _INFO, _ID, _DESCRIPTORS, ("descriptorCount", DWORD)),
        _sig(
            "GetLayerMountPath",
            _INFO,
            _ID,
            ("length", Pointer(SIZE_T, "inout")),
            ("buffer", LPWSTR),
        ),
        _sig("UnprepareLayer", _INFO, _ID),
        _sig("DeactivateLayer", _INFO, _ID),
        _sig("DestroyLayer", _INFO, _ID),
    )
}
