r"""``Get-CimInstance -ClassName Win32_Process``: the host's running programs, with their parents.

>>> # PS> Get-CimInstance -ClassName Win32_Process -Filter 'ParentProcessId = 4104'

Only Win32_Process is modelled, and only WQL filters of the form ``ProcessId = n`` or
``ParentProcessId = n`` (what a script walking a process tree uses).  A class winsim does not
model, or another filter, is a "winsim does not model" error, never an empty answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from winsim.powershell import dates
from winsim.powershell.hostcommands._common import CIM_BASE, not_modeled
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, cmdlet
from winsim.powershell.values import to_string
from winsim.processes import ProcessIO

CIMV2 = "ROOT/cimv2"
_FILTER = re.compile(r"(?i)^\s*(ProcessId|ParentProcessId)\s*=\s*(\d+)\s*$")
# Get-CimInstance Win32_Process's default table (INFERRED: the columns of the CIM format data).
_VIEW = ("ProcessId", "Name", "HandleCount", "WorkingSetSize", "VM")


def process_object(io: ProcessIO) -> PSObject:
    props: dict[str, Any] = {
        "ProcessId": io.pid,
        "ParentProcessId": io.parent_pid,
        "Name": io.image,
        "CommandLine": io.command_line,
        "ExecutablePath": "C:\\Windows\\system32\\" + io.image,
        "CreationDate": dates.local(io.started),
        "HandleCount": 0,
        "WorkingSetSize": 0,
        "VM": 0,
        "PSComputerName": None,
    }
    return PSObject(
        [f"{CIM_BASE}#{CIMV2}/Win32_Process", f"{CIM_BASE}#Win32_Process", CIM_BASE, "System.Object"],
        props,
        list(_VIEW),
        "table",
    )


@cmdlet(
    "Get-CimInstance",
    Param("ClassName", position=0, type="string"),
    Param("Filter", type="string"),
    Param("Namespace", type="string"),
    aliases=("gcim",),
)
def get_cim_instance(inv: Invocation) -> Iterable[PSObject]:
    class_name = to_string(inv.args.get("ClassName", ""))
    namespace = to_string(inv.args.get("Namespace", "root/cimv2"))
    if class_name.casefold() != "win32_process" or namespace.casefold().replace("\\", "/") != "root/cimv2":
        raise not_modeled(f"Get-CimInstance of {namespace}:{class_name}")
    running = sorted(inv.host.processes.running(), key=lambda io: io.pid)
    if "Filter" in inv.args:
        text = to_string(inv.args["Filter"])
        m = _FILTER.match(text)
        if m is None:
            raise not_modeled(f"the Win32_Process filter '{text}'")
        key, value = m.group(1).casefold(), int(m.group(2))
        running = [io for io in running if (io.pid if key == "processid" else io.parent_pid) == value]
    return [process_object(io) for io in running]
