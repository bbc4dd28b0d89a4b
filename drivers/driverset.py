"""The one list of drivers, built over a prober: ``host`` holds one set, each ``host.batch()`` another.

Generic in the prober, so each driver's probe methods are typed by it: ``Drivers[Immediate]``
answers values, ``Drivers[Recorder]`` answers :class:`~drivers.probers.Deferred` values.
Built in dependency order; the direct HCS lifecycle is handed what it reads (``direct``, the
facade itself, seen as :class:`~drivers.direct.DirectParts`), so no driver points back at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic

from drivers.base import PR
from drivers.daemon import DaemonDriver
from drivers.docker import DockerDriver
from drivers.events import EventsDriver
from drivers.filters import FiltersDriver
from drivers.folders import FoldersDriver
from drivers.hcs import HcsDriver
from drivers.hns import HnsDriver
from drivers.layers import LayersDriver
from drivers.net import NetDriver

if TYPE_CHECKING:
    from drivers.direct import DirectParts
    from drivers.session import PowerShellSession
    from inventory.model import HostSpec


class Drivers(Generic[PR]):
    """``docker``, ``hcs``, ``hns``, ``net``, ``layers``, ``events``, ``daemon``, ``filters``, ``folders``."""

    def __init__(
        self, prober: PR, session: PowerShellSession, spec: HostSpec, direct: DirectParts | None = None
    ) -> None:
        self.daemon = DaemonDriver(prober, session)
        self.docker = DockerDriver(prober, session, spec)
        self.hns = HnsDriver(prober, session)
        self.net = NetDriver(prober, session)
        self.layers = LayersDriver(prober, session)
        self.events = EventsDriver(prober, session)
        self.filters = FiltersDriver(prober, session)
        self.folders = FoldersDriver(prober, session)
        self.hcs = HcsDriver(prober, session, direct)
