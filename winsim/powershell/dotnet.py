"""The slice of .NET a PowerShell script reaches: type casts, static members, instance methods.

Every member is listed in a table here, so a script using one we do not model gets a clear
"winsim does not model ..." error instead of a wrong answer.

>>> cast("int", "42")
42
>>> call_static("System.Convert", "ToBase64String", [[104, 105]])
'aGk='
"""

from __future__ import annotations

import base64
import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from winsim.powershell import addtype, dates, filesapi, netobjects
from winsim.powershell.addtype import resolve
from winsim.powershell.enums import PSEnum
from winsim.powershell.errors import ErrorRecord
from winsim.powershell.netbase import NetObject
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import PSError
from winsim.powershell.values import (
    PSChar,
    ScriptBlock,
    TypeRef,
    as_list,
    equals,
    format_number,
    is_collection,
    to_bool,
    to_int,
    to_number,
    to_string,
    type_display,
)

# Type accelerators and short names -> canonical .NET names (lower-case keys).
TYPE_NAMES: dict[str, str] = {
    "int": "System.Int32",
    "int32": "System.Int32",
    "long": "System.Int64",
    "int64": "System.Int64",
    "uint32": "System.UInt32",
    "uint64": "System.UInt64",
    "byte": "System.Byte",
    "double": "System.Double",
    "decimal": "System.Decimal",
    "string": "System.String",
    "char": "System.Char",
    "bool": "System.Boolean",
    "boolean": "System.Boolean",
    "switch": "System.Management.Automation.SwitchParameter",
    "array": "System.Array",
    "object": "System.Object",
    "hashtable": "System.Collections.Hashtable",
    "ordered": "System.Collections.Specialized.OrderedDictionary",
    "pscustomobject": "System.Management.Automation.PSCustomObject",
    "psobject": "System.Management.Automation.PSObject",
    "scriptblock": "System.Management.Automation.ScriptBlock",
    "convert": "System.Convert",
    "text.encoding": "System.Text.Encoding",
    "console": "System.Console",
    "math": "System.Math",
    "environment": "System.Environment",
    "guid": "System.Guid",
    "io.path": "System.IO.Path",
    "regex": "System.Text.RegularExpressions.Regex",
    "datetime": "System.DateTime",
    "timespan": "System.TimeSpan",
    "globalization.datetimestyles": "System.Globalization.DateTimeStyles",
    "void": "System.Void",
    "intptr": "System.IntPtr",
    "uintptr": "System.UIntPtr",
    "type": "System.Type",
    "xml": "System.Xml.XmlDocument",
    "io.file": "System.IO.File",
    "powershell": "System.Management.Automation.PowerShell",
    "diagnostics.process": "System.Diagnostics.Process",
    "runtime.interopservices.marshal": "System.Runtime.InteropServices.Marshal",
    "management.automation.errorrecord": "System.Management.Automation.ErrorRecord",
    "management.automation.methodinvocationexception": "System.Management.Automation.MethodInvocationException",
}


def canonical_type(name: str) -> str:
    """``Text.Encoding`` / ``System.Text.Encoding`` / ``[int]`` -> one canonical full name."""
    low = name.strip().lower()
    if low.endswith("[]"):
        return canonical_type(name.strip()[:-2]) + "[]"
    if low in TYPE_NAMES:
        return TYPE_NAMES[low]
    if low.startswith("system.") and low[7:] in TYPE_NAMES:
        return TYPE_NAMES[low[7:]]
    for full in TYPE_NAMES.values():
        if full.lower() == low:
            return full
    return name.strip()


def not_modeled(what: str) -> PSError:
    return PSError(f"winsim does not model {what}.", "NotModeled", "NotImplemented")


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return bytes(to_int(v) & 0xFF for v in as_list(value))


def cast(type_name: str, value: Any) -> Any:
    """``[type]value``."""
    full = canonical_type(type_name)
    if full.endswith("[]"):
        element = full[:-2]
        return [cast(element, v) for v in as_list(value)]
    if full in (
        "System.Int32",
        "System.Int64",
        "System.UInt32",
        "System.UInt64",
        "System.Byte",
        "System.IntPtr",
        "System.UIntPtr",
    ):
        return to_int(value)
    if full in ("System.Double", "System.Decimal"):
        return float(to_number(value, full))
    if full == "System.String":
        return to_string(value)
    if full == "System.Boolean":
        return to_bool(value)
    if full == "System.Management.Automation.SwitchParameter":
        return to_bool(value)
    if full == "System.Char":
        text = to_string(value)
        if isinstance(value, int):
            return PSChar(chr(value))
        if len(text) != 1:
            raise PSError(
                f'Cannot convert value "{text}" to type "System.Char". Error: "String must be exactly one character long."',
                "InvalidCastParseTargetInvocation",
                "InvalidArgument",
            )
        return PSChar(text)
    if full in ("System.Array", "System.Object[]"):
        return as_list(value)
    if full == "System.Object" or full == "System.Management.Automation.PSObject":
        return value
    if full in ("System.Collections.Hashtable", "System.Collections.Specialized.OrderedDictionary"):
        if isinstance(value, dict):
            return dict(value)
        raise PSError(
            f'Cannot convert the "{to_string(value)}" value to type "{full}".',
            "ConvertToFinalInvalidCastException",
        )
    if full == "System.Management.Automation.PSCustomObject":
        if isinstance(value, dict):
            return PSObject.custom({str(k): v for k, v in value.items()})
        return value
    if full == "System.Management.Automation.ScriptBlock":
        if isinstance(value, ScriptBlock):
            return value
        raise PSError(
            f'Cannot convert the "{to_string(value)}" value of type "System.String" to type '
            '"System.Management.Automation.ScriptBlock".',
            "ConvertToFinalInvalidCastException",
            "InvalidArgument",
        )
    if full == "System.Guid":
        try:
            return str(uuid.UUID(to_string(value)))
        except ValueError as exc:
            raise PSError(
                f'Cannot convert value "{to_string(value)}" to type "System.Guid". Error: "Guid should contain 32 digits '
                'with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."',
                "InvalidCastParseTargetInvocation",
                "InvalidArgument",
            ) from exc
    if full == "System.Void":
        return None
    if full == "System.DateTime":
        return dates.to_datetime(value)
    if isinstance(value, PSObject) and value.type_name.lower() == full.lower():
        return value  # a value already of an added type (a struct)
    raise not_modeled(f"the cast to [{type_name}]")


def as_type(name: str, session: Any) -> TypeRef | None:
    """``'Name' -as [type]``: the type when the runspace knows it, else $null."""
    if resolve(session, name) is not None:
        return TypeRef(name)
    full = canonical_type(name)
    known = {t.lower() for t in TYPE_NAMES.values()}
    return TypeRef(full) if full.lower() in known else None


def is_instance(value: Any, type_name: str) -> bool:
    """``$value -is [type]``."""
    full = canonical_type(type_name)
    checks: dict[str, Callable[[Any], bool]] = {
        "System.String": lambda v: isinstance(v, str),
        "System.Int32": lambda v: isinstance(v, int) and not isinstance(v, (bool, PSEnum)),
        "System.Int64": lambda v: isinstance(v, int) and not isinstance(v, (bool, PSEnum)),
        "System.DateTime": lambda v: isinstance(v, datetime),
        "System.TimeSpan": lambda v: isinstance(v, timedelta),
        "System.Double": lambda v: isinstance(v, float),
        "System.Boolean": lambda v: isinstance(v, bool),
        "System.Array": is_collection,
        "System.Object[]": is_collection,
        "System.Collections.Hashtable": lambda v: isinstance(v, dict),
        "System.Management.Automation.ScriptBlock": lambda v: isinstance(v, ScriptBlock),
        "System.Object": lambda v: v is not None,
    }
    if full in checks:
        return checks[full](value)

    if isinstance(value, NetObject):
        return value.net_type.lower() == full.lower()
    if full == "System.Management.Automation.ErrorRecord":
        return isinstance(value, ErrorRecord)
    if isinstance(value, PSObject):
        return any(
            t.lower() == full.lower() or t.lower().endswith("." + full.lower()) for t in value.type_names
        )
    return False


class EncodingRef:
    """``[Text.Encoding]::UTF8`` and friends."""

    def __init__(self, name: str, codec: str) -> None:
        self.name = name
        self.codec = codec

    def to_string(self) -> str:
        return f"System.Text.{self.name}Encoding"


class ConsoleWriter:
    """``[Console]::Out``: writes go straight to the process's stdout."""

    def __init__(self, write: Callable[[str], None], flush: Callable[[], None]) -> None:
        self.write = write
        self.flush = flush

    def to_string(self) -> str:
        return "System.IO.TextWriter+SyncTextWriter"


_ENCODINGS = {
    "utf8": EncodingRef("UTF8", "utf-8"),
    "unicode": EncodingRef("Unicode", "utf-16-le"),
    "ascii": EncodingRef("ASCII", "ascii"),
    "bigendianunicode": EncodingRef("BigEndianUnicode", "utf-16-be"),
    "utf32": EncodingRef("UTF32", "utf-32-le"),
    "default": EncodingRef("Default", "cp1252"),
}


def _from_base64(text: Any) -> list[int]:
    raw = to_string(text)
    try:
        return list(base64.b64decode(raw, validate=True))
    except ValueError as exc:
        raise PSError(
            'Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it '
            "contains a non-base 64 character, more than two padding characters, or an illegal character among the "
            'padding characters. "',
            "FormatException",
            "NotSpecified",
            exception_type="System.Management.Automation.MethodInvocationException",
        ) from exc


def _round(args: list[Any]) -> Any:
    value = float(to_number(args[0]))
    digits = to_int(args[1]) if len(args) > 1 else 0
    return round(value, digits) if digits else float(round(value))


StaticFn = Callable[[list[Any]], Any]

STATIC_METHODS: dict[tuple[str, str], StaticFn] = {
    ("System.Convert", "tobase64string"): lambda a: base64.b64encode(_to_bytes(a[0])).decode("ascii"),
    ("System.Convert", "frombase64string"): lambda a: _from_base64(a[0]),
    ("System.Convert", "toint32"): lambda a: (
        int(to_string(a[0]), to_int(a[1])) if len(a) > 1 else to_int(a[0])
    ),
    ("System.Math", "round"): _round,
    ("System.Math", "max"): lambda a: max(to_number(a[0]), to_number(a[1])),
    ("System.Math", "min"): lambda a: min(to_number(a[0]), to_number(a[1])),
    ("System.Math", "abs"): lambda a: abs(to_number(a[0])),
    ("System.Math", "floor"): lambda a: float(math.floor(to_number(a[0]))),
    ("System.Math", "ceiling"): lambda a: float(math.ceil(to_number(a[0]))),
    ("System.String", "isnullorempty"): lambda a: a[0] is None or to_string(a[0]) == "",
    ("System.String", "isnullorwhitespace"): lambda a: a[0] is None or to_string(a[0]).strip() == "",
    ("System.String", "join"): lambda a: to_string(a[0]).join(to_string(v) for v in _join_items(a[1:])),
    ("System.String", "format"): lambda a: format_string(to_string(a[0]), _join_items(a[1:])),
    ("System.Guid", "newguid"): lambda a: str(uuid.uuid4()),
    ("System.IO.Path", "combine"): lambda a: "\\".join(to_string(p).rstrip("\\") for p in a),
    ("System.Text.RegularExpressions.Regex", "escape"): lambda a: _regex_escape(to_string(a[0])),
    ("System.IO.Path", "getfilename"): lambda a: to_string(a[0]).replace("/", "\\").rsplit("\\", 1)[-1],
    ("System.IO.Path", "getdirectoryname"): lambda a: _directory_name(to_string(a[0])),
}


def _directory_name(path: str) -> str | None:
    """Path.GetDirectoryName: the parent, or $null for a root such as ``C:\\``."""
    path = path.replace("/", "\\")
    if len(path) <= 3 and path[1:2] == ":":
        return None
    head, sep, _tail = path.rstrip("\\").rpartition("\\")
    if not sep:
        return ""
    return head + "\\" if head.endswith(":") else head


def _join_items(args: list[Any]) -> list[Any]:
    return as_list(args[0]) if len(args) == 1 else list(args)


def _regex_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\*+?|{[()^$.# " else c for c in text)


def format_string(fmt: str, args: list[Any]) -> str:
    """.NET composite formatting (``-f``): ``{0}``, ``{1,5}``, ``{0:N2}``; ``{{`` escapes."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "{" and fmt[i + 1 : i + 2] == "{":
            out.append("{")
            i += 2
            continue
        if ch == "}" and fmt[i + 1 : i + 2] == "}":
            out.append("}")
            i += 2
            continue
        if ch == "{":
            end = fmt.find("}", i)
            if end < 0:
                raise PSError(
                    "Error formatting a string: Input string was not in a correct format..", "FormatError"
                )
            spec = fmt[i + 1 : end]
            fmt_part = ""
            if ":" in spec:
                spec, fmt_part = spec.split(":", 1)
            align = 0
            if "," in spec:
                spec, align_text = spec.split(",", 1)
                align = int(align_text)
            index = int(spec)
            if index >= len(args):
                raise PSError(
                    "Error formatting a string: Index (zero based) must be greater than or equal to zero and less than "
                    "the size of the argument list..",
                    "FormatError",
                )
            text = _format_value(args[index], fmt_part)
            text = text.rjust(align) if align > 0 else text.ljust(-align)
            out.append(text)
            i = end + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _format_value(value: Any, spec: str) -> str:
    if not spec:
        return to_string(value)
    kind, digits = spec[0].upper(), spec[1:]
    if kind in "NF" and (digits == "" or digits.isdigit()):
        places = int(digits) if digits else 2
        number = float(to_number(value))
        return f"{number:,.{places}f}" if kind == "N" else f"{number:.{places}f}"
    if kind == "D" and (digits == "" or digits.isdigit()):
        return str(to_int(value)).rjust(int(digits) if digits else 0, "0")
    if kind == "X" and (digits == "" or digits.isdigit()):
        number = to_int(value)
        if number < 0:  # .NET prints a negative number's two's complement at its type's width
            number &= 0xFFFFFFFF if number >= -(2**31) else 0xFFFFFFFFFFFFFFFF
        text = format(number, "X" if spec[0] == "X" else "x")
        return text.rjust(int(digits) if digits else 0, "0")
    raise not_modeled(f"the format specifier '{spec}'")


def static_property(type_name: str, name: str, session: Any) -> Any:
    """``[Type]::Member`` (no call)."""
    full = canonical_type(type_name)
    low = name.lower()
    if full == "System.Text.Encoding" and low in _ENCODINGS:
        return _ENCODINGS[low]
    if full == "System.Console" and low == "out":
        return ConsoleWriter(session.write_stdout, session.flush)
    if full == "System.Environment":
        if low == "machinename":
            return session.env_value("COMPUTERNAME")
        if low == "newline":
            return "\r\n"
        if low == "username":
            return session.env_value("USERNAME")
    if full == "System.Int32" and low in ("maxvalue", "minvalue"):
        return 2**31 - 1 if low == "maxvalue" else -(2**31)
    if full == "System.String" and low == "empty":
        return ""
    if full in ("System.IntPtr", "System.UIntPtr") and low == "zero":
        return 0
    if full == "System.Guid" and low == "empty":
        return "00000000-0000-0000-0000-000000000000"
    if full == "System.Math" and low == "pi":
        return math.pi
    if full == "System.DateTime":
        value = dates.static_member(name, None)
        if not dates.is_no_method(value):
            return value
    if full == "System.Globalization.DateTimeStyles":
        number = next((n for n, text in dates.DATETIME_STYLES.items() if text.lower() == low), None)
        if number is not None:
            return PSEnum(number, dates.DATETIME_STYLES, full)
    raise not_modeled(f"[{type_name}]::{name}")


def call_static(type_name: str, name: str, args: list[Any], session: Any = None) -> Any:
    """``[Type]::Method(args)``."""
    full = canonical_type(type_name)
    low = name.lower()
    if full == "System.Management.Automation.ScriptBlock" and low == "create":
        return session.create_scriptblock(to_string(args[0]))
    if full == "System.Console" and low in ("write", "writeline"):
        session.write_stdout(to_string(args[0] if args else "") + ("\r\n" if low == "writeline" else ""))
        return None
    if full == "System.DateTime":
        value = dates.static_member(name, list(args))
        if not dates.is_no_method(value):
            return value
    instance = _static_with_session(full, low, args, session)
    if instance is not _NONE:
        return instance
    fn = STATIC_METHODS.get((full, low))
    if fn is None:
        raise not_modeled(f"[{type_name}]::{name}()")
    return fn(args)


_NONE = object()


def _static_with_session(full: str, low: str, args: list[Any], session: Any) -> Any:
    """Static members that need the runspace: added types, files, native memory, runspaces."""
    added = addtype.resolve(session, full)
    if added is not None:
        if low not in added.externs:
            raise PSError(
                f"Method invocation failed because [{added.full_name}] does not contain a method named '{low}'.",
                "MethodNotFound",
                "InvalidOperation",
            )
        return addtype.call_extern(session, added, low, args)
    if full == "System.Runtime.InteropServices.Marshal":
        return addtype.marshal(session, low, args)
    if full == "System.IO.File":
        return filesapi.call(session, low, args)
    if full == "System.Text.RegularExpressions.Regex" and low == "replace":
        return netobjects.regex_replace(session, args)
    if full == "System.Management.Automation.PowerShell" and low == "create":
        return netobjects.PowerShellApi(session)
    if full == "System.Diagnostics.Process" and low == "start":
        return netobjects.start_process(session, args[0] if args else None)
    return _NONE


def _method_error(name: str, count: int, message: str) -> PSError:
    return PSError(
        f'Exception calling "{name}" with "{count}" argument(s): "{message}"',
        "ArgumentException",
        "NotSpecified",
        exception_type="System.Management.Automation.MethodInvocationException",
    )


def _str_split(text: str, args: list[Any]) -> list[str]:
    if not args:
        return text.split()
    seps = to_string(args[0])
    if isinstance(args[0], list):
        seps = "".join(to_string(s) for s in args[0])
    parts = [text]
    for sep in seps or " ":
        parts = [p for chunk in parts for p in chunk.split(sep)]
    return parts


_STRING_METHODS: dict[str, Callable[[str, list[Any]], Any]] = {
    "toupper": lambda s, a: s.upper(),
    "tolower": lambda s, a: s.lower(),
    "toupperinvariant": lambda s, a: s.upper(),
    "tolowerinvariant": lambda s, a: s.lower(),
    "trim": lambda s, a: s.strip(to_string(a[0])) if a else s.strip(),
    "trimstart": lambda s, a: s.lstrip(to_string(a[0])) if a else s.lstrip(),
    "trimend": lambda s, a: s.rstrip(to_string(a[0])) if a else s.rstrip(),
    "split": _str_split,
    "replace": lambda s, a: s.replace(to_string(a[0]), to_string(a[1])),
    "contains": lambda s, a: to_string(a[0]) in s,
    "startswith": lambda s, a: s.startswith(to_string(a[0])),
    "endswith": lambda s, a: s.endswith(to_string(a[0])),
    "indexof": lambda s, a: s.find(to_string(a[0])),
    "lastindexof": lambda s, a: s.rfind(to_string(a[0])),
    "substring": lambda s, a: (
        s[to_int(a[0]) : to_int(a[0]) + to_int(a[1])] if len(a) > 1 else s[to_int(a[0]) :]
    ),
    "padleft": lambda s, a: s.rjust(to_int(a[0]), to_string(a[1]) if len(a) > 1 else " "),
    "padright": lambda s, a: s.ljust(to_int(a[0]), to_string(a[1]) if len(a) > 1 else " "),
    "tostring": lambda s, a: s,
    "equals": lambda s, a: s == to_string(a[0]),
    "gethashcode": lambda s, a: hash(s) & 0x7FFFFFFF,
}


def call_method(target: Any, name: str, args: list[Any], session: Any) -> Any:
    """``$value.Method(args)``."""
    low = name.lower()
    if low == "gettype":
        return PSObject.of(
            "System.RuntimeType",
            {
                "FullName": type_display(target),
                "Name": type_display(target).rsplit(".", 1)[-1],
                "__ToString": type_display(target),
            },
        )

    if isinstance(target, NetObject):
        return target.call(name, list(args))
    if isinstance(target, PSObject) and low in target.methods:
        return target.methods[low](list(args))
    if isinstance(target, str) and low in _STRING_METHODS:
        return _STRING_METHODS[low](target, args)
    if isinstance(target, str) and low == "tochararray":
        return [PSChar(c) for c in target]
    if isinstance(target, int) and not isinstance(target, bool) and low in ("touint64", "toint64", "toint32"):
        return int(target)
    if isinstance(target, (datetime, timedelta)):
        result = dates.call(target, name, list(args))
        if not dates.is_no_method(result):
            return result
    if isinstance(target, (int, float)) and low == "tostring":
        return _format_value(target, to_string(args[0])) if args else format_number(target)
    if isinstance(target, EncodingRef):
        if low == "getstring":
            return _to_bytes(args[0]).decode(target.codec, "replace")
        if low == "getbytes":
            return list(to_string(args[0]).encode(target.codec))
    if isinstance(target, ConsoleWriter):
        if low == "flush":
            target.flush()
            return None
        if low in ("write", "writeline"):
            target.write(to_string(args[0] if args else "") + ("\r\n" if low == "writeline" else ""))
            return None
    if isinstance(target, dict):
        if low == "containskey":
            return any(str(k).lower() == to_string(args[0]).lower() for k in target)
        if low == "add":
            if any(str(k).lower() == to_string(args[0]).lower() for k in target):
                raise _method_error(
                    "Add",
                    2,
                    f"Item has already been added. Key in dictionary: '{to_string(args[0])}'  Key being added: '{to_string(args[0])}'",
                )
            target[args[0]] = args[1]
            return None
        if low == "remove":
            for k in list(target):
                if str(k).lower() == to_string(args[0]).lower():
                    del target[k]
            return None
    if is_collection(target):
        if low == "contains":
            return any(equals(v, args[0]) for v in target)
        if low == "indexof":
            return next((i for i, v in enumerate(target) if equals(v, args[0])), -1)
    if isinstance(target, ScriptBlock) and low in ("invoke", "invokereturnasis"):
        return session.invoke_scriptblock(target, list(args))
    if isinstance(target, TypeRef) and low == "tostring":
        return target.name
    if low == "tostring" and not args:
        return to_string(target)
    raise not_modeled(f"the method {name}() on {type_name_of(target)}")


def type_name_of(value: Any) -> str:
    return type_display(value)
