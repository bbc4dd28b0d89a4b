"""HCS schema1 JSON documents: what vmcompute's exports parse into ``winsim.model.hcs``'s types and
render from its records (ContainerConfig, ProcessConfig, property queries, and the
ContainerProperties answer).

A document that is not a JSON object fails as HCS does, with HCS_E_INVALID_JSON for the call.

>>> config = container_config(text, "hcsshim::CreateComputeSystem", cid)       # doctest: +SKIP
>>> properties_document(system, with_processes=True)["ProcessList"][0]["ImageName"]  # doctest: +SKIP
'smss.exe'
"""

from __future__ import annotations

import json
from typing import Any

from winsim.model.errors import HCS_E_INVALID_JSON, HcsError
from winsim.model.hcs import (
    ComputeSystem,
    ContainerConfig,
    HcsProcess,
    LayerRef,
    MappedDirectory,
    ProcessConfig,
    SystemQuery,
)


def parse(text: str, op: str, subject: str) -> dict[str, Any]:
    """A JSON object, or HcsError(HCS_E_INVALID_JSON) for the call ``op`` on ``subject``."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HcsError.of(HCS_E_INVALID_JSON, op, subject) from exc
    if not isinstance(value, dict):
        raise HcsError.of(HCS_E_INVALID_JSON, op, subject)
    return value


def container_config(text: str, op: str, subject: str) -> ContainerConfig:
    """HcsCreateComputeSystem's configuration (schema1 ContainerConfig)."""
    doc = parse(text, op, subject)
    return ContainerConfig(
        system_type=str(doc.get("SystemType", "Container")),
        name=str(doc.get("Name") or ""),
        owner=str(doc.get("Owner") or ""),
        volume_path=str(doc.get("VolumePath") or ""),
        ignore_flushes_during_boot=bool(doc.get("IgnoreFlushesDuringBoot")),
        layer_folder_path=str(doc.get("LayerFolderPath") or ""),
        # a layer that is not an object names no folder, so HCS finds no such file
        layers=tuple(
            LayerRef(str(lay.get("ID") or ""), str(lay.get("Path") or ""))
            if isinstance(lay, dict)
            else LayerRef("", "")
            for lay in doc.get("Layers") or []
        ),
        hostname=str(doc.get("HostName") or ""),
        hv_partition=bool(doc.get("HvPartition")),
        hv_runtime_image_path=_image_path(doc.get("HvRuntime")),
        endpoints=tuple(str(e) for e in doc.get("EndpointList") or []),
        allow_unqualified_dns_query=bool(doc.get("AllowUnqualifiedDNSQuery")),
        mapped_directories=tuple(
            MappedDirectory(
                str(m.get("HostPath") or ""), str(m.get("ContainerPath") or ""), bool(m.get("ReadOnly"))
            )
            for m in doc.get("MappedDirectories") or []
            if isinstance(m, dict)
        ),
    )


def _image_path(runtime: Any) -> str:
    """HvRuntime.ImagePath ("" when the object or the field is missing)."""
    return str(runtime.get("ImagePath") or "") if isinstance(runtime, dict) else ""


def process_config(text: str, op: str, subject: str) -> ProcessConfig:
    """HcsCreateProcess's parameters (schema1 ProcessConfig)."""
    doc = parse(text, op, subject)
    env = doc.get("Environment")
    return ProcessConfig(
        command_line=str(doc.get("CommandLine") or ""),
        working_directory=str(doc.get("WorkingDirectory") or ""),
        environment=tuple((str(k), str(v)) for k, v in env.items()) if isinstance(env, dict) else (),
        emulate_console=bool(doc.get("EmulateConsole")),
        create_stdin_pipe=bool(doc.get("CreateStdInPipe")),
        create_stdout_pipe=bool(doc.get("CreateStdOutPipe")),
        create_stderr_pipe=bool(doc.get("CreateStdErrPipe")),
    )


def system_query(text: str, op: str) -> SystemQuery:
    """HcsEnumerateComputeSystems' query: ``{"Ids","Names","Types","Owners"}``, each a list."""
    doc = parse(text or "{}", op, "")

    def values(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in doc.get(key) or [])

    return SystemQuery(values("Ids"), values("Names"), values("Types"), values("Owners"))


def wants_processes(text: str, op: str, subject: str) -> bool:
    """A property query ``{"PropertyTypes":["ProcessList"]}`` asks for the processes too."""
    return "ProcessList" in (parse(text or "{}", op, subject).get("PropertyTypes") or [])


def properties_document(system: ComputeSystem, with_processes: bool = False) -> dict[str, Any]:
    """schema1 ContainerProperties."""
    out: dict[str, Any] = {
        "Id": system.id,
        "SystemType": system.system_type,
        "Name": system.name,
        "Owner": system.owner,
        "SiloGuid": system.runtime_id,
        "RuntimeId": system.runtime_id,
        "IsRuntimeTemplate": False,
        "RuntimeOsType": "Windows",
        "State": system.state,
        "Stopped": system.stopped,
    }
    if system.exit_type:
        out["ExitType"] = system.exit_type
    if with_processes:
        out["ProcessList"] = [process_document(p) for p in system.processes.values() if p.exit_code is None]
    return out


def process_document(proc: HcsProcess) -> dict[str, Any]:
    """One ProcessList item."""
    return {
        "ProcessId": proc.pid,
        "ImageName": proc.image_name,
        "CreateTimestamp": proc.created.isoformat().replace("+00:00", "Z"),
        "UserTime100ns": proc.user_time_100ns,
        "KernelTime100ns": proc.kernel_time_100ns,
        "MemoryCommitBytes": proc.memory_commit_bytes,
        "MemoryWorkingSetPrivateBytes": proc.memory_private_working_set,
        "MemoryWorkingSetSharedBytes": proc.memory_shared_working_set,
    }
