"""windowsfilter: the graph driver, image layers, the scratch layer, layerchain.json, activation."""

from __future__ import annotations

import secrets
import time

from drivers.direct import Mount
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


BIND_WAIT = 30.0  # seconds for a direct container's process to finish writing through its mapping


@behaviour(
    id="layers/bind-mount-mapped",
    must="A bind mount MUST map the host folder into the container (HCS MappedDirectories): a file the host "
    "wrote there reads back inside the container with its content, a file the container writes appears in the "
    "host folder with its content, and under a read-only mapping the container's write is refused "
    '(cmd: exit code 1, "Access is denied.") and nothing appears in the host folder.',
    source='moby daemon/oci_windows.go (a container\'s mounts become OCI mounts, "ro" for read-only) and '
    "libcontainerd/local/local_windows.go (each mount becomes an hcsshim MappedDir{HostPath: Source, "
    "ContainerPath: Destination, ReadOnly} in the ContainerConfig's MappedDirectories); hcsshim "
    "internal/schema1 MappedDir; learn.microsoft.com virtualization/windowscontainers/manage-containers/"
    "persistent-storage (bind mounts share a host directory; read-only changes are not persisted to the host). "
    "The refusal's wording and exit code: INFERRED (cmd's ERROR_ACCESS_DENIED message; no captured sample)",
    via=("docker", "direct"),
    isolation=("process", "hyperv"),
    isolation_evidence={
        "hyperv": "the same MappedDirectories reach a Hyper-V container: hcsshim's schema1 MappedDir carries "
        "CreateInUtilityVM for the share into the utility VM, and moby's libcontainerd builds the list alike "
        "under either isolation; that the container sees it at the same path with the same read-only refusal "
        "is INFERRED (no captured sample)",
    },
)
def test_bind_mount_maps_the_host_folder(host, via, containers, direct, host_folders, run_id):
    token = secrets.token_hex(6)
    written = f"host {token} wrote"
    rw = host_folders.create(f"in-{token}.txt", written)
    ro = host_folders.create(f"in-{token}.txt", written)
    out_name = f"out-{token}.txt"
    if via == "docker":
        container = containers.run(command=DOCKER_COMMAND, volumes=[f"{rw}:C:\\data", f"{ro}:C:\\ro:ro"])
        code, stdout, _ = _exec(host, container.id, f"type C:\\data\\in-{token}.txt")
        expect.equal(
            host,
            f"type C:\\data\\in-{token}.txt in {container.id[:12]}: exit code, output",
            (0, written),
            (code, stdout),
        )
        code, _, _ = _exec(host, container.id, f"echo container {token} wrote> C:\\data\\{out_name}")
        expect.equal(host, f"exit code of the container's write to C:\\data\\{out_name}", 0, code)
        code, _, stderr = _exec(host, container.id, f"echo container {token} wrote> C:\\ro\\{out_name}")
        expect.equal(
            host,
            f"the container's write to read-only C:\\ro\\{out_name}: exit code, stderr",
            (1, "Access is denied.\r\n"),
            (code, stderr),
        )
        seen = _files(host, rw)
    else:
        dc = direct()
        dc.create_scratch()
        dc.activate()
        dc.create_compute_system([Mount(rw, "C:\\data"), Mount(ro, "C:\\ro", read_only=True)])
        dc.start()
        # the HCS process reads the host's file through one mapping and writes it through both; done.txt last
        dc.create_process(
            f"cmd /c copy C:\\data\\in-{token}.txt C:\\data\\{out_name} & copy C:\\ro\\in-{token}.txt "
            f"C:\\ro\\{out_name} & echo done> C:\\data\\done-{token}.txt"
        )
        # until done.txt holds its text: cmd creates the file before it writes, so a read in between sees it empty
        deadline = time.monotonic() + BIND_WAIT
        seen = _files(host, rw)
        while seen.get(f"done-{token}.txt") != "done\r\n" and time.monotonic() < deadline:
            time.sleep(0.5)
            seen = _files(host, rw)
        expect.equal(
            host,
            f"done-{token}.txt in {rw} within {BIND_WAIT:.0f} s",
            "done\r\n",
            seen.get(f"done-{token}.txt"),
        )
        written = f"host {token} wrote"  # the copy carries the host's own text
    expected = written if via == "direct" else f"container {token} wrote\r\n"
    expect.equal(host, f"{out_name} in host folder {rw} (mapped at C:\\data)", expected, seen.get(out_name))
    expect.equal(
        host,
        f"files in host folder {ro} (mapped read-only at C:\\ro)",
        [f"in-{token}.txt"],
        sorted(_files(host, ro)),
    )


def _exec(host, container_id: str, command: str) -> tuple[int, str, str]:
    """``docker exec <c> cmd /c <command>``: exit code, stdout, stderr."""
    api = host.docker.client.api
    exec_id = api.exec_create(container_id, ["cmd", "/c", command])["Id"]
    out, err = api.exec_start(exec_id, demux=True)
    code = api.exec_inspect(exec_id)["ExitCode"]
    return int(code), (out or b"").decode("utf-8", "replace"), (err or b"").decode("utf-8", "replace")


def _files(host, folder: str) -> dict[str, str | None]:
    return {e.name: e.content for e in host.folders.entries(folder) if not e.directory}
