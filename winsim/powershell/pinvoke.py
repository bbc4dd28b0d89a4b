"""The CLR's side of a P/Invoke call: C# arguments marshalled into machine words and native memory.

Each declared parameter is marshalled as the .NET Framework marshaller does, whatever the
export expects; the export then reads the words as its own native signature says
(:mod:`winsim.native.abi`).  So a declaration that differs from the export fails the way it
fails on Windows:

- the entry point: with ``ExactSpelling = false`` the CLR probes ``name`` then ``nameA`` for
  ``CharSet.Ansi`` (C#'s default) and ``nameW`` then ``name`` for ``Unicode``/``Auto``; no match
  is ``EntryPointNotFoundException`` (docs: "Specifying a character set", DllImportAttribute.
  ExactSpelling);
- strings: ``LPStr`` (the ANSI code page, 1252 here; unmappable characters become ``?``) for
  Ansi, ``LPWStr`` for Unicode, ``[MarshalAs]`` overriding; an export reading ``LPCWSTR`` from
  an ANSI buffer reads other characters (INFERRED: the buffer is the string's length + 2 bytes,
  zero-filled, so the wide read ends inside it);
- widths: every argument takes one 64-bit slot (the x64 convention); a narrower value fills its
  low bytes (upper bytes modelled as zero, INFERRED); structs of other than 1, 2, 4 or 8 bytes
  and ``Guid`` go as a pointer to a copy; ``out``/``ref`` go as a pointer to a slot of at least
  8 bytes (INFERRED: a stack slot), read back at the declared width, so a 64-bit handle declared
  ``int`` comes back truncated; the 32-bit HRESULT is read at the declared return width;
- structs: laid out sequentially with natural alignment up to ``Pack`` (8), ``bool`` as a 4-byte
  BOOL, strings by the struct's ``CharSet``; a field out of order or of another width lands at
  another offset, and the export reads what is there;
- ``out string`` (``LPWStr``): the CLR reads the returned pointer and frees it with
  CoTaskMemFree; a type the marshaller cannot pair with its ``[MarshalAs]`` is
  ``MarshalDirectiveException`` worded as mscorrc.rc words it (``IDS_EE_BADMARSHAL_*``), a bad
  struct field ``TypeLoadException``; a fault in native code ``AccessViolationException``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from winsim.native import EntryPointNotFound, Export, UnknownDll, dll_exports
from winsim.native.abi import invoke
from winsim.native.exports import NativeProcess
from winsim.native.memory import AccessViolation, NativeHeap
from winsim.powershell.csharp_decls import AddedType, Extern, ManagedParam
from winsim.powershell.netbase import Ref
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import PSError
from winsim.powershell.values import to_bool, to_int, to_string

Lookup = Callable[[str], AddedType | None]  # a declared struct by the name C# code uses

ACCESS_VIOLATION = (
    "Attempted to read or write protected memory. This is often an indication that other memory is corrupt."
)

_INTS: dict[str, tuple[int, bool, str]] = {
    "int": (4, True, "Int32"),
    "uint": (4, False, "UInt32"),
    "long": (8, True, "Int64"),
    "ulong": (8, False, "UInt64"),
    "short": (2, True, "Int16"),
    "ushort": (2, False, "UInt16"),
    "byte": (1, False, "Byte"),
    "sbyte": (1, True, "SByte"),
    "intptr": (8, True, "IntPtr"),
    "uintptr": (8, False, "UIntPtr"),
}
_ALIASES = {
    "int32": "int",
    "uint32": "uint",
    "int64": "long",
    "uint64": "ulong",
    "int16": "short",
    "uint16": "ushort",
    "boolean": "bool",
}
# (allowed [MarshalAs] values, the IDS_EE_BADMARSHAL_* text when another is given)
_COMBINE = "Invalid managed/unmanaged type combination "
_PAIRS: dict[str, tuple[set[str], str]] = {
    "int": ({"I4", "U4", "Error"}, "(Int32/UInt32 must be paired with I4, U4, or Error)."),
    "long": ({"I8", "U8"}, "(Int64/UInt64 must be paired with I8 or U8)."),
    "short": ({"I2", "U2"}, "(Int16/UInt16 must be paired with I2 or U2)."),
    "byte": ({"I1", "U1"}, "(Byte/SByte must be paired with I1 or U1)."),
    "intptr": ({"SysInt", "SysUInt"}, "(Int/UInt must be paired with SysInt or SysUInt)."),
    "bool": (
        {"I1", "U1", "Bool", "VariantBool"},
        "(booleans must be paired with I1, U1, Bool, or VariantBool).",
    ),
    "char": ({"I1", "I2", "U1", "U2"}, "(chars must be paired with I1, I2, U1, or U2)."),
    "guid": ({"Struct", "LPStruct"}, "(the Guid class must be paired with Struct or LPStruct)."),
    "struct": ({"Struct"}, "(this value type must be paired with Struct)."),
    "array": (
        {"LPArray", "ByValArray", "SafeArray"},
        "(Arrays can only be marshaled as LPArray, ByValArray, or SafeArray).",
    ),
    "param string": (
        {"LPStr", "LPWStr", "LPTStr", "BStr", "TBStr", "VBByRefStr", "AnsiBStr"},
        "(String parameters and return types must be paired with LPStr, LPWStr, LPTStr, BStr, TBStr, "
        "VBByRefStr, or AnsiBStr).",
    ),
    "field string": (
        {"LPStr", "LPWStr", "LPTStr", "BStr", "ByValTStr"},
        "(String fields must be paired with LPStr, LPWStr, LPTStr, BStr, or ByValTStr).",
    ),
}
_PAIR_OF = {"uint": "int", "ulong": "long", "ushort": "short", "sbyte": "byte", "uintptr": "intptr"}
_ENCODINGS = {"LPWStr": "uni", "LPTStr": "uni", "LPStr": "ansi", "BStr": "bstr"}
ANSI_CODE_PAGE = "cp1252"


class BadMarshal(Exception):
    """The marshaller cannot pair a type with its [MarshalAs]: ``text`` is mscorrc's wording."""

    def __init__(self, text: str, field: tuple[str, str] | None = None) -> None:
        super().__init__(text)
        self.text, self.field = text, field


@dataclass(frozen=True)
class Marshal:
    """How one managed value crosses: ``kind`` int / bool / char / str / guid / struct / array."""

    kind: str
    size: int
    signed: bool = False
    align: int = 0
    encoding: str = ""
    clr: str = ""
    struct: AddedType | None = None
    lookup: Lookup | None = None
    element: Marshal | None = None

    @property
    def alignment(self) -> int:
        return self.align or self.size


def classify(ctype: str, marshal_as: str | None, charset: str, where: str, lookup: Lookup) -> Marshal:
    """The marshalling of a C# type in a ``param`` or ``field`` position; raises BadMarshal."""
    if ctype.endswith("[]"):
        if where == "field":
            raise PSError(
                f"winsim does not model marshalling the array field type {ctype}.",
                "NotModeled",
                "NotImplemented",
            )
        _check("array", marshal_as)
        if marshal_as not in (None, "LPArray"):
            raise PSError(
                f"winsim does not model arrays marshalled as {marshal_as}.", "NotModeled", "NotImplemented"
            )
        element = classify(ctype[:-2], None, charset, "field", lookup)
        if element.kind == "str":
            raise PSError("winsim does not model marshalling string arrays.", "NotModeled", "NotImplemented")
        return Marshal("array", 8, element=element)
    short = ctype.rsplit(".", 1)[-1] if ctype.lower().startswith("system.") else ctype
    name = _ALIASES.get(short.lower(), short.lower())
    if name in _INTS:
        size, signed, clr = _INTS[name]
        _check(_PAIR_OF.get(name, name), marshal_as)
        return Marshal("int", size, signed, clr=clr)
    if name == "bool":
        _check("bool", marshal_as)
        return Marshal(
            "bool",
            1 if marshal_as in ("I1", "U1") else 2 if marshal_as == "VariantBool" else 4,
            clr="Boolean",
        )
    if name == "char":
        _check("char", marshal_as)
        wide = marshal_as in ("I2", "U2") or (marshal_as is None and charset != "Ansi")
        return Marshal("char", 2 if wide else 1, clr="Char")
    if name == "string":
        _check(f"{where} string", marshal_as)
        chosen = marshal_as or ("LPStr" if charset == "Ansi" else "LPWStr")
        if chosen not in _ENCODINGS:
            raise PSError(
                f"winsim does not model strings marshalled as {chosen}.", "NotModeled", "NotImplemented"
            )
        return Marshal("str", 8, encoding=_ENCODINGS[chosen], clr="String")
    if name == "guid":
        _check("guid", marshal_as)
        return Marshal("guid", 16, align=4, clr="Guid")
    struct = lookup(ctype)
    if struct is not None and struct.is_struct:
        _check("struct", marshal_as)
        size, align = struct_size(struct, lookup)
        return Marshal("struct", size, align=align, struct=struct, lookup=lookup, clr=struct.full_name)
    raise PSError(f"winsim does not model marshalling the type {ctype}.", "NotModeled", "NotImplemented")


def _check(pair: str, marshal_as: str | None) -> None:
    allowed, text = _PAIRS[pair]
    if marshal_as is not None and marshal_as not in allowed:
        raise BadMarshal(_COMBINE + text)


def struct_fields(struct: AddedType, lookup: Lookup) -> list[tuple[str, Marshal, int]]:
    """Each field with its marshalling and native offset (sequential layout, ``Pack``)."""
    if struct.layout != "Sequential":
        raise PSError(f"winsim does not model LayoutKind.{struct.layout}.", "NotModeled", "NotImplemented")
    namespace = struct.full_name.rpartition(".")[0]

    def nested(name: str) -> AddedType | None:
        return lookup(f"{namespace}.{name}" if namespace else name) or lookup(name)

    fields, at = [], 0
    for name, ctype in struct.fields.items():
        try:
            how = classify(ctype, struct.field_marshal.get(name), struct.charset, "field", nested)
        except BadMarshal as exc:
            raise BadMarshal(exc.text, exc.field or (name, struct.full_name)) from None
        align = min(how.alignment, struct.pack)
        at = -(-at // align) * align
        fields.append((name, how, at))
        at += how.size
    return fields


def struct_size(struct: AddedType, lookup: Lookup) -> tuple[int, int]:
    fields = struct_fields(struct, lookup)
    if not fields:
        return 1, 1
    align = max(min(how.alignment, struct.pack) for _n, how, _o in fields)
    _name, last, offset = fields[-1]
    return -(-(offset + last.size) // align) * align, align


def resolve_entry_point(table: Mapping[str, Export], extern: Extern) -> Export | None:
    """The export the CLR binds: the name as given, or with the suffix its CharSet probes."""
    name = extern.entry_point
    if extern.exact_spelling:
        names = [name]
    elif extern.charset in ("Unicode", "Auto"):
        names = [name + "W", name]
    else:
        names = [name, name + "A"]
    return next((table[n] for n in names if n in table), None)


# ---- the call ---------------------------------------------------------------------------------


def method_error(name: str, count: int, inner: str, exception: str) -> PSError:
    return PSError(
        f'Exception calling "{name}" with "{count}" argument(s): "{inner}"',
        exception.rsplit(".", 1)[-1],
        "NotSpecified",
        exception_type="System.Management.Automation.MethodInvocationException",
    )


def call(process: NativeProcess, extern: Extern, lookup: Lookup, args: list[Any]) -> Any:
    """``[Class]::Extern(args)``: bind, marshal, call the export, unmarshal out/ref and the result."""
    count = len(args)
    try:
        export = resolve_entry_point(dll_exports(extern.dll), extern)
        if export is None:
            raise EntryPointNotFound(extern.dll, extern.entry_point)
    except (UnknownDll, EntryPointNotFound) as exc:
        kind = "DllNotFoundException" if isinstance(exc, UnknownDll) else "EntryPointNotFoundException"
        raise method_error(extern.name, count, str(exc), kind) from None
    if not extern.preserve_sig:
        raise PSError("winsim does not model PreserveSig = false.", "NotModeled", "NotImplemented")
    plans = _plans(extern, lookup, count)
    returns = _return_plan(extern, lookup, count)
    marshaller = _Marshaller(process.heap)
    try:
        words = [
            marshaller.argument(extern, i, p, how, v)
            for i, (p, how, v) in enumerate(zip(extern.params, plans, args, strict=True))
        ]
        rax = invoke(export, process, words)
        marshaller.finish()
        return None if returns is None else marshaller.returned(returns, rax)
    except AccessViolation:
        raise method_error(extern.name, count, ACCESS_VIOLATION, "AccessViolationException") from None
    finally:
        marshaller.release()


def _plans(extern: Extern, lookup: Lookup, count: int) -> list[Marshal]:
    plans = []
    for number, param in enumerate(extern.params, 1):
        try:
            plans.append(classify(param.type, param.marshal_as, extern.charset, "param", lookup))
        except BadMarshal as exc:
            raise _marshal_failure(extern, count, f"parameter #{number}", exc) from None
    return plans


def _return_plan(extern: Extern, lookup: Lookup, count: int) -> Marshal | None:
    if extern.returns.lower() in ("void", "system.void"):
        return None
    try:
        how = classify(extern.returns, None, extern.charset, "param", lookup)
    except BadMarshal as exc:
        raise _marshal_failure(extern, count, "return value", exc) from None
    if how.kind not in ("int", "bool", "str"):
        raise PSError(f"winsim does not model returning {extern.returns}.", "NotModeled", "NotImplemented")
    return how


def _marshal_failure(extern: Extern, count: int, what: str, exc: BadMarshal) -> PSError:
    if exc.field is not None:
        return method_error(
            extern.name,
            count,
            f"Cannot marshal field '{exc.field[0]}' of type '{exc.field[1]}': {exc.text}",
            "TypeLoadException",
        )
    return method_error(
        extern.name, count, f"Cannot marshal '{what}': {exc.text}", "MarshalDirectiveException"
    )


class _Marshaller:
    """One call's native memory: the blocks it allocated and what to copy back after the call."""

    def __init__(self, heap: NativeHeap) -> None:
        self.heap = heap
        self.temps: list[int] = []
        self.after: list[Callable[[], None]] = []

    def alloc(self, data: bytes) -> int:
        address = self.heap.alloc_bytes(data, "cotask")
        self.temps.append(address)
        return address

    def release(self) -> None:
        for address in self.temps:
            with contextlib.suppress(AccessViolation):  # an out slot's string the CLR already freed
                self.heap.free(address, "cotask")

    def finish(self) -> None:
        for step in self.after:
            step()

    def argument(self, extern: Extern, index: int, param: ManagedParam, how: Marshal, value: Any) -> int:
        """The word for argument ``index``; out/ref ones get a slot read back after the call."""
        if param.direction == "in":
            if isinstance(value, Ref):
                raise _ref_mismatch(
                    index, "RefArgumentToNonRefParameterMsg", "should not be", "Do not use [ref]."
                )
            return self._by_value(extern, param, how, value)
        if not isinstance(value, Ref):
            raise _ref_mismatch(index, "NonRefArgumentToRefParameterMsg", "should be", "Use [ref].")
        if how.kind == "array":
            raise PSError("winsim does not model arrays passed by reference.", "NotModeled", "NotImplemented")
        initial = self.encode(how, value.value) if param.direction == "ref" else bytes(how.size)
        slot = self.alloc(initial.ljust(max(how.size, 8), b"\0"))

        def read_back(ref: Ref = value) -> None:
            data = self.heap.read(slot, how.size)
            ref.value = self.decode(how, data)
            pointer = int.from_bytes(data, "little") - (4 if how.encoding == "bstr" else 0)
            if how.kind == "str" and pointer > 0 and pointer not in self.temps:
                self.heap.free(pointer, "cotask")

        self.after.append(read_back)
        return slot

    def _by_value(self, extern: Extern, param: ManagedParam, how: Marshal, value: Any) -> int:
        if how.kind == "array":
            if value is None:
                return 0
            items = value if isinstance(value, list) else [value]
            data = b"".join(self.encode(how.element, item) for item in items) if how.element else b""
            address = self.alloc(data)
            element = how.element
            if element is not None and (param.out_attr or (element.kind == "int" and not param.in_attr)):
                self.after.append(lambda: self._copy_back(items, element, address))
            return address
        if how.kind == "int":
            _convertible(extern, param, how, value)
        data = self.encode(how, value)
        if how.kind in ("guid", "struct") and len(data) not in (1, 2, 4, 8):
            return self.alloc(data)
        return int.from_bytes(data, "little")

    def _copy_back(self, items: list[Any], element: Marshal, address: int) -> None:
        for i in range(len(items)):
            items[i] = self.decode(element, self.heap.read(address + i * element.size, element.size))

    def encode(self, how: Marshal, value: Any) -> bytes:
        """``value`` as its native bytes (strings and nested pointers allocated for the call)."""
        if isinstance(value, PSObject) and how.kind == "int":
            value = to_int(value)
        if how.kind == "int":
            return (to_int(value or 0) & ((1 << (8 * how.size)) - 1)).to_bytes(how.size, "little")
        if how.kind == "bool":
            truth = to_bool(value)
            return ((0xFFFF if how.size == 2 else 1) if truth else 0).to_bytes(how.size, "little")
        if how.kind == "char":
            text = to_string(value) if value is not None else "\0"
            code = ord(text[:1] or "\0")
            if how.size == 1:
                code = (text[:1] or "\0").encode(ANSI_CODE_PAGE, "replace")[0]
            return code.to_bytes(how.size, "little")
        if how.kind == "str":
            return (0 if value is None else self._string(to_string(value), how.encoding)).to_bytes(
                8, "little"
            )
        if how.kind == "guid":
            return uuid.UUID(to_string(value or "00000000-0000-0000-0000-000000000000")).bytes_le
        assert how.struct is not None and how.lookup is not None
        buffer = bytearray(how.size)
        props = value.props if isinstance(value, PSObject) else {}
        for name, field_how, offset in struct_fields(how.struct, how.lookup):
            buffer[offset : offset + field_how.size] = self.encode(field_how, props.get(name))
        return bytes(buffer)

    def _string(self, text: str, encoding: str) -> int:
        if encoding == "ansi":
            return self.alloc(text.encode(ANSI_CODE_PAGE, "replace") + b"\0\0")
        wide = text.encode("utf-16-le", "surrogatepass")
        if encoding == "bstr":
            return self.alloc(len(wide).to_bytes(4, "little") + wide + b"\0\0") + 4
        return self.alloc(wide + b"\0\0")

    def decode(self, how: Marshal, data: bytes) -> Any:
        """Native bytes as the managed value PowerShell gets."""
        number = int.from_bytes(data, "little", signed=how.signed)
        if how.kind == "int":
            return number
        if how.kind == "bool":
            return number != 0
        if how.kind == "char":
            return data.decode(ANSI_CODE_PAGE, "replace") if how.size == 1 else chr(number)
        if how.kind == "str":
            if not number:
                return None
            if how.encoding == "ansi":
                return self.heap.read_to_nul(number, 1).decode(ANSI_CODE_PAGE, "replace")
            return self.heap.read_string(number)
        if how.kind == "guid":
            return str(uuid.UUID(bytes_le=data))
        assert how.struct is not None and how.lookup is not None
        instance = how.struct.new()
        for name, field_how, offset in struct_fields(how.struct, how.lookup):
            instance.props[name] = self.decode(field_how, data[offset : offset + field_how.size])
        return instance

    def returned(self, how: Marshal, rax: int) -> Any:
        data = rax.to_bytes(8, "little")
        if how.kind == "str":
            value = self.decode(how, data)
            if rax:
                self.heap.free(rax, "cotask")
            return value
        return self.decode(how, data[: 4 if how.kind == "bool" else how.size])


def _ref_mismatch(index: int, error_id: str, should: str, advice: str) -> PSError:
    """PowerShell's own check of [ref] against out/ref, before any call (ExtendedTypeSystem)."""
    return PSError(
        f"Argument: '{index + 1}' {should} a System.Management.Automation.PSReference. {advice}",
        error_id,
        "NotSpecified",
        exception_type="System.Management.Automation.MethodException",
    )


def _convertible(extern: Extern, param: ManagedParam, how: Marshal, value: Any) -> None:
    """PowerShell converts an argument to the declared type first; a value out of range fails."""
    number = to_int(value or 0)
    low, high = (
        (-(1 << (8 * how.size - 1)), (1 << (8 * how.size - 1)) - 1)
        if how.signed
        else (0, (1 << (8 * how.size)) - 1)
    )
    if low <= number <= high:
        return
    article = "an" if how.clr[0] in "AEIOU" else "a"
    raise PSError(
        f'Cannot convert argument "{param.name}", with value: "{number}", for "{extern.name}" to type '
        f'"System.{how.clr}": "Cannot convert value "{number}" to type "System.{how.clr}". '
        f'Error: "Value was either too large or too small for {article} {how.clr}.""',
        "MethodArgumentConversionInvalidCastArgument",
        "NotSpecified",
        exception_type="System.Management.Automation.MethodException",
    )
