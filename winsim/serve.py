"""``python -m winsim serve``: start one simulated host and print one JSON line when ready.

The line carries every endpoint a client needs (docker, winrm, ssh), the credentials and the
SSH host key.  The process serves until it gets SIGTERM/SIGINT or its stdin closes (so a
launcher that dies takes its hosts with it).  Without ``--state-dir`` the host lives in a
private temporary folder that goes with it, whichever way it stops (``winsim.hostfolder``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import stat
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

from winsim.docker_api import server as docker_server
from winsim.host import SimHost
from winsim.hostfolder import host_folder
from winsim.profiles import LATENCY, profile_help
from winsim.ssh import server as ssh_server
from winsim.tracing import ENV_VAR, FunctionTrace
from winsim.winrm import server as winrm_server

CHARGES_ENV = "WINSIM_CHARGES"  # --charges DIR's default


class Surface(Protocol):
    """A running protocol server of a simulated host."""

    @property
    def endpoints(self) -> dict[str, Any]:
        """Merged into the ready line."""
        ...

    def close(self) -> None: ...


def start_surfaces(host: SimHost, bind: str = "127.0.0.1") -> list[Surface]:
    # order matters only for the JSON line
    return [docker_server.start(host, bind), winrm_server.start(host, bind), ssh_server.start(host, bind)]


def ready_line(host: SimHost, surfaces: list[Surface]) -> dict[str, Any]:
    line: dict[str, Any] = {
        "name": host.name,
        "profile": host.profile.name,
        "os_build": host.profile.build,
        "revision": host.profile.ubr,
        "state_dir": str(host.state_dir),
        "deviations": sorted(host.deviations),
        "latency": host.latency.name,
        "daemon_debug": host.daemon_debug,
        "hyperv": host.hyperv,
        "credentials": {"username": host.credentials.username, "password": host.credentials.password},
    }
    for surface in surfaces:
        line.update(surface.endpoints)
    return line


def add_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--name", default=None, help="host name (default: <profile>-sim)")
    serve.add_argument("--profile", default="ws2022", help=profile_help() + " (default: %(default)s)")
    serve.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where the host keeps its files, kept after it stops (default: a temporary folder removed then)",
    )
    serve.add_argument(
        "--deviation",
        action="append",
        default=[],
        metavar="NAME",
        help="break one documented behaviour (repeatable; the names are listed below)",
    )
    serve.add_argument(
        "--revision",
        type=int,
        default=None,
        metavar="UBR",
        help="the build revision the host is patched to (the registry's UBR; default: the profile's)",
    )
    serve.add_argument("--latency", default="none", help="latency profile: " + " or ".join(sorted(LATENCY)))
    serve.add_argument(
        "--daemon-debug", action="store_true", help='dockerd logs API calls ("debug": true in daemon.json)'
    )
    serve.add_argument(
        "--hyperv",
        action="store_true",
        help="the Hyper-V role is installed besides Containers (vmms runs; --isolation=hyperv works)",
    )
    serve.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="the address WinRM, SSH and the Docker API listen on, each on a free port (default: %(default)s)",
    )
    serve.add_argument(
        "--trace-functions",
        type=Path,
        default=os.environ.get(ENV_VAR) or None,
        help=f"record the script functions that run in DIR/<host>.functions (default: ${ENV_VAR})",
    )
    serve.add_argument(
        "--charges",
        type=Path,
        default=os.environ.get(CHARGES_ENV) or None,
        metavar="DIR",
        help=f"on stopping, write what the latency profile charged to DIR/<host>.charges.json (default: ${CHARGES_ENV})",
    )


def run(args: argparse.Namespace) -> int:
    # without --state-dir the host's keys and passwords live in a temporary folder removed on any exit
    with host_folder(args.state_dir, prefix="winsim-") as state_dir:
        return _serve(args, state_dir)


def _serve(args: argparse.Namespace, state_dir: Path) -> int:
    try:
        host = SimHost.create(
            args.name or f"{args.profile}-sim",
            args.profile,
            state_dir,
            frozenset(args.deviation),
            args.latency,
            args.daemon_debug,
            args.revision,
            args.hyperv,
        )
    except ValueError as exc:
        print(f"winsim: {exc}", file=sys.stderr)
        return 2
    if args.trace_functions:
        host.function_trace = FunctionTrace(Path(args.trace_functions) / f"{host.name}.functions")
    surfaces = start_surfaces(host, args.bind)
    try:
        print(json.dumps(ready_line(host, surfaces)), flush=True)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())

        def watch_stdin() -> None:
            try:
                sys.stdin.read()
            finally:
                stop.set()

        # Only a pipe means a launcher waits on us; /dev/null (detached hosts) reads EOF at once.
        if stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
            threading.Thread(target=watch_stdin, daemon=True).start()
        stop.wait()
    finally:
        for surface in surfaces:
            surface.close()
        if args.charges:
            _write_charges(host, Path(args.charges))
    return 0


def _write_charges(host: SimHost, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{host.name}.charges.json"
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(host.charges.as_json(host.latency.round_trip)) + "\n")
    temp.replace(path)  # whole or absent: a reader never sees half a tally
