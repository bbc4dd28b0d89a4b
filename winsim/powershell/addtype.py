"""``Add-Type``: C# that declares P/Invoke externs and the structs they take, bound to native exports.

winsim does not compile C#.  It reads the declarations Windows PowerShell scripts hand to
``Add-Type`` the way Microsoft's ``hns.psm1`` does -- ``namespace``, ``struct`` fields with their
``[StructLayout]`` and ``[MarshalAs]``, and ``[DllImport("x.dll", ...)] public static extern``
methods -- and a call marshals them as the CLR does against the export's native signature
(:mod:`winsim.powershell.pinvoke`).  Types live in the runspace that added them.  Source with
anything else (method bodies, properties, classes with code) is refused with an error that says
so, never run half-way.

>>> types = read_declarations('namespace N { public struct S { public int A; } }')
>>> types["N.S"].fields
{'A': 'int'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from winsim.native import NativeProcess
from winsim.native.memory import AccessViolation
from winsim.powershell import pinvoke
from winsim.powershell.csharp_decls import AddedType, Extern, ManagedParam
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import to_int, to_string

__all__ = [
    "AddedType",
    "add_type",
    "call_extern",
    "marshal",
    "native_process",
    "read_declarations",
    "resolve",
]

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_USING = re.compile(r"^\s*using\s+[\w.]+\s*;", re.M)
_ATTRIBUTE = re.compile(r"\[\s*(?:[\w.]+)\s*(?:\([^\]]*\))?\s*(?:,\s*[\w.]+\s*(?:\([^\]]*\))?\s*)*\]")
_FIELD = re.compile(r"^public\s+([\w.]+(?:\[\])?)\s+(\w+)\s*;$")
_EXTERN = re.compile(r"^public\s+static\s+extern\s+([\w.]+)\s+(\w+)\s*\((.*)\)\s*;$", re.S)
_DLLIMPORT = re.compile(r'\[\s*DllImport\s*\(\s*"([^"]+)"([^\]]*)\)\s*\]')
_PARAM = re.compile(r"^(?:(out|ref)\s+)?([\w.]+(?:\[\])?)\s+(\w+)$")
_MARSHAL_AS = re.compile(r"MarshalAs\s*\(\s*UnmanagedType\.(\w+)")
_STRUCT_LAYOUT = re.compile(r"StructLayout\s*\(([^\]]*)\)")
_CHARSET = re.compile(r"CharSet\s*=\s*CharSet\.(\w+)")


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
            types[namespace + name] = _read_struct(namespace + name, header, body)
        elif "class" in words and "static" in words:
            name = words[words.index("class") + 1]
            types[namespace + name] = _read_class(namespace + name, body)
        else:
            raise _compile_error(f"'{header[:60]}' declares more than structs and extern methods")


def _read_struct(full_name: str, header: str, body: str) -> AddedType:
    added = AddedType(full_name, is_struct=True)
    layout = _STRUCT_LAYOUT.search(header)
    if layout is not None:
        settings = layout.group(1)
        kind = re.search(r"LayoutKind\.(\w+)", settings)
        charset = _CHARSET.search(settings)
        pack = re.search(r"Pack\s*=\s*(\d+)", settings)
        added.layout = kind.group(1) if kind else added.layout
        added.charset = _charset(charset.group(1)) if charset else added.charset
        added.pack = int(pack.group(1)) if pack else added.pack
    for statement in filter(None, (s.strip() for s in body.split(";"))):
        match = _FIELD.match(_ATTRIBUTE.sub(" ", statement).strip() + ";")
        if match is None:
            raise _compile_error(f"'{statement[:60]}' in struct {full_name} is not a public field")
        added.fields[match.group(2)] = match.group(1)
        marshal_as = _MARSHAL_AS.search(statement)
        if marshal_as is not None:
            added.field_marshal[match.group(2)] = marshal_as.group(1)
    return added


def _charset(name: str) -> str:
    return "Ansi" if name == "None" else name  # CharSet.None is Ansi


def _read_class(full_name: str, body: str) -> AddedType:
    added = AddedType(full_name)
    for statement in filter(None, (s.strip() for s in body.split(";"))):
        dll = _DLLIMPORT.search(statement)
        rest = _ATTRIBUTE.sub(" ", _DLLIMPORT.sub(" ", statement, count=1)).strip()
        match = _EXTERN.match(" ".join(rest.split()) + ";") if dll is not None else None
        if dll is None or match is None:
            raise _compile_error(f"'{statement[:60]}' in class {full_name} is not a [DllImport] extern")
        settings = dll.group(2)
        entry = re.search(r'EntryPoint\s*=\s*"([^"]+)"', settings)
        charset = _CHARSET.search(settings)
        name = match.group(2)
        added.externs[name.lower()] = Extern(
            name,
            dll.group(1),
            entry.group(1) if entry else name,
            match.group(1),
            [_read_param(raw) for raw in _split_params(_raw_params(statement))],
            charset=_charset(charset.group(1)) if charset else "Ansi",
            exact_spelling=re.search(r"ExactSpelling\s*=\s*true", settings) is not None,
            preserve_sig=re.search(r"PreserveSig\s*=\s*false", settings) is None,
        )
    return added


def _raw_params(statement: str) -> str:
    """The text between the extern's parentheses, attributes included."""
    after = _DLLIMPORT.sub(" ", statement, count=1)
    open_at = after.index("(", after.index("extern"))
    return after[open_at + 1 : after.rindex(")")]


def _split_params(text: str) -> list[str]:
    """Parameters split at top-level commas (not those inside ``[...]`` or ``(...)``)."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"[": 1, "(": 1, "]": -1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _read_param(raw: str) -> ManagedParam:
    attributes = " ".join(_ATTRIBUTE.findall(raw))
    match = _PARAM.match(" ".join(_ATTRIBUTE.sub(" ", raw).split()))
    if match is None:
        raise _compile_error(f"the parameter '{raw}'")
    marshal_as = _MARSHAL_AS.search(attributes)
    flags = set(re.findall(r"\b(In|Out)\b", attributes))
    return ManagedParam(
        match.group(1) or "in",
        match.group(2),
        match.group(3),
        marshal_as.group(1) if marshal_as else None,
        "In" in flags,
        "Out" in flags,
    )


# ---- calls --------------------------------------------------------------------------------


def call_extern(session: Any, added: AddedType, name: str, args: list[Any]) -> Any:
    """``[Ns.Class]::Extern(args)``, marshalled as the CLR does (:func:`pinvoke.call`)."""
    extern = added.externs[name.lower()]
    if len(args) != len(extern.params):
        raise PSError(
            f'Cannot find an overload for "{extern.name}" and the argument count: "{len(args)}".',
            "MethodCountCouldNotFindBest",
            "NotSpecified",
            exception_type="System.Management.Automation.MethodException",
        )
    namespace = added.full_name.rpartition(".")[0]

    def lookup(type_name: str) -> AddedType | None:
        bare = type_name.strip().lower()
        return session.added_types.get(f"{namespace}.{bare}".lower()) or session.added_types.get(bare)

    return pinvoke.call(native_process(session), extern, lookup, args)


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
    except AccessViolation:
        raise pinvoke.method_error(
            name, len(args), pinvoke.ACCESS_VIOLATION, "AccessViolationException"
        ) from None
    raise PSError(
        f"winsim does not model [Runtime.InteropServices.Marshal]::{name}().", "NotModeled", "NotImplemented"
    )
