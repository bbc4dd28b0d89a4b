r"""``ping.exe`` and ``taskkill.exe``: a program that runs until it is ended, and what ends a tree.

``ping -t`` sends an echo request a second until it is interrupted, as on Windows: it never
exits on its own.  ``taskkill /F /PID n [/T]`` terminates a process (and with /T every
descendant, children first) through the host's process table.

>>> # C:\> ping -n 1 127.0.0.1          C:\> taskkill /T /F /PID 4104

taskkill's text follows public transcripts in the code index: ``taskkill /pid 12976 /f /t``
printing one ``SUCCESS: The process with PID <child> (child process of PID <root>) has been
terminated.`` line per process, children first (a setup guide, index id 58554486068); without /F
the "can only be terminated forcefully" error and exit code 1, with /F /T exit code 0 (a tool log,
index id 70628383643); a second kill of the same pid exits 128 with ``ERROR: The process "<pid>"
not found.`` on stderr (a measurement on a real machine, index id 68831736742).  ping's reply
lines follow public transcripts (``Pinging 127.0.0.1 with 32 bytes of data:``,
``Reply from 127.0.0.1: bytes=32 time<1ms TTL=128``); its statistics block and the IPv6 loopback
form are INFERRED (no captured sample yet).
"""

from __future__ import annotations

import ipaddress

from winsim.cmdline import split_command_line
from winsim.processes import ProcessIO

CRLF = "\r\n"
# TerminateProcess(handle, 1): the exit code taskkill /F leaves a process with.
TASKKILL_EXIT_CODE = 1
TASKKILL_NOT_FOUND = 128
PING_INTERVAL = 1.0  # seconds between echo requests
PING_DEFAULT_COUNT = 4


def _loopback(target: str) -> str | None:
    """The address ``target`` answers from: only the host's own loopback is reachable."""
    if target.lower() == "localhost":
        return "::1"
    try:
        address = ipaddress.ip_address(target)
    except ValueError:
        return None
    return str(address) if address.is_loopback else None


def ping(proc: ProcessIO) -> int:
    args = split_command_line(proc.command_line)[1:]
    forever = False
    count = PING_DEFAULT_COUNT
    target = ""
    i = 0
    while i < len(args):
        arg = args[i]
        low = arg.lower()
        if low in ("-t", "/t"):
            forever = True
        elif low in ("-n", "/n") and i + 1 < len(args) and args[i + 1].isdigit():
            count = int(args[i + 1])
            i += 1
        elif low.startswith(("-", "/")):
            proc.stdout.write(f"Bad option {arg}.{CRLF}")
            return 1
        else:
            target = arg
        i += 1
    if not target:
        proc.stdout.write(f"IP address must be specified.{CRLF}")
        return 1
    source = _loopback(target)
    if source is None:
        proc.stdout.write(
            f"Ping request could not find host {target}. Please check the name and try again.{CRLF}"
        )
        return 1
    shown = f"{target} [{source}]" if source != target else target
    proc.stdout.write(f"{CRLF}Pinging {shown} with 32 bytes of data:{CRLF}")
    reply = (
        f"Reply from {source}: time<1ms"
        if ":" in source
        else f"Reply from {source}: bytes=32 time<1ms TTL=128"
    )
    sent = 0
    while forever or sent < count:
        if sent and proc.terminated.wait(PING_INTERVAL):
            return 0  # ended from outside: a terminated process writes nothing more
        proc.stdout.write(reply + CRLF)
        sent += 1
    proc.stdout.write(
        f"{CRLF}Ping statistics for {source}:{CRLF}"
        f"    Packets: Sent = {sent}, Received = {sent}, Lost = 0 (0% loss),{CRLF}"
        f"Approximate round trip times in milli-seconds:{CRLF}"
        f"    Minimum = 0ms, Maximum = 0ms, Average = 0ms{CRLF}"
    )
    return 0


def taskkill(proc: ProcessIO) -> int:
    args = [a.lower() for a in split_command_line(proc.command_line)[1:]]
    tree = "/t" in args
    force = "/f" in args
    pids: list[str] = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "/pid"]
    if not pids or not all(p.isdigit() for p in pids):
        proc.stderr.write(f'ERROR: Invalid syntax. Type "TASKKILL /?" for usage.{CRLF}')
        return 1
    table = proc.host.processes
    code = 0
    for pid in pids:
        root = table.get(int(pid))
        if root is None:
            proc.stderr.write(f'ERROR: The process "{pid}" not found.{CRLF}')
            code = TASKKILL_NOT_FOUND
            continue
        if not force:
            # console programs have no window to close: only /F ends them
            proc.stderr.write(
                f"ERROR: The process with PID {pid} could not be terminated.{CRLF}"
                f"Reason: This process can only be terminated forcefully (with /F option).{CRLF}"
            )
            code = 1
            continue
        for victim in [*table.descendants(root), root] if tree else [root]:
            if victim is proc:
                continue  # taskkill never ends itself
            if table.terminate(victim, TASKKILL_EXIT_CODE):
                proc.stdout.write(
                    f"SUCCESS: The process with PID {victim.pid} (child process of PID {victim.parent_pid})"
                    f" has been terminated.{CRLF}"
                )
    return code


PROGRAMS = {"ping.exe": ping, "taskkill.exe": taskkill}
