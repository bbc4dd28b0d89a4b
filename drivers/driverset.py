"""The one list of drivers, built over a prober: ``host`` holds one set, each ``host.batch()`` another.

Built in dependency order, so a driver that needs another (docker the daemon, the direct HCS
lifecycle the docker, layers and HNS drivers) is handed it here, never pointed back at the facade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.daemon import DaemonDriver
from drivers.direct import DirectParts
from drivers.docker import DockerDriver
from drivers.events import EventsDriver
from drivers.filters import FiltersDriver
from drivers.hcs import HcsDriver
from drivers.hns import HnsDriver
from drivers.layers import LayersDriver
from drivers.net import NetDriver

if TYPE_CHECKING:
    from drivers.base import Prober
    from drivers.session import PowerShellSession
    from inventory.model import HostSpec


class Drivers:
    """``docker``, ``hcs``, ``hns``, ``net``, ``layers``, ``events``, ``daemon``, ``filters``."""

    def __init__(self, prober: Prober, session: PowerShellSession, spec: HostSpec, run_id: str) -> None:
        self.daemon = DaemonDriver(prober, session)
        self.docker = DockerDriver(prober, session, spec, self.daemon)
        self.hns = HnsDriver(prober, session)
        self.net = NetDriver(prober, session)
        self.layers = LayersDriver(prober, session)
        self.events = EventsDriver(prober, session)
        self.filters = FiltersDriver(prober, session)
        self.hcs = HcsDriver(
            prober, session, DirectParts(session, self.docker, self.layers, self.hns, run_id)
        )
