"""How dockerd renders exec, top and stats on Windows (moby api/types; daemon/top_windows.go, stats_windows.go)."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from winsim.docker_api.render import go_time
from winsim.model.docker_exec import TOP_TITLES, ContainerStats, Exec
from winsim.model.docker_objects import Container
from winsim.model.hcs import HcsProcess

_DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def human_size(size: float) -> str:
    """go-units HumanSize: four significant digits, decimal units (593920 -> "593.9kB")."""
    i = 0
    while size >= 1000 and i < len(_DECIMAL_UNITS) - 1:
        size /= 1000
        i += 1
    return f"{size:.4g}{_DECIMAL_UNITS[i]}"


def exec_inspect(ex: Exec) -> dict[str, Any]:
    return {
        "ID": ex.id,
        "Running": ex.running,
        "ExitCode": ex.exit_code,
        "ProcessConfig": {
            "tty": ex.tty,
            "entrypoint": ex.argv[0],
            "arguments": ex.argv[1:],
            "privileged": ex.privileged,
            "user": ex.user,
        },
        "OpenStdin": ex.open_stdin,
        "OpenStderr": ex.open_stderr,
        "OpenStdout": ex.open_stdout,
        "CanRemove": False,
        "ContainerID": ex.container.id,
        "DetachKeys": "",
        "Pid": ex.pid,
    }


def top(processes: list[HcsProcess]) -> dict[str, Any]:
    """Name, PID, CPU (kernel + user time as hh:mm:ss.mmm), Private Working Set."""
    rows = []
    for p in processes:
        ms = (p.kernel_time_100ns + p.user_time_100ns) // 10_000
        cpu = f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
        rows.append([p.image_name, str(p.pid), cpu, human_size(p.memory_private_working_set)])
    return {"Titles": list(TOP_TITLES), "Processes": rows}


def _cpu(total: int, kernel: int, user: int) -> dict[str, Any]:
    return {
        "cpu_usage": {"total_usage": total, "usage_in_kernelmode": kernel, "usage_in_usermode": user},
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    }


def stats(c: Container, sample: ContainerStats | None) -> dict[str, Any]:
    """types.StatsJSON as Windows fills it (moby#25737): num_procs is the host's processor count,
    memory_stats is commitbytes, commitpeakbytes and privateworkingset (a real answer: moby#36359),
    networks are keyed by HNS endpoint id; a stopped container's sample is all zero."""
    zero = _cpu(0, 0, 0)
    out: dict[str, Any] = {
        "read": "0001-01-01T00:00:00Z",
        "preread": "0001-01-01T00:00:00Z",
        "pids_stats": {},
        "blkio_stats": {
            "io_service_bytes_recursive": None,
            "io_serviced_recursive": None,
            "io_queue_recursive": None,
            "io_service_time_recursive": None,
            "io_wait_time_recursive": None,
            "io_merged_recursive": None,
            "io_time_recursive": None,
            "sectors_recursive": None,
        },
        "num_procs": 0,
        "storage_stats": {},
        "cpu_stats": zero,
        "precpu_stats": zero,
        "memory_stats": {},
        "name": "/" + c.name,
        "id": c.id,
    }
    if sample is None:
        return out
    out.update(
        {
            "read": go_time(sample.read),
            "preread": go_time(sample.read - timedelta(seconds=1)),  # INFERRED: the collector's last sample
            "num_procs": os.cpu_count() or 2,
            "storage_stats": {
                "read_count_normalized": 0,
                "read_size_bytes": 0,
                "write_count_normalized": 0,
                "write_size_bytes": 0,
            },
            "cpu_stats": _cpu(sample.total_100ns, sample.kernel_100ns, sample.user_100ns),
            "memory_stats": {
                "commitbytes": sample.commit_bytes,
                "commitpeakbytes": sample.commit_peak_bytes,
                "privateworkingset": sample.private_working_set,
            },
            "networks": {
                att.hns_endpoint_id: {
                    "rx_bytes": 0,
                    "rx_packets": 0,
                    "rx_errors": 0,
                    "rx_dropped": 0,
                    "tx_bytes": 0,
                    "tx_packets": 0,
                    "tx_errors": 0,
                    "tx_dropped": 0,
                }
                for att in c.networks.values()
                if att.hns_endpoint_id
            },
        }
    )
    return out
