"""What the corpus showed winsim got wrong, through the real docker CLI and SDK: volumes and bind
mounts, docker networks in HNS, the daemon's answers per engine, container NIC names per build."""

from __future__ import annotations

import json
import re

import pytest

from tests.winsim_docker.conftest import MakeSim, Sim

IMAGE = "mcr.microsoft.com/windows/servercore:ltsc2022"


def test_volume_spec_takes_either_separator(sim: Sim) -> None:
    """-v myvol:C:/data (moby's rxDestination takes / or \\) mounts the volume at c:\\data."""
    cid = sim.cli("run", "-id", "-v", "myvol:C:/data", IMAGE, "powershell").stdout.strip()
    try:
        mounts = json.loads(sim.cli("inspect", cid).stdout)[0]["Mounts"]
        assert mounts == [
            {
                "Type": "volume",
                "Name": "myvol",
                "Source": r"C:\ProgramData\docker\volumes\myvol\_data",
                "Destination": r"c:\data",
                "Driver": "local",
                "Mode": "",
                "RW": True,
                "Propagation": "",
            }
        ]
    finally:
        sim.cli("rm", "-f", cid)


def test_bind_mount_and_named_volume_in_inspect(sim: Sim) -> None:
    sim.host.model.files.mkdir(r"C:\host")
    cid = sim.cli(
        "run", "-id", "-v", r"C:\host:C:\dir", "-v", r"demovol:C:\demo:ro", IMAGE, "powershell"
    ).stdout.strip()
    inspect = json.loads(sim.cli("inspect", cid).stdout)[0]
    # the CLI gathers -v options in a Go map, so it sends them in no fixed order; dockerd keeps it
    assert sorted(inspect["HostConfig"]["Binds"]) == [r"C:\host:C:\dir", r"demovol:C:\demo:ro"]
    assert sorted(inspect["Mounts"], key=lambda m: m["Type"]) == [
        {  # moby's Windows parser matches the lower-cased spec (windows_parser.go splitRawSpec)
            "Type": "bind",
            "Source": r"c:\host",
            "Destination": r"c:\dir",
            "Mode": "",
            "RW": True,
            "Propagation": "",
        },
        {
            "Type": "volume",
            "Name": "demovol",
            "Source": r"C:\ProgramData\docker\volumes\demovol\_data",
            "Destination": r"c:\demo",
            "Driver": "local",
            "Mode": "ro",
            "RW": False,
            "Propagation": "",
        },
    ]
    assert sim.host.model.files.is_dir(r"C:\ProgramData\docker\volumes\demovol\_data")
    system = sim.host.model.hcs.get(cid)
    # in the order the CLI sent the -v options, which is no fixed order (a Go map)
    assert system is not None and sorted(d.host_path for d in system.config.mapped_directories) == [
        r"C:\ProgramData\docker\volumes\demovol\_data",
        r"c:\host",
    ]


def test_a_missing_bind_source_is_refused(sim: Sim) -> None:
    out = sim.cli("run", "-id", "-v", r"C:\nope:C:\dir", IMAGE, "powershell", check=False)
    assert out.returncode == 125
    # moby names the spec, then the lower-cased source it matched (windows_parser.go parseMount)
    assert (
        r"invalid volume specification: 'C:\nope:C:\dir': "
        r'invalid mount config for type "bind": bind source path does not exist: c:\nope'
    ) in out.stderr


def test_volume_endpoints(sim: Sim) -> None:
    created = json.loads(
        sim.cli("volume", "create", "demovol").stdout and sim.cli("volume", "inspect", "demovol").stdout
    )
    assert created[0]["Mountpoint"] == r"C:\ProgramData\docker\volumes\demovol\_data"
    assert (created[0]["Driver"], created[0]["Scope"], created[0]["Name"]) == ("local", "local", "demovol")
    assert "demovol" in sim.cli("volume", "ls", "-q").stdout.split()
    cid = sim.cli("create", "-v", r"demovol:C:\demo", IMAGE).stdout.strip()
    busy = sim.cli("volume", "rm", "demovol", check=False)
    assert busy.returncode == 1 and f"remove demovol: volume is in use - [{cid}]" in busy.stderr
    sim.cli("rm", cid)
    sim.cli("volume", "create", "spare")
    anon = sim.cli("create", "-v", r"C:\scratch", IMAGE).stdout.strip()
    sim.cli("rm", anon)
    pruned = sim.cli("volume", "prune", "-f").stdout
    assert "demovol" not in pruned and "spare" not in pruned  # engine 24 prunes anonymous volumes only
    assert sorted(sim.cli("volume", "ls", "-q").stdout.split()) == ["demovol", "spare"]
    sim.cli("volume", "rm", "demovol")
    assert "get demovol: no such volume" in sim.cli("volume", "inspect", "demovol", check=False).stderr


def test_docker_network_is_named_by_id_in_hns(sim: Sim) -> None:
    net_id = sim.cli("network", "create", "-d", "nat", "examplenetwork").stdout.strip()
    inspect = json.loads(sim.cli("network", "inspect", "examplenetwork").stdout)[0]
    hnsid = inspect["Options"]["com.docker.network.windowsshim.hnsid"]
    assert (
        re.fullmatch(r"[0-9a-f-]{36}", hnsid)
        and "com.docker.network.windowsshim.networkname" not in inspect["Options"]
    )
    assert sim.host.model.hns.network(hnsid).name == net_id
    named = sim.cli(
        "network", "create", "-d", "nat", "-o", "com.docker.network.windowsshim.networkname=mynat", "other"
    ).stdout.strip()
    options = json.loads(sim.cli("network", "inspect", named).stdout)[0]["Options"]
    assert sim.host.model.hns.network(options["com.docker.network.windowsshim.hnsid"]).name == "mynat"
    nat = json.loads(sim.cli("network", "inspect", "nat").stdout)[0]["Options"]
    assert nat["com.docker.network.windowsshim.networkname"] == "nat"


def test_nat_endpoint_prefix_and_nic_name(sim: Sim) -> None:
    cid = sim.cli("run", "-id", IMAGE, "powershell").stdout.strip()
    net = json.loads(sim.cli("inspect", cid).stdout)[0]["NetworkSettings"]["Networks"]["nat"]
    assert net["IPPrefixLen"] == 16  # the classful mask moby keeps for 172.x, not HNS's /20
    model = sim.host.model
    comp = model.net.compartment_for_container(cid)
    assert comp is not None
    endpoint = model.hns.endpoint(next(iter(model.dockerd.container(cid).networks.values())).hns_endpoint_id)
    assert endpoint.name == "Ethernet" and endpoint.enable_internal_dns is True
    aliases = [i.alias for i in model.net.interfaces(comp.id) if i.endpoint_id]
    assert aliases == ["vEthernet (Ethernet)"]
    second = sim.cli("run", "-id", IMAGE, "powershell").stdout.strip()
    comp2 = model.net.compartment_for_container(second)
    assert comp2 is not None
    assert [i.alias for i in model.net.interfaces(comp2.id) if i.endpoint_id] == ["vEthernet (Ethernet) 2"]


def test_daemon_answers_per_engine(make_sim: MakeSim) -> None:
    old = make_sim("ws2016").sdk().info()
    assert old["OperatingSystem"] == "Windows Server 2016 Datacenter Version 1607 (OS Build 14393.447)"
    assert re.fullmatch(r"([A-Z2-7]{4}:){11}[A-Z2-7]{4}", old["ID"]) and "OSVersion" not in old
    assert "internal" not in old["Plugins"]["Network"]
    new = make_sim("ws2025").sdk()
    info = new.info()
    assert info["OperatingSystem"] == "Microsoft Windows Server Version 24H2 (OS Build 26100.2314)"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", info["ID"])
    assert info["OSVersion"] == "10.0.26100"  # Major.Minor.Build, as moby formats it
    c = new.containers.run(
        "mcr.microsoft.com/windows/servercore:ltsc2025", "powershell", detach=True, stdin_open=True
    )
    net = new.api.inspect_container(c.id)["NetworkSettings"]["Networks"]["nat"]
    assert net["DNSNames"] == [c.name, c.id[:12]]  # API 1.44 and later
    sim16 = make_sim("ws2016")
    c16 = sim16.sdk().containers.run(
        "microsoft/windowsservercore", "powershell", detach=True, stdin_open=True
    )
    net16 = sim16.sdk().api.inspect_container(c16.id)["NetworkSettings"]["Networks"]["nat"]
    assert "DNSNames" not in net16  # API 1.39: the seed's image runs on its own build
    alias = [i.alias for i in sim16.host.model.net.interfaces() if i.endpoint_id]
    assert len(alias) == 1 and re.fullmatch(r"vEthernet \(Container NIC [0-9a-f]{8}\)", alias[0])


def test_config_volumes_null_unless_asked(sim: Sim) -> None:
    """The CLI sends ``"Volumes": {}``; dockerd's merge takes the image's (none), so inspect says null."""
    plain = sim.cli("create", IMAGE).stdout.strip()
    assert json.loads(sim.cli("inspect", plain).stdout)[0]["Config"]["Volumes"] is None
    anon = sim.cli("create", "-v", r"C:\scratch", IMAGE).stdout.strip()
    assert json.loads(sim.cli("inspect", anon).stdout)[0]["Config"]["Volumes"] == {r"C:\scratch": {}}


@pytest.mark.parametrize(
    ("profile", "status", "message"),
    [
        (
            "ws2016",
            500,
            "json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string",
        ),
        (
            "ws2022",
            400,
            "invalid JSON: json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string",
        ),
        (
            "ws2025",
            400,
            "invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Env of type []string",
        ),
    ],
)
def test_a_wrongly_typed_create_field_is_dockerds_json_error(make_sim, profile, status, message):
    """moby decodes the body with encoding/json: the field and its Go type are named (runconfig/config.go);
    it was a winsim 500 internal error.  18.09 returned the bare error (500), 24 wraps it as invalidJSONError."""
    sim = make_sim(profile)
    api = sim.sdk().api
    body = {"Image": "mcr.microsoft.com/windows/servercore", "Env": "A=1"}
    response = api.post(
        api._url("/containers/create"), data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()) == (status, {"message": message})
    nested = {"Image": body["Image"], "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": 80}]}}}
    response = api.post(
        api._url("/containers/create"), data=json.dumps(nested), headers={"Content-Type": "application/json"}
    )
    assert response.json()["message"].endswith(
        "json: cannot unmarshal number into Go struct field PortBinding."
        + ("HostPort" if profile == "ws2016" else "HostConfig.PortBindings.HostPort")
        + " of type string"
    )
    assert api.containers(all=True) == []  # nothing was created
