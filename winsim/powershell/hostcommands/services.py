r"""Services and processes of the container stack: the ``docker`` service and its ``dockerd`` process.

``Stop-Service docker`` stops dockerd gracefully (its containers are stopped first);
``Stop-Process -Name dockerd -Force`` kills it, leaving compute systems running;
``Start-Service docker`` starts it again (and fails as Windows does when daemon.json is bad).

>>> # PS> Get-Service docker; Stop-Process -Name dockerd -Force; Get-Process dockerd -ErrorAction SilentlyContinue
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winsim.latency import spend
from winsim.model import DaemonStartError, ServiceInfo
from winsim.powershell.enums import PSEnum
from winsim.powershell.hostcommands._common import matches, not_modeled, write_error
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import as_list, to_int, to_string

SERVICE_STATUS = {
    1: "Stopped",
    2: "StartPending",
    3: "StopPending",
    4: "Running",
    5: "ContinuePending",
    6: "PausePending",
    7: "Paused",
}
START_TYPE = {0: "Boot", 1: "System", 2: "Automatic", 3: "Manual", 4: "Disabled"}
# Service name -> the image of the process that hosts it (hns lives in a shared svchost).
SERVICE_IMAGES = {"docker": "dockerd", "vmcompute": "vmcompute", "hns": "svchost"}
# Services winsim can start and stop: only the docker daemon has a modelled lifecycle.
CONTROLLABLE = ("docker",)
PROCESS_TYPE = "System.Diagnostics.Process"
SERVICE_TYPE = "System.ServiceProcess.ServiceController"


def _status_number(status: str) -> int:
    return next((n for n, name in SERVICE_STATUS.items() if name == status), 1)


def service_object(svc: ServiceInfo) -> PSObject:
    props: dict[str, Any] = {
        "Name": svc.name,
        "ServiceName": svc.name,
        "DisplayName": svc.display_name,
        "Status": PSEnum(
            _status_number(svc.status), SERVICE_STATUS, "System.ServiceProcess.ServiceControllerStatus"
        ),
        "StartType": PSEnum(2, START_TYPE, "System.ServiceProcess.ServiceStartMode"),
        "CanStop": svc.status == "Running",
        "CanPauseAndContinue": False,
        "ServiceType": "Win32OwnProcess",
        "MachineName": ".",
        "DependentServices": [],
        "ServicesDependedOn": [],
        "__ToString": svc.name,
    }
    return PSObject(
        [SERVICE_TYPE, "System.ComponentModel.Component", "System.Object"],
        props,
        ["Status", "Name", "DisplayName"],
        "table",
        {"Status": SERVICE_STATUS, "StartType": START_TYPE},
    )


def _service_not_found(name: str, command: str) -> PSError:
    return PSError(
        f"Cannot find any service with service name '{name}'.",
        f"NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.{command}",
        "ObjectNotFound",
        target=name,
        exception_type="Microsoft.PowerShell.Commands.ServiceCommandException",
    )


def _services(inv: Invocation, command: str) -> list[ServiceInfo]:
    """Services named by -Name / -DisplayName / piped ServiceControllers (wildcards allowed)."""
    known = inv.host.model.services()
    names = [to_string(v) for v in as_list(inv.args.get("Name"))]
    names += [to_string(o.get("Name")) for o in inv.input if isinstance(o, PSObject) and o.has("ServiceName")]
    names += [o for o in inv.input if isinstance(o, str)]
    displays = [to_string(v) for v in as_list(inv.args.get("DisplayName"))]
    if not names and not displays:
        return known
    out: list[ServiceInfo] = []
    for name in names:
        hits = [s for s in known if matches(s.name, [name])]
        if not hits and not any(ch in name for ch in "*?["):
            write_error(inv, _service_not_found(name, command))
        out.extend(h for h in hits if h not in out)
    for display in displays:
        out.extend(s for s in known if matches(s.display_name, [display]) and s not in out)
    return out


_SERVICE_PARAMS = (
    Param("Name", position=0, type="string[]", aliases=("ServiceName",), from_pipeline=True),
    Param("DisplayName", type="string[]"),
    Param("InputObject", type="object"),
    Param("PassThru", switch=True),
    Param("Force", switch=True),
)


@cmdlet("Get-Service", *_SERVICE_PARAMS[:3], aliases=("gsv",))
def get_service(inv: Invocation) -> Iterable[PSObject]:
    return [service_object(s) for s in _services(inv, "GetServiceCommand")]


def _control(inv: Invocation, command: str, actions: tuple[str, ...]) -> list[PSObject]:
    model = inv.host.model
    out: list[PSObject] = []
    for svc in _services(inv, command):
        if svc.name not in CONTROLLABLE:
            raise not_modeled(f"starting or stopping the {svc.name} service")
        for action in actions:
            if action == "stop":
                model.dockerd.stop()
            else:
                try:
                    model.dockerd.start()
                except DaemonStartError as exc:
                    write_error(
                        inv,
                        PSError(
                            f"Service '{svc.display_name} ({svc.name})' cannot be started due to the following error: "
                            f"Cannot start service {svc.name} on computer '.'.",
                            f"CouldNotStartService,Microsoft.PowerShell.Commands.{command}",
                            "OpenError",
                            target=svc.name,
                            exception_type="Microsoft.PowerShell.Commands.ServiceCommandException",
                        ),
                    )
                    _ = exc  # dockerd's own reason is in its log (Get-Content C:\ProgramData\docker\dockerd.log)
                    break
        if inv.switch("PassThru"):
            current = next(s for s in model.services() if s.name == svc.name)
            out.append(service_object(current))
    return out


@cmdlet("Start-Service", *_SERVICE_PARAMS, aliases=("sasv",))
def start_service(inv: Invocation) -> Iterable[PSObject]:
    return _control(inv, "StartServiceCommand", ("start",))


@cmdlet("Stop-Service", *_SERVICE_PARAMS, Param("NoWait", switch=True), aliases=("spsv",))
def stop_service(inv: Invocation) -> Iterable[PSObject]:
    return _control(inv, "StopServiceCommand", ("stop",))


@cmdlet("Restart-Service", *_SERVICE_PARAMS)
def restart_service(inv: Invocation) -> Iterable[PSObject]:
    out = _control(inv, "RestartServiceCommand", ("stop", "start"))
    spend(inv.host, "dockerd_restart")  # docker is the one service it restarts (CONTROLLABLE)
    return out


# ---- processes -------------------------------------------------------------------------------
def _processes(inv: Invocation) -> list[tuple[str, int]]:
    """(process name, id) of the running stack processes."""
    out: list[tuple[str, int]] = []
    for svc in inv.host.model.services():
        if svc.pid is not None and svc.status == "Running":
            out.append((SERVICE_IMAGES.get(svc.name, svc.name), svc.pid))
    return sorted(out, key=lambda p: p[0].casefold())


def process_object(name: str, pid: int) -> PSObject:
    props: dict[str, Any] = {
        "Handles": 0,
        "NPM": 0,
        "PM": 0,
        "WS": 0,
        "CPU": None,
        "Id": pid,
        "SI": 0,
        "ProcessName": name,
        "Name": name,
        "Path": rf"C:\Program Files\docker\{name}.exe"
        if name == "dockerd"
        else rf"C:\Windows\system32\{name}.exe",
        "__ToString": f"System.Diagnostics.Process ({name})",
    }
    obj = PSObject(
        [PROCESS_TYPE, "System.ComponentModel.Component", "System.Object"],
        props,
        ["Handles", "NPM", "PM", "WS", "CPU", "Id", "SI", "ProcessName"],
        "table",
    )
    obj.labels.update({"NPM": "NPM(K)", "PM": "PM(K)", "WS": "WS(K)", "CPU": "CPU(s)"})
    return obj


def _process_not_found(name: str) -> PSError:
    return PSError(
        f'Cannot find a process with the name "{name}". Verify the process name and call the cmdlet again.',
        "NoProcessFoundForGivenName,Microsoft.PowerShell.Commands.GetProcessCommand",
        "ObjectNotFound",
        target=name,
        exception_type="Microsoft.PowerShell.Commands.ProcessCommandException",
    )


def _id_not_found(pid: int, command: str) -> PSError:
    return PSError(
        f"Cannot find a process with the process identifier {pid}.",
        f"NoProcessFoundForGivenId,Microsoft.PowerShell.Commands.{command}",
        "ObjectNotFound",
        target=pid,
        exception_type="Microsoft.PowerShell.Commands.ProcessCommandException",
    )


def _select_processes(inv: Invocation, command: str) -> list[tuple[str, int]]:
    running = _processes(inv)
    names = [to_string(v) for v in as_list(inv.args.get("Name"))]
    ids = [to_int(v) for v in as_list(inv.args.get("Id"))]
    for obj in inv.input + as_list(inv.args.get("InputObject")):
        if isinstance(obj, PSObject) and obj.has("Id"):
            ids.append(to_int(obj.get("Id")))
    if not names and not ids:
        return running
    out: list[tuple[str, int]] = []
    for name in names:
        hits = [p for p in running if matches(p[0], [name])]
        if not hits and not any(ch in name for ch in "*?["):
            write_error(inv, _process_not_found(name))
        out.extend(h for h in hits if h not in out)
    for pid in ids:
        hits = [p for p in running if p[1] == pid]
        if not hits:
            write_error(inv, _id_not_found(pid, command))
        out.extend(h for h in hits if h not in out)
    return out


@cmdlet(
    "Get-Process",
    Param("Name", position=0, type="string[]", aliases=("ProcessName",)),
    Param("Id", type="int[]", aliases=("PID",)),
    aliases=("gps", "ps"),
)
def get_process(inv: Invocation) -> Iterable[PSObject]:
    return [process_object(n, p) for n, p in _select_processes(inv, "GetProcessCommand")]


@cmdlet(
    "Stop-Process",
    Param("Id", position=0, type="int[]"),
    Param("Name", type="string[]", aliases=("ProcessName",)),
    Param("InputObject", type="object", from_pipeline=True),
    Param("Force", switch=True),
    Param("PassThru", switch=True),
    aliases=("spps", "kill"),
)
def stop_process(inv: Invocation) -> Iterable[PSObject]:
    model = inv.host.model
    out: list[PSObject] = []
    for name, pid in _select_processes(inv, "StopProcessCommand"):
        if name != "dockerd":
            raise not_modeled(f"stopping the {name} process")
        model.dockerd.kill()
        if inv.switch("PassThru"):
            out.append(process_object(name, pid))
    return out
