"""``Add-Type``: C# that declares P/Invoke externs and the structs they take, bound to native exports.

winsim does not compile C#.  It reads the declarations Windows PowerShell scripts hand to
``Add-Type`` the way Microsoft's ``hns.psm1`` does -- ``namespace``, ``struct`` fields and
``[DllImport("x.dll")] public static extern`` methods -- and binds each extern to the simulated
export of that DLL (:mod:`winsim.native`).  Types live in the runspace that added them.  Source
with anything else (method bodies, properties, classes with code) is refused with an error that
says so, never run half-way.

>>> types = read_declarations('namespace N { public struct S { public int A; } }')
>>> types["N.S"].fields
{'A': 'int'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from winsim.native import Cell, EntryPointNotFound, Export, NativeProcess, UnknownDll, find_export
from winsim.native.memory import AccessViolation
from winsim.powershell.netbase import Ref
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import to_int, to_string

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_USING = re.compile(r"^\s*using\s+[\w.]+\s*;", re.M)
_ATTRIBUTE = re.compile(r"\[\s*(?:[\w.]+)\s*(?:\([^\]]*\))?\s*\]")
_FIELD = re.compile(r"^public\s+([\w.]+(?:\[\])?)\s+(\w+)\s*;$")
_EXTERN = re.compile(r"^public\s+static\s+extern\s+([\w.]+)\s+(\w+)\s*\((.*)\)\s*;$", re.S)
_DLLIMPORT = re.compile(r'\[\s*DllImport\s*\(\s*"([^"]+)"([^\]]*)\)\s*\]')
_PARAM = re.compile(r"^(?:\[[^\]]*\]\s*)*(?:(out|ref)\s+)?([\w.]+(?:\[\])?)\s+(\w+)$")

# Zero values of the field types a struct starts with (New-Object / default(T)).
_ZERO: dict[str, Any] = {"string": None, "guid": "00000000-0000-0000-0000-000000000000", "bool": False}


@dataclass
class Extern:
    name: str
    dll: str
    entry_point: str
    returns: str
    params: list[tuple[str, str, str]]  # (direction, C# type, name)


@dataclass
class AddedType:
    """A type a script added: a struct (``fields``) or a static class of externs."""

    full_name: str
    fields: dict[str, str] = field(default_factory=dict)
    externs: dict[str, Extern] = field(default_factory=dict)
    is_struct: bool = False

    def new(self) -> PSObject:
        """A zeroed instance of the struct."""
        props = {name: _ZERO.get(ctype.rsplit(".", 1)[-1].lower(), 0) for name, ctype in self.fields.items()}
        return PSObject([self.full_name, "System.ValueType", "System.Object"], props)


def _compile_error(reason: str) -> PSError:
    return PSError(
        f"Cannot add type. winsim reads only P/Invoke declarations and structs: {reason}",
        "COMPILER_ERRORS,Microsoft.PowerShell.Commands.AddTypeCommand",
        "InvalidData",
        exception_type="System.InvalidOperationException",
    )


def _blocks(text: str) -> Iterable[tuple[str, str]]:
    """Top-level ``header { body }`` pairs of ``text``, braces balanced."""
    i = 0
    while i < len(text):
        open_at = text.find("{", i)
        if open_at < 0:
            if text[i:].strip():
                raise _compile_error(f"unexpected text '{text[i:].strip()[:60]}'")
            return
        depth, j = 0, open_at
        while j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        if depth:
            raise _compile_error("unbalanced braces")
        yield text[i:open_at].strip(), text[open_at + 1 : j]
        i = j + 1


def read_declarations(source: str) -> dict[str, AddedType]:
    """Types declared by ``source`` by full name."""
    text = _USING.sub("", _COMMENT.sub("", source))
    types: dict[str, AddedType] = {}
    _read_scope(text, "", types)
    return types


def _read_scope(text: str, namespace: str, types: dict[str, AddedType]) -> None:
    for header, body in _blocks(text):
        words = _ATTRIBUTE.sub(" ", header).split()
        if len(words) >= 2 and words[0] == "namespace":
            _read_scope(body, f"{namespace}{words[1]}.", types)
        elif "struct" in words:
            name = words[words.index("struct") + 1]
            types[namespace + name] = _read_struct(namespace + name, body)
        elif "class" in words and "static" in words:
            name = words[words.index("class") + 1]
            types[namespace + name] = _read_class(namespace + name, body)
        else:
            raise _compile_error(f"'{header[:60]}' declares more than structs and extern methods")


def _read_struct(full_name: str, body: str) -> AddedType:
    added = AddedType(full_name, is_struct=True)
    for statement in filter(None, (s.strip() for s in body.split(";"))):
        match = _FIELD.match(_ATTRIBUTE.sub(" ", statement).strip() + ";")
        if match is None:
            raise _compile_error(f"'{statement[:60]}' in struct {full_name} is not a public field")
        added.fields[match.group(2)] = match.group(1)
    return added


def _read_class(full_name: str, body: str) -> AddedType:
    added = AddedType(full_name)
    for statement in filter(None, (s.strip() for s in body.split(";"))):
        dll = _DLLIMPORT.search(statement)
        rest = _ATTRIBUTE.sub(" ", _DLLIMPORT.sub(" ", statement)).strip()
        match = _EXTERN.match(" ".join(rest.split()) + ";")
        if dll is None or match is None:
            raise _compile_error(f"'{statement[:60]}' in class {full_name} is not a [DllImport] extern")
        entry = re.search(r'EntryPoint\s*=\s*"([^"]+)"', dll.group(2))
        params = []
        for raw in filter(None, (p.strip() for p in match.group(3).split(","))):
            pm = _PARAM.match(" ".join(raw.split()))
            if pm is None:
                raise _compile_error(f"the parameter '{raw}' of {match.group(2)}")
            params.append((pm.group(1) or "in", pm.group(2), pm.group(3)))
        name = match.group(2)
        added.externs[name.lower()] = Extern(
            name, dll.group(1), entry.group(1) if entry else name, match.group(1), params
        )
    return added


# ---- calls --------------------------------------------------------------------------------


def _method_error(name: str, count: int, inner: str, exception: str) -> PSError:
    return PSError(
        f'Exception calling "{name}" with "{count}" argument(s): "{inner}"',
        exception.rsplit(".", 1)[-1],
        "NotSpecified",
        exception_type="System.Management.Automation.MethodInvocationException",
    )


def _check_signature(extern: Extern, export: Export) -> None:
    declared = [(d, ctype) for d, ctype, _n in extern.params]
    wanted = [(p.direction, p.type) for p in export.params]
    if len(declared) != len(wanted) or any(d[0] != w[0] for d, w in zip(declared, wanted, strict=True)):
        shown = ", ".join(f"{d} {t}".replace("in ", "") for d, t in wanted)
        raise _method_error(
            extern.name,
            len(extern.params),
            f"The declaration of {extern.dll}!{export.name} does not match its export ({shown}).",
            "System.Runtime.InteropServices.MarshalDirectiveException",
        )


def _native_value(value: Any) -> Any:
    """A PowerShell argument as the export receives it: structs as field dicts."""
    if isinstance(value, PSObject) and "System.ValueType" in value.type_names:
        return dict(value.props)
    if isinstance(value, list):
        return [_native_value(v) for v in value]
    return value


def call_extern(session: Any, added: AddedType, name: str, args: list[Any]) -> Any:
    """``[Ns.Class]::Extern(args)``: marshal, call the export, write back out/ref cells."""
    extern = added.externs[name.lower()]
    if len(args) != len(extern.params):
        raise PSError(
            f'Cannot find an overload for "{extern.name}" and the argument count: "{len(args)}".',
            "MethodCountCouldNotFindBest",
            "NotSpecified",
            exception_type="System.Management.Automation.MethodException",
        )
    try:
        export = find_export(extern.dll, extern.entry_point)
    except (UnknownDll, EntryPointNotFound) as exc:
        kind = "DllNotFoundException" if isinstance(exc, UnknownDll) else "EntryPointNotFoundException"
        raise _method_error(extern.name, len(args), str(exc), kind) from None
    _check_signature(extern, export)
    native_args: list[Any] = []
    cells: list[tuple[Cell, Ref, str]] = []
    for (direction, ctype, pname), value in zip(extern.params, args, strict=True):
        if direction == "in":
            if isinstance(value, Ref):
                raise _method_error(
                    extern.name,
                    len(args),
                    f"Argument: '{pname}' should not be a System.Management.Automation.PSReference. Do not use [ref].",
                    "MethodException",
                )
            native_args.append(_native_value(value))
            continue
        if not isinstance(value, Ref):
            raise _method_error(
                extern.name,
                len(args),
                f"Argument: '{pname}' should be a System.Management.Automation.PSReference. Use [ref].",
                "MethodException",
            )
        cell = Cell(_native_value(value.value))
        cells.append((cell, value, ctype))
        native_args.append(cell)
    try:
        returned = export(native_process(session), native_args)
    except AccessViolation as exc:
        raise _method_error(
            extern.name,
            len(args),
            f"Attempted to read or write protected memory. ({exc})",
            "AccessViolationException",
        ) from None
    for cell, ref, ctype in cells:
        struct = session.added_types.get(ctype.lower()) if isinstance(cell.value, dict) else None
        if struct is not None:
            instance = struct.new()
            instance.props.update(cell.value)
            ref.value = instance
        else:
            ref.value = cell.value
    return returned


def native_process(session: Any) -> NativeProcess:
    """The native state of the runspace's process (one heap and handle table per runspace)."""
    if session.native is None:
        session.native = NativeProcess(session.host)
    return session.native


def resolve(session: Any, name: str) -> AddedType | None:
    if session is None:
        return None
    return session.added_types.get(name.strip().lower()) or session.added_types.get(
        "system." + name.strip().lower()
    )


@cmdlet(
    "Add-Type",
    Param("TypeDefinition", position=0, type="string"),
    Param("Language"),
    Param("ReferencedAssemblies", type="string[]"),
    Param("PassThru", switch=True),
    Param("IgnoreWarnings", switch=True),
)
def add_type(inv: Invocation) -> Iterable[Any]:
    if "TypeDefinition" not in inv.args:
        raise PSError(
            "winsim does not model Add-Type without -TypeDefinition.", "NotModeled", "NotImplemented"
        )
    language = to_string(inv.args.get("Language") or "CSharp")
    if language.lower() != "csharp":
        raise PSError(f"winsim does not model Add-Type -Language {language}.", "NotModeled", "NotImplemented")
    declared = read_declarations(to_string(inv.args["TypeDefinition"]))
    session = inv.session
    for full_name, added in declared.items():
        existing = session.added_types.get(full_name.lower())
        if existing is not None and existing != added:
            raise PSError(
                f"Cannot add type. The type name '{full_name}' already exists.",
                "TYPE_ALREADY_EXISTS,Microsoft.PowerShell.Commands.AddTypeCommand",
                "InvalidOperation",
                exception_type="System.Exception",
            )
    for full_name, added in declared.items():
        session.added_types[full_name.lower()] = added
    if inv.switch("PassThru"):
        yield from (PSObject.of("System.RuntimeType", {"FullName": n, "__ToString": n}) for n in declared)


def marshal(session: Any, name: str, args: list[Any]) -> Any:
    """``[Runtime.InteropServices.Marshal]`` over the process's native heap."""
    heap = native_process(session).heap
    address = to_int(args[0]) if args else 0
    try:
        if name == "ptrtostringuni":
            return heap.read_string(address) if address else None
        if name == "freecotaskmem":
            if address:
                heap.free(address, "cotask")
            return None
        if name == "allochglobal":
            return heap.alloc(address, "hglobal")
        if name == "freehglobal":
            if address:
                heap.free(address, "hglobal")
            return None
    except AccessViolation as exc:
        raise _method_error(
            name,
            len(args),
            f"Attempted to read or write protected memory. ({exc})",
            "AccessViolationException",
        ) from None
    raise PSError(
        f"winsim does not model [Runtime.InteropServices.Marshal]::{name}().", "NotModeled", "NotImplemented"
    )
