"""vmcompute.dll at its exports: HCS v1 compute systems and processes, HNSCall, NameToGuid, layers.

Each export has the native signature hcsshim declares (:mod:`winsim.native.signatures`) and
answers from ``host.model`` the way the DLL does:

- the return value is an HRESULT (``0`` = S_OK, negative = failure as a signed 32-bit value);
- JSON answers and error documents come back through ``out`` pointers to CoTaskMemAlloc'd
  UTF-16 strings the caller frees; ``result`` is ``{"Error": <hr>, "ErrorMessage": ...}`` on failure;
- HCS v1 accepts create/start/terminate asynchronously: they answer HCS_E_OPERATION_PENDING and
  the caller watches the system's State (INFERRED: hcsshim's ``processAsyncHcsResult`` treats
  that code as "wait for the notification"; the model completes the operation at once);
- layer calls take a DriverInfo (Flavour 1 = windowsfilter; an empty HomeDir means the id is the
  layer's full path) and return Win32 errors as HRESULTs (``0x80070002`` for a missing layer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from winsim.model.errors import (
    E_INVALID_PARAMETER,
    E_PATH_NOT_FOUND,
    HCS_E_SYSTEM_NOT_FOUND,
    HcsError,
    HnsError,
    LayerError,
    signed32,
)
from winsim.native import hcs_schema1
from winsim.native.exports import Cell, Export, NativeProcess
from winsim.native.hnscall import hns_call
from winsim.native.memory import AccessViolation
from winsim.native.signatures import SIGNATURES

DLL = "vmcompute.dll"
S_OK = 0
HCS_E_OPERATION_PENDING = 0xC0370103
E_HANDLE = 0x80070006
ERROR_INSUFFICIENT_BUFFER = 0x8007007A
WINDOWSFILTER_FLAVOUR = 1

EXPORTS: dict[str, Export] = {}


def export(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``fn`` as the export of its name, with that name's native signature."""
    EXPORTS[fn.__name__] = Export(DLL, SIGNATURES[fn.__name__], fn)
    return fn


def _hcs_failure(process: NativeProcess, exc: HcsError, result: Cell) -> int:
    result.value = process.heap.alloc_string(json.dumps(exc.result_document()))
    return signed32(exc.hresult)


def _system(process: NativeProcess, handle: int) -> str | None:
    return process.handle(handle, "ComputeSystem")


# ---- compute systems -------------------------------------------------------------------------


@export
def HcsEnumerateComputeSystems(process: NativeProcess, query: str, systems: Cell, result: Cell) -> int:
    systems.value, result.value = 0, 0
    try:
        found = process.host.model.hcs.enumerate_compute_systems(
            hcs_schema1.system_query(query or "{}", "hcsshim::EnumerateComputeSystems")
        )
    except HcsError as exc:
        return _hcs_failure(process, exc, result)
    systems.value = process.heap.alloc_string(json.dumps([hcs_schema1.properties_document(s) for s in found]))
    return S_OK


@export
def HcsOpenComputeSystem(process: NativeProcess, system_id: str, handle: Cell, result: Cell) -> int:
    handle.value, result.value = 0, 0
    try:
        system = process.host.model.hcs.open_compute_system(str(system_id or ""))
    except HcsError as exc:
        return _hcs_failure(process, exc, result)
    handle.value = process.open_handle("ComputeSystem", system.id)
    return S_OK


@export
def HcsCloseComputeSystem(process: NativeProcess, handle: int) -> int:
    system_id = _system(process, handle)
    if system_id is None:
        return signed32(E_HANDLE)
    process.close_handle(handle)
    process.host.model.hcs.close_compute_system(system_id)
    return S_OK


@export
def HcsGetComputeSystemProperties(
    process: NativeProcess, handle: int, query: str, properties: Cell, result: Cell
) -> int:
    properties.value, result.value = 0, 0
    system_id = _system(process, handle)
    if system_id is None:
        return signed32(E_HANDLE)
    try:
        with_processes = hcs_schema1.wants_processes(
            query or "{}", "hcsshim::GetComputeSystemProperties", system_id
        )
        system = process.host.model.hcs.get_compute_system_properties(system_id)
    except HcsError as exc:
        return _hcs_failure(process, exc, result)
    properties.value = process.heap.alloc_string(
        json.dumps(hcs_schema1.properties_document(system, with_processes))
    )
    return S_OK


@export
def HcsCreateComputeSystem(
    process: NativeProcess, system_id: str, configuration: str, identity: int, handle: Cell, result: Cell
) -> int:
    handle.value, result.value = 0, 0
    try:
        config = hcs_schema1.container_config(
            str(configuration or ""), "hcsshim::CreateComputeSystem", str(system_id or "")
        )
        process.host.model.hcs.create_compute_system(str(system_id or ""), config)
    except HcsError as exc:
        return _hcs_failure(process, exc, result)
    handle.value = process.open_handle("ComputeSystem", str(system_id))
    return signed32(HCS_E_OPERATION_PENDING)


def _operation(process: NativeProcess, handle: int, result: Cell, run: Callable[[str], None]) -> int:
    result.value = 0
    system_id = _system(process, handle)
    if system_id is None:
        return signed32(E_HANDLE)
    try:
        run(system_id)
    except HcsError as exc:
        return _hcs_failure(process, exc, result)
    return signed32(HCS_E_OPERATION_PENDING)


@export
def HcsStartComputeSystem(process: NativeProcess, handle: int, options: str, result: Cell) -> int:
    hcs = process.host.model.hcs
    return _operation(process, handle, result, hcs.start_compute_system)


@export
def HcsShutdownComputeSystem(process: NativeProcess, handle: int, options: str, result: Cell) -> int:
    hcs = process.host.model.hcs
    return _operation(process, handle, result, hcs.shutdown_compute_system)


@export
def HcsTerminateComputeSystem(process: NativeProcess, handle: int, options: str, result: Cell) -> int:
    hcs = process.host.model.hcs
    return _operation(process, handle, result, hcs.terminate_compute_system)


# ---- processes -------------------------------------------------------------------------------


@export
def HcsCreateProcess(
    process: NativeProcess,
    handle: int,
    parameters: str,
    information: Cell,
    process_handle: Cell,
    result: Cell,
) -> int:
    information.value = {"ProcessId": 0, "Reserved": 0, "StdInput": 0, "StdOutput": 0, "StdError": 0}
    process_handle.value, result.value = 0, 0
    system_id = _system(process, handle)
    if system_id is None:
        return signed32(E_HANDLE)
    try:
        params = hcs_schema1.process_config(str(parameters or ""), "hcsshim::CreateProcess", system_id)
        pid = process.host.model.hcs.create_process(system_id, params)
    except HcsError as exc:
        return _hcs_failure(process, exc, result)
    information.value = {**information.value, "ProcessId": int(pid)}
    process_handle.value = process.open_handle("Process", f"{system_id}:{pid}")
    return S_OK


@export
def HcsCloseProcess(process: NativeProcess, handle: int) -> int:
    if process.handle(handle, "Process") is None:
        return signed32(E_HANDLE)
    process.close_handle(handle)
    return S_OK


# ---- HNS -------------------------------------------------------------------------------------


@export
def HNSCall(process: NativeProcess, method: str, path: str, request: str, response: Cell) -> int:
    # HNS answers most failures inside its envelope ({"Success":false,"Error":...}) with S_OK; the
    # ones HNS fails the call for come back as the HRESULT, with no answer.
    try:
        answer = hns_call(process.host.model.hns, str(method or ""), str(path or ""), str(request or ""))
    except HnsError as exc:
        response.value = 0
        return signed32(exc.hresult)
    response.value = process.heap.alloc_string(answer)
    return S_OK


# ---- layers ----------------------------------------------------------------------------------


def _layer_path(info: dict[str, Any] | None, layer_id: str) -> str | None:
    """The layer a DriverInfo + id names; None for a flavour other than windowsfilter."""
    if info is None:
        raise AccessViolation("the DriverInfo pointer is NULL")
    if int(info.get("Flavour") or 0) != WINDOWSFILTER_FLAVOUR:
        return None
    home = str(info.get("HomeDir") or "")
    return f"{home.rstrip(chr(92))}\\{layer_id}" if home else str(layer_id or "")


def _layer_call(info: dict[str, Any] | None, layer_id: str, run: Callable[[str], object]) -> int:
    path = _layer_path(info, layer_id)
    if path is None:
        return signed32(E_INVALID_PARAMETER)
    try:
        run(path)
    except LayerError as exc:
        return signed32(exc.hresult)
    except ValueError:
        # A path that is not absolute (e.g. an ANSI-marshalled one read as UTF-16) resolves
        # against the service's working folder and names nothing (INFERRED).
        return signed32(E_PATH_NOT_FOUND)
    return S_OK


def _parents(descriptors: list[dict[str, Any]] | None, count: int) -> list[str]:
    return [str(d.get("Path") or "") for d in (descriptors or [])[: max(int(count), 0)]]


@export
def NameToGuid(process: NativeProcess, name: str, guid: Cell) -> int:
    guid.value = process.host.model.windowsfilter.name_to_guid(str(name or ""))
    return S_OK


@export
def CreateSandboxLayer(
    process: NativeProcess,
    info: dict[str, Any] | None,
    layer_id: str,
    parent: Any,
    descriptors: Any,
    count: int,
) -> int:
    store = process.host.model.windowsfilter
    return _layer_call(
        info, layer_id, lambda path: store.create_sandbox_layer(path, _parents(descriptors, count))
    )


@export
def ActivateLayer(process: NativeProcess, info: dict[str, Any] | None, layer_id: str) -> int:
    return _layer_call(info, layer_id, process.host.model.windowsfilter.activate_layer)


@export
def PrepareLayer(
    process: NativeProcess, info: dict[str, Any] | None, layer_id: str, descriptors: Any, count: int
) -> int:
    store = process.host.model.windowsfilter
    return _layer_call(info, layer_id, lambda path: store.prepare_layer(path, _parents(descriptors, count)))


@export
def GetLayerMountPath(
    process: NativeProcess, info: dict[str, Any] | None, layer_id: str, length: Cell, buffer: int
) -> int:
    """Two calls, as hcsshim makes them: a NULL buffer asks for the length (UTF-16 units with the
    NUL; 0 for a layer without a volume), then the buffer receives the path."""
    mount: list[str] = []
    code = _layer_call(
        info,
        layer_id,
        lambda path: mount.append(process.host.model.windowsfilter.get_layer_mount_path(path)),
    )
    if code != S_OK:
        return code
    needed = len(mount[0]) + 1 if mount[0] else 0
    if not buffer:
        length.value = needed
        return S_OK
    if int(length.value or 0) < needed:
        length.value = needed
        return signed32(ERROR_INSUFFICIENT_BUFFER)
    process.heap.write_string(buffer, mount[0])
    return S_OK


@export
def UnprepareLayer(process: NativeProcess, info: dict[str, Any] | None, layer_id: str) -> int:
    return _layer_call(info, layer_id, process.host.model.windowsfilter.unprepare_layer)


@export
def DeactivateLayer(process: NativeProcess, info: dict[str, Any] | None, layer_id: str) -> int:
    return _layer_call(info, layer_id, process.host.model.windowsfilter.deactivate_layer)


@export
def DestroyLayer(process: NativeProcess, info: dict[str, Any] | None, layer_id: str) -> int:
    return _layer_call(info, layer_id, process.host.model.windowsfilter.destroy_layer)


__all__ = ["EXPORTS", "HCS_E_OPERATION_PENDING", "HCS_E_SYSTEM_NOT_FOUND"]
