"""Find a container's network objects from independent facts (its IPv4 address), not from the
property under test: a test of the compartment's description must not find the compartment by
its description.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from suites import expect
from suites.subjects import Subject

if TYPE_CHECKING:
    from drivers.host import Host
    from drivers.models import Compartment, HnsEndpoint, IpInterface


def interface_of(host: Host, subject: Subject) -> IpInterface:
    """The host interface (any compartment) that carries the container's IPv4 address."""
    __tracebackhide__ = True
    found = [i for i in host.net.interfaces() if subject.ip in i.ipv4_addresses]
    expect.that(
        len(found) == 1,
        host,
        f"interfaces carrying {subject.via} container {subject.id[:12]}'s address {subject.ip}",
        expect.Described("exactly one"),
        [(i.alias, i.compartment_id) for i in found],
    )
    return found[0]


def compartment_of(host: Host, subject: Subject) -> Compartment:
    """The compartment holding the container's interface."""
    __tracebackhide__ = True
    interface = interface_of(host, subject)
    by_id = {c.id: c for c in host.net.compartments()}
    return expect.present(
        host,
        f"compartment {interface.compartment_id} of container {subject.id[:12]}'s interface '{interface.alias}'",
        by_id.get(interface.compartment_id),
        sorted(by_id),
    )


def gateway_of(host: Host, subject: Subject) -> str:
    """The gateway of the HNS subnet that holds the container's address."""
    __tracebackhide__ = True
    network = expect.present(host, f"HNS network '{subject.network}'", host.hns.network(subject.network))
    address = ipaddress.ip_address(subject.ip)
    gateways = [
        s.gateway
        for s in network.subnets
        if s.address_prefix and address in ipaddress.ip_network(s.address_prefix, strict=False)
    ]
    return str(
        expect.present(
            host, f"subnet of '{subject.network}' holding {subject.ip}", gateways, network.subnets
        )[0]
    )


def endpoint_of(host: Host, subject: Subject) -> HnsEndpoint:
    """The container's HNS endpoint: by id when the test made it, else by its IPv4 address."""
    __tracebackhide__ = True
    if subject.endpoint_id:
        return expect.present(
            host, f"HNS endpoint {subject.endpoint_id}", host.hns.endpoint(subject.endpoint_id)
        )
    found = [e for e in host.hns.endpoints() if e.ip_address == subject.ip]
    expect.that(
        len(found) == 1,
        host,
        f"HNS endpoints with container {subject.id[:12]}'s address {subject.ip}",
        expect.Described("exactly one"),
        [e.id for e in found],
    )
    return found[0]
