"""vmcompute's ``HNSCall(method, path, request)``: HNS's v1 REST-like interface over JSON strings.

The request body is parsed into the model's settings, the call routed to ``Hns``'s typed methods,
and the answer rendered as HNS's envelope: ``{"Success": true, "Output": ...}`` or
``{"Success": false, "Error": "..."}``; a refused port mapping fails the call itself from 1809 on.

>>> out = json.loads(hns_call(model.hns, "POST", "/endpoints/", json.dumps({"VirtualNetwork": nid})))  # doctest: +SKIP
>>> out["Output"]["State"]       # 1 = Created: a virtual resource only, no compartment yet  # doctest: +SKIP
1
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from winsim.model.errors import E_INVALID_PARAMETER, HnsError
from winsim.model.hns import NOT_FOUND, EndpointSettings, Hns, NetworkSettings, SubnetSettings
from winsim.native.hns_v1 import (
    endpoint_document,
    endpoint_stats_document,
    namespace_document,
    network_document,
)


def hns_call(hns: Hns, method: str, path: str, request: str = "") -> str:
    """Route one v1 request and answer with the JSON envelope; raises only an ``HnsError`` that
    fails the call itself (``call_fails``), whose HRESULT the export returns."""
    try:
        output = _route(hns, method.upper(), path, request)
    except HnsError as exc:
        if exc.call_fails:
            raise
        return json.dumps({"Success": False, "Error": exc.message})
    return json.dumps({"Success": True, "Output": output})


def _route(hns: Hns, method: str, path: str, request: str) -> Any:
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if not parts:
        raise HnsError(NOT_FOUND)
    body = _parse(request) if method == "POST" else {}
    kind, rest = parts[0].lower(), parts[1:]
    if kind == "networks":
        if method == "GET":
            return (
                network_document(hns.network(rest[0]))
                if rest
                else [network_document(n) for n in hns.networks()]
            )
        if method == "POST" and not rest:
            return network_document(hns.create_network(network_settings(body)))
        if method == "DELETE" and rest:
            hns.delete_network(rest[0])
            return None
    elif kind == "endpoints":
        if method == "GET":
            return (
                endpoint_document(hns.endpoint(rest[0]))
                if rest
                else [endpoint_document(e) for e in hns.endpoints()]
            )
        if method == "POST" and not rest:
            return endpoint_document(hns.create_endpoint(endpoint_settings(body)))
        if method == "POST" and len(rest) == 2 and rest[1].lower() in ("attach", "detach"):
            if rest[1].lower() == "attach":
                return endpoint_document(
                    hns.attach_endpoint(
                        rest[0], str(body.get("ContainerId", "")), int(body.get("CompartmentId", 0))
                    )
                )
            return endpoint_document(hns.detach_endpoint(rest[0], str(body.get("ContainerId", ""))))
        if method == "POST" and len(rest) == 1:
            return endpoint_document(hns.endpoint(rest[0]))
        if method == "DELETE" and rest:
            return endpoint_document(hns.delete_endpoint(rest[0]))
    elif kind == "endpointstats" and method == "GET" and rest:
        return endpoint_stats_document(hns.endpoint(rest[0]))
    elif kind == "globals" and method == "GET" and [r.lower() for r in rest] == ["version"]:
        # hcsshim hcn.GetGlobals(): the HNS version that gates features (hcnglobals.go)
        return {"Major": hns.version[0], "Minor": hns.version[1]}
    elif kind == "namespaces" and method == "GET":
        spaces = [namespace_document(n) for n in hns.namespaces()]
        if rest:
            found = next((n for n in spaces if n["ID"].casefold() == rest[0].casefold()), None)
            if found is None:
                raise HnsError(NOT_FOUND)
            return found
        return spaces
    raise HnsError(f"The method {method} on {path} is not supported.", E_INVALID_PARAMETER)


def network_settings(body: dict[str, Any]) -> NetworkSettings:
    """POST /networks: ``{"Name", "Type", "Subnets": [{"AddressPrefix", "GatewayAddress"}], ...}``."""
    return NetworkSettings(
        name=str(body.get("Name") or ""),
        type=str(body.get("Type") or ""),
        subnets=_subnets(body.get("Subnets") or []),
        adapter_name=str(body.get("NetworkAdapterName") or ""),
        dns_suffix=str(body.get("DNSSuffix") or ""),
        dns_servers=str(body.get("DNSServerList") or ""),
        policies=tuple(body.get("Policies") or []),
    )


def endpoint_settings(body: dict[str, Any]) -> EndpointSettings:
    """POST /endpoints: ``{"VirtualNetwork" | "VirtualNetworkName", "Name", "IPAddress", ...}``."""
    return EndpointSettings(
        virtual_network=str(body.get("VirtualNetwork") or ""),
        virtual_network_name=str(body.get("VirtualNetworkName", "")),
        name=str(body.get("Name") or ""),
        ip=str(body.get("IPAddress") or ""),
        mac=str(body.get("MacAddress") or ""),
        dns_suffix=str(body.get("DNSSuffix") or ""),
        dns_servers=str(body.get("DNSServerList") or ""),
        policies=tuple(body.get("Policies") or []),
        enable_internal_dns=bool(body.get("EnableInternalDNS")),
    )


def _subnets(subnets: Any) -> tuple[SubnetSettings, ...]:
    """The first subnet is the one HNS uses; a malformed one fails naming itself, as HNS words it."""
    if not subnets:
        return ()
    try:
        first = subnets[0]
        subnet = ipaddress.IPv4Network(str(first["AddressPrefix"]), strict=False)
        gateway = str(first.get("GatewayAddress") or subnet.network_address + 1)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise HnsError(f"Invalid subnet {subnets[0]!r}: {exc}", E_INVALID_PARAMETER) from exc
    return (SubnetSettings(str(subnet), gateway),)


def _parse(request: str) -> dict[str, Any]:
    if not request.strip():
        return {}
    try:
        body = json.loads(request)
    except json.JSONDecodeError as exc:
        raise HnsError(f"Invalid JSON document string. {exc.msg}", E_INVALID_PARAMETER) from exc
    if not isinstance(body, dict):
        raise HnsError("Invalid JSON document string.", E_INVALID_PARAMETER)
    return body
