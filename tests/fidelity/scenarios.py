"""What winsim answers for each kind of sample: the same command, on the sample's build and engine.

Each function takes the sample and a fresh simulated host (profile and engine as the sample's) and
returns the list of differences (``compare``).  Hosts are driven through their own surfaces: the
model's dockerd (the Docker API's backend), HNSCall, and PowerShell/native programs.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.fidelity import compare
from tests.fidelity.corpus import Sample
from winsim.docker_api import render
from winsim.host import SimHost
from winsim.model import HostModel
from winsim.model.docker_objects import Container
from winsim.model.errors import DockerError
from winsim.model.hns import EndpointSettings
from winsim.native.hns_v1 import network_document
from winsim.powershell.format import render as ps_render
from winsim.powershell.interpreter import Interpreter
from winsim.profiles import PROFILES, HostProfile

Scenario = Callable[[Sample, SimHost], list[str]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(*kinds: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        for kind in kinds:
            SCENARIOS[kind] = fn
        return fn

    return register


def engine_of(sample: Sample) -> str | None:
    """The engine version to compare with: the sample's, when it names one."""
    for key in ("compare_engine", "engine"):
        m = re.match(r"\s*(\d+\.\d+\.\d+(?:-[a-z0-9.-]+)?)", sample.meta.get(key, ""))
        if m:
            return m.group(1)
    return None


def profile_for(sample: Sample) -> HostProfile:
    base = PROFILES[sample.profile]
    engine = engine_of(sample)
    return replace(base, docker_version=engine) if engine else base


# samples of a Hyper-V isolated container running (the host has the Hyper-V role); any other is a
# stock host (Containers only), as are the hosts of the refusals without it
NEEDS_HYPERV_ROLE = frozenset({"hcsdiag-list-vm-text"})


def host_for(sample: Sample, state: Path) -> SimHost:
    from winsim.programs import install_programs

    hyperv = sample.kind in NEEDS_HYPERV_ROLE
    host = SimHost(f"{sample.profile}-fidelity", profile_for(sample), state, hyperv=hyperv)
    install_programs(host)
    return host


def base_image(model: HostModel) -> str:
    return f"mcr.microsoft.com/windows/servercore:{model.profile.ltsc_tag}"


def run_container(model: HostModel, name: str, **body: Any) -> Container:
    hc = body.pop("HostConfig", {})
    c = model.dockerd.create_container(
        {
            "Image": body.pop("Image", base_image(model)),
            "Cmd": ["powershell"],
            "OpenStdin": True,
            "HostConfig": hc,
            **body,
        },
        name=name,
    )
    model.dockerd.start_container(c.id)
    return c


def powershell(host: SimHost, script: str) -> str:
    out: list[Any] = []
    Interpreter(host, on_output=out.extend, on_error=lambda _e: None, write_stdout=lambda _t: None).run(
        script
    )
    return ps_render(out)


def native(host: SimHost, script: str) -> list[str]:
    out: list[Any] = []
    Interpreter(host, on_output=out.extend, on_error=lambda _e: None, write_stdout=lambda _t: None).run(
        script
    )
    return [str(x) for x in out]


# ---- Docker Engine API JSON -------------------------------------------------------------
@scenario("docker-volume-inspect-json")
def volume_inspect(sample: Sample, host: SimHost) -> list[str]:
    name = json.loads(sample.body)[0]["Name"]
    vol = host.model.dockerd.create_volume(name, labels={}, options={})  # what the CLI sends
    return compare.compare_json(sample.body, json.dumps([render.volume(vol)], indent=4))


@scenario("docker-inspect-mounts-json")
def inspect_mounts(sample: Sample, host: SimHost) -> list[str]:
    model = host.model
    run = sample.meta.get("run", "")
    m = re.match(r"-v (\S+)", run)
    if m:
        c = run_container(model, "mounts", HostConfig={"Binds": [m.group(1)]})
    else:
        dest = re.search(r"VOLUME (\S+)", run)
        assert dest is not None, sample.name
        c = run_container(model, "mounts", Volumes={dest.group(1): {}})
    return compare.compare_json(sample.body, json.dumps({"Mounts": render.mounts(c)}, indent=4))


@scenario("docker-network-inspect-json", "docker-network-inspect-json-fragment")
def network_inspect(sample: Sample, host: SimHost) -> list[str]:
    model = host.model
    driver = re.search(r'"Driver": "(\w+)"', sample.body)
    kind = driver.group(1) if driver else "nat"
    net = model.dockerd.network("nat")
    if kind != "nat":
        options = {}
        for key in ("networkname", "interface"):
            opt = re.search(rf'"com\.docker\.network\.windowsshim\.{key}": "([^"]+)"', sample.body)
            if opt:
                options[f"com.docker.network.windowsshim.{key}"] = opt.group(1)
        subnet = re.search(r'"Subnet": "([^"]+)",\s*"Gateway": "([^"]+)"', sample.body)
        ipam: dict[str, Any] | None = (
            {"Config": [{"Subnet": subnet.group(1), "Gateway": subnet.group(2)}]} if subnet else None
        )
        if ipam is not None and '"Options": {}' in sample.body.split('"Config"')[0]:
            ipam["Options"] = {}  # the client that made it sent empty IPAM options
        net = model.dockerd.create_network(f"{kind}-fidelity", kind, options=options, ipam=ipam)
    if '"Containers": {}' not in sample.body:
        run_container(model, "attached", HostConfig={"NetworkMode": net.name})
    return compare.compare_json(sample.body, json.dumps([render.network_inspect(model, net)], indent=4))


# ---- HNS --------------------------------------------------------------------------------
@scenario("hns-network-json-fragment")
def hns_network(sample: Sample, host: SimHost) -> list[str]:
    found = host.model.hns.network_by_name("nat")
    assert found is not None
    nat = network_document(found)
    return compare.compare_json(
        sample.body, json.dumps([nat] if sample.body.lstrip().startswith("[") else nat)
    )


@scenario("hns-json-fragment-text")
def hns_endpoint_json(sample: Sample, host: SimHost) -> list[str]:
    run_container(host.model, "hns")
    return compare.compare_json(sample.body, powershell(host, "Get-HnsEndpoint | ConvertTo-Json -Depth 10"))


def _cni_endpoint(host: SimHost) -> str:
    """The endpoint the nat CNI plugin makes for a ctr container: named, DNS set, attached."""
    hns = host.model.hns
    ep = hns.create_endpoint(
        EndpointSettings(
            name="default-test_nat",
            virtual_network_name="nat",
            dns_servers="192.168.1.15",
            dns_suffix="internal.example.com",
        )
    )
    comp = host.model.net.create_container_compartment("0" * 64)
    hns.attach_endpoint(ep.id, "0" * 64, comp.id, namespaced=True)
    return ep.id


@scenario("hns-endpoint-list-view")
def hns_endpoint_list(sample: Sample, host: SimHost) -> list[str]:
    ep = _cni_endpoint(host)
    text = powershell(host, f'Get-HnsEndpoint | ? ID -like "{ep.lower()}"')
    return _list_view(sample.body, text)


@scenario("hns-network-list-view")
def hns_network_list(sample: Sample, host: SimHost) -> list[str]:
    return _list_view(sample.body, powershell(host, "Get-HnsNetwork | ? Name -eq nat"))


def _list_view(real: str, sim: str) -> list[str]:
    want, want_colons = compare.list_view_keys(real)
    have, have_colons = compare.list_view_keys(sim)
    problems = compare.ordered_subset(want, have)
    if want_colons != have_colons:
        problems.append(
            f"the colon column is {sorted(want_colons)} on the host, {sorted(have_colons)} in winsim"
        )
    return problems


@scenario("ps-table-text")
def ps_table(sample: Sample, host: SimHost) -> list[str]:
    _cni_endpoint(host)
    return compare.table_problems(
        sample.body.splitlines(), powershell(host, sample.meta["command"]).splitlines()
    )


# ---- the network stack --------------------------------------------------------------------
@scenario("get-netipinterface-table")
def netipinterface(sample: Sample, host: SimHost) -> list[str]:
    return compare.table_problems(
        sample.body.splitlines(), powershell(host, sample.meta["command"]).splitlines()
    )


@scenario("get-netroute-table")
def netroute(sample: Sample, host: SimHost) -> list[str]:
    return compare.table_problems(sample.body.splitlines(), powershell(host, "Get-NetRoute").splitlines())


@scenario("get-netcompartment-list")
def netcompartment(sample: Sample, host: SimHost) -> list[str]:
    text = powershell(host, "Get-NetCompartment -CompartmentId 1")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    want = [line.rstrip() for line in sample.body.splitlines() if line.strip()]
    return [] if lines == want else [f"{want} on the host, {lines} in winsim"]


@scenario("container-nic-alias")
def container_nic(sample: Sample, host: SimHost) -> list[str]:
    model = host.model
    line = next(x for x in sample.body.splitlines() if x.startswith("Ethernet adapter vEthernet ("))
    m = re.match(r"Ethernet adapter (vEthernet \((.+)\)(?: (\d+))?):", line.strip())
    assert m is not None, line
    real_alias, inner, number = m.group(1), m.group(2), int(m.group(3) or 1)
    name = sample.meta["endpoint_name"]
    if name == "Ethernet" or name.startswith("Container NIC"):  # dockerd's nat endpoints
        containers = [run_container(model, f"c{i}") for i in range(number)]
        att = next(iter(containers[-1].networks.values()))
        comp = model.net.compartment_for_container(containers[-1].id)
    else:  # an endpoint another runtime named
        comp = model.net.create_container_compartment("1" * 64)
        ep = model.hns.create_endpoint(EndpointSettings(name=name, virtual_network_name="nat"))
        model.hns.attach_endpoint(ep.id, "1" * 64, comp.id)
        att = None
    assert comp is not None
    nics = [i for i in model.net.interfaces(comp.id) if i.alias.startswith("vEthernet")]
    alias = nics[0].alias
    problems = []
    if name.startswith("Container NIC"):
        want = re.escape(real_alias).replace(re.escape(inner[-8:]), "[0-9a-f]{8}")
        if not re.fullmatch(want, alias):
            problems.append(f"alias {real_alias!r} on the host, {alias!r} in winsim")
    elif alias != real_alias:
        problems.append(f"alias {real_alias!r} on the host, {alias!r} in winsim")
    mask = re.search(r"Subnet Mask[ .]*: (255\.\d+\.\d+\.\d+)", sample.body)
    if mask:
        bits = sum(bin(int(o)).count("1") for o in mask.group(1).split("."))
        if nics[0].addresses[0][1] != bits:
            problems.append(f"prefix /{bits} on the host, /{nics[0].addresses[0][1]} in winsim")
    del att
    return problems


# ---- programs ------------------------------------------------------------------------------
@scenario("fltmc-filters-text")
def fltmc_filters(sample: Sample, host: SimHost) -> list[str]:
    out = native(host, "fltmc filters")
    problems = compare.table_problems(sample.body.splitlines(), out)
    wcifs = [x for x in out if x.startswith("wcifs ")]
    real = [x for x in sample.body.splitlines() if x.startswith("wcifs ")]
    if [x.split()[2] for x in wcifs] != [x.split()[2] for x in real]:
        problems.append(f"wcifs altitude {real} on the host, {wcifs} in winsim")
    return problems


@scenario("fltmc-instances-text")
def fltmc_instances(sample: Sample, host: SimHost) -> list[str]:
    run_container(host.model, "filtered")
    return compare.table_problems(sample.body.splitlines(), native(host, "fltmc instances"))


def _hcsdiag_tokens(text: str) -> list[str]:
    lines = []
    for line in text.expandtabs(8).splitlines():
        line = re.sub(r"[0-9a-f]{64}|^test$", "<ID>", line.rstrip())
        line = re.sub(r", [^,]+$", ", <OWNER>", line)
        lines.append(line)
    return lines


@scenario("hcsdiag-list-text")
def hcsdiag_list(sample: Sample, host: SimHost) -> list[str]:
    count = len(re.findall(r"^\S+$", sample.body, re.M))
    for i in range(count):
        run_container(host.model, f"h{i}")
    want, have = _hcsdiag_tokens(sample.body), _hcsdiag_tokens("\n".join(native(host, "hcsdiag list")))
    return [] if want == have else [f"{want} on the host, {have} in winsim"]


_HCSDIAG_ROW = re.compile(r"^    (?P<label>[^,]+,\s*)\t(?P<state>\w+), (?P<runtime>[^,]*), (?P<owner>.+)$")
_UPPER_GUID = re.compile(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}")


def _hcsdiag_vm_shape(text: str) -> list[str]:
    """A utility VM's row: the type column's width, the state, and the runtime id's form."""
    rows = [m for line in text.splitlines() if (m := _HCSDIAG_ROW.match(line))]
    return [
        f"type column {len(m['label'])} wide, {m['state']}, "
        f"runtime id {'an upper-case GUID' if _UPPER_GUID.fullmatch(m['runtime']) else repr(m['runtime'])}"
        for m in rows
    ]


@scenario("hcsdiag-list-vm-text")
def hcsdiag_list_vm(sample: Sample, host: SimHost) -> list[str]:
    """A Hyper-V isolated container's utility VM: its runtime id is printed as hcsdiag prints a VM's."""
    run_container(host.model, "hv", HostConfig={"Isolation": "hyperv"})
    want, have = _hcsdiag_vm_shape(sample.body), _hcsdiag_vm_shape("\n".join(native(host, "hcsdiag list")))
    return [] if want == have else [f"{want} on the host, {have} in winsim"]


# ---- the daemon ----------------------------------------------------------------------------
INFO_LABELS: dict[str, Callable[[dict[str, Any]], str]] = {
    "Storage Driver": lambda i: str(i["Driver"]),
    "Logging Driver": lambda i: str(i["LoggingDriver"]),
    "Network": lambda i: " ".join(i["Plugins"]["Network"]),
    "Log": lambda i: " ".join(i["Plugins"]["Log"]),
    "Volume": lambda i: " ".join(i["Plugins"]["Volume"]),
    "Default Isolation": lambda i: str(i["Isolation"]),
    "Kernel Version": lambda i: str(i["KernelVersion"]),
    "Operating System": lambda i: str(i["OperatingSystem"]),
    "OSType": lambda i: str(i["OSType"]),
    "Architecture": lambda i: str(i["Architecture"]),
    "Docker Root Dir": lambda i: str(i["DockerRootDir"]),
    "Live Restore Enabled": lambda i: str(i["LiveRestoreEnabled"]).lower(),
    "Server Version": lambda i: str(i["ServerVersion"]),
}
EXACT_INFO = ("Storage Driver", "Logging Driver", "Network", "Log", "Volume", "Default Isolation", "OSType")


@scenario("docker-info-text")
def docker_info(sample: Sample, host: SimHost) -> list[str]:
    info = render.info(host.model, host.name)
    problems = []
    for line in sample.body.splitlines():
        key, colon, value = line.strip().partition(": ")
        if not colon or key not in INFO_LABELS and key != "ID":
            continue
        if key == "ID":
            real_uuid = bool(re.fullmatch(r"[0-9a-f-]{36}", value))
            if real_uuid != bool(re.fullmatch(r"[0-9a-f-]{36}", info["ID"])):
                problems.append(f"ID {value!r} on the host, {info['ID']!r} in winsim")
            continue
        sim = INFO_LABELS[key](info)
        ok = sim == value if key in EXACT_INFO else re.fullmatch(compare.template(value), sim)
        if not ok:
            problems.append(f"{key}: {value!r} on the host, {sim!r} in winsim")
    return problems


@scenario("docker-version-text")
def docker_version(sample: Sample, host: SimHost) -> list[str]:
    v = render.version(host.model.profile)
    server = {
        "Version": v["Version"],
        "API version": f"{v['ApiVersion']} (minimum version {v['MinAPIVersion']})",
        "OS/Arch": f"{v['Os']}/{v['Arch']}",
    }
    part = sample.body.split("Server:", 1)[1]
    problems = []
    for line in part.splitlines():
        key, colon, value = line.strip().partition(":")
        value = value.strip()
        if key in server and not re.match(compare.template(value), server[key]):
            problems.append(f"{key}: {value!r} on the host, {server[key]!r} in winsim")
    return problems


@scenario("daemon-error-text")
def daemon_error(sample: Sample, host: SimHost) -> list[str]:
    model = host.model
    text = " ".join(sample.body.split())
    real = text.split("daemon: ", 1)[-1]
    if "does not match" in real:  # the seed's 2016 image, or one of another build
        other = next(
            f"mcr.microsoft.com/windows/servercore:{p.ltsc_tag}"
            for p in PROFILES.values()
            if p.build != model.profile.build
        )
        model.dockerd.pull(other)
        c = model.dockerd.create_container({"Image": other, "HostConfig": {"Isolation": "process"}})
    elif "a required feature is not installed" in real:  # Hyper-V isolation on a host without the role
        c = model.dockerd.create_container(
            {"Image": base_image(model), "HostConfig": {"Isolation": "hyperv"}}
        )
    elif "cannot find the file specified" in real:
        c = model.dockerd.create_container({"Image": base_image(model)})
        base = model.dockerd.images.resolve(base_image(model))
        assert base is not None
        model.files.remove(base.layer_paths[0])
    elif "being used by another process" in real:  # a second container on a taken host port
        return _port_conflict(model, real)
    elif "HNS failed with error : Unspecified error" in real and "network create" in sample.meta["command"]:
        return _second_nat_network(model, real)
    else:
        return [f"winsim cannot bring about this failure: {real[:80]}"]
    try:
        model.dockerd.start_container(c.id)
    except DockerError as exc:
        sim = " ".join(exc.message.split())
    else:
        return ["winsim started the container"]
    pattern = compare.template(real.split(" extra info: ")[0].split(" (extra info: ")[0].rstrip("."))
    return [] if re.match(pattern, sim) else [f"{real[:160]!r} on the host, {sim[:160]!r} in winsim"]


def _port_conflict(model: HostModel, real: str) -> list[str]:
    found = re.search(r"failed to create endpoint (\S+) on network (\S+): .*", real)
    assert found, real
    name, network = found.group(1), found.group(2)
    if network != "nat":  # a compose project's own nat network
        model.dockerd.create_network(network, "nat")
    published = {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}, "NetworkMode": network}
    run_container(model, "first", HostConfig=dict(published))
    second = model.dockerd.create_container(
        {"Image": base_image(model), "Cmd": ["powershell"], "HostConfig": dict(published)}, name=name
    )
    try:
        model.dockerd.start_container(second.id)
    except DockerError as exc:
        sim = " ".join(exc.message.split())
    else:
        return ["winsim started the second container on a taken host port"]
    want = found.group(0).rstrip(".")  # the CLI ends a message with "." where it has none
    ok = re.fullmatch(compare.template(want), sim.rstrip("."))
    return [] if ok else [f"{want!r} on the host, {sim!r} in winsim"]


def _second_nat_network(model: HostModel, real: str) -> list[str]:
    try:
        model.dockerd.create_network("mycustomnetwork", "nat")
    except DockerError as exc:
        sim = exc.message
    else:
        return ["winsim created a second nat network"]
    return [] if sim == real else [f"{real!r} on the host, {sim!r} in winsim"]


@scenario("ps-list-text")
def ps_list(sample: Sample, host: SimHost) -> list[str]:
    return _list_view(sample.body, powershell(host, sample.meta["command"]))


@scenario("dockerd-log-text")
def dockerd_log(sample: Sample, host: SimHost) -> list[str]:
    want = re.findall(r'level=info msg="([^"]*)"', sample.body)
    have = [
        json.loads(m)
        for m in re.findall(r"level=info msg=(\".*\")$", "\n".join(host.model.dockerd.debug_log()), re.M)
    ]
    return compare.ordered_subset(want, have)


@scenario("winevent-message")
def winevent(sample: Sample, host: SimHost) -> list[str]:
    log, event_id = sample.meta["log"], int(sample.meta["event_id"])
    if event_id == 11008:  # a Hyper-V isolated container refused on a host without the role
        with contextlib.suppress(DockerError):
            run_container(host.model, "hv", HostConfig={"Isolation": "hyperv"})
    hits = [r for r in host.model.events.records(log) if r.id == event_id]
    if not hits:
        return [f"no event {event_id} in {log}"]
    want, have = sample.body.strip(), hits[0].message
    if event_id == 11008:  # the system's id is the run's own
        want, have = (re.sub(r"'[^']+'", "'<ID>'", t) for t in (want, have))
    return [] if have == want else [f"{want!r} vs {have!r}"]


@scenario("hnsdiag-list-text")
def hnsdiag(sample: Sample, host: SimHost) -> list[str]:
    out = native(host, "hnsdiag list all")
    return (
        compare.table_problems(sample.body.splitlines()[1:3], out[1:3])
        if out
        else ["hnsdiag.exe is not modelled"]
    )
