"""Network compartments, IP interfaces and routes, through the network cmdlets the seed names,
and WinNAT's instances and static mappings (Get-NetNat, Get-NetNatStaticMapping).

comps = host.net.compartments()
mine = host.net.compartment_for_container(container_id)     # by \\Container_<id>
host.net.interfaces(alias_like="*Container NIC*")
host.net.nat_mappings()                                        # published ports
"""

from __future__ import annotations

from typing import Any

from drivers.base import PR, DriverBase, probe
from drivers.models import CommandResult, Compartment, IpInterface, NatStaticMapping, NetNat, Route
from drivers.probers import Call, Immediate

# Tries to change a compartment the way an operator would; Windows has no cmdlet for it, so the
# expected answer is an error (CommandNotFoundException) and a non-zero exit code.
MODIFY_SCRIPT = """param([int] $CompartmentId)
Set-NetCompartment -CompartmentId $CompartmentId -CompartmentDescription 'wcc-modified'
"""


class NetDriver(DriverBase[PR]):
    @probe
    def compartments(self) -> Call[list[Compartment]]:
        return Call("Get-WccCompartment", {}, lambda v: [Compartment.from_json(o) for o in v])

    @probe
    def compartment_for_container(self, container_id: str) -> Call[Compartment | None]:
        wanted = f"\\Container_{container_id}"

        def pick(v: list[Any]) -> Compartment | None:
            for o in v:
                c = Compartment.from_json(o)
                if c.description == wanted:
                    return c
            return None

        return Call("Get-WccCompartment", {}, pick)

    @probe
    def interfaces(
        self, compartment_id: int | None = None, alias_like: str | None = None
    ) -> Call[list[IpInterface]]:
        args: dict[str, Any] = {}
        if compartment_id is not None:
            args["CompartmentId"] = int(compartment_id)
        if alias_like:
            args["AliasLike"] = alias_like
        return Call("Get-WccInterface", args, lambda v: [IpInterface.from_json(o) for o in v])

    @probe
    def routes(self, compartment_id: int) -> Call[list[Route]]:
        return Call(
            "Get-WccRoute", {"CompartmentId": int(compartment_id)}, lambda v: [Route.from_json(o) for o in v]
        )

    @probe
    def compartment_cmdlets(self) -> Call[list[str]]:
        return Call("Get-WccCompartmentCommand", {}, lambda v: sorted(str(n) for n in v))

    @probe
    def nats(self) -> Call[list[NetNat]]:
        """WinNAT's NAT instances (``Get-NetNat``): one per HNS nat network."""
        return Call("Get-WccNat", {}, lambda v: [NetNat.from_json(o) for o in v])

    @probe
    def nat_mappings(self) -> Call[list[NatStaticMapping]]:
        """WinNAT's static port mappings (``Get-NetNatStaticMapping``), what published ports become."""
        return Call("Get-WccNatStaticMapping", {}, lambda v: [NatStaticMapping.from_json(o) for o in v])

    def try_modify_compartment(self: NetDriver[Immediate], compartment_id: int) -> CommandResult:
        self._immediate("NetDriver.try_modify_compartment")
        return self._session.run(MODIFY_SCRIPT, CompartmentId=int(compartment_id))
