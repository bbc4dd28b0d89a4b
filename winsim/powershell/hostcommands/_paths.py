r"""Paths as the FileSystem provider resolves them, over ``host.model.files``.

``resolve`` turns what a script wrote (relative to ``$PWD``, ``/`` or ``\``, ``C:`` alone,
``FileSystem::`` qualified, ``..``) into a full Windows path; ``expand`` also matches wildcards
component by component, returning on-disk case as NTFS shows it.  ``item_object`` builds the
FileInfo / DirectoryInfo views that Get-Item and Get-ChildItem emit.

>>> resolve(r"..\docker\.\config", r"C:\ProgramData\x")
'C:\\ProgramData\\docker\\config'
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from winsim.model.paths import HostFiles, win_basename, win_parent
from winsim.powershell.dates import HOST_TZ
from winsim.powershell.hostcommands._common import has_wildcard, matches
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import PSError

PROVIDER = "Microsoft.PowerShell.Core\\FileSystem"
DRIVES = ("C",)  # the simulated host has one fixed disk
_PROVIDER_PREFIX = re.compile(r"^(?:Microsoft\.PowerShell\.Core\\)?FileSystem::", re.IGNORECASE)
FILE_ATTRIBUTES = {16: "Directory", 32: "Archive"}


# \\?\Volume{GUID}\: a volume with no drive letter, such as an activated container layer.  INFERRED:
# that the FileSystem provider takes such a root as given (no real transcript of it was found).
_VOLUME_ROOT = re.compile(r"^(\\\\\?\\Volume\{[0-9A-Fa-f-]+\})(\\.*)?$")


class DriveNotFound(ValueError):
    def __init__(self, drive: str) -> None:
        super().__init__(drive)
        self.drive = drive


def resolve(raw: str, cwd: str) -> str:
    """A full, normalised Windows path (``..`` resolved; the drive root cannot be left)."""
    text = _PROVIDER_PREFIX.sub("", raw.strip()).replace("/", "\\")
    volume = _VOLUME_ROOT.match(text)
    if volume:
        return volume.group(1) + "\\" + "\\".join(_normalised(volume.group(2) or ""))
    m = re.match(r"^([A-Za-z]):(.*)$", text)
    if m:
        drive, rest = m.group(1).upper(), m.group(2)
        if not rest.startswith("\\"):
            rest = cwd[2:] + "\\" + rest if cwd[:1].upper() == drive else "\\" + rest
    elif text.startswith("\\"):
        drive, rest = cwd[:1].upper(), text
    else:
        drive, rest = cwd[:1].upper(), cwd[2:] + "\\" + text
    if drive not in DRIVES:
        raise DriveNotFound(drive)
    return drive + ":\\" + "\\".join(_normalised(rest))


def _normalised(rest: str) -> list[str]:
    """The components of ``rest`` with ``.`` dropped and ``..`` applied (a root cannot be left)."""
    parts: list[str] = []
    for part in rest.split("\\"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return parts


def expand(files: HostFiles, path: str) -> list[str]:
    """Existing paths matching ``path`` (wildcards in any component), in on-disk case, sorted like dir."""
    drive, _, rest = path.partition(":\\")
    current = [drive + ":\\"]
    for part in [p for p in rest.split("\\") if p]:
        nxt: list[str] = []
        for base in current:
            if not files.is_dir(base):
                continue
            names = files.list_dir(base)
            if has_wildcard(part):
                hits = [n for n in names if matches(n, [part])]
            else:
                hits = [n for n in names if n.casefold() == part.casefold()]
            nxt.extend(_join(base, n) for n in hits)
        current = nxt
    return [p for p in current if files.exists(p)]


def _join(base: str, name: str) -> str:
    return base + name if base.endswith("\\") else base + "\\" + name


def not_found(path: str, command_class: str) -> PSError:
    return PSError(
        f"Cannot find path '{path}' because it does not exist.",
        f"PathNotFound,Microsoft.PowerShell.Commands.{command_class}",
        "ObjectNotFound",
        target=path,
        exception_type="System.Management.Automation.ItemNotFoundException",
    )


def drive_not_found(drive: str, command_class: str) -> PSError:
    return PSError(
        f"Cannot find drive. A drive with the name '{drive}' does not exist.",
        f"DriveNotFound,Microsoft.PowerShell.Commands.{command_class}",
        "ObjectNotFound",
        target=drive,
        exception_type="System.Management.Automation.DriveNotFoundException",
    )


def item_object(files: HostFiles, path: str, shown_as: str = "full") -> PSObject:
    """FileInfo / DirectoryInfo for an existing path; ``shown_as`` is what ToString gives ("full" or "name")."""
    real = files.real(path)
    st = real.stat()
    is_dir = real.is_dir()
    name = win_basename(path) or path
    parent = win_parent(path) if name != path else ""
    stamp = datetime.fromtimestamp(st.st_mtime, HOST_TZ)  # FileSystemInfo times are Local
    props: dict[str, Any] = {
        "PSPath": f"{PROVIDER}::{path}",
        "PSParentPath": f"{PROVIDER}::{parent}" if parent else "",
        "PSChildName": name,
        "PSDrive": path[:1],
        "PSProvider": PROVIDER,
        "PSIsContainer": is_dir,
        "Mode": "d-----" if is_dir else "-a----",
        "BaseName": name if is_dir else name.rsplit(".", 1)[0] if "." in name else name,
        "Name": name,
        "FullName": path,
        "Parent" if is_dir else "DirectoryName": parent,
        "Exists": True,
        "Extension": "" if is_dir or "." not in name else "." + name.rsplit(".", 1)[1],
        "CreationTime": datetime.fromtimestamp(st.st_ctime, HOST_TZ),
        "LastAccessTime": datetime.fromtimestamp(st.st_atime, HOST_TZ),
        "LastWriteTime": stamp,
        "Attributes": 16 if is_dir else 32,
    }
    if not is_dir:
        props["Length"] = st.st_size
        props["IsReadOnly"] = False
    props["__ToString"] = path if shown_as == "full" else name
    obj = PSObject(
        [
            "System.IO.DirectoryInfo" if is_dir else "System.IO.FileInfo",
            "System.IO.FileSystemInfo",
            "System.Object",
        ],
        props,
        ["Mode", "LastWriteTime", "Length", "Name"],
        "table",
        {"Attributes": FILE_ATTRIBUTES},
    )
    return obj
