"""WinNAT under HNS: a NAT per nat network, a static mapping per NAT policy, a taken port refused
in each build's way (HNS's envelope before 1809, HNSCall's HRESULT from then on)."""

from __future__ import annotations

import json

import pytest

from tests.winsim_model.conftest import MakeModel
from winsim.model.errors import E_SHARING_VIOLATION, HnsError
from winsim.model.hns import EndpointSettings, NetworkSettings
from winsim.native.hnscall import hns_call

POLICY = {"Type": "NAT", "Protocol": "tcp", "InternalPort": 80, "ExternalPort": 8080}


def _post_endpoint(model, nat_id: str) -> str:
    return hns_call(
        model.hns, "POST", "/endpoints/", json.dumps({"VirtualNetwork": nat_id, "Policies": [POLICY]})
    )


def test_nat_network_brings_its_nat_and_an_endpoint_its_mapping(make_model: MakeModel) -> None:
    model = make_model()
    nat = model.hns.network_by_name("nat")
    assert nat is not None
    assert [(n.name, n.internal_prefix) for n in model.hns.winnat.nats()] == [(nat.nat_name, str(nat.subnet))]
    ep = model.hns.create_endpoint(EndpointSettings(virtual_network=nat.id, policies=(POLICY,)))
    assert [
        (m.protocol, m.external_port, m.internal_ip, m.internal_port) for m in model.hns.winnat.mappings()
    ] == [("TCP", 8080, ep.ip, 80)]
    model.hns.delete_endpoint(ep.id)
    assert model.hns.winnat.mappings() == []


@pytest.mark.parametrize(("profile", "fails_call"), [("ws2016", False), ("ws2022", True)])
def test_taken_port_is_refused_and_nothing_is_kept(
    make_model: MakeModel, profile: str, fails_call: bool
) -> None:
    model = make_model(profile=profile)
    nat = model.hns.network_by_name("nat")
    assert nat is not None
    assert json.loads(_post_endpoint(model, nat.id))["Success"] is True
    count = len(model.hns.endpoints())
    if fails_call:
        with pytest.raises(HnsError) as refused:
            _post_endpoint(model, nat.id)
        assert refused.value.hresult == E_SHARING_VIOLATION and refused.value.call_fails
    else:
        assert json.loads(_post_endpoint(model, nat.id)) == {
            "Success": False,
            "Error": "The process cannot access the file because it is being used by another process.",
        }
    assert len(model.hns.endpoints()) == count
    assert len(model.hns.winnat.mappings()) == 1


@pytest.mark.parametrize(("profile", "refused"), [("ws2016", True), ("ws2022", False)])
def test_second_nat_network(make_model: MakeModel, profile: str, refused: bool) -> None:
    model = make_model(profile=profile)
    settings = NetworkSettings(name="second", type="nat")
    if refused:
        with pytest.raises(HnsError, match="^Unspecified error$"):
            model.hns.create_network(settings)
    else:
        model.hns.create_network(settings)
        assert len(model.hns.winnat.nats()) == 2
