"""The model-backed commands of a simulated Windows Server container host.

Importing this package registers the cmdlets (``Get-NetCompartment``, ``Get-NetIPInterface``,
``Get-NetRoute``, ``Get-NetNat``, ``Get-NetNatStaticMapping``, ``Get-VMSwitch``, ``Get-WinEvent``, ``Get-CimInstance Win32_Process``, file, service and process cmdlets, ``Get-Hns*``) in
``winsim.powershell.registry.REGISTRY``; ``PROGRAMS`` holds the host executables ``fltmc.exe``
and ``hcsdiag.exe`` that ``winsim.programs.install_programs`` puts on every host.

>>> from winsim.powershell.registry import REGISTRY
>>> REGISTRY.find("Get-NetCompartment") is not None
True
"""

from __future__ import annotations

from winsim.powershell.hostcommands import (  # noqa: F401 - imported for their @cmdlet registrations
    cim,
    filesystem,
    hns,
    location,
    netcompartment,
    netipaddress,
    netipinterface,
    netnat,
    netroute,
    registry_keys,
    services,
    vmswitch,
    winevent,
)
from winsim.powershell.hostcommands.executables import PROGRAMS

__all__ = ["PROGRAMS"]
