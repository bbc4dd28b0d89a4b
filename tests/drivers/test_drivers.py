"""Every driver against a simulated host, over WinRM and over SSH (the ``via`` parameter)."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.errors import ProbeError
from drivers.host import Host
from suites import expect
from tests.drivers.lab import ten_probes

HOSTILE = "a'b\"c $(Get-Date) `n; exit 7\r\nnext line ${x} @(1)"


def test_host_reports_what_it_observes(shared_host: Host, lab):
    assert shared_host.os_build == lab.sim.profile.build
    assert shared_host.session.info.product_name == lab.sim.profile.product_name
    assert shared_host.session.info.computer_name == lab.sim.name.upper()


def test_a_later_probe_costs_one_round_trip_and_no_process_start(shared_host: Host):
    shared_host.net.compartments()
    before = shared_host.stats.snapshot()
    shared_host.net.compartments()
    cost = shared_host.stats.since(before)
    assert (cost.round_trips, cost.calls, cost.process_starts, cost.reconnects) == (1, 1, 0, 0)
    assert cost.wire_requests == (2 if shared_host.spec.transport == "winrm" else 1)


def test_compartments_interfaces_routes(shared_host: Host):
    comps = shared_host.net.compartments()
    default = next(c for c in comps if c.id == 1)
    assert (default.type, default.description) == ("Native", "Default Compartment")
    assert default.guid.lower() == "{b1062982-2b18-4b4f-b3d5-a78ddb9cdd49}"
    nics = shared_host.net.interfaces(compartment_id=1)
    assert nics and all(n.compartment_id == 1 and n.address_family == "IPv4" for n in nics)
    vnic = shared_host.net.interfaces(alias_like="vEthernet (*")
    assert [n.alias for n in vnic] and all(n.alias.startswith("vEthernet (") for n in vnic)
    routes = shared_host.net.routes(1)
    assert any(r.destination_prefix == "0.0.0.0/0" and r.next_hop != "0.0.0.0" for r in routes)
    assert shared_host.net.compartment_for_container("0" * 64) is None


def test_compartments_cannot_be_modified(shared_host: Host):
    assert "Set-NetCompartment" not in shared_host.net.compartment_cmdlets()
    result = expect.fails(shared_host, "Set-NetCompartment", shared_host.net.try_modify_compartment(1))
    assert any(e.fully_qualified_error_id == "CommandNotFoundException" for e in result.errors)


def test_hns_networks_endpoints_namespaces(shared_host: Host):
    nat = shared_host.hns.network("nat")
    assert nat is not None and nat.type.lower() == "nat"
    assert nat.subnets and nat.subnets[0].address_prefix.endswith("/20")
    assert shared_host.hns.network(nat.id.lower()) == nat
    assert nat in shared_host.hns.networks()
    assert isinstance(shared_host.hns.endpoints(), list)
    assert shared_host.hns.endpoint("6B0C9B4E-0000-4000-8000-000000000000") is None
    assert any(ns.is_default and ns.compartment_id == 1 for ns in shared_host.hns.namespaces())


def test_layers_of_an_image(shared_host: Host):
    image = shared_host.docker.client.images.list()[0]
    top = image.attrs["GraphDriver"]["Data"]["dir"]
    name = top.rsplit("\\", 1)[-1]
    assert name in shared_host.layers.folders()
    assert shared_host.layers.exists(top)
    chain = shared_host.layers.layerchain(name)
    assert chain is not None and all(p.startswith(shared_host.layers.root + "\\") for p in chain)
    assert shared_host.layers.mount_path(top).lower() == top.lower()  # read-only layers are not mounted
    assert shared_host.layers.layerchain("f" * 64) is None
    assert not shared_host.layers.exists(shared_host.layers.root + "\\" + HOSTILE)


def test_hcs_list_and_missing_system(shared_host: Host):
    assert isinstance(shared_host.hcs.list(), list)
    assert shared_host.hcs.get("0" * 64) is None
    assert shared_host.hcs.processes("0" * 64) == []


def test_events_filters_daemon(shared_host: Host):
    assert isinstance(shared_host.events.hcs_operational(), list)
    assert "wcifs" in [f.name for f in shared_host.filters.list()]
    assert shared_host.daemon.status() == "Running"
    assert isinstance(shared_host.daemon.config(), dict)
    mark = shared_host.daemon.mark()
    shared_host.docker.client.ping()
    shared_host.docker.client.containers.list(all=True)
    assert any("/containers/json" in line for line in shared_host.daemon.debug_log(mark))


def test_docker_sdk_and_host_cli(shared_host: Host):
    assert shared_host.docker.info()["OSType"] == "windows"
    assert shared_host.docker.version()["Os"] == "windows"
    result = expect.ok(
        shared_host, "docker version", shared_host.docker.cli("version", "--format", "{{.Server.Os}}")
    )
    assert result.stdout.strip() == "windows"


def test_hostile_values_pass_through_as_data(shared_host: Host):
    # The script's output objects come back as text (a [Console]::Out write would bypass the runspace).
    echoed = expect.ok(shared_host, "echo", shared_host.session.run("param($Value) $Value", Value=HOSTILE))
    assert echoed.stdout.replace("\r\n", "\n") == HOSTILE.replace("\r\n", "\n") + "\n"
    result = shared_host.docker.cli("inspect", HOSTILE)
    assert result.rc != 0 and HOSTILE.splitlines()[0] in result.stderr  # one argument, unchanged
    assert shared_host.hns.endpoint(HOSTILE) is None


def test_script_longer_than_the_command_line_limit(shared_host: Host):
    body = "x" * 9000
    script = f"$text = '{body}'\n$text.Length\n"
    assert len(script) > 8191
    result = expect.ok(shared_host, "script", shared_host.session.run(script))
    assert result.stdout.strip() == "9000"


def test_script_errors_come_back_as_records(shared_host: Host):
    result = shared_host.session.run("Write-Error 'boom'; 'still here'; Get-NoSuchThing")
    assert result.rc != 0
    assert "still here" in result.stdout
    assert [e.message for e in result.errors][:1] == ["boom"]
    assert any(e.fully_qualified_error_id == "CommandNotFoundException" for e in result.errors)
    assert shared_host.session.run("exit 4").rc == 4


def test_clixml_on_stderr_is_parsed_and_is_not_a_failure(shared_host: Host):
    proc = shared_host.session._proc
    assert proc is not None
    proc.write(b"Get-NotACommand\r\n")  # a stray statement: PowerShell reports it on stderr as CLIXML
    assert shared_host.net.compartments()  # the next call still works
    ids = [e.fully_qualified_error_id for e in shared_host.session.last_stderr.errors]
    assert "CommandNotFoundException" in ids


def test_ten_probes_in_a_batch_cost_one_round_trip(shared_host: Host):
    before = shared_host.stats.snapshot()
    with shared_host.batch() as b:
        results = ten_probes(b)
    cost = shared_host.stats.since(before)
    assert (cost.round_trips, cost.calls) == (1, 10)
    assert results[0].value == shared_host.net.compartments()
    assert results[8].value == "Running"


def test_a_failing_probe_in_a_batch_does_not_hide_the_others(shared_host: Host):
    with shared_host.batch() as b:
        bad = b.call("Get-WccNoSuchProbe")
        good = b.net.compartments()
    with pytest.raises(ProbeError) as info:
        _ = bad.value
    assert info.value.error_ids == ["WccUnknownProbe"] and info.value.host == shared_host.name
    assert good.value


def test_multi_step_methods_refuse_to_batch(shared_host: Host):
    from drivers.errors import DriverError

    with pytest.raises(DriverError, match="cannot run inside host.batch"), shared_host.batch() as b:
        daemon: Any = b.daemon  # as an untyped caller sees it: mypy rejects the call (test_batch_typing)
        daemon.stop()
