r"""``Get-ItemProperty`` on the registry keys a container host's scripts read.

Only ``HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion`` is modelled: the build and
revision of the host's profile (``serve --revision`` patches it to another UBR), as ``winver``
and ``systeminfo`` show them.  Value names and types follow the real key, a subset of what
``Get-ItemProperty`` lists there (a real listing: https://powershell.one/code/6.html, with
``CurrentBuild : 18363``, ``CurrentBuildNumber : 18363`` and ``UBR : 720``): ``CurrentBuild``
and ``CurrentBuildNumber`` are REG_SZ strings, ``UBR`` a REG_DWORD number.

>>> # PS> (Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion').UBR
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import as_list, to_string

if TYPE_CHECKING:
    from winsim.processes import HostServices

CURRENT_VERSION = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
PROVIDER = "Microsoft.PowerShell.Core\\Registry::"


def _current_version(host: HostServices) -> dict[str, Any]:
    p = host.profile
    return {
        "CurrentBuild": str(p.build),
        "CurrentBuildNumber": str(p.build),
        "CurrentMajorVersionNumber": 10,
        "CurrentMinorVersionNumber": 0,
        "CurrentVersion": "6.3",
        "DisplayVersion": p.display_version,
        "EditionID": "ServerDatacenter",
        "InstallationType": "Server",
        "ProductName": p.product_name,
        "UBR": p.ubr,
    }


def _canonical(path: str) -> str:
    text = path.strip().replace("/", "\\").rstrip("\\")
    low = text.lower()
    for prefix in ("hklm:\\", "registry::hkey_local_machine\\", "registry::hklm\\"):
        if low.startswith(prefix):
            return "HKEY_LOCAL_MACHINE\\" + text[len(prefix) :]
    return text


@cmdlet(
    "Get-ItemProperty",
    Param("Path", position=0, type="string[]"),
    Param("LiteralPath", type="string[]"),
    Param("Name", position=1, type="string[]"),
)
def get_item_property(inv: Invocation) -> Iterable[PSObject]:
    for raw in as_list(inv.args.get("Path", inv.args.get("LiteralPath"))):
        path = to_string(raw)
        if _canonical(path).lower() != CURRENT_VERSION.lower():
            raise PSError(
                f"Cannot find path '{path}' because it does not exist.",
                "PathNotFound,Microsoft.PowerShell.Commands.GetItemPropertyCommand",
                "ObjectNotFound",
                target=path,
                exception_type="System.Management.Automation.ItemNotFoundException",
            )
        values = _current_version(inv.host)
        wanted = [to_string(n).lower() for n in as_list(inv.args.get("Name"))] if "Name" in inv.args else None
        if wanted is not None:
            values = {k: v for k, v in values.items() if k.lower() in wanted}
        parent, _, child = CURRENT_VERSION.rpartition("\\")
        yield PSObject.of(
            "System.Management.Automation.PSCustomObject",
            {
                **values,
                "PSPath": PROVIDER + CURRENT_VERSION,
                "PSParentPath": PROVIDER + parent,
                "PSChildName": child,
                "PSDrive": "HKLM",
                "PSProvider": "Microsoft.PowerShell.Core\\Registry",
            },
            view="list",
        )
