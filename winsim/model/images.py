r"""Windows base images: a built-in catalogue (no registry) and dockerd's local image store.

Each catalogue entry has fixed layer digests per OS build; pulling lays the layers down as
windowsfilter folders with random 64-hex cache ids (base layer first), each with ``Files`` and a
``layerchain.json``, and records the layer db under ``C:\ProgramData\docker\image\windowsfilter``.

>>> normalize("microsoft/windowsservercore")
('microsoft/windowsservercore', 'latest')
>>> normalize("mcr.microsoft.com/windows/servercore:ltsc2022")
('mcr.microsoft.com/windows/servercore', 'ltsc2022')
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from winsim.model.errors import DockerError, ErrorKind
from winsim.model.paths import HostFiles, win_join
from winsim.model.windowsfilter import LayerStore

LAYERDB = r"C:\ProgramData\docker\image\windowsfilter\layerdb\sha256"


def _sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Variant:
    """One platform of a catalogue image: the layers (base first) for one OS build."""

    build: int
    ubr: int
    layers: tuple[str, ...]  # diff ids, base first
    layer_sizes: tuple[int, ...]
    created: str

    @property
    def size(self) -> int:
        return sum(self.layer_sizes)


def _variant(
    family: str, build: int, ubr: int, extra: str | None, sizes: tuple[int, ...], created: str
) -> Variant:
    base = _sha(f"{family}-base-{build}")
    layers = (base, _sha(f"{family}-update-{build}.{ubr}")) if len(sizes) > 1 else (base,)
    if extra:
        layers = (base, _sha(f"{extra}-{build}.{ubr}"))
    return Variant(build, ubr, layers, sizes, created)


_SC19 = _variant(
    "servercore", 17763, 6414, None, (3_738_458_112, 1_521_532_928), "2024-10-03T22:11:42.4526341Z"
)
_SC22 = _variant(
    "servercore", 20348, 2849, None, (2_355_210_240, 1_803_497_472), "2024-10-04T01:52:27.6811342Z"
)
_NS19 = _variant("nanoserver", 17763, 6414, None, (258_316_288,), "2024-10-03T21:58:13.2236612Z")
_NS22 = _variant("nanoserver", 20348, 2849, None, (296_435_712,), "2024-10-04T01:39:36.9015877Z")
_SC16 = _variant(
    "servercore", 14393, 447, None, (4_069_985_280, 1_386_131_456), "2016-11-08T18:28:59.5391104Z"
)
_SC25 = _variant(
    "servercore", 26100, 2314, None, (2_913_304_576, 1_961_893_888), "2024-11-12T20:34:02.1830217Z"
)
_NS25 = _variant("nanoserver", 26100, 2314, None, (322_961_408,), "2024-11-12T20:21:40.6718341Z")
# The seed's images: Docker Hub's microsoft/windowsservercore and microsoft/nanoserver were built on
# Windows Server 2016 (14393) only, so on any other build they run only with Hyper-V isolation.
_LEGACY_SC16 = _variant(
    "servercore",
    14393,
    447,
    "legacy-servercore",
    (4_069_985_280, 1_112_211_456),
    "2016-11-08T18:28:59.5391104Z",
)
_LEGACY_NS16 = _variant(
    "nanoserver", 14393, 447, "legacy-nanoserver", (252_067_840, 11_534_336), "2016-11-08T18:20:13.4062017Z"
)


def _derived(base: Variant, name: str, sizes: tuple[int, ...], created: str) -> Variant:
    """An image built FROM ``base``: its layers, then one per filesystem-changing Dockerfile step."""
    extra = tuple(_sha(f"{name}-{base.build}.{base.ubr}-step{i}") for i in range(len(sizes)))
    return Variant(base.build, base.ubr, base.layers + extra, base.layer_sizes + sizes, created)


# .NET Framework runtime on Server Core: the two Server Core layers plus the Dockerfile's RUN steps
# (install .NET 4.8.1, ngen).  INFERRED: the count and sizes of the RUN layers; the image is
# modelled for its depth, so that a layerchain of four folders shows its order.
_FW19 = _derived(
    _SC19, "dotnet-framework-runtime-4.8.1", (432_013_312, 95_420_416), "2024-10-08T19:02:11.2057314Z"
)
_FW22 = _derived(
    _SC22, "dotnet-framework-runtime-4.8.1", (418_381_824, 91_226_112), "2024-10-08T19:11:47.6613020Z"
)

# (repository, tag) -> variants by OS build.  Pulling picks the host's build, else the only one there is.
CATALOGUE: dict[tuple[str, str], tuple[Variant, ...]] = {
    ("mcr.microsoft.com/windows/servercore", "ltsc2016"): (_SC16,),
    ("mcr.microsoft.com/windows/servercore", "ltsc2019"): (_SC19,),
    ("mcr.microsoft.com/windows/servercore", "1809"): (_SC19,),
    ("mcr.microsoft.com/windows/servercore", "ltsc2022"): (_SC22,),
    ("mcr.microsoft.com/windows/servercore", "ltsc2025"): (_SC25,),
    ("mcr.microsoft.com/windows/nanoserver", "ltsc2019"): (_NS19,),
    ("mcr.microsoft.com/windows/nanoserver", "1809"): (_NS19,),
    ("mcr.microsoft.com/windows/nanoserver", "ltsc2022"): (_NS22,),
    ("mcr.microsoft.com/windows/nanoserver", "ltsc2025"): (_NS25,),
    ("microsoft/windowsservercore", "latest"): (_LEGACY_SC16,),
    ("microsoft/windowsservercore", "ltsc2016"): (_LEGACY_SC16,),
    ("microsoft/nanoserver", "latest"): (_LEGACY_NS16,),
    ("mcr.microsoft.com/dotnet/framework/runtime", "4.8.1-windowsservercore-ltsc2019"): (_FW19,),
    ("mcr.microsoft.com/dotnet/framework/runtime", "4.8.1-windowsservercore-ltsc2022"): (_FW22,),
}
DEFAULT_CMD = {
    "servercore": ["c:\\windows\\system32\\cmd.exe"],
    "nanoserver": ["c:\\windows\\system32\\cmd.exe"],
}


def normalize(ref: str) -> tuple[str, str]:
    """``name[:tag]`` -> (repository as docker shows it, tag).  Raises DockerError on a bad reference."""
    text = ref.strip()
    if not text or text != text.lower() and "/" not in text.split(":")[0]:
        raise DockerError(
            ErrorKind.INVALID_PARAMETER,
            f"invalid reference format: repository name ({ref}) must be lowercase",
        )
    if "@" in text:
        text = text.split("@", 1)[0]
    name, tag = text, "latest"
    if ":" in text.rsplit("/", 1)[-1]:
        name, tag = text.rsplit(":", 1)
    for prefix in ("docker.io/", "index.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name.startswith("library/"):
        name = name[len("library/") :]
    if name != name.lower():
        raise DockerError(
            ErrorKind.INVALID_PARAMETER,
            f"invalid reference format: repository name ({name}) must be lowercase",
        )
    return name, tag


@dataclass
class LocalImage:
    id: str
    repo_tags: list[str]
    repo_digests: list[str]
    variant: Variant
    layer_paths: list[str]  # windowsfilter folders, base first
    family: str
    pulled: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def top_layer(self) -> str:
        return self.layer_paths[-1]

    @property
    def os_version(self) -> str:
        return f"10.0.{self.variant.build}.{self.variant.ubr}"

    def default_cmd(self) -> list[str]:
        return list(DEFAULT_CMD.get(self.family, ["cmd"]))


class ImageStore:
    """dockerd's images and the layer db that maps layer chains to windowsfilter folders."""

    def __init__(self, lock: threading.RLock, files: HostFiles, layers: LayerStore, build: int) -> None:
        self._lock = lock
        self._files = files
        self._layers = layers
        self._build = build
        self._images: dict[str, LocalImage] = {}
        self._chains: dict[str, str] = {}  # chain id -> layer folder path

    def images(self) -> list[LocalImage]:
        with self._lock:
            return list(self._images.values())

    def resolve(self, ref: str) -> LocalImage | None:
        """By ``repo:tag``, full or short image id (``sha256:`` optional)."""
        with self._lock:
            bare = ref.removeprefix("sha256:")
            if len(bare) >= 4 and all(c in "0123456789abcdef" for c in bare):
                hits = [i for i in self._images.values() if i.id.removeprefix("sha256:").startswith(bare)]
                if len(hits) == 1:
                    return hits[0]
            try:
                repo, tag = normalize(ref)
            except DockerError:
                return None
            key = f"{repo}:{tag}"
            return next((i for i in self._images.values() if key in i.repo_tags), None)

    def pull(self, ref: str) -> tuple[LocalImage, list[dict[str, Any]]]:
        """Pull from the catalogue; returns the image and the progress messages a registry pull streams."""
        repo, tag = normalize(ref)
        variants = CATALOGUE.get((repo, tag))
        if variants is None:
            if any(r == repo for r, _ in CATALOGUE):
                raise DockerError(
                    ErrorKind.NOT_FOUND,
                    f"manifest for {repo}:{tag} not found: manifest unknown: manifest unknown",
                )
            raise DockerError(
                ErrorKind.NOT_FOUND,
                f"pull access denied for {repo}, repository does not exist or may require 'docker login': "
                "denied: requested access to the resource is denied",
            )
        variant = next((v for v in variants if v.build == self._build), variants[0])
        family = "nanoserver" if "nanoserver" in repo else "servercore"
        digest = _sha(f"manifest {repo}:{tag} {variant.build}.{variant.ubr}")
        image_id = _sha(f"config {repo}:{tag} {variant.layers}")
        name = f"{repo}:{tag}"
        progress: list[dict[str, Any]] = [{"status": f"Pulling from {repo}", "id": tag}]
        with self._lock:
            parents: list[str] = []  # nearest first
            chain = ""
            paths: list[str] = []
            fresh = False
            for diff, size in zip(variant.layers, variant.layer_sizes, strict=True):
                chain = diff if not chain else _sha(f"{chain} {diff}")
                short = diff.removeprefix("sha256:")[:12]
                path = self._chains.get(chain)
                if path is None:
                    fresh = True
                    path = self._layers.import_layer(
                        secrets.token_hex(32), list(parents), None if parents else variant.build
                    )
                    self._layers.write_layer_chain(path, list(parents))
                    self._chains[chain] = path
                    db = win_join(LAYERDB, chain.removeprefix("sha256:"))
                    self._files.write_text(win_join(db, "cache-id"), path.rsplit("\\", 1)[-1])
                    self._files.write_text(win_join(db, "diff"), diff)
                    self._files.write_text(win_join(db, "size"), str(size))
                    progress += _layer_progress(short, size)
                else:
                    progress.append({"status": "Already exists", "progressDetail": {}, "id": short})
                paths.append(path)
                parents.insert(0, path)
            image = self._images.get(image_id)
            if image is None:
                image = LocalImage(image_id, [], [], variant, paths, family)
                self._images[image_id] = image
            if name not in image.repo_tags:
                image.repo_tags.append(name)
                fresh = True
            if f"{repo}@{digest}" not in image.repo_digests:
                image.repo_digests.append(f"{repo}@{digest}")
        progress.append({"status": f"Digest: {digest}"})
        verb = "Downloaded newer image for" if fresh else "Image is up to date for"
        progress.append({"status": f"Status: {verb} {name}"})
        return image, progress

    def untag(self, ref: str) -> list[dict[str, str]]:
        """``docker rmi``: drop a tag; the image (not its shared layers) goes with its last tag."""
        with self._lock:
            image = self.resolve(ref)
            if image is None:
                raise DockerError(ErrorKind.NOT_FOUND, f"No such image: {ref}")
            out: list[dict[str, str]] = []
            try:
                repo, tag = normalize(ref)
                name = f"{repo}:{tag}"
            except DockerError:
                name = ""
            if name in image.repo_tags:
                image.repo_tags.remove(name)
                out.append({"Untagged": name})
            else:
                out += [{"Untagged": t} for t in image.repo_tags]
                image.repo_tags.clear()
            if not image.repo_tags:
                del self._images[image.id]
                out.append({"Deleted": image.id})
            return out


def _layer_progress(short: str, size: int) -> list[dict[str, Any]]:
    half = size // 2

    def bar(current: int) -> str:
        filled = current * 50 // size
        return "[" + "=" * max(filled - 1, 0) + ">" + " " * (50 - filled) + f"]  {_mb(current)}/{_mb(size)}"

    return [
        {"status": "Pulling fs layer", "progressDetail": {}, "id": short},
        {
            "status": "Downloading",
            "progressDetail": {"current": half, "total": size},
            "progress": bar(half),
            "id": short,
        },
        {"status": "Verifying Checksum", "progressDetail": {}, "id": short},
        {"status": "Download complete", "progressDetail": {}, "id": short},
        {
            "status": "Extracting",
            "progressDetail": {"current": size, "total": size},
            "progress": bar(size),
            "id": short,
        },
        {"status": "Pull complete", "progressDetail": {}, "id": short},
    ]


def _mb(n: int) -> str:
    return f"{n / 1e9:.3g}GB" if n >= 1e9 else f"{n / 1e6:.3g}MB"
