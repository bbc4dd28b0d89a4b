"""HNS as HNSCall sees it: networks, endpoints, namespaces (v1 JSON).

nat = host.hns.network("nat")
ep = host.hns.endpoint(endpoint_id)      # None when HNS does not know it
"""

from __future__ import annotations

import json
from typing import Any

from drivers.base import PR, DriverBase, first, probe
from drivers.errors import ProbeError
from drivers.models import ErrorRecord, HnsEndpoint, HnsNamespace, HnsNetwork
from drivers.probers import Call, Immediate


class HnsDriver(DriverBase[PR]):
    def _envelope(self, value: list[Any], what: str, missing_ok: bool = False) -> Any:
        """HNS answers {"Success": bool, "Error": str, "Output": ...}; return Output or raise."""
        envelope = self._json(first(value, ""), what) or {}
        if envelope.get("Success"):
            return envelope.get("Output")
        error = str(envelope.get("Error") or "HNS failed without an error message")
        if missing_ok and "not found" in error.lower():
            return None
        raise ProbeError(
            self.host_name, what, [ErrorRecord(f"hns failed with error : {error}", "HnsCallFailed")]
        )

    def _objects(self, kind: str, value: list[Any]) -> list[dict[str, Any]]:
        out = self._envelope(value, f"HNSCall GET /{kind}/")
        return [o for o in (out if isinstance(out, list) else [out] if out else []) if isinstance(o, dict)]

    @probe
    def version(self) -> Call[str | None]:
        """HNS's ``"Major.Minor"`` (hcsshim ``hcn.GetGlobals``), None when HNS does not answer.

        Features are gated on this range rather than on the OS build (hcsshim hcnglobals.go).
        """
        return Call("Get-WccHnsVersion", {}, lambda v: str(v[0]) if v and v[0] else None)

    @probe
    def networks(self) -> Call[list[HnsNetwork]]:
        return Call(
            "Get-WccHnsObject",
            {"Kind": "networks"},
            lambda v: [HnsNetwork.from_json(o) for o in self._objects("networks", v)],
        )

    @probe
    def network(self, id_or_name: str) -> Call[HnsNetwork | None]:
        """By HNS id (any case) or by name (exact)."""

        def pick(v: list[Any]) -> HnsNetwork | None:
            for o in self._objects("networks", v):
                if str(o.get("ID", "")).lower() == id_or_name.lower() or o.get("Name") == id_or_name:
                    return HnsNetwork.from_json(o)
            return None

        return Call("Get-WccHnsObject", {"Kind": "networks"}, pick)

    @probe
    def endpoints(self) -> Call[list[HnsEndpoint]]:
        return Call(
            "Get-WccHnsObject",
            {"Kind": "endpoints"},
            lambda v: [HnsEndpoint.from_json(o) for o in self._objects("endpoints", v)],
        )

    @probe
    def endpoint(self, id: str) -> Call[HnsEndpoint | None]:
        def one(v: list[Any]) -> HnsEndpoint | None:
            out = self._envelope(v, f"HNSCall GET /endpoints/{id}", missing_ok=True)
            return HnsEndpoint.from_json(out) if isinstance(out, dict) else None

        return Call("Get-WccHnsObject", {"Kind": "endpoints", "Id": id}, one)

    @probe
    def namespaces(self) -> Call[list[HnsNamespace]]:
        return Call(
            "Get-WccHnsObject",
            {"Kind": "namespaces"},
            lambda v: [HnsNamespace.from_json(o) for o in self._objects("namespaces", v)],
        )

    def call(
        self: HnsDriver[Immediate], method: str, path: str, request: dict[str, Any] | None = None
    ) -> Any:
        """A raw HNSCall (e.g. POST /endpoints/); returns Output, raises ProbeError when HNS fails."""
        self._immediate("HnsDriver.call")
        body = json.dumps(request) if request is not None else ""
        value = self._session.call("Invoke-WccHnsCall", Method=method, Path=path, Request=body)
        return self._envelope(value, f"HNSCall {method} {path}")
