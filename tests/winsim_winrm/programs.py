"""Tiny programs the WinRM/SSH tests run, so those tests do not depend on cmd.exe/powershell.exe.

``wcctest.exe <verb> [args]`` verbs: ``echo TEXT``, ``cat`` (stdin to stdout until EOF),
``exit N`` (a line on stderr, then exit N), ``wait`` (until terminated), ``big N`` (N bytes),
``env NAME``, ``cwd``, ``line`` (prints its own command line).  ``Waiter`` tells a test when its
process saw the terminate; ``wrong_credentials`` spoils one part of a host's login.
"""

from __future__ import annotations

import threading
from pathlib import Path

from winsim.host import SimHost
from winsim.processes import ProcessIO


def wcctest(proc: ProcessIO) -> int:
    parts = proc.command_line.split(" ", 2)
    verb = parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    if verb == "echo":
        proc.stdout.write(arg + "\r\n")
        return 0
    if verb == "cat":
        while True:
            line = proc.stdin.readline()
            if not line:
                return 0
            proc.stdout.write(line)
    if verb == "exit":
        proc.stderr.write(f"exiting with {arg}\r\n")
        return int(arg)
    if verb == "wait":
        proc.stdout.write("waiting\r\n")
        proc.terminated.wait()
        return 0
    if verb == "big":
        proc.stdout.write(b"x" * int(arg))
        return 0
    if verb == "env":
        proc.stdout.write(proc.env.get(arg, "") + "\r\n")
        return 0
    if verb == "cwd":
        proc.stdout.write(proc.cwd + "\r\n")
        return 0
    if verb == "line":
        proc.stdout.write(proc.command_line + "\r\n")
        return 0
    proc.stderr.write(f"wcctest: unknown verb {verb!r}\r\n")
    return 2


class Waiter:
    """A program that writes ``up`` and blocks until terminated; ``ended`` is set once it was.

    >>> sim_host.programs["waiter.exe"] = waiter = Waiter()   # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.ended = threading.Event()

    def __call__(self, proc: ProcessIO) -> int:
        proc.stdout.write("up\r\n")
        proc.terminated.wait()
        self.ended.set()
        return 0


WRONG_PARTS = ("password", "user", "domain")


def wrong_credentials(host: SimHost, which: str) -> tuple[str, str]:
    """``(user, password)`` of ``host`` with ``which`` (one of WRONG_PARTS) spoiled."""
    user, password = host.credentials.username, host.credentials.password
    if which == "password":
        return user, password + "!"
    if which == "user":
        return "Guest", password
    if which == "domain":
        return "ELSEWHERE\\" + user, password
    raise ValueError(f"wrong_credentials: unknown part {which!r}; expected one of {WRONG_PARTS}")


def install(host: SimHost) -> None:
    host.programs["wcctest.exe"] = wcctest


def make_host(state_dir: Path, latency: str = "none") -> SimHost:
    """``SimHost.create`` plus the test programs."""
    host = SimHost.create("t", "ws2022", state_dir, latency=latency)
    install(host)
    return host
