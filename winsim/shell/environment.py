"""The environment block a logon session's processes start with."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from winsim.processes import HostServices


def default_environment(host: HostServices, username: str = "Administrator") -> dict[str, str]:
    """Variables Windows Server sets for an interactive/remote logon (values as on a default install)."""
    profile = f"C:\\Users\\{username}"
    return {
        "ALLUSERSPROFILE": "C:\\ProgramData",
        "APPDATA": f"{profile}\\AppData\\Roaming",
        "CommonProgramFiles": "C:\\Program Files\\Common Files",
        "COMPUTERNAME": host.name.upper(),
        "ComSpec": "C:\\Windows\\system32\\cmd.exe",
        "LOCALAPPDATA": f"{profile}\\AppData\\Local",
        "NUMBER_OF_PROCESSORS": "2",
        "OS": "Windows_NT",
        "Path": "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;"
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\;C:\\Program Files\\Docker",
        "PATHEXT": ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC",
        "PROCESSOR_ARCHITECTURE": "AMD64",
        "ProgramData": "C:\\ProgramData",
        "ProgramFiles": "C:\\Program Files",
        "PROMPT": "$P$G",
        "PSModulePath": f"{profile}\\Documents\\WindowsPowerShell\\Modules;C:\\Program Files\\WindowsPowerShell\\Modules;"
        "C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules",
        "PUBLIC": "C:\\Users\\Public",
        "SystemDrive": "C:",
        "SystemRoot": "C:\\Windows",
        "TEMP": f"{profile}\\AppData\\Local\\Temp",
        "TMP": f"{profile}\\AppData\\Local\\Temp",
        "USERDOMAIN": host.name.upper(),
        "USERNAME": username,
        "USERPROFILE": profile,
        "windir": "C:\\Windows",
    }


def merged_environment(host: HostServices, given: dict[str, str]) -> dict[str, str]:
    """Defaults overlaid with what the caller passed (names are case-insensitive on Windows)."""
    env = default_environment(host)
    for key, value in given.items():
        existing = next((k for k in env if k.lower() == key.lower()), key)
        env[existing] = value
    return env
