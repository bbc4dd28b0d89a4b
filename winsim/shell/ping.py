r"""``ping.exe``: echo requests to an address, one a second, as Windows' ping prints them.

Only what a container host's lifecycle needs: an IPv4 literal or ``localhost`` (the machine's own
name over ``::1``, as Windows resolves it), ``-n count`` (4 by default) and ``-t`` (until the
process is ended, which prints nothing more).  The texts are Windows ping's (INFERRED: no fidelity
sample yet).  Any other name is not found (exit 1).
"""

from __future__ import annotations

import ipaddress

from winsim.cmdline import split_command_line
from winsim.processes import ProcessIO

INTERVAL = 1.0  # seconds between echo requests


def _parse(argv: list[str]) -> tuple[str, int | None] | str:
    """(target, count or None for -t), or the usage error to print."""
    target, count = "", 4
    forever = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        low = arg.lower()
        if low in ("-t", "/t"):
            forever = True
        elif low in ("-n", "/n"):
            if i + 1 >= len(argv) or not argv[i + 1].isdigit() or int(argv[i + 1]) < 1:
                return f"Bad value for option {arg}, valid range is from 1 to 4294967295.\r\n"
            count = int(argv[i + 1])
            i += 1
        elif low.startswith(("-", "/")):
            return f"Bad option {arg}.\r\n"
        else:
            target = arg
        i += 1
    if not target:
        return "IP address must be specified.\r\n"
    return target, None if forever else count


def ping_program(proc: ProcessIO) -> int:
    parsed = _parse(split_command_line(proc.command_line)[1:])
    if isinstance(parsed, str):
        proc.stdout.write(parsed)
        return 1
    target, count = parsed
    if target.lower() == "localhost":
        name = proc.env.get("COMPUTERNAME") or proc.host.name.upper()
        address, banner = "::1", f"{name} [::1]"
    else:
        try:
            address = banner = str(ipaddress.IPv4Address(target))
        except ValueError:
            proc.stdout.write(
                f"Ping request could not find host {target}. Please check the name and try again.\r\n"
            )
            return 1
    reply = (
        f"Reply from {address}: time<1ms\r\n"
        if ":" in address
        else (f"Reply from {address}: bytes=32 time<1ms TTL=128\r\n")
    )
    proc.stdout.write(f"\r\nPinging {banner} with 32 bytes of data:\r\n")
    sent = 0
    while count is None or sent < count:
        if sent and proc.terminated.wait(INTERVAL):
            return 0  # ended: the process is gone, nothing more reaches a reader
        proc.stdout.write(reply)
        sent += 1
    proc.stdout.write(
        f"\r\nPing statistics for {address}:\r\n"
        f"    Packets: Sent = {sent}, Received = {sent}, Lost = 0 (0% loss),\r\n"
        "Approximate round trip times in milli-seconds:\r\n"
        "    Minimum = 0ms, Maximum = 0ms, Average = 0ms\r\n"
    )
    return 0
