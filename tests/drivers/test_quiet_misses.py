"""No quiet misses: only a documented "not found" reads as an empty answer; the compartment types
are the ones MSFT_NetCompartment documents."""

from __future__ import annotations

import pytest

from drivers.errors import ProbeError
from drivers.host import Host

# MSFT_NetCompartment.CompartmentType (learn.microsoft.com, .../nettcpipprov/msft-netcompartment)
DOCUMENTED_TYPES = {0: "Unspecified", 1: "Native", 2: "RoutingDomain"}


@pytest.mark.parametrize("number", sorted(DOCUMENTED_TYPES))
def test_each_documented_compartment_type_has_its_name(shared_host: Host, number: int) -> None:
    assert shared_host.session.call("ConvertTo-WccCompartmentType", Value=number) == [
        DOCUMENTED_TYPES[number]
    ]


def test_an_undocumented_compartment_type_keeps_its_number(shared_host: Host) -> None:
    assert shared_host.session.call("ConvertTo-WccCompartmentType", Value=7) == ["7"]


def test_a_compartment_without_routes_has_none(shared_host: Host) -> None:
    missing = max(c.id for c in shared_host.net.compartments()) + 100
    assert shared_host.net.routes(missing) == []


def test_a_failing_cmdlet_reaches_the_suite_as_an_error(shared_host: Host) -> None:
    """Get-NetIPInterface's "not found" is not one the module documents as empty: it is passed on."""
    missing = max(c.id for c in shared_host.net.compartments()) + 100
    with pytest.raises(ProbeError, match="CmdletizationQuery_NotFound_CompartmentId|MSFT_NetIPInterface"):
        shared_host.net.interfaces(compartment_id=missing)


def test_the_daemon_process_id_is_read_and_none_once_it_stopped(fresh_host: Host) -> None:
    assert isinstance(fresh_host.daemon.state().process_id, int)
    fresh_host.daemon.kill()
    assert fresh_host.daemon.state().process_id is None
