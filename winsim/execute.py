"""``python -m winsim exec PROGRAM [ARGS...]``: run one program of a simulated host on this process's stdio.

This is what a local ``powershell.exe`` child looks like to the drivers' ``local`` transport
(``WCC_LOCAL_POWERSHELL="python -m winsim exec powershell.exe"``): real pipes, real process
exit, the same program a WinRM or SSH shell would start.  The host is built fresh in a state
folder (no servers are started).

    $ echo 'Get-NetCompartment | ConvertTo-Json' | python -m winsim exec powershell.exe -Command -
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
from pathlib import Path

from winsim.host import SimHost
from winsim.hostfolder import host_folder
from winsim.processes import spawn
from winsim.profiles import profile_help


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="ws2022", help=profile_help() + " (default: %(default)s)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where the host keeps its files, kept after it stops (default: a temporary folder removed then)",
    )
    parser.add_argument(
        "--deviation",
        action="append",
        default=[],
        metavar="NAME",
        help="break one documented behaviour (repeatable; the names are listed below)",
    )
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, help="program and its arguments, e.g. powershell.exe -Command -"
    )


def run(args: argparse.Namespace) -> int:
    if not args.command:
        print("winsim exec: name a program, e.g. powershell.exe -Command -", file=sys.stderr)
        return 2
    # without --state-dir the host lives in a temporary folder removed on any exit
    with host_folder(args.state_dir, prefix="winsim-exec-") as state_dir:
        return _execute(args, state_dir)


def _execute(args: argparse.Namespace, state_dir: Path) -> int:
    try:
        host = SimHost.create(f"{args.profile}-sim", args.profile, state_dir, frozenset(args.deviation))
    except ValueError as exc:
        print(f"winsim exec: {exc}", file=sys.stderr)
        return 2
    proc = spawn(host, subprocess.list2cmdline(args.command))

    def feed_stdin() -> None:
        # os.read returns what is there, so a line reaches the program as soon as it is written
        while chunk := os.read(sys.stdin.fileno(), 65536):
            proc.write_stdin(chunk)
        proc.write_stdin(b"", eof=True)

    threading.Thread(target=feed_stdin, daemon=True).start()
    while True:
        out = proc.read_output(timeout=0.5)
        if out.stdout:
            sys.stdout.buffer.write(out.stdout)
            sys.stdout.buffer.flush()
        if out.stderr:
            sys.stderr.buffer.write(out.stderr)
            sys.stderr.buffer.flush()
        if out.exit_code is not None and not out.stdout and not out.stderr:
            return out.exit_code & 0xFF  # a POSIX exit status keeps the low byte
