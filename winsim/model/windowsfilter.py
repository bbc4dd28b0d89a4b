r"""The windowsfilter layer store and the vmcompute layer calls hcsshim makes.

Layers are real folders under ``C:\ProgramData\docker\windowsfilter`` (see ``HostFiles``).  Calls take
the layer's full Windows path, as modern hcsshim passes it, or a bare folder name under the store:

>>> store.create_sandbox_layer(r"C:\ProgramData\docker\windowsfilter\<id>", [parent, base])   # doctest: +SKIP
>>> store.activate_layer(scratch); store.prepare_layer(scratch, [parent, base])              # doctest: +SKIP
>>> store.get_layer_mount_path(scratch)                                                       # doctest: +SKIP
'\\\\?\\Volume{6a0c...}\\'

``get_layer_mount_path`` returns the folder of a layer that is not activated (image layers are read
only and are used in place) and ``\\?\Volume{GUID}\`` for an activated one, a new GUID on every
activation.  ``layerchain.json`` is written by the graph driver (``write_layer_chain``), not by
vmcompute, exactly as moby's ``setLayerChain`` does.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from winsim.deviations import Deviation
from winsim.model.errors import (
    E_ALREADY_EXISTS,
    E_INVALID_PARAMETER,
    E_PATH_NOT_FOUND,
    LayerError,
)
from winsim.model.guids import name_to_guid, new_guid
from winsim.model.paths import HostFiles, win_basename, win_join, win_key, win_norm

WINDOWSFILTER_ROOT = r"C:\ProgramData\docker\windowsfilter"
LAYERCHAIN = "layerchain.json"
SANDBOX_VHDX = "sandbox.vhdx"
# A layer's chain when it has no parents: the brief asks for an empty chain (Go would write null).
EMPTY_CHAIN: list[str] = []


@dataclass
class Layer:
    path: str  # full Windows path, case as created
    kind: str  # "image" | "scratch"
    parents: list[str] = field(default_factory=list)
    volume_guid: str | None = None
    prepared: bool = False
    os_build: int | None = None  # a base layer's Windows build (HCS reads it from the layer's hives)

    @property
    def name(self) -> str:
        return win_basename(self.path)

    @property
    def volume_path(self) -> str | None:
        return f"\\\\?\\Volume{{{self.volume_guid}}}\\" if self.volume_guid else None


class LayerStore:
    """Layer folders and their activation state.  Thread-safe under the model lock."""

    root = WINDOWSFILTER_ROOT

    def __init__(
        self,
        lock: threading.RLock,
        files: HostFiles,
        deviates: Callable[[Deviation], bool],
        record: Callable[[str, str], object],
    ) -> None:
        self._lock = lock
        self._files = files
        self._deviates = deviates
        self._record = record
        self._layers: dict[str, Layer] = {}
        files.mkdir(self.root)

    # ---- names ------------------------------------------------------------------------
    def path_of(self, layer: str) -> str:
        """Full path for a folder name or a path (a bare name lives under the store root)."""
        return win_norm(layer) if ":" in layer else win_join(self.root, layer)

    def name_to_guid(self, name: str) -> str:
        """vmcompute NameToGuid (deterministic, version 5)."""
        self._record("hcsshim::NameToGuid", name)
        return name_to_guid(name)

    # ---- queries -----------------------------------------------------------------------
    def layer(self, layer: str) -> Layer | None:
        with self._lock:
            return self._layers.get(win_key(self.path_of(layer)))

    def layers(self) -> list[Layer]:
        with self._lock:
            return list(self._layers.values())

    def layer_exists(self, layer: str) -> bool:
        with self._lock:
            return win_key(self.path_of(layer)) in self._layers and self._files.is_dir(self.path_of(layer))

    def is_folder(self, path: str) -> bool:
        """A folder of the host (a layer's subfolder, such as a base layer's UtilityVM)."""
        return self._files.is_dir(path)

    def folders(self) -> list[str]:
        """Folder names in the windowsfilter directory (what ``dir`` shows)."""
        return self._files.list_dir(self.root)

    def layer_chain(self, layer: str) -> list[str] | None:
        """Parsed ``layerchain.json`` of a layer folder; None when the file is missing."""
        path = win_join(self.path_of(layer), LAYERCHAIN)
        if not self._files.exists(path):
            return None
        value = json.loads(self._files.read_text(path))
        return list(value) if value is not None else None

    def prepared_count(self) -> int:
        """Layers with the wcifs filter attached (one filter instance each)."""
        with self._lock:
            return sum(1 for layer in self._layers.values() if layer.prepared)

    # ---- vmcompute layer calls ---------------------------------------------------------
    def import_layer(self, layer: str, parent_layer_paths: list[str], os_build: int | None = None) -> str:
        """ImportLayer: an image layer folder with its ``Files`` (and, for a base layer, its hives and
        the utility VM image Hyper-V isolation boots: moby's windowsfilter driver restores files under
        ``UtilityVM\\Files`` of a base layer it imports, daemon/graphdriver/windows/windows.go)."""
        title = "hcsshim::ImportLayer"
        with self._lock:
            path = self.path_of(layer)
            self._check_new(path, parent_layer_paths, title)
            self._files.mkdir(win_join(path, "Files"))
            if not parent_layer_paths:
                self._files.mkdir(win_join(path, "Hives"))
                self._files.mkdir(win_join(path, "UtilityVM", "Files"))
                self._files.write_bytes(win_join(path, "blank-base.vhdx"), b"")
                self._files.write_bytes(win_join(path, "blank.vhdx"), b"")
            self._layers[win_key(path)] = Layer(path, "image", list(parent_layer_paths), os_build=os_build)
            self._record(title, path)
            return path

    def os_build_of(self, layer_path: str) -> int | None:
        """The Windows build of the base layer under ``layer_path`` (None when unknown)."""
        with self._lock:
            layer = self._layers.get(win_key(layer_path))
            if layer is None:
                return None
            if layer.os_build is not None:
                return layer.os_build
            base = self._layers.get(win_key(layer.parents[-1])) if layer.parents else None
            return base.os_build if base is not None else None

    def create_sandbox_layer(self, layer: str, parent_layer_paths: list[str]) -> str:
        """CreateSandboxLayer (a.k.a. CreateScratchLayer): the read-write layer folder with sandbox.vhdx."""
        title = "hcsshim::CreateSandboxLayer"
        with self._lock:
            path = self.path_of(layer)
            if not parent_layer_paths:
                raise LayerError(E_INVALID_PARAMETER, title)
            self._check_new(path, parent_layer_paths, title)
            self._files.mkdir(path)
            self._files.write_bytes(win_join(path, SANDBOX_VHDX), b"")
            self._layers[win_key(path)] = Layer(path, "scratch", list(parent_layer_paths))
            self._record(title, path)
            return path

    def write_layer_chain(self, layer: str, chain: list[str]) -> None:
        """The graph driver's setLayerChain: compact JSON, nearest parent first, base last."""
        ordered = list(reversed(chain)) if self._deviates(Deviation.LAYERCHAIN_BASE_FIRST) else list(chain)
        lay = self.layer(layer)
        if lay is not None and lay.kind == "scratch" and len(ordered) > 1:
            if self._deviates(Deviation.LAYERCHAIN_BASE_ONLY):
                ordered = ordered[-1:]
            elif self._deviates(Deviation.LAYERCHAIN_SKIPS_PARENT):
                ordered = [ordered[0], ordered[-1]]
        path = win_join(self.path_of(layer), LAYERCHAIN)
        self._files.write_text(path, json.dumps(ordered, separators=(",", ":")))

    def activate_layer(self, layer: str) -> None:
        """ActivateLayer: the layer appears as a volume with a new GUID (each activation)."""
        title = "hcsshim::ActivateLayer"
        with self._lock:
            lay = self._require(layer, title)
            if lay.volume_guid is None:
                stable = self._deviates(Deviation.STABLE_VOLUME_PATH)
                lay.volume_guid = (
                    str(uuid.uuid5(uuid.NAMESPACE_URL, lay.path.casefold())) if stable else new_guid()
                )
                if not self._deviates(Deviation.VOLUME_PATH_UNRESOLVABLE):
                    self._files.mount_volume(lay.volume_guid, lay.path)
            self._record(title, lay.path)

    def prepare_layer(self, layer: str, parent_layer_paths: list[str]) -> None:
        """PrepareLayer: attach the wcifs filter over the parents (the layer must be activated)."""
        title = "hcsshim::PrepareLayer"
        with self._lock:
            lay = self._require(layer, title)
            if lay.volume_guid is None:
                raise LayerError(E_INVALID_PARAMETER, title)
            for parent in parent_layer_paths:
                self.name_to_guid(win_basename(parent))
            lay.prepared = True
            self._record(title, lay.path)

    def get_layer_mount_path(self, layer: str) -> str:
        """The volume path of an activated layer, else the folder itself (read-only image layers)."""
        title = "hcsshim::GetLayerMountPath"
        with self._lock:
            lay = self._require(layer, title)
            self._record(title, lay.path)
            if lay.volume_path:
                return lay.volume_path
            if lay.kind == "image" and self._deviates(Deviation.PARENT_LAYER_MOUNTED):
                return f"\\\\?\\Volume{{{new_guid()}}}\\"
            return lay.path

    def unprepare_layer(self, layer: str) -> None:
        title = "hcsshim::UnprepareLayer"
        with self._lock:
            lay = self._require(layer, title)
            lay.prepared = False
            self._record(title, lay.path)

    def deactivate_layer(self, layer: str) -> None:
        title = "hcsshim::DeactivateLayer"
        with self._lock:
            lay = self._require(layer, title)
            lay.prepared = False
            if lay.volume_guid is not None:
                self._files.unmount_volume(lay.volume_guid)
            lay.volume_guid = None
            self._record(title, lay.path)

    def destroy_layer(self, layer: str) -> None:
        """DestroyLayer: the folder and everything in it goes away."""
        title = "hcsshim::DestroyLayer"
        with self._lock:
            lay = self._require(layer, title)
            if not self._deviates(Deviation.LAYER_FOLDER_LEFT_BEHIND):
                self._files.remove(lay.path)
            del self._layers[win_key(lay.path)]
            self._record(title, lay.path)

    # ---- internals ---------------------------------------------------------------------
    def _require(self, layer: str, title: str) -> Layer:
        lay = self._layers.get(win_key(self.path_of(layer)))
        if lay is None:
            raise LayerError(E_PATH_NOT_FOUND, title)
        return lay

    def _check_new(self, path: str, parents: list[str], title: str) -> None:
        if win_key(path) in self._layers or self._files.exists(path):
            raise LayerError(E_ALREADY_EXISTS, title)
        for parent in parents:
            if win_key(parent) not in self._layers:
                raise LayerError(E_PATH_NOT_FOUND, title)
