"""The windowsfilter folder and its layers as hcsshim sees them.

host.layers.folders()                      # names under C:\\ProgramData\\docker\\windowsfilter
host.layers.layerchain(container_id)       # nearest parent first, base layer last
host.layers.mount_path(image_layer)        # "" for a read-only layer
"""

from __future__ import annotations

import json
from typing import Any

from drivers.base import PR, DriverBase, first, probe
from drivers.errors import ProbeError
from drivers.models import ErrorRecord
from drivers.probers import Call

WINDOWSFILTER_ROOT = "C:\\ProgramData\\docker\\windowsfilter"


class LayersDriver(DriverBase[PR]):
    root = WINDOWSFILTER_ROOT

    def path(self, folder: str) -> str:
        """A layer folder's full path from its name (full paths pass through)."""
        if "\\" in folder or "/" in folder:
            return folder.replace("/", "\\")
        return f"{self.root}\\{folder}"

    @probe
    def folders(self) -> Call[list[str]]:
        return Call("Get-WccLayerFolder", {"Root": self.root}, lambda v: [str(n) for n in v])

    @probe
    def exists(self, path: str) -> Call[bool]:
        return Call("Test-WccPath", {"Path": path}, lambda v: bool(first(v, False)))

    @probe
    def layerchain(self, folder: str) -> Call[list[str] | None]:
        """Parsed layerchain.json; a ``null`` chain (base layer) is ``[]``; None when the file is missing."""

        def parse(v: list[Any]) -> list[str] | None:
            text = first(v)
            if text is None:
                return None
            try:
                chain = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ProbeError(
                    self.host_name,
                    "Get-WccLayerChain",
                    [ErrorRecord(f"layerchain.json of {folder} is not JSON: {exc}")],
                ) from None
            if chain is None:
                return []
            if not isinstance(chain, list) or not all(isinstance(p, str) for p in chain):
                raise ProbeError(
                    self.host_name,
                    "Get-WccLayerChain",
                    [ErrorRecord(f"layerchain.json of {folder} is not a list of paths")],
                )
            return chain

        return Call("Get-WccLayerChain", {"Path": self.path(folder)}, parse)

    @probe
    def mount_path(self, folder: str) -> Call[str]:
        """GetLayerMountPath; a read-only layer answers "" and then its folder is the path (as windowsfilter does)."""
        path = self.path(folder)
        return Call("Get-WccLayerMountPath", {"Path": path}, lambda v: str(first(v, "")) or path)

    @probe
    def name_to_guid(self, name: str) -> Call[str]:
        return Call("Get-WccNameToGuid", {"Name": name}, lambda v: str(first(v, "")))
