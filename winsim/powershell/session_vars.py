"""Automatic variables a new runspace starts with (``$PSVersionTable``, preferences, ``$PID``...)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from winsim.powershell.objects import PSObject

if TYPE_CHECKING:
    from winsim.processes import HostServices

# Windows PowerShell 5.1 ships with the OS: its build and revision follow the OS build.
CLR_VERSION = "4.0.30319.42000"


def _version(text: str) -> PSObject:
    parts = [int(p) for p in text.split(".")]
    while len(parts) < 4:
        parts.append(-1)
    return PSObject.of(
        "System.Version",
        {"Major": parts[0], "Minor": parts[1], "Build": parts[2], "Revision": parts[3], "__ToString": text},
        view="table",
    )


def version_table(host: HostServices) -> dict[str, Any]:
    """``$PSVersionTable`` of Windows PowerShell 5.1 on the host's Windows Server build."""
    ps_version = f"5.1.{host.profile.build}.{host.profile.ubr}"
    return {
        "PSVersion": _version(ps_version),
        "PSEdition": "Desktop",
        "PSCompatibleVersions": [
            _version(v)
            for v in ("1.0", "2.0", "3.0", "4.0", "5.0", "5.1." + f"{host.profile.build}.{host.profile.ubr}")
        ],
        "BuildVersion": _version(f"10.0.{host.profile.build}.{host.profile.ubr}"),
        "CLRVersion": _version(CLR_VERSION),
        "WSManStackVersion": _version("3.0"),
        "PSRemotingProtocolVersion": _version("2.3"),
        "SerializationVersion": _version("1.1.0.1"),
    }


def initial_variables(host: HostServices) -> dict[str, Any]:
    """The global scope of a fresh runspace (keys lower-case)."""
    return {
        "true": True,
        "false": False,
        "null": None,
        "psversiontable": version_table(host),
        "erroractionpreference": "Continue",
        "progresspreference": "Continue",
        "warningpreference": "Continue",
        "verbosepreference": "SilentlyContinue",
        "debugpreference": "SilentlyContinue",
        "informationpreference": "SilentlyContinue",
        "confirmpreference": "High",
        "lastexitcode": None,
        "pid": os.getpid(),
        "home": "C:\\Users\\Administrator",
        "pshome": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
        "psscriptroot": "",
        "pscommandpath": "",
        "ofs": " ",
        "maximumhistorycount": 4096,
        "psculture": "en-US",
        "psuiculture": "en-US",
        "host": PSObject.of(
            "System.Management.Automation.Internal.Host.InternalHost",
            {"Name": "ConsoleHost", "Version": _version(f"5.1.{host.profile.build}.{host.profile.ubr}")},
        ),
    }
