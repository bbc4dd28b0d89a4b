r"""Host executables of the container stack: ``fltmc.exe`` and ``hcsdiag.exe``.

They are programs (``PROGRAMS``, installed on every host by ``winsim.programs``), so cmd.exe,
PowerShell (as native commands) and SSH/WinRM command lines all reach the same code.  The host's
``docker.exe`` is the docker CLI program from ``winsim.docker_api.cli_program``; PowerShell runs it
as a native command through the same program table.

>>> # C:\> fltmc filters        C:\> hcsdiag list
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from winsim.cmdline import split_command_line
from winsim.model import FilterInfo
from winsim.processes import ProcessIO

if TYPE_CHECKING:
    from winsim.model import HostModel

CRLF = "\r\n"
FLTMC_HEADER = ("Filter Name", "Num Instances", "Altitude", "Frame")
# Column layout of ``fltmc filters`` (windows-internals.md §5.8): name left in 30, then right-aligned fields.
FLTMC_WIDTHS = (30, 9, 13, 10)
FLTMC_HELP = (
    "",
    "Valid commands:",
    "    load       Loads a Filter driver",
    "    unload     Unloads a Filter driver",
    "    filters    Lists the Filters currently registered in the system",
    "    instances  Lists the Instances for a Filter or Volume currently registered in the system",
    "    volumes    Lists all volumes/RDRs in the system",
    "    attach     Creates a Filter Instance to a Volume",
    "    detach     Removes a Filter Instance from a Volume",
    "",
    "    Use fltmc help [ command ] for help on a specific command",
)
# hcsdiag list: the type label per isolation, and the row layout (§5.3, INFERRED from two samples).
HCS_TYPE_LABELS = {False: "Windows Server Container", True: "Hyper-V Container"}
HCS_TYPE_WIDTH = 26
HCSDIAG_HELP = (
    "Usage:",
    "  hcsdiag <command> [args...]",
    "",
    "  list [-g]",
    "        Lists running containers and VMs.",
)


def fltmc_filters_text(filters: list[FilterInfo]) -> str:
    """The ``fltmc filters`` table, CRLF line ends, with the leading blank line fltmc prints."""
    name_w, inst_w, alt_w, frame_w = FLTMC_WIDTHS
    lines = [
        "",
        f"{'Filter Name':<{name_w}}  Num Instances    Altitude    Frame",
        f"{'-' * name_w}  {'-' * 13}  {'-' * 12}  {'-' * 5}",
    ]
    for f in filters:
        lines.append(f"{f.name:<{name_w}}  {f.instances:>{inst_w}}{f.altitude:>{alt_w}}{f.frame:>{frame_w}}")
    return "".join(line + CRLF for line in lines)


# ``fltmc instances`` (tests/fidelity/samples/fltmc-instances-win11.txt): fixed header, then one row
# per instance: filter, volume, right-aligned altitude, instance name, frame, supported features.
FLTMC_INSTANCES_HEADER = (
    "Filter                Volume Name                              Altitude        Instance Name"
    "       Frame   SprtFtrs  VlStatus"
)
FLTMC_INSTANCES_DASHES = (
    "--------------------  -------------------------------------  ------------  ----------------------"
    "  -----   --------  --------"
)
# The volumes each base filter is attached to on a server (INFERRED: C: and the UNC provider).
_INSTANCE_VOLUMES = ("C:", "\\Device\\Mup", "\\Device\\NamedPipe", "\\Device\\Mailslot", "")


def _volume_key(name: str) -> str:
    # A volume GUID name in its Win32 (\\?\) or NT (\??\) form, trailing backslash optional
    # (FilterVolumeInstanceFindFirst's lpVolumeName, which fltmc instances -v passes on: INFERRED).
    key = name.rstrip("\\").casefold()
    return "\\\\?\\" + key[4:] if key.startswith("\\??\\") else key


def fltmc_instances_text(host_model: HostModel, filter_name: str = "", volume: str = "") -> str | None:
    """One row per filter instance; wcifs has one per mounted container layer (its volume).

    ``-f`` keeps one filter's rows, ``-v`` one volume's; None for a volume the host does not have.
    """
    lines = ["", FLTMC_INSTANCES_HEADER, FLTMC_INSTANCES_DASHES]
    volumes = [
        lay.volume_path.rstrip("\\")
        for lay in host_model.windowsfilter.layers()
        if lay.prepared and lay.volume_path
    ]
    rows: list[tuple[FilterInfo, str]] = []
    on_layers = host_model.layer_filter()
    for f in host_model.filters():
        own = f.instances - len(volumes) if f.name == on_layers else f.instances
        rows += [(f, name) for name in _INSTANCE_VOLUMES[:own]]
        if f.name == on_layers:
            rows += [(f, name) for name in volumes]
    if volume:
        mounted = {_volume_key(v) for v in volumes} | {_volume_key(v) for v in _INSTANCE_VOLUMES if v}
        if _volume_key(volume) not in mounted:
            return None
        rows = [(f, name) for f, name in rows if name and _volume_key(name) == _volume_key(volume)]
    if filter_name:
        rows = [(f, name) for f, name in rows if f.name.casefold() == filter_name.casefold()]
    for f, name in rows:
        instance = f.name if f.name in ("FileInfo", "CldFlt", "storqosflt") else f"{f.name} Instance"
        lines.append(f"{f.name:<22}{name:<37}{f.altitude:>11}     {instance:<22}{0:>5}     0000000f")
    return "".join(line + CRLF for line in lines)


def _fltmc_instances(proc: ProcessIO, args: list[str]) -> int:
    options = {"-f": "", "-v": ""}
    rest = list(args)
    while rest:
        flag = rest.pop(0).lower()
        if flag not in options or not rest:
            proc.stdout.write("".join(line + CRLF for line in FLTMC_HELP))
            return 1
        options[flag] = rest.pop(0)
    text = fltmc_instances_text(proc.host.model, options["-f"], options["-v"])
    if text is None:
        # INFERRED wording and exit code: fltmc reports the HRESULT of a volume it cannot open.
        proc.stdout.write(f"{CRLF}Instances enumeration failed with error: 0x80070002{CRLF}")
        return 1
    proc.stdout.write(text)
    return 0


def fltmc(proc: ProcessIO) -> int:
    args = split_command_line(proc.command_line)[1:]
    command = args[0].lower() if args else "filters"
    if command == "filters":
        proc.stdout.write(fltmc_filters_text(proc.host.model.filters()))
        return 0
    if command == "instances":
        return _fltmc_instances(proc, args[1:])
    if command in ("help", "/?", "-?"):
        proc.stdout.write("".join(line + CRLF for line in FLTMC_HELP))
        return 0
    if command in ("load", "unload", "volumes", "attach", "detach"):
        proc.stderr.write(f"winsim does not model fltmc {command}.{CRLF}")
        return 1
    proc.stdout.write("".join(line + CRLF for line in FLTMC_HELP))
    return 1


def hcsdiag_list_text(host_model: HostModel) -> str:
    """``hcsdiag list``: the id line, then type, state, runtime id (VMs only) and owner; a blank line between."""
    lines: list[str] = []
    for system in host_model.hcs.systems():
        hyperv = system.config.hv_partition
        label = (HCS_TYPE_LABELS[hyperv] + ",").ljust(HCS_TYPE_WIDTH)
        # a utility VM's runtime id in upper case (tests/fidelity/samples/hcsdiag-list-vm-client.txt)
        runtime = system.runtime_id.upper() if hyperv else ""
        if lines:
            lines.append("")
        lines.append(system.id)
        # an empty runtime id leaves a three-space gap (fidelity hcsdiag-list-containerd-*)
        gap = " " if runtime else "   "
        lines.append(f"    {label}\t{system.state},{gap}{runtime}, {system.owner}")
    return "".join(line + CRLF for line in lines)


def hcsdiag(proc: ProcessIO) -> int:
    args = split_command_line(proc.command_line)[1:]
    command = args[0].lower() if args else ""
    if command == "list":
        proc.stdout.write(hcsdiag_list_text(proc.host.model))
        return 0
    if command in ("", "help", "/?", "-?"):
        proc.stdout.write("".join(line + CRLF for line in HCSDIAG_HELP))
        return 0 if command else 1
    proc.stderr.write(f"winsim does not model hcsdiag {command}.{CRLF}")
    return 1


PROGRAMS: dict[str, Callable[[ProcessIO], int]] = {"fltmc.exe": fltmc, "hcsdiag.exe": hcsdiag}
