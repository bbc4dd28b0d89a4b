"""A simulated host started in this process, and HostSpecs that reach it over WinRM or SSH.

lab = Lab.start(tmp_path)
host = connect(lab.spec("winrm"))
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.batch import Batch
from drivers.probers import Deferred
from inventory.model import HostSpec, SimSettings
from winsim.host import SimHost
from winsim.serve import Surface, ready_line, start_surfaces

VIAS = ("winrm", "ssh")  # the remote transports the driver tests reach a simulated host by


def ten_probes(b: Batch) -> list[Deferred[Any]]:
    """Ten different read-only probes queued on ``b``, in a fixed order (index 8 is the daemon status)."""
    return [
        b.net.compartments(),
        b.net.routes(1),
        b.net.interfaces(compartment_id=1),
        b.hns.networks(),
        b.hns.endpoints(),
        b.hcs.list(),
        b.layers.folders(),
        b.filters.list(),
        b.daemon.status(),
        b.events.hcs_operational(),
    ]


@dataclass
class Lab:
    sim: SimHost
    surfaces: list[Surface]
    endpoints: dict[str, Any]
    run_dir: Path
    opened: list[Any] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        state_dir: Path,
        name: str = "drv-ws2022",
        profile: str = "ws2022",
        latency: str = "none",
        hyperv: bool = False,
    ) -> Lab:
        # Debug logging on: the driver tests read dockerd's debug log.
        sim = SimHost.create(
            name, profile, state_dir / "host", latency=latency, daemon_debug=True, hyperv=hyperv
        )
        surfaces = start_surfaces(sim)
        run_dir = state_dir / "run"
        (run_dir / "sim").mkdir(parents=True, exist_ok=True)
        return cls(sim, surfaces, ready_line(sim, surfaces), run_dir)

    def spec(self, via: str, lost_after: float | None = None, **winrm: Any) -> HostSpec:
        from fixtures.simhosts import resolve

        profile = self.sim.profile.name
        base = HostSpec(name=self.sim.name, transport="sim", sim=SimSettings(profile=profile, via=via))  # type: ignore[arg-type]
        spec = resolve(base, self.endpoints, self.run_dir)
        if lost_after is not None:
            spec = spec.model_copy(update={"lost_after": lost_after})
        if winrm and via == "winrm":
            update: dict[str, Any] = {"winrm": spec.winrm.model_copy(update=winrm)}
            if winrm.get("scheme") == "https":
                update["port"] = int(self.endpoints["winrm"]["https"].rsplit(":", 1)[1].split("/")[0])
            spec = spec.model_copy(update=update)
        return spec

    def surface(self, kind: str) -> Any:
        module = {"winrm": "winsim.winrm.server", "ssh": "winsim.ssh.server"}[kind]
        return next(s for s in self.surfaces if type(s).__module__ == module)

    def drop_connections(self, via: str) -> None:
        """Make the host forget its remote shells: WinRM deletes every shell (as a WinRM
        service restart does); SSH closes every connection."""
        surface = self.surface(via)
        if via == "winrm":
            surface.drop_all_shells()
        else:
            for transport in list(surface._transports):  # no public API for this yet
                transport.close()

    def close(self) -> None:
        for host in self.opened:
            with contextlib.suppress(Exception):
                host.close()
        for surface in self.surfaces:
            surface.close()
