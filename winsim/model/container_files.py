r"""What a compute system's processes see as their files: the container's C: drive.

The container's ``C:\`` is its scratch layer's volume (the ``VolumePath`` HCS was given, the
layer folder when it was given none), and each mapped directory of its configuration
(schema1 ``MappedDirectories``) shows the host folder it names at its ``ContainerPath``: what a
process there writes lands in the host's folder, what the host puts there the process reads.
A read-only mapping refuses every change with ERROR_ACCESS_DENIED, which cmd.exe words
"Access is denied." (INFERRED: the docs say only that the container's changes are not persisted
to the host folder; no captured output of the refusal).  The image's own files are not merged
into the view (INFERRED simplification: nothing the model runs reads them).

>>> view = ContainerFiles(files, r"\\?\Volume{6a0c...}", (MappedDirectory(r"C:\bind", r"C:\data", True),))  # doctest: +SKIP
>>> view.host_path(r"C:\data\in.txt")                                                                    # doctest: +SKIP
'C:\\bind\\in.txt'
>>> view.write_text(r"C:\data\out.txt", "x")                                                             # doctest: +SKIP
PermissionError: [Errno 13] Access is denied.: 'C:\\data\\out.txt'
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from winsim.model.paths import HostFiles, win_basename, win_key, win_norm, win_parent


@dataclass(frozen=True)
class MappedDirectory:
    """A host folder mapped into the container (schema1 MappedDir: HostPath, ContainerPath, ReadOnly)."""

    host_path: str
    container_path: str
    read_only: bool = False


class ContainerFiles(HostFiles):
    """The host's disk as a container's processes see it; every path is a container path."""

    def __init__(self, host: HostFiles, root: str, mapped: tuple[MappedDirectory, ...]) -> None:
        super().__init__(host.root, host.mount_table)  # the same disk and mount table
        self._root = root.rstrip("\\")
        # longest container path first, so a mapping inside another wins
        self._mapped = sorted(mapped, key=lambda m: -len(win_norm(m.container_path)))

    def _mapping(self, path: str) -> tuple[MappedDirectory | None, str]:
        norm = win_norm(path)
        key = norm.casefold()
        for m in self._mapped:
            at = win_key(m.container_path)
            if key == at or key.startswith(at.rstrip("\\") + "\\"):
                return m, norm[len(at.rstrip("\\")) :].lstrip("\\")
        return None, norm[3:]

    def host_path(self, win_path: str) -> str:
        if win_path.startswith("\\\\"):  # a volume or device path names the host's own object
            return win_path
        mapping, rest = self._mapping(win_path)
        base = mapping.host_path if mapping is not None else self._root
        return base.rstrip("\\") + "\\" + rest if rest else base.rstrip("\\") + "\\"

    def _writable(self, win_path: str) -> None:
        mapping, _ = self._mapping(win_path)
        if mapping is not None and mapping.read_only:
            raise PermissionError(errno.EACCES, "Access is denied.", win_path)

    def list_dir(self, win_path: str) -> list[str]:
        """A folder's names, with the mapped directories that sit in it."""
        names = super().list_dir(win_path)
        folded = {n.casefold() for n in names}
        for m in self._mapped:
            name = win_basename(m.container_path)
            if win_key(win_parent(m.container_path)) == win_key(win_path) and name.casefold() not in folded:
                names.append(name)
        return sorted(names, key=str.casefold)

    def write_bytes(self, win_path: str, data: bytes) -> None:
        self._writable(win_path)
        super().write_bytes(win_path, data)

    def append_text(self, win_path: str, text: str) -> None:
        self._writable(win_path)
        super().append_text(win_path, text)

    def mkdir(self, win_path: str) -> None:
        self._writable(win_path)
        super().mkdir(win_path)

    def remove(self, win_path: str) -> None:
        self._writable(win_path)
        super().remove(win_path)

    def rename(self, win_path: str, new_name: str) -> str:
        self._writable(win_path)
        return super().rename(win_path, new_name)
