"""winsim's native answers to the suite's probe functions, read from (or acting on) ``host.model``.

Each function takes the host and the call's arguments (the names ``drivers/probe/Wcc.psm1``
declares) and returns the list of output objects as plain JSON-ready values, in exactly the
shapes the real module returns on Windows (see ``drivers/probe/__init__.py``).  Model errors
become :class:`PSError` with the message a real host's probe would carry.

    PROBES["Get-WccCompartment"](host, {})   # -> [{"Id": 1, "Description": "Default Compartment", ...}]
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from winsim.powershell.registry import REGISTRY, Invocation, PSError

if TYPE_CHECKING:
    from winsim.host import SimHost

Probe = Callable[["SimHost", dict[str, Any]], list[Any]]
PROBES: dict[str, Probe] = {}
PARAMS: dict[str, tuple[str, ...]] = {}  # declared parameter names, for binding checks

MODULE_VERSION = "1.0.0"
WINDOWSFILTER_ROOT = "C:\\ProgramData\\docker\\windowsfilter"
HCS_OPERATIONAL = "Microsoft-Windows-Hyper-V-Compute-Operational"


def probe(name: str, *params: str) -> Callable[[Probe], Probe]:
    def wrap(fn: Probe) -> Probe:
        PROBES[name] = fn
        PARAMS[name] = params
        return fn

    return wrap


def _guard(fn: Callable[[], Any], fqid: str = "HcsException") -> Any:
    """Run a model call; a model error becomes the error record a .NET exception in the probe gives."""
    from winsim.model import ModelError

    try:
        return fn()
    except ModelError as exc:
        raise PSError(str(exc), fqid, "NotSpecified", exception_type="Wcc.HcsException") from None


def _req(args: dict[str, Any], name: str) -> Any:
    value = args.get(name)
    if value is None or value == "":
        raise PSError(
            f"Cannot bind argument to parameter '{name}' because it is an empty string or null.",
            "ParameterArgumentValidationErrorEmptyStringNotAllowed",
            "InvalidData",
            exception_type="System.Management.Automation.ParameterBindingValidationException",
        )
    return value


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


# ---- the host -------------------------------------------------------------------------------


@probe("Get-WccHostInfo")
def host_info(host: SimHost, args: dict[str, Any]) -> list[Any]:
    p = host.profile
    return [
        {
            "ComputerName": host.name.upper(),
            "OsBuild": p.build,
            "OsVersion": p.os_version,
            "ProductName": p.product_name,
            "PSVersion": f"5.1.{p.build}.{p.ubr}",
            "ModuleVersion": MODULE_VERSION,
            "HnsVersion": _hns_version(host),
        }
    ]


@probe("Get-WccHnsVersion")
def hns_version(host: SimHost, args: dict[str, Any]) -> list[Any]:
    version = _hns_version(host)
    return [version] if version is not None else []


def _hns_version(host: SimHost) -> str | None:
    """Read through HNSCall GET /globals/version as the module does; None when HNS does not answer."""
    answer = json.loads(host.model.hns.call("GET", "/globals/version", ""))
    output = answer.get("Output") if answer.get("Success") else None
    if not isinstance(output, dict):
        return None
    return f"{output.get('Major')}.{output.get('Minor')}"


# ---- HCS ------------------------------------------------------------------------------------


@probe("Get-WccComputeSystem", "Query")
def compute_systems(host: SimHost, args: dict[str, Any]) -> list[Any]:
    return [_guard(lambda: host.model.hcs.enumerate_compute_systems(str(args.get("Query") or "{}")))]


@probe("Get-WccComputeSystemProperties", "Id", "Query")
def compute_system_properties(host: SimHost, args: dict[str, Any]) -> list[Any]:
    system_id = str(_req(args, "Id"))
    hcs = host.model.hcs
    if hcs.get(system_id) is None:
        return []
    return [_guard(lambda: hcs.get_compute_system_properties(system_id, str(args.get("Query") or "{}")))]


def _after(host: SimHost, system_id: str, action: Callable[[], Any]) -> list[Any]:
    """Run an HCS operation on an opened handle, then close it, as the module's C# does."""
    hcs = host.model.hcs
    _guard(action)
    props = hcs.get_compute_system_properties(system_id, "{}") if hcs.get(system_id) else None
    hcs.close_compute_system(system_id)
    return [props] if props is not None else []


@probe("New-WccComputeSystem", "Id", "Configuration", "TimeoutMs")
def new_compute_system(host: SimHost, args: dict[str, Any]) -> list[Any]:
    system_id, config = str(_req(args, "Id")), str(_req(args, "Configuration"))
    return _after(host, system_id, lambda: host.model.hcs.create_compute_system(system_id, config))


@probe("Start-WccComputeSystem", "Id", "TimeoutMs")
def start_compute_system(host: SimHost, args: dict[str, Any]) -> list[Any]:
    system_id = str(_req(args, "Id"))
    return _after(host, system_id, lambda: host.model.hcs.start_compute_system(system_id))


@probe("Stop-WccComputeSystem", "Id", "TimeoutMs")
def stop_compute_system(host: SimHost, args: dict[str, Any]) -> list[Any]:
    system_id = str(_req(args, "Id"))
    return _after(host, system_id, lambda: host.model.hcs.terminate_compute_system(system_id))


@probe("New-WccProcess", "Id", "Parameters")
def new_process(host: SimHost, args: dict[str, Any]) -> list[Any]:
    system_id, params = str(_req(args, "Id")), str(_req(args, "Parameters"))
    pid = _guard(lambda: host.model.hcs.create_process(system_id, params))
    return [{"ProcessId": int(pid)}]


# ---- HNS ------------------------------------------------------------------------------------


@probe("Invoke-WccHnsCall", "Method", "Path", "Request")
def hns_call(host: SimHost, args: dict[str, Any]) -> list[Any]:
    method, path = str(_req(args, "Method")), str(_req(args, "Path"))
    return [_guard(lambda: host.model.hns.call(method, path, str(args.get("Request") or "")))]


@probe("Get-WccHnsObject", "Kind", "Id")
def hns_object(host: SimHost, args: dict[str, Any]) -> list[Any]:
    kind = str(_req(args, "Kind"))
    if kind.lower() not in ("networks", "endpoints", "namespaces"):
        raise PSError(
            f"Cannot validate argument on parameter 'Kind'. The argument \"{kind}\" does not belong to the set "
            '"networks,endpoints,namespaces" specified by the ValidateSet attribute.',
            "ParameterArgumentValidationError,Get-WccHnsObject",
            "InvalidData",
        )
    return [_guard(lambda: host.model.hns.call("GET", f"/{kind.lower()}/{args.get('Id') or ''}", ""))]


# ---- layers ---------------------------------------------------------------------------------


def _chain_file(path: str) -> str:
    return path.rstrip("\\") + "\\layerchain.json"


@probe("Get-WccLayerFolder", "Root")
def layer_folders(host: SimHost, args: dict[str, Any]) -> list[Any]:
    root = str(args.get("Root") or WINDOWSFILTER_ROOT)
    files = host.model.files
    if not files.is_dir(root):
        raise PSError(
            f"Cannot find path '{root}' because it does not exist.",
            "PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand",
            "ObjectNotFound",
        )
    return [name for name in files.list_dir(root) if files.is_dir(root.rstrip("\\") + "\\" + name)]


@probe("Test-WccPath", "Path")
def test_path(host: SimHost, args: dict[str, Any]) -> list[Any]:
    return [bool(host.model.files.exists(str(_req(args, "Path"))))]


@probe("Get-WccLayerChain", "Path")
def layer_chain(host: SimHost, args: dict[str, Any]) -> list[Any]:
    file = _chain_file(str(_req(args, "Path")))
    files = host.model.files
    return [files.read_text(file)] if files.exists(file) else []


@probe("Get-WccLayerMountPath", "Path")
def layer_mount_path(host: SimHost, args: dict[str, Any]) -> list[Any]:
    path = str(_req(args, "Path"))
    return [_guard(lambda: host.model.windowsfilter.get_layer_mount_path(path))]


@probe("Get-WccNameToGuid", "Name")
def name_to_guid(host: SimHost, args: dict[str, Any]) -> list[Any]:
    name = str(_req(args, "Name"))
    return [_guard(lambda: host.model.windowsfilter.name_to_guid(name))]


@probe("New-WccScratchLayer", "Path", "ParentPaths")
def new_scratch_layer(host: SimHost, args: dict[str, Any]) -> list[Any]:
    path, parents = str(_req(args, "Path")), _strings(args.get("ParentPaths"))
    store = host.model.windowsfilter
    parent_mount = _guard(lambda: store.get_layer_mount_path(parents[0])) if parents else ""
    _guard(lambda: store.create_sandbox_layer(path, parents))
    # The module writes layerchain.json itself, compact, in the order it was given.
    host.model.files.write_text(_chain_file(path), json.dumps(parents, separators=(",", ":")))
    return [{"Path": path, "ParentMountPath": parent_mount}]


@probe("Enable-WccLayer", "Path", "ParentPaths")
def enable_layer(host: SimHost, args: dict[str, Any]) -> list[Any]:
    path, parents = str(_req(args, "Path")), _strings(args.get("ParentPaths"))
    store = host.model.windowsfilter
    _guard(lambda: store.activate_layer(path))
    _guard(lambda: store.prepare_layer(path, parents))
    return [{"Path": path, "MountPath": _guard(lambda: store.get_layer_mount_path(path))}]


@probe("Disable-WccLayer", "Path")
def disable_layer(host: SimHost, args: dict[str, Any]) -> list[Any]:
    path = str(_req(args, "Path"))
    store = host.model.windowsfilter
    _guard(lambda: store.unprepare_layer(path))
    _guard(lambda: store.deactivate_layer(path))
    return []


@probe("Remove-WccLayer", "Path")
def remove_layer(host: SimHost, args: dict[str, Any]) -> list[Any]:
    path = str(_req(args, "Path"))
    _guard(lambda: host.model.windowsfilter.destroy_layer(path))
    return []


# ---- network --------------------------------------------------------------------------------


@probe("Get-WccCompartment")
def compartments(host: SimHost, args: dict[str, Any]) -> list[Any]:
    return [
        {"Id": c.id, "Description": c.description, "Guid": c.guid, "Type": c.type}
        for c in host.model.net.compartments()
    ]


@probe("Get-WccCompartmentCommand")
def compartment_commands(host: SimHost, args: dict[str, Any]) -> list[Any]:
    # What Get-Command -Noun NetCompartment finds: the registry's commands on this host.
    return [n for n in REGISTRY.names() if n.lower().endswith("-netcompartment") and REGISTRY.find(n, host)]


def _interface_json(nic: Any) -> dict[str, Any]:
    return {
        "IfIndex": nic.if_index,
        "Alias": nic.alias,
        "CompartmentId": nic.compartment_id,
        "AddressFamily": nic.address_family,
        "IPv4Addresses": [addr for addr, _prefix in nic.addresses],
        "ConnectionState": nic.connection_state,
    }


@probe("Get-WccInterface", "CompartmentId", "AliasLike")
def interfaces(host: SimHost, args: dict[str, Any]) -> list[Any]:
    from fnmatch import fnmatchcase

    cid = args.get("CompartmentId")
    compartment = int(cid) if cid is not None and int(cid) >= 0 else None
    nics = _interfaces_via_cmdlet(host, compartment)
    if nics is None:
        nics = [
            _interface_json(n) for n in host.model.net.interfaces(compartment) if n.address_family == "IPv4"
        ]
    like = str(args.get("AliasLike") or "")
    if like:
        nics = [n for n in nics if fnmatchcase(str(n["Alias"]).lower(), like.lower())]
    return nics


def _interfaces_via_cmdlet(host: SimHost, compartment: int | None) -> list[dict[str, Any]] | None:
    """Answer through Get-NetIPInterface when the host's PowerShell has it, so that the cmdlet's
    behaviour (e.g. how it applies -CompartmentId) is what the probe sees, as on Windows."""
    command = REGISTRY.find("Get-NetIPInterface", host)
    if command is None:
        return None
    call_args: dict[str, Any] = {"AddressFamily": "IPv4", "IncludeAllCompartments": True}
    if compartment is not None:
        call_args["CompartmentId"] = compartment
    inv = Invocation("Get-NetIPInterface", call_args, [], host, None)
    by_index = {n.if_index: n for n in host.model.net.interfaces(None)}
    out = []
    for obj in command.fn(inv):
        index = int(obj.get("ifIndex") if hasattr(obj, "get") else obj["ifIndex"])
        nic = by_index.get(index)
        row = {
            "IfIndex": index,
            "Alias": str(obj.get("InterfaceAlias")),
            "CompartmentId": int(obj.get("CompartmentId") or 0),
            "AddressFamily": "IPv4",
            "IPv4Addresses": [a for a, _p in nic.addresses] if nic else [],
            "ConnectionState": str(obj.get("ConnectionState") or (nic.connection_state if nic else "")),
        }
        out.append(row)
    return out


@probe("Get-WccRoute", "CompartmentId")
def routes(host: SimHost, args: dict[str, Any]) -> list[Any]:
    cid = int(_req(args, "CompartmentId"))
    return [
        {
            "DestinationPrefix": r.destination_prefix,
            "NextHop": r.next_hop,
            "IfIndex": r.if_index,
            "CompartmentId": r.compartment_id,
            "Metric": r.route_metric,
        }
        for r in host.model.net.routes(cid)
    ]


# ---- events, filters ------------------------------------------------------------------------


def _parse_since(text: str) -> datetime:
    """[DateTime]::Parse(..., RoundtripKind) of an ISO 8601 time; a time without zone is UTC here."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PSError(
            'Exception calling "Parse" with "3" argument(s): "String was not recognized as a valid DateTime."',
            "FormatException",
            "NotSpecified",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@probe("Get-WccEvent", "LogName", "Since", "MaxEvents")
def events(host: SimHost, args: dict[str, Any]) -> list[Any]:
    log = str(args.get("LogName") or HCS_OPERATIONAL)
    since = _parse_since(str(args["Since"])) if args.get("Since") else None
    if log.lower() not in {n.lower() for n in host.model.events.log_names()} | {HCS_OPERATIONAL.lower()}:
        raise PSError(
            f'There is not an event log on the localhost computer that matches "{log}".',
            "NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand",
            "ObjectNotFound",
        )
    records = host.model.events.records(log, since)
    limit = int(args.get("MaxEvents") or 2000)
    newest_first = sorted(records, key=lambda r: r.record_id, reverse=True)[:limit]
    return [
        {
            "TimeCreated": r.time_created.isoformat(),
            "Id": r.id,
            "Level": r.level,
            "Message": r.message,
            "SystemId": r.system_id or "",
        }
        for r in newest_first
    ]


@probe("Get-WccFilter")
def filters(host: SimHost, args: dict[str, Any]) -> list[Any]:
    return [
        {"Name": f.name, "Instances": f.instances, "Altitude": f.altitude, "Frame": f.frame}
        for f in host.model.filters()
    ]


# ---- dockerd --------------------------------------------------------------------------------


def _daemon(host: SimHost) -> dict[str, Any]:
    from winsim.model import DAEMON_JSON, DEBUG_LOG

    docker = next(s for s in host.model.services() if s.name == "docker")
    return {"Status": docker.status, "ProcessId": docker.pid, "ConfigPath": DAEMON_JSON, "LogPath": DEBUG_LOG}


@probe("Get-WccDaemon")
def daemon(host: SimHost, args: dict[str, Any]) -> list[Any]:
    return [_daemon(host)]


@probe("Stop-WccDaemon", "Kill")
def stop_daemon(host: SimHost, args: dict[str, Any]) -> list[Any]:
    if args.get("Kill"):
        if not host.model.dockerd.running:
            raise PSError(
                'Cannot find a process with the name "dockerd". Verify the process name and call the cmdlet again.',
                "NoProcessFoundForGivenName,Microsoft.PowerShell.Commands.StopProcessCommand",
                "ObjectNotFound",
            )
        host.model.dockerd.kill()
    else:
        host.model.dockerd.stop()
    return [_daemon(host)]


@probe("Start-WccDaemon")
def start_daemon(host: SimHost, args: dict[str, Any]) -> list[Any]:
    from winsim.model import ModelError

    error = ""
    try:
        host.model.dockerd.start()
    except ModelError:
        # Start-Service reports only that the service stopped; dockerd's reason is in its log.
        error = "Service 'Docker Engine (docker)' cannot be started due to the following error: Cannot start service docker on computer '.'."
    return [{**_daemon(host), "Error": error}]


@probe("Get-WccDaemonLog", "Since", "MarkOnly")
def daemon_log(host: SimHost, args: dict[str, Any]) -> list[Any]:
    dockerd = host.model.dockerd
    if args.get("MarkOnly"):
        return [{"Mark": dockerd.log_mark(), "Lines": []}]
    since = int(args.get("Since") or 0)
    lines = dockerd.debug_log()
    return [{"Mark": len(lines), "Lines": lines[since:]}]


@probe("Get-WccDaemonConfig")
def daemon_config(host: SimHost, args: dict[str, Any]) -> list[Any]:
    from winsim.model import DAEMON_JSON

    files = host.model.files
    exists = files.exists(DAEMON_JSON)
    return [
        {"Path": DAEMON_JSON, "Exists": exists, "Content": files.read_text(DAEMON_JSON) if exists else ""}
    ]


@probe("Set-WccDaemonConfig", "Content", "Remove")
def set_daemon_config(host: SimHost, args: dict[str, Any]) -> list[Any]:
    from winsim.model import DAEMON_JSON

    files = host.model.files
    if args.get("Remove"):
        if files.exists(DAEMON_JSON):
            files.remove(DAEMON_JSON)
    else:
        files.write_text(DAEMON_JSON, str(args.get("Content") or ""))
    return daemon_config(host, {})


@probe("Invoke-WccDocker", "Arguments", "TimeoutMs")
def invoke_docker(host: SimHost, args: dict[str, Any]) -> list[Any]:
    from winsim.powershell.native import quote_arg
    from winsim.shell.run import run_captured

    command_line = " ".join(["docker.exe", *(quote_arg(a) for a in _strings(args.get("Arguments")))])
    code, out, err = run_captured(host, command_line)
    return [{"ExitCode": code, "Stdout": out, "Stderr": err, "Errors": []}]
