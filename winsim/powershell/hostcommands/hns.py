r"""``Get-HnsNetwork`` / ``Get-HnsEndpoint`` / ``Get-HnsNamespace``: the HostNetworkingService (hns.psm1) views.

The module's functions call HNS and pass the JSON reply through ``ConvertFrom-Json``, so their
objects are PSCustomObjects carrying the HNS v1 fields in HNS's order (nested objects show as
``@{...}`` in list views).  An unknown ``-Id`` fails as the module does: ``HNS failed with error : ...``.

>>> # PS> Get-HnsEndpoint | Where-Object VirtualNetworkName -eq nat | Select-Object ID, IPAddress
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from winsim.model import HnsError
from winsim.native.hns_v1 import endpoint_document, namespace_document, network_document
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import to_string


def from_json_value(value: Any) -> Any:
    """What ConvertFrom-Json makes of a decoded JSON value (objects become PSCustomObjects)."""
    if isinstance(value, dict):
        return PSObject.custom({str(k): from_json_value(v) for k, v in value.items()})
    if isinstance(value, list):
        return [from_json_value(v) for v in value]
    return value


def _hns_failed(message: str) -> PSError:
    # hns.psm1 throws the HNS error text; a script-thrown string is a RuntimeException.
    return PSError(
        f"HNS failed with error : {message}",
        f"HNS failed with error : {message}",
        "OperationStopped",
        target=f"HNS failed with error : {message}",
        terminating=True,
    )


def _listing(
    inv: Invocation, every: Callable[[], list[dict[str, Any]]], one: Callable[[str], dict[str, Any]] | None
) -> list[Any]:
    if "Id" in inv.args and to_string(inv.args["Id"]) and one is not None:
        try:
            return [from_json_value(one(to_string(inv.args["Id"])))]
        except HnsError as exc:
            raise _hns_failed(exc.message) from exc
    if "Id" in inv.args and to_string(inv.args["Id"]):
        wanted = to_string(inv.args["Id"]).strip("{}").casefold()
        items = [d for d in every() if str(d.get("ID", "")).casefold() == wanted]
        if not items:
            raise _hns_failed("Element not found.")
        return [from_json_value(d) for d in items]
    return [from_json_value(d) for d in every()]


@cmdlet("Get-HnsNetwork", Param("Id", position=0, type="string"))
def get_hns_network(inv: Invocation) -> Iterable[Any]:
    hns = inv.host.model.hns
    return _listing(
        inv, lambda: [network_document(n) for n in hns.networks()], lambda i: network_document(hns.network(i))
    )


@cmdlet("Get-HnsEndpoint", Param("Id", position=0, type="string"))
def get_hns_endpoint(inv: Invocation) -> Iterable[Any]:
    hns = inv.host.model.hns
    return _listing(
        inv,
        lambda: [endpoint_document(e) for e in hns.endpoints()],
        lambda i: endpoint_document(hns.endpoint(i)),
    )


@cmdlet("Get-HnsNamespace", Param("Id", position=0, type="string"))
def get_hns_namespace(inv: Invocation) -> Iterable[Any]:
    hns = inv.host.model.hns
    return _listing(inv, lambda: [namespace_document(n) for n in hns.namespaces()], None)
