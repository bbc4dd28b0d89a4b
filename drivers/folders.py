r"""Host folders a run makes to map into containers (bind mounts), under ``C:\ProgramData\wcc\binds\<run id>``.

folder = host.folders.for_run(run_id, "bind-1")      # C:\ProgramData\wcc\binds\<run id>\bind-1
host.folders.create(folder, "in.txt", "text")         # the folder, with one file written by the host
host.folders.entries(folder)                          # what the host sees there: [FolderEntry(...)]
host.folders.remove(folder)
"""

from __future__ import annotations

from drivers.base import PR, DriverBase, probe
from drivers.models import FolderEntry
from drivers.probers import Call

# ProgramData: BUILTIN\Users may read and add files in its subfolders by default, so a container's
# own account (ContainerAdministrator, ContainerUser) can use a folder made here (INFERRED: the default ACL).
BINDS_ROOT = r"C:\ProgramData\wcc\binds"


class FoldersDriver(DriverBase[PR]):
    root = BINDS_ROOT

    def for_run(self, run_id: str, name: str = "") -> str:
        """The run's folder, or a folder ``name`` in it."""
        return "\\".join(p for p in (self.root, run_id, name) if p)

    @probe
    def create(self, path: str, file_name: str = "", content: str = "") -> Call[list[FolderEntry]]:
        """Create ``path`` (and its parents), with one file ``file_name`` holding ``content`` (UTF-8)."""
        return Call(
            "New-WccHostFolder",
            {"Path": path, "FileName": file_name, "Content": content},
            lambda v: [FolderEntry.from_json(o) for o in v],
        )

    @probe
    def entries(self, path: str) -> Call[list[FolderEntry]]:
        """The folder's entries, each file with its text ([] when it is empty or absent)."""
        return Call("Get-WccHostFolder", {"Path": path}, lambda v: [FolderEntry.from_json(o) for o in v])

    @probe
    def remove(self, path: str) -> Call[None]:
        return Call("Remove-WccHostFolder", {"Path": path}, lambda v: None)
