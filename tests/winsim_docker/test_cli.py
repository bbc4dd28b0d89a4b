"""The docker CLI of this machine against a simulated host: the seed's flow and what the CLI prints."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.winsim_docker.conftest import MakeSim, Sim
from winsim.deviations import Deviation
from winsim.profiles import PROFILES


def calls(sim: Sim) -> list[str]:
    return [
        m.group(1)
        for line in sim.host.model.dockerd.debug_log()
        if (m := re.search(r'msg="Calling (.*)"$', line))
    ]


def test_seed_command_and_debug_log_order(sim: Sim) -> None:
    sim.cli("network", "create", "-d", "nat", "examplenetwork")
    cid = sim.cli(
        "run",
        "-id",
        "--network",
        "examplenetwork",
        "--name",
        "example",
        "mcr.microsoft.com/windows/servercore:ltsc2022",  # the seed's command with the host's image
        "powershell",
    ).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid)
    seen = calls(sim)
    create = seen.index("POST /v1.43/containers/create?name=example")
    assert seen[create + 1 :][:2] == [
        f"POST /v1.43/containers/{cid}/wait?condition=next-exit",
        f"POST /v1.43/containers/{cid}/start",
    ]
    ps = sim.cli("ps", "-a").stdout.splitlines()
    assert ps[0].split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
    assert cid[:12] in ps[1] and '"powershell"' in ps[1] and " Up " in ps[1] and ps[1].endswith("example")
    inspect = json.loads(sim.cli("inspect", "example").stdout)[0]
    assert inspect["GraphDriver"] == {
        "Data": {"dir": f"C:\\ProgramData\\docker\\windowsfilter\\{cid}"},
        "Name": "windowsfilter",
    }
    assert (inspect["Driver"], inspect["Platform"], inspect["HostConfig"]["Isolation"]) == (
        "windowsfilter",
        "windows",
        "process",
    )
    net = inspect["NetworkSettings"]["Networks"]["examplenetwork"]
    assert (
        net["IPAddress"]
        and net["MacAddress"].count(":") == 5
        and net["MacAddress"] == net["MacAddress"].lower()
    )
    sim.cli("stop", "example")
    assert "Exited (3221225786)" in sim.cli("ps", "-a").stdout
    sim.cli("start", "example")
    assert " Up " in sim.cli("ps", "-a").stdout
    sim.cli("rm", "-f", "example")
    assert sim.cli("ps", "-aq").stdout.strip() == ""
    assert cid not in sim.host.model.windowsfilter.folders()


def test_network_ls_info_and_image_inspect(sim: Sim) -> None:
    rows = [line.split() for line in sim.cli("network", "ls").stdout.splitlines()[1:]]
    assert sorted((r[1], r[2], r[3]) for r in rows) == [("nat", "nat", "local"), ("none", "null", "local")]
    info = sim.cli("info").stdout
    for line in (
        "Storage Driver: windowsfilter",
        " Windows:",
        "OSType: windows",
        "Default Isolation: process",
        "Live Restore Enabled: false",
        "Kernel Version: 10.0 20348 ",
    ):
        assert line in info
    image = json.loads(sim.cli("image", "inspect", "microsoft/windowsservercore").stdout)[0]
    folder = image["GraphDriver"]["Data"]["dir"]
    assert image["GraphDriver"]["Name"] == "windowsfilter" and list(image["GraphDriver"]["Data"]) == ["dir"]
    assert re.fullmatch(r"C:\\ProgramData\\docker\\windowsfilter\\[0-9a-f]{64}", folder)
    assert sim.host.model.files.is_dir(folder + "\\Files")
    assert image["Os"] == "windows" and image["OsVersion"].startswith("10.0.14393.")  # a 2016 image


def _refused_at_create(sim: Sim, refused: subprocess.CompletedProcess[str], call: str, text: str) -> None:
    """docker run failed (125) at CreateComputeSystem with HCS's ``text``, and left no compute system."""
    assert refused.returncode == 125
    pattern = (
        rf"Error response from daemon: {re.escape(call)}CreateComputeSystem [0-9a-f]{{64}}: {re.escape(text)}"
    )
    assert re.search(pattern, refused.stderr), refused.stderr
    assert sim.host.model.hcs.systems() == []


def test_seed_image_is_refused_with_process_isolation_and_runs_with_hyperv(make_sim: MakeSim) -> None:
    """microsoft/windowsservercore is a 14393 image: a 20348 host refuses it at CreateComputeSystem
    with HCS's own words (tests/fidelity/samples/error-os-mismatch-24.0.txt) and runs it in Hyper-V
    when it has the Hyper-V role."""
    sim = make_sim(hyperv=True)
    refused = sim.cli(
        "run", "-id", "--name", "seed", "microsoft/windowsservercore", "powershell", check=False
    )
    _refused_at_create(
        sim, refused, "hcs::", "The container operating system does not match the host operating system."
    )
    ok = sim.cli(
        "run", "-id", "--isolation=hyperv", "--name", "seed-hv", "microsoft/windowsservercore", "powershell"
    )
    inspect = json.loads(sim.cli("inspect", ok.stdout.strip()).stdout)[0]
    assert inspect["State"]["Running"] and inspect["HostConfig"]["Isolation"] == "hyperv"


@pytest.mark.parametrize(("profile", "call"), [("ws2016", "hcsshim::"), ("ws2022", "hcs::")])
def test_hyperv_isolation_without_the_hyperv_role_is_refused(
    make_sim: MakeSim, profile: str, call: str
) -> None:
    """A stock host (Containers, no Hyper-V role) refuses --isolation=hyperv at CreateComputeSystem with
    HCS_E_HYPERV_NOT_INSTALLED's text, worded per engine (tests/fidelity/samples/error-hyperv-not-installed-*)."""
    sim = make_sim(profile)
    image = f"mcr.microsoft.com/windows/servercore:{PROFILES[profile].ltsc_tag}"
    refused = sim.cli("run", "-id", "--isolation=hyperv", image, "powershell", check=False)
    _refused_at_create(
        sim,
        refused,
        call,
        "The virtual machine could not be started because a required feature is not installed.",
    )
    assert "vmms" not in [s.name for s in sim.host.model.services()]
    assert sim.cli("run", "-id", "--isolation=process", image, "powershell").returncode == 0


def test_hyperv_container_is_a_vm_to_hcsdiag_with_its_network_inside(make_sim: MakeSim) -> None:
    """Under Hyper-V isolation hcsdiag lists the container as a Hyper-V Container with its utility
    VM's upper-case runtime id,
    and the host's network stack has no compartment or NIC of it; HNS shows its endpoint attached.
    Its configuration is libcontainerd's: no volume (nothing mounted on the host), the base layer's
    UtilityVM as HvRuntime.ImagePath."""
    from winsim.model.hns import ENDPOINT_STATES
    from winsim.powershell.hostcommands.executables import hcsdiag_list_text

    sim = make_sim(hyperv=True)
    cid = sim.cli(
        "run", "-id", "--isolation=hyperv", "mcr.microsoft.com/windows/servercore:ltsc2022"
    ).stdout.strip()
    model = sim.host.model
    system = model.hcs.get_compute_system_properties(cid)
    base = system.config.layers[-1].path
    assert (system.config.volume_path, system.config.hv_runtime_image_path) == ("", base + "\\UtilityVM")
    assert model.filters()[2].instances == 0  # wcifs: the scratch is not mounted on the host
    assert [s.id for s in model.hcs.systems()] == [cid]  # its utility VM is no compute system of its own
    assert f"{cid}\r\n    Hyper-V Container," in hcsdiag_list_text(model)
    assert f"Running, {system.runtime_id.upper()}, docker" in hcsdiag_list_text(model)
    (endpoint,) = [e for e in model.hns.endpoints() if cid in e.shared_containers]
    assert (endpoint.state, endpoint.compartment_id) == (ENDPOINT_STATES["Attached"], None)  # in the VM
    assert not any(cid in c.description for c in model.net.compartments())
    assert not any(endpoint.ip in [a for a, _ in nic.addresses] for nic in model.net.interfaces())
    sim.cli("rm", "-f", cid)
    assert model.hcs.systems() == [] and model.hns.endpoints() == []


def test_pull_and_exit_codes(sim: Sim) -> None:
    sim.cli("rmi", "mcr.microsoft.com/windows/nanoserver:ltsc2022")
    out = sim.cli(
        "run", "--rm", "mcr.microsoft.com/windows/nanoserver:ltsc2022", "cmd", "/c", "echo", "hello"
    )
    assert "Downloaded newer image" in out.stderr and out.stdout.splitlines() == ["hello"]
    assert (
        sim.cli(
            "run", "mcr.microsoft.com/windows/nanoserver:ltsc2022", "cmd", "/c", "exit", "3", check=False
        ).returncode
        == 3
    )


def test_errors_as_dockerd_words_them(sim: Sim) -> None:
    sim.cli("run", "-id", "--name", "dup", "mcr.microsoft.com/windows/servercore:ltsc2022", "powershell")
    again = sim.cli(
        "run",
        "-id",
        "--name",
        "dup",
        "mcr.microsoft.com/windows/servercore:ltsc2022",
        "powershell",
        check=False,
    )
    assert 'Conflict. The container name "/dup" is already in use' in again.stderr
    rm = sim.cli("rm", "dup", check=False)
    assert rm.returncode == 1 and "You cannot remove a running container" in rm.stderr
    assert "No such container: ghost" in sim.cli("stop", "ghost", check=False).stderr


def test_debug_log_deviation_visible_through_http(make_sim: MakeSim) -> None:
    sim = make_sim(deviations=frozenset({Deviation.DEBUG_LOG_DROPS_QUERY}))
    sim.cli("create", "--name", "example", "mcr.microsoft.com/windows/servercore:ltsc2022")
    assert "POST /v1.43/containers/create" in calls(sim)
    assert not any("?name=example" in c for c in calls(sim))


def test_graph_driver_deviation_visible_in_docker_info(make_sim: MakeSim) -> None:
    assert (
        "Storage Driver: overlay2"
        in make_sim(deviations=frozenset({Deviation.GRAPH_DRIVER_NOT_WINDOWSFILTER})).cli("info").stdout
    )
