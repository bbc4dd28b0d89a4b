"""Network compartments, IP interfaces and routes, through the network cmdlets the seed names,
and WinNAT's instances and static mappings (Get-NetNat, Get-NetNatStaticMapping).

comps = host.net.compartments()
mine = host.net.compartment_for_container(container_id)     # by \\Container_<id>
host.net.interfaces(alias_like="*Container NIC*")
host.net.nat_mappings()                                        # published ports
"""

from __future__ import annotations

from typing import Any

from drivers.base import DriverBase
from drivers.models import CommandResult, Compartment, IpInterface, NatStaticMapping, NetNat, Route

# Tries to change a compartment the way an operator would; Windows has no cmdlet for it, so the
# expected answer is an error (CommandNotFoundException) and a non-zero exit code.
MODIFY_SCRIPT = """param([int] $CompartmentId)
Set-NetCompartment -CompartmentId $CompartmentId -CompartmentDescription 'wcc-modified'
"""


class NetDriver(DriverBase):
    def compartments(self) -> list[Compartment]:
        return self._probe("Get-WccCompartment", {}, lambda v: [Compartment.from_json(o) for o in v])

    def compartment_for_container(self, container_id: str) -> Compartment | None:
        wanted = f"\\Container_{container_id}"

        def pick(v: list[Any]) -> Compartment | None:
            for o in v:
                c = Compartment.from_json(o)
                if c.description == wanted:
                    return c
            return None

        return self._probe("Get-WccCompartment", {}, pick)

    def interfaces(
        self, compartment_id: int | None = None, alias_like: str | None = None
    ) -> list[IpInterface]:
        args: dict[str, Any] = {}
        if compartment_id is not None:
            args["CompartmentId"] = int(compartment_id)
        if alias_like:
            args["AliasLike"] = alias_like
        return self._probe("Get-WccInterface", args, lambda v: [IpInterface.from_json(o) for o in v])

    def routes(self, compartment_id: int) -> list[Route]:
        return self._probe(
            "Get-WccRoute", {"CompartmentId": int(compartment_id)}, lambda v: [Route.from_json(o) for o in v]
        )

    def nats(self) -> list[NetNat]:
        """WinNAT's NAT instances (``Get-NetNat``): one per HNS nat network."""
        return self._probe("Get-WccNat", {}, lambda v: [NetNat.from_json(o) for o in v])

    def nat_mappings(self) -> list[NatStaticMapping]:
        """WinNAT's static port mappings (``Get-NetNatStaticMapping``), what published ports become."""
        return self._probe(
            "Get-WccNatStaticMapping", {}, lambda v: [NatStaticMapping.from_json(o) for o in v]
        )

    def compartment_cmdlets(self) -> list[str]:
        return self._probe("Get-WccCompartmentCommand", {}, lambda v: sorted(str(n) for n in v))

    def try_modify_compartment(self, compartment_id: int) -> CommandResult:
        self._immediate("NetDriver.try_modify_compartment")
        return self._session.run(MODIFY_SCRIPT, CompartmentId=int(compartment_id))
