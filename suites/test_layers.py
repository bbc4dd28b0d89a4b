"""windowsfilter: the graph driver, image layers, the scratch layer, layerchain.json, activation."""

from __future__ import annotations

from fixtures.behaviour import behaviour
from suites import expect, explain, facts
from suites.subjects import DOCKER_COMMAND


def _norm(path: str) -> str:
    return path.replace("/", "\\").rstrip("\\").lower()


def _image_dir(host, containers) -> str:
    image = host.docker.client.images.get(containers.ensure_image())
    graph = image.attrs.get("GraphDriver") or {}
    return expect.present(
        host, f"GraphDriver.Data.dir of image {image.id[:19]}", (graph.get("Data") or {}).get("dir"), graph
    )


def _scratch_dir(container) -> str:
    """Where Docker says the container's scratch layer is (GraphDriver.Data.dir)."""
    container.reload()
    return str(container.attrs["GraphDriver"]["Data"]["dir"])


@behaviour(
    id="layers/graph-driver-windowsfilter",
    must="The daemon's only graph driver MUST be windowsfilter: in `docker info` and in GraphDriver.Name of containers and images.",
    seed="For Windows there is only one graph driver which is called windowsfilter.",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "windowsfilter is the daemon's one graph driver for both isolation modes (moby daemon/graphdriver/windows)",
    },
)
def test_graph_driver_is_windowsfilter(host, via, subject, containers):
    expect.equal(host, "docker info Driver", facts.GRAPH_DRIVER, host.docker.info().get("Driver"))
    subject.handle.reload()
    expect.equal(
        host,
        f"GraphDriver.Name of container {subject.id[:12]}",
        facts.GRAPH_DRIVER,
        subject.handle.attrs["GraphDriver"]["Name"],
    )
    image = host.docker.client.images.get(containers.ensure_image())
    expect.equal(
        host,
        f"GraphDriver.Name of image {image.id[:19]}",
        facts.GRAPH_DRIVER,
        image.attrs["GraphDriver"]["Name"],
    )


@behaviour(
    id="layers/parent-read-only-folder",
    must="The mount path of a parent (image) layer MUST be its own folder: image layers are read-only and never mounted.",
    seed="This is just path to directory as image layers are read-only.",
    via=("docker", "direct"),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "an image layer's mount path is its own folder on the host, never mounted, whatever the container's isolation (hcsshim GetLayerMountPath of an unactivated layer)",
    },
)
def test_parent_mount_path_is_its_folder(host, via, subject):
    if via == "docker":
        parents = host.layers.layerchain(_scratch_dir(subject.handle)) or []
    else:
        parents = list(subject.handle.parent_layers)
    expect.present(host, f"parent layers of {via} container {subject.id[:12]}", parents)
    for parent in parents:
        mount = host.layers.mount_path(parent)
        expect.equal(
            host,
            f"GetLayerMountPath of parent layer {expect.basename(parent)[:12]} ({via} container running)",
            _norm(parent),
            _norm(mount),
        )


@behaviour(
    id="layers/scratch-id-is-container-id",
    must="A container's scratch layer MUST be the folder windowsfilter\\<container id>, present after create and named by "
    "GraphDriver.Data.dir of the container.",
    seed="Note that id of this layer will be an id of a container (hcsshim::CreateScratchLayer).",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the graph driver creates windowsfilter\\<container id> at create under either isolation (moby daemon/graphdriver/windows Create)",
    },
)
def test_scratch_folder_named_after_container(host, via, containers):
    container = containers.create(command=DOCKER_COMMAND)
    folders = {f.lower() for f in host.layers.folders()}
    expect.that(
        container.id.lower() in folders,
        host,
        "windowsfilter folders after create",
        f"a folder {container.id}",
        sorted(folders),
    )
    graph_dir = container.attrs["GraphDriver"]["Data"]["dir"]
    expect.equal(
        host,
        f"GraphDriver.Data.dir of {container.id[:12]}",
        _norm(f"{host.layers.root}\\{container.id}"),
        _norm(graph_dir),
    )


@behaviour(
    id="layers/layerchain-nearest-first",
    must="layerchain.json of a container MUST list every layer folder of its image, each once and existing: the "
    "image's top layer first, then each nearest parent in turn, the base layer last.",
    seed="To see layerchain for container see C:\\ProgramData\\docker\\windowsfilter\\continer_id\\layerchain.json.",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the graph driver writes layerchain.json at create, before isolation matters (moby daemon/graphdriver/windows Create)",
    },
)
def test_layerchain_lists_parents_nearest_first(host, via, subject):
    chain = expect.present(
        host, f"layerchain.json of {subject.id[:12]}", host.layers.layerchain(_scratch_dir(subject.handle))
    )
    for entry in chain:
        expect.that(
            host.layers.exists(entry), host, f"layer folder {entry}", expect.Described("exists"), "missing"
        )
    # Nearest first: a layer's own layerchain.json lists its parents, so the nearest parent's is the
    # longest and the base layer's is empty.
    own = {entry: host.layers.layerchain(entry) or [] for entry in chain}
    nearest_first = sorted(chain, key=lambda entry: len(own[entry]), reverse=True)
    explain.in_order(
        host,
        f"layerchain.json of {subject.id[:12]}",
        nearest_first,
        chain,
        items="the layers",
        order="nearest-first",
        reverse="base-first",
    )
    subject.handle.reload()
    image = host.docker.client.images.get(subject.handle.attrs["Image"])
    top = image.attrs["GraphDriver"]["Data"]["dir"]
    layers = image.attrs["RootFS"]["Layers"]
    shown = [expect.basename(e)[:12] for e in chain]
    expect.equal(
        host,
        f"first entry of {subject.id[:12]}'s layerchain.json vs image {image.id[:19]}'s GraphDriver.Data.dir",
        _norm(top),
        _norm(chain[0]),
    )
    expect.equal(
        host,
        f"entries of {subject.id[:12]}'s layerchain.json vs RootFS.Layers of image {image.id[:19]} ({shown})",
        len(layers),
        len({_norm(e) for e in chain}),
    )
    # Each layer's own chain (written when the image was pulled) is the rest of the list: nearest
    # parent next, base last (its chain is empty).
    for index, entry in enumerate(chain):
        expect.equal(
            host,
            f"layerchain of parent #{index} {expect.basename(entry)[:12]}",
            [_norm(p) for p in chain[index + 1 :]],
            [_norm(p) for p in own[entry]],
        )


@behaviour(
    id="layers/image-layer-folder",
    must="`docker image inspect` MUST give the image's layer folder under GraphDriver, and that folder MUST be in the "
    "windowsfilter folder.",
    seed="To see the id of image layer run docker image inspect imagename and look under GraphDriver key. ... "
    "To see layers just list C:\\ProgramData\\docker\\windowsfilter\\ directory.",
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "an image's layer folder is the graph driver's, whatever the isolation its containers later run under (moby daemon/graphdriver/windows)",
    },
)
def test_image_inspect_names_existing_folder(host, via, containers):
    image_dir = _image_dir(host, containers)
    expect.equal(
        host,
        "parent folder of the image's layer",
        _norm(host.layers.root),
        _norm(image_dir.rsplit("\\", 1)[0]),
    )
    folders = {f.lower() for f in host.layers.folders()}
    name = expect.basename(image_dir)
    expect.that(
        name.lower() in folders,
        host,
        "windowsfilter folders",
        f"the image's layer folder {name}",
        sorted(folders),
    )


@behaviour(
    id="layers/activated-on-start",
    must="On start the scratch layer MUST be activated and mounted as a volume (\\\\?\\Volume{GUID}\\) and the "
    "filesystem filter prepared on that volume: exactly one filter instance is attached to it.",
    seed="hcsshim::ActivateLayer is the call that mounts RW layer (wiil appear as a volume on the host) and "
    "hscshim::PrepareLayer intializes the filesystem filter for that container.",
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_LAYER_IN_VM,
    },
)
def test_start_mounts_scratch_as_volume(host, via, containers):
    # Docker's own: its graph driver's Get() on start is what activates and prepares the layer.
    container = containers.create(command=DOCKER_COMMAND)
    scratch = _scratch_dir(container)
    container.start()
    mount = host.layers.mount_path(scratch)
    expect.that(
        bool(facts.VOLUME_PATH.match(mount)),
        host,
        f"mount path of scratch layer {expect.basename(scratch)[:12]} after start",
        expect.Described(r"a volume path \\?\Volume{GUID}\ "),
        mount,
    )
    # PrepareLayer attaches the filter to this layer's volume, and only this container's start
    # did: other containers on the host have volumes of their own (which filter it is, is
    # daemon/filter-is-wcifs).
    attached = [(i.filter, i.instance) for i in host.filters.instances(mount)]
    expect.equal(
        host,
        f"filter instances (fltmc instances -v) on {mount}, {container.id[:12]}'s scratch volume: {attached}",
        1,
        len(attached),
    )


@behaviour(
    id="layers/volume-path-changes",
    must="The volume path of a mounted scratch layer MUST change over time: each mount's path resolves on the host "
    "while the layer is mounted; after it is unmounted and mounted again the path differs, the new one resolves "
    "and the old one is gone.",
    seed="Volume path for a given mounted layer may change over time on Windows by design.",
    via=("direct",),
    isolation=("process",),
    isolation_evidence={
        "hyperv": facts.HYPERV_LAYER_IN_VM,
    },
)
def test_volume_path_differs_after_remount(host, via, direct):
    # Directly (ActivateLayer/DeactivateLayer), so the check does not hang on Docker's start activating the layer.
    dc = direct()
    scratch = dc.create_scratch()
    first = dc.activate()
    _expect_mounted(host, "after ActivateLayer", first)
    host.session.call("Disable-WccLayer", Path=scratch)  # UnprepareLayer + DeactivateLayer
    second = dc.activate()
    _expect_mounted(host, "after a second ActivateLayer", second)
    expect.that(
        _norm(first) != _norm(second),
        host,
        "volume path after unmount and mount",
        f"different from {first}",
        second,
    )
    expect.that(
        not host.layers.exists(first),
        host,
        f"old volume path {first} while the layer is mounted at {second}",
        expect.Described("gone"),
        "still resolves",
    )


def _expect_mounted(host, when: str, path: str) -> None:
    __tracebackhide__ = True
    expect.that(
        bool(facts.VOLUME_PATH.match(path)),
        host,
        f"mount path {when}",
        expect.Described(r"a volume path \\?\Volume{GUID}\ "),
        path,
    )
    expect.that(
        host.layers.exists(path), host, f"volume path {path} {when}", expect.Described("resolves"), "missing"
    )
