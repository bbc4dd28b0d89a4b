r"""FileSystem provider cmdlets over the host's files (``host.model.files``).

Get-ChildItem, Get-Item, Test-Path, Get-Content, Set-Content, Add-Content, Copy-Item, Move-Item,
Remove-Item and New-Item, with Windows PowerShell 5.1's defaults: ANSI ("Default") text unless
``-Encoding`` says otherwise, CRLF line ends, errors naming the full path.

>>> # PS> Get-Content C:\ProgramData\docker\config\daemon.json -Raw | ConvertFrom-Json
>>> # PS> Get-ChildItem C:\ProgramData\docker\windowsfilter -Directory | Select-Object -ExpandProperty Name
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from winsim.model.paths import HostFiles, win_basename, win_join, win_parent
from winsim.powershell.hostcommands._common import has_wildcard, matches, write_error
from winsim.powershell.hostcommands._paths import (
    DriveNotFound,
    drive_not_found,
    expand,
    item_object,
    not_found,
    resolve,
)
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import as_list, to_int, to_string

# -Encoding names -> (Python codec, byte order mark).  "Default" is the ANSI code page of an en-US host.
ENCODINGS: dict[str, tuple[str, bytes]] = {
    "default": ("cp1252", b""),
    "ascii": ("ascii", b""),
    "utf8": ("utf-8", b"\xef\xbb\xbf"),
    "utf7": ("utf-7", b""),
    "unicode": ("utf-16-le", b"\xff\xfe"),
    "string": ("utf-16-le", b"\xff\xfe"),
    "unknown": ("utf-16-le", b"\xff\xfe"),
    "bigendianunicode": ("utf-16-be", b"\xfe\xff"),
    "utf32": ("utf-32-le", b"\xff\xfe\x00\x00"),
    "oem": ("cp437", b""),
}
BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
CRLF = "\r\n"


def _files(inv: Invocation) -> HostFiles:
    # the process's own view: a shell in a container sees its C: drive
    return inv.session.process.files if inv.session.process is not None else inv.host.model.files


def _cwd(inv: Invocation) -> str:
    return str(getattr(inv.session, "cwd", "C:\\Users\\Administrator"))


def _class(inv: Invocation) -> str:
    return inv.name.replace("-", "") + "Command"


def _path_format(fn: Callable[[Invocation], Iterable[Any]]) -> Callable[[Invocation], Iterable[Any]]:
    """A path .NET Framework cannot take (a ':' past the drive, a NUL) becomes the error record
    PowerShell shows for its NotSupportedException, never a crash of the host process.

    INFERRED: message and FullyQualifiedErrorId follow the usual shape of a .NET exception
    surfacing through a provider cmdlet; no sample captured yet.
    """

    def run(inv: Invocation) -> Iterable[Any]:
        try:
            return list(fn(inv))
        except PSError:
            raise
        except ValueError:  # the model refuses a path no Windows file system holds
            raise PSError(
                "The given path's format is not supported.",
                f"System.NotSupportedException,Microsoft.PowerShell.Commands.{_class(inv)}",
                "NotSpecified",
                exception_type="System.NotSupportedException",
            ) from None

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


def _paths(inv: Invocation, param: str = "Path") -> list[str]:
    """The -Path / -LiteralPath values (or pipeline strings), checked for empty strings."""
    raw = inv.args.get("LiteralPath", inv.args.get(param))
    values = as_list(raw) if raw is not None else [v for v in inv.input if isinstance(v, (str, PSObject))]
    out: list[str] = []
    for value in values:
        text = to_string(value.get("FullName", value) if isinstance(value, PSObject) else value)
        if not text:
            raise PSError(
                f"Cannot bind argument to parameter '{param}' because it is an empty string.",
                f"ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.{_class(inv)}",
                "InvalidData",
                terminating=True,
                exception_type="System.Management.Automation.ParameterBindingValidationException",
            )
        out.append(text)
    return out


def _resolve_all(inv: Invocation, raw_paths: list[str], must_exist: bool = True) -> list[str]:
    """Resolve and glob each path; missing ones are reported (non-terminating) and skipped."""
    files = _files(inv)
    literal = "LiteralPath" in inv.args
    out: list[str] = []
    for raw in raw_paths:
        try:
            full = resolve(raw, _cwd(inv))
        except DriveNotFound as exc:
            write_error(inv, drive_not_found(exc.drive, _class(inv)))
            continue
        if not must_exist:
            hits = expand(files, full) if has_wildcard(full) and not literal else []
            out.extend(hits or [_on_disk_case(files, full)])
            continue
        hits = (
            expand(files, full)
            if not literal
            else ([_on_disk_case(files, full)] if files.exists(full) else [])
        )
        if not hits and not (has_wildcard(full) and not literal):
            write_error(inv, not_found(full, _class(inv)))
        out.extend(hits)
    return out


def _on_disk_case(files: HostFiles, path: str) -> str:
    """``path`` with each existing component spelled as on disk (NTFS keeps the creator's case)."""
    drive, _, rest = path.partition(":\\")
    current = drive + ":\\"
    for part in [p for p in rest.split("\\") if p]:
        name = part
        if files.is_dir(current):
            name = next((n for n in files.list_dir(current) if n.casefold() == part.casefold()), part)
        current = current + name if current.endswith("\\") else current + "\\" + name
    return current


# ---- items -----------------------------------------------------------------------------------
@cmdlet(
    "Get-ChildItem",
    Param("Path", position=0, type="string[]", from_pipeline=True),
    Param("LiteralPath", type="string[]", aliases=("PSPath",)),
    Param("Filter", position=1, type="string"),
    Param("Recurse", switch=True, aliases=("s",)),
    Param("Depth", type="int"),
    Param("Directory", switch=True, aliases=("ad", "d")),
    Param("File", switch=True, aliases=("af",)),
    Param("Name", switch=True),
    Param("Force", switch=True),
    aliases=("gci", "dir", "ls"),
)
@_path_format
def get_child_item(inv: Invocation) -> Iterable[Any]:
    files = _files(inv)
    raw_paths = _paths(inv) or ["."]
    depth = to_int(inv.args["Depth"]) if "Depth" in inv.args else (-1 if inv.switch("Recurse") else 0)
    out: list[Any] = []
    for path in _resolve_all(inv, raw_paths):
        if files.is_dir(path):
            out.extend(_children(inv, files, path, depth, ""))
        elif _keep(inv, path, is_dir=False):
            out.append(win_basename(path) if inv.switch("Name") else item_object(files, path, "name"))
    return out


def _children(inv: Invocation, files: HostFiles, folder: str, depth: int, prefix: str) -> list[Any]:
    """A folder's items, then (recursing) each subfolder's: the order Get-ChildItem -Recurse writes."""
    out: list[Any] = []
    names = files.list_dir(folder)
    subdirs: list[tuple[str, str]] = []
    for name in names:
        path = win_join(folder, name)
        is_dir = files.is_dir(path)
        if is_dir:
            subdirs.append((path, prefix + name))
        if _keep(inv, path, is_dir):
            out.append(prefix + name if inv.switch("Name") else item_object(files, path, "name"))
    if depth != 0:
        for path, rel in subdirs:
            out.extend(_children(inv, files, path, depth - 1, rel + "\\"))
    return out


def _keep(inv: Invocation, path: str, is_dir: bool) -> bool:
    if inv.switch("Directory") and not is_dir:
        return False
    if inv.switch("File") and is_dir:
        return False
    flt = inv.args.get("Filter")
    return flt is None or matches(win_basename(path), [to_string(flt)])


@cmdlet(
    "Get-Item",
    Param("Path", position=0, type="string[]", from_pipeline=True),
    Param("LiteralPath", type="string[]", aliases=("PSPath",)),
    Param("Force", switch=True),
    aliases=("gi",),
)
@_path_format
def get_item(inv: Invocation) -> Iterable[PSObject]:
    files = _files(inv)
    return [item_object(files, p, "full") for p in _resolve_all(inv, _paths(inv))]


@cmdlet(
    "Test-Path",
    Param("Path", position=0, type="string[]", from_pipeline=True),
    Param("LiteralPath", type="string[]", aliases=("PSPath",)),
    Param("PathType", type="string", aliases=("Type",)),
    Param("IsValid", switch=True),
)
@_path_format
def test_path(inv: Invocation) -> Iterable[bool]:
    files = _files(inv)
    kind = to_string(inv.args.get("PathType", "Any")).casefold()
    if kind not in ("any", "container", "leaf"):
        raise PSError(
            f"Cannot bind parameter 'PathType'. Cannot convert value \"{inv.args['PathType']}\" to type "
            '"Microsoft.PowerShell.Commands.TestPathType". Error: "Unable to match the identifier name '
            f"{inv.args['PathType']} to a valid enumerator name. Specify one of the following enumerator names and "
            'try again:\r\nAny, Container, Leaf"',
            "CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.TestPathCommand",
            "InvalidArgument",
            terminating=True,
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    out: list[bool] = []
    for raw in _paths(inv):
        try:
            full = resolve(raw, _cwd(inv))
        except DriveNotFound:
            out.append(False)
            continue
        if inv.switch("IsValid"):
            out.append(not any(ch in win_basename(full) for ch in '<>"|'))
            continue
        try:
            hits = (
                expand(files, full)
                if "LiteralPath" not in inv.args
                else ([full] if files.exists(full) else [])
            )
        except ValueError:  # a path no file system holds (C:\a:b) does not exist: Test-Path says False
            hits = []
        if kind == "container":
            hits = [h for h in hits if files.is_dir(h)]
        elif kind == "leaf":
            hits = [h for h in hits if not files.is_dir(h)]
        out.append(bool(hits))
    return out


# ---- content ---------------------------------------------------------------------------------
def decode(data: bytes, encoding: str | None) -> str:
    """Bytes to text: an explicit -Encoding wins, then a byte order mark, else the ANSI code page."""
    if encoding is not None:
        codec, bom = ENCODINGS[encoding]
        return (
            data[len(bom) :].decode(codec, "replace")
            if bom and data.startswith(bom)
            else data.decode(codec, "replace")
        )
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    return data.decode("cp1252", "replace")


def _encoding(inv: Invocation) -> str | None:
    if "Encoding" not in inv.args:
        return None
    name = to_string(inv.args["Encoding"]).replace("-", "").casefold()
    if name not in ENCODINGS and name != "byte":
        raise PSError(
            f"Cannot bind parameter 'Encoding'. Cannot convert value \"{inv.args['Encoding']}\" to type "
            '"Microsoft.PowerShell.Commands.FileSystemCmdletProviderEncoding". Error: "Unable to match the identifier '
            f"name {inv.args['Encoding']} to a valid enumerator name. Specify one of the following enumerator names and "
            "try again:\r\nUnknown, String, Unicode, Byte, BigEndianUnicode, UTF8, UTF7, UTF32, Ascii, Default, Oem, "
            'BigEndianUTF32"',
            f"CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.{_class(inv)}",
            "InvalidArgument",
            terminating=True,
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    return name


def split_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@cmdlet(
    "Get-Content",
    Param("Path", position=0, type="string[]", from_pipeline=True),
    Param("LiteralPath", type="string[]", aliases=("PSPath",)),
    Param("Raw", switch=True),
    Param("TotalCount", type="int", aliases=("First", "Head")),
    Param("Tail", type="int", aliases=("Last",)),
    Param("Encoding", type="string"),
    Param("Force", switch=True),
    aliases=("gc", "cat", "type"),
)
@_path_format
def get_content(inv: Invocation) -> Iterable[Any]:
    files = _files(inv)
    encoding = _encoding(inv)
    out: list[Any] = []
    for path in _resolve_all(inv, _paths(inv)):
        if files.is_dir(path):
            write_error(inv, _access_denied(path, "GetContentReaderUnauthorizedAccessError", _class(inv)))
            continue
        data = files.read_bytes(path)
        if encoding == "byte":
            out.extend(data)
            continue
        text = decode(data, encoding)
        if inv.switch("Raw"):
            if text:
                out.append(text)
            continue
        lines = split_lines(text)
        if "TotalCount" in inv.args and to_int(inv.args["TotalCount"]) >= 0:
            lines = lines[: to_int(inv.args["TotalCount"])]
        if "Tail" in inv.args:
            count = to_int(inv.args["Tail"])
            lines = lines[-count:] if count > 0 else []
        out.extend(lines)
    return out


def _access_denied(path: str, error: str, command_class: str) -> PSError:
    return PSError(
        f"Access to the path '{path}' is denied.",
        f"{error},Microsoft.PowerShell.Commands.{command_class}",
        "PermissionDenied",
        target=path,
        exception_type="System.UnauthorizedAccessException",
    )


def _encode(inv: Invocation, values: list[Any], encoding: str | None, with_bom: bool) -> bytes:
    if encoding == "byte":
        return bytes(to_int(v) & 0xFF for v in values)
    codec, bom = ENCODINGS[encoding or "default"]
    texts = [to_string(v) for v in values]
    text = "".join(texts) if inv.switch("NoNewline") else "".join(t + CRLF for t in texts)
    return (bom if with_bom else b"") + text.encode(codec, "replace")


def _content_values(inv: Invocation) -> list[Any]:
    if "Value" in inv.args:
        return as_list(inv.args["Value"])
    return list(inv.input)


def _write_content(inv: Invocation, append: bool) -> Iterable[Any]:
    files = _files(inv)
    encoding = _encoding(inv)
    values = _content_values(inv)
    out: list[Any] = []
    for path in _resolve_all(inv, _paths(inv), must_exist=False):
        parent = win_parent(path)
        if not files.is_dir(parent):
            write_error(
                inv,
                PSError(
                    f"Could not find a part of the path '{path}'.",
                    f"GetContentWriterDirectoryNotFoundError,Microsoft.PowerShell.Commands.{_class(inv)}",
                    "ObjectNotFound",
                    target=path,
                    exception_type="System.IO.DirectoryNotFoundException",
                ),
            )
            continue
        if files.is_dir(path):
            write_error(inv, _access_denied(path, "GetContentWriterUnauthorizedAccessError", _class(inv)))
            continue
        existing = files.read_bytes(path) if append and files.exists(path) else b""
        data = _encode(inv, values, encoding, with_bom=not existing)
        files.write_bytes(path, existing + data)
        if inv.switch("PassThru"):
            out.extend(values)
    return out


_CONTENT_PARAMS = (
    Param("Path", position=0, type="string[]"),
    Param("Value", position=1, type="object", from_pipeline=True),
    Param("LiteralPath", type="string[]", aliases=("PSPath",)),
    Param("Encoding", type="string"),
    Param("NoNewline", switch=True),
    Param("Force", switch=True),
    Param("PassThru", switch=True),
)


@cmdlet("Set-Content", *_CONTENT_PARAMS, aliases=("sc",))
@_path_format
def set_content(inv: Invocation) -> Iterable[Any]:
    return _write_content(inv, append=False)


@cmdlet("Add-Content", *_CONTENT_PARAMS, aliases=("ac",))
@_path_format
def add_content(inv: Invocation) -> Iterable[Any]:
    return _write_content(inv, append=True)


# ---- copy / move / remove / new --------------------------------------------------------------
def _destination(inv: Invocation) -> str:
    raw = to_string(inv.args.get("Destination", "."))
    try:
        return resolve(raw, _cwd(inv))
    except DriveNotFound as exc:
        raise drive_not_found(exc.drive, _class(inv)) from exc


def _copy_tree(files: HostFiles, src: str, dst: str, recurse: bool) -> None:
    if not files.is_dir(src):
        files.write_bytes(dst, files.read_bytes(src))
        return
    files.mkdir(dst)
    if recurse:
        for name in files.list_dir(src):
            _copy_tree(files, win_join(src, name), win_join(dst, name), True)


def _target_for(files: HostFiles, src: str, dest: str) -> str | None:
    """Where ``src`` lands: inside ``dest`` when it is a folder, else at ``dest``; None if dest's parent is missing."""
    if files.is_dir(dest):
        return win_join(dest, win_basename(src))
    return dest if files.is_dir(win_parent(dest)) else None


def _missing_parent(inv: Invocation, dest: str) -> PSError:
    return PSError(
        f"Could not find a part of the path '{dest}'.",
        f"System.IO.DirectoryNotFoundException,Microsoft.PowerShell.Commands.{_class(inv)}",
        "NotSpecified",
        target=dest,
        exception_type="System.IO.DirectoryNotFoundException",
    )


def _place_each(inv: Invocation, place: Callable[[HostFiles, str, str], bool]) -> list[PSObject]:
    """Copy-Item/Move-Item: ``place(files, src, target)`` each source; -PassThru emits what it placed."""
    files = _files(inv)
    dest = _destination(inv)
    out: list[PSObject] = []
    for src in _resolve_all(inv, _paths(inv)):
        target = _target_for(files, src, dest)
        if target is None:
            write_error(inv, _missing_parent(inv, dest))
        elif place(files, src, target) and inv.switch("PassThru"):
            out.append(item_object(files, target))
    return out


_TRANSFER_PARAMS = (
    Param("Path", position=0, type="string[]", from_pipeline=True),
    Param("Destination", position=1, type="string"),
    Param("LiteralPath", type="string[]", aliases=("PSPath",)),
    Param("Force", switch=True),
    Param("PassThru", switch=True),
)


@cmdlet("Copy-Item", *_TRANSFER_PARAMS, Param("Recurse", switch=True), aliases=("copy", "cp", "cpi"))
@_path_format
def copy_item(inv: Invocation) -> Iterable[PSObject]:
    def copy(files: HostFiles, src: str, target: str) -> bool:
        _copy_tree(files, src, target, inv.switch("Recurse"))
        return True

    return _place_each(inv, copy)


@cmdlet("Move-Item", *_TRANSFER_PARAMS, aliases=("move", "mv", "mi"))
@_path_format
def move_item(inv: Invocation) -> Iterable[PSObject]:
    def move(files: HostFiles, src: str, target: str) -> bool:
        if files.exists(target) and not files.is_dir(target):
            if not inv.switch("Force"):
                write_error(
                    inv,
                    PSError(
                        "Cannot create a file when that file already exists.",
                        "MoveFileInfoItemIOError,Microsoft.PowerShell.Commands.MoveItemCommand",
                        "WriteError",
                        target=src,
                        exception_type="System.IO.IOException",
                    ),
                )
                return False
            files.remove(target)
        _copy_tree(files, src, target, True)
        files.remove(src)
        return True

    return _place_each(inv, move)


@cmdlet(
    "Remove-Item",
    Param("Path", position=0, type="string[]", from_pipeline=True),
    Param("LiteralPath", type="string[]", aliases=("PSPath",)),
    Param("Recurse", switch=True, aliases=("r",)),
    Param("Force", switch=True),
    aliases=("del", "erase", "rd", "ri", "rm", "rmdir"),
)
@_path_format
def remove_item(inv: Invocation) -> Iterable[Any]:
    files = _files(inv)
    for path in _resolve_all(inv, _paths(inv)):
        if files.is_dir(path) and files.list_dir(path) and not inv.switch("Recurse"):
            # PowerShell would ask for confirmation; a redirected, non-interactive host cannot (INFERRED wording).
            write_error(
                inv,
                PSError(
                    f"The item at {path} has children and the Recurse parameter was not specified. "
                    "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
                    "RemoveItemNonInteractive,Microsoft.PowerShell.Commands.RemoveItemCommand",
                    "InvalidOperation",
                    target=path,
                    exception_type="System.Management.Automation.Host.HostException",
                ),
            )
            continue
        files.remove(path)
    return []


def _already_exists(path: str, kind: str) -> PSError:
    return PSError(
        f"An item with the specified name {path} already exists.",
        "DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand"
        if kind == "directory"
        else "NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand",
        "ResourceExists",
        target=path,
        exception_type="System.IO.IOException",
    )


@cmdlet(
    "New-Item",
    Param("Path", position=0, type="string[]", from_pipeline=True),
    Param("Name", type="string"),
    Param("ItemType", type="string", aliases=("Type",)),
    Param("Value", type="object"),
    Param("Force", switch=True),
    aliases=("ni",),
)
@_path_format
def new_item(inv: Invocation) -> Iterable[PSObject]:
    files = _files(inv)
    kind = to_string(inv.args.get("ItemType", "File")).casefold()
    if kind not in ("file", "directory"):
        raise PSError(
            f"winsim does not model New-Item -ItemType {inv.args.get('ItemType')}.",
            "NotModeled",
            "NotImplemented",
            terminating=True,
        )
    out: list[PSObject] = []
    for raw in _paths(inv) or ["."]:
        try:
            path = resolve(raw, _cwd(inv))
        except DriveNotFound as exc:
            write_error(inv, drive_not_found(exc.drive, "NewItemCommand"))
            continue
        if "Name" in inv.args:
            path = win_join(path, to_string(inv.args["Name"]))
        if files.exists(path) and (not inv.switch("Force") or files.is_dir(path) != (kind == "directory")):
            write_error(inv, _already_exists(path, kind))
            continue
        if not files.is_dir(win_parent(path)) and not inv.switch("Force") and kind == "file":
            write_error(inv, _missing_parent(inv, path))
            continue
        value = inv.args.get("Value")
        data = to_string(value).encode("cp1252", "replace") if value is not None else b""
        if kind == "directory":
            files.mkdir(path)
        elif inv.switch("Force"):
            files.write_bytes(path, data)
        elif not files.create_new(path, data):
            # the file appeared since the look above: without -Force the FileSystem provider opens it
            # FileMode.CreateNew (INFERRED from its source; no captured race), so of two sessions racing
            # to make one file exactly one succeeds, as a lock file relies on
            write_error(inv, _already_exists(path, kind))
            continue
        out.append(item_object(files, _on_disk_case(files, path)))
    return out
