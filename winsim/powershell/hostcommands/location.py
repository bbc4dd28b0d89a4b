r"""``Get-Location`` / ``Set-Location``: the runspace's current folder (``$PWD``) on the host filesystem.

Shells start in ``C:\Users\Administrator``; relative paths of the file cmdlets and native
programs resolve against the current folder.

>>> # PS> Set-Location C:\ProgramData\docker; Get-Location
"""

from __future__ import annotations

from collections.abc import Iterable

from winsim.powershell.hostcommands._paths import DriveNotFound, drive_not_found, resolve
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import to_string

SET_LOCATION = "Microsoft.PowerShell.Commands.SetLocationCommand"


def path_info(path: str) -> PSObject:
    """A PathInfo as Get-Location returns it (one-column table ``Path``)."""
    return PSObject.of(
        "System.Management.Automation.PathInfo",
        {
            "Drive": path[:1],
            "Provider": "Microsoft.PowerShell.Core\\FileSystem",
            "Path": path,
            "__ToString": path,
        },
        display=["Path"],
        view="table",
    )


@cmdlet("Get-Location", aliases=("gl", "pwd"))
def get_location(inv: Invocation) -> Iterable[PSObject]:
    return [path_info(inv.session.cwd)]


@cmdlet(
    "Set-Location",
    Param("Path", position=0, from_pipeline=True),
    Param("LiteralPath", aliases=("PSPath",)),
    Param("PassThru", switch=True),
    aliases=("cd", "chdir", "sl"),
)
def set_location(inv: Invocation) -> Iterable[PSObject]:
    raw = to_string(inv.args.get("LiteralPath", inv.args.get("Path", "")))
    if raw == "":
        return []  # Windows PowerShell 5.1: a bare Set-Location stays where it is
    try:
        full = resolve(raw, inv.session.cwd)
    except DriveNotFound as exc:
        raise drive_not_found(exc.drive, "SetLocationCommand") from exc
    files = inv.session.process.files if inv.session.process is not None else inv.host.model.files
    if not files.is_dir(full):
        raise PSError(
            f"Cannot find path '{full}' because it does not exist.",
            f"PathNotFound,{SET_LOCATION}",
            "ObjectNotFound",
            target=full,
            exception_type="System.Management.Automation.ItemNotFoundException",
        )
    inv.session.cwd = full
    return [path_info(full)] if inv.switch("PassThru") else []
