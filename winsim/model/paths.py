r"""Windows paths over a real directory tree: ``C:\ProgramData\docker`` lives at ``state_dir/fs/C/ProgramData/docker``.

Windows paths are case-insensitive; the host filesystem here is not, so every lookup matches
each path component case-insensitively against what exists and keeps the case of the first
writer (as NTFS preserves case).

>>> win_eq(r"C:\ProgramData\Docker", "c:/programdata/docker/")
True
>>> win_join(r"C:\ProgramData", "docker", "windowsfilter")
'C:\\ProgramData\\docker\\windowsfilter'
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_DRIVE = re.compile(r"^([A-Za-z]):(?:\\|$)")
# \\?\Volume{GUID}\rest: a mounted volume (an activated layer), reachable while mounted.
_VOLUME = re.compile(r"^\\\\\?\\Volume\{([0-9A-Fa-f-]{36})\}(?:\\(.*))?$")


# Folders a Windows Server container host has from installation (INFERRED minimal set; data): the
# Administrator profile is where remote shells start, so relative paths resolve there.
STANDARD_FOLDERS = (
    r"C:\Users\Administrator\AppData\Local\Temp",
    r"C:\Users\Administrator\AppData\Roaming",
    r"C:\Users\Administrator\Desktop",
    r"C:\Users\Administrator\Documents",
    r"C:\Users\Public",
    r"C:\Windows\System32",
    r"C:\Windows\Temp",
    r"C:\ProgramData\docker\config",
)


def win_norm(path: str) -> str:
    r"""Backslashes, no duplicate or trailing separators, upper-case drive: ``c:/a//b/`` -> ``C:\a\b``."""
    text = path.replace("/", "\\")
    m = _DRIVE.match(text)
    if not m:
        raise ValueError(f"not an absolute Windows path: {path!r}")
    parts = [p for p in text[2:].split("\\") if p and p != "."]
    return m.group(1).upper() + ":\\" + "\\".join(parts)


def win_key(path: str) -> str:
    """A dictionary key equal for paths Windows considers equal."""
    return win_norm(path).casefold()


def win_eq(a: str, b: str) -> bool:
    return win_key(a) == win_key(b)


def win_join(base: str, *parts: str) -> str:
    return win_norm("\\".join([base, *parts]))


def win_basename(path: str) -> str:
    return path.replace("/", "\\").rstrip("\\").rsplit("\\", 1)[-1]


def win_parent(path: str) -> str:
    norm = win_norm(path)
    head = norm.rsplit("\\", 1)[0]
    return head + "\\" if head.endswith(":") else head


class HostFiles:
    r"""The host filesystem.  All paths are Windows paths; escaping the root is refused.

    >>> files = HostFiles(Path("/tmp/x/fs"))          # doctest: +SKIP
    >>> files.write_text(r"C:\ProgramData\docker\config\daemon.json", "{}")  # doctest: +SKIP
    >>> files.exists(r"c:\programdata\DOCKER\config\daemon.json")           # doctest: +SKIP
    True
    """

    def __init__(self, root: Path, volumes: dict[str, str] | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        # The mount manager's table: volume GUID (lower case) -> the folder it shows (a view of the
        # same disk, such as a container's, shares its host's).
        self._volumes: dict[str, str] = {} if volumes is None else volumes

    @property
    def mount_table(self) -> dict[str, str]:
        """The mount manager's table itself (a view of this disk shares it, not a copy)."""
        return self._volumes

    def mount_volume(self, guid: str, folder: str) -> None:
        self._volumes[guid.lower()] = win_norm(folder)

    def unmount_volume(self, guid: str) -> None:
        self._volumes.pop(guid.lower(), None)

    def real(self, win_path: str) -> Path:
        """The real path for ``win_path`` (components matched case-insensitively when they exist).

        A volume path (``\\\\?\\Volume{GUID}\\...``) resolves through the folder mounted there;
        an unknown volume raises FileNotFoundError.
        """
        text = self.host_path(win_path.replace("/", "\\"))
        volume = _VOLUME.match(text)
        if volume:
            folder = self._volumes.get(volume.group(1).lower())
            if folder is None:
                raise FileNotFoundError(f"Cannot find path '{win_path}' because it does not exist.")
            text = folder + "\\" + (volume.group(2) or "")
        m = _DRIVE.match(text)
        if not m:
            raise ValueError(f"not an absolute Windows path: {win_path!r}")
        current = self.root / m.group(1).upper()
        for part in text[2:].split("\\"):
            if part in ("", "."):
                continue
            if part == ".." or ":" in part or "\x00" in part:
                raise ValueError(f"path escapes or is invalid on the simulated host: {win_path!r}")
            current = current / self._match(current, part)
        return current

    def host_path(self, win_path: str) -> str:
        """The host's Windows path of ``win_path``: itself here; a view (a container's C:) maps it."""
        return win_path

    @staticmethod
    def _match(directory: Path, name: str) -> str:
        if (directory / name).exists():
            return name
        folded = name.casefold()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.casefold() == folded:
                        return entry.name
        except (FileNotFoundError, NotADirectoryError):
            pass
        return name

    def exists(self, win_path: str) -> bool:
        try:
            return self.real(win_path).exists()
        except FileNotFoundError:
            return False

    def is_dir(self, win_path: str) -> bool:
        try:
            return self.real(win_path).is_dir()
        except FileNotFoundError:
            return False

    def list_dir(self, win_path: str) -> list[str]:
        """Names in a folder, sorted case-insensitively as Explorer and Get-ChildItem show them."""
        path = self.real(win_path)
        if not path.is_dir():
            raise FileNotFoundError(f"Cannot find path '{win_path}' because it does not exist.")
        return sorted(os.listdir(path), key=str.casefold)

    def read_bytes(self, win_path: str) -> bytes:
        path = self.real(win_path)
        if not path.is_file():
            raise FileNotFoundError(f"Cannot find path '{win_path}' because it does not exist.")
        return path.read_bytes()

    def read_text(self, win_path: str, encoding: str = "utf-8") -> str:
        return self.read_bytes(win_path).decode(encoding)

    def write_bytes(self, win_path: str, data: bytes) -> None:
        path = self.real(win_path)
        self.mkdir(win_parent(win_path))
        path = self.real(win_path)
        path.write_bytes(data)

    def create_new(self, win_path: str, data: bytes) -> bool:
        """Create the file only where none exists, in one step (a CreateFile with CREATE_NEW), its
        folder already there; False when it exists, so of two creators racing exactly one wins."""
        try:
            with self.real(win_path).open("xb") as file:
                file.write(data)
        except FileExistsError:
            return False
        return True

    def write_text(self, win_path: str, text: str, encoding: str = "utf-8") -> None:
        self.write_bytes(win_path, text.encode(encoding))

    def append_text(self, win_path: str, text: str) -> None:
        path = self.real(win_path)
        if not path.parent.exists():
            self.mkdir(win_parent(win_path))
            path = self.real(win_path)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text)

    def mkdir(self, win_path: str) -> None:
        """Create a folder and its parents (like ``New-Item -ItemType Directory -Force``)."""
        self.real(win_path).mkdir(parents=True, exist_ok=True)

    def remove(self, win_path: str) -> None:
        """Delete a file or a whole folder tree."""
        path = self.real(win_path)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            raise FileNotFoundError(f"Cannot find path '{win_path}' because it does not exist.")

    def rename(self, win_path: str, new_name: str) -> str:
        """Rename in place (``Rename-Item``); returns the new Windows path."""
        if "\\" in new_name or "/" in new_name:
            raise ValueError(f"a new name, not a path, is expected: {new_name!r}")
        target = win_join(win_parent(win_path), new_name)
        self.real(win_path).rename(self.real(win_parent(win_path)) / new_name)
        return target
