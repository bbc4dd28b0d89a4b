"""Start a program in the current thread, as a parent shell does when it waits for a child.

``run_inline`` hands the child the parent's own stdin/stdout/stderr (``cmd /c powershell -Command -``
reads cmd's stdin); ``run_captured`` gives it fresh pipes and returns what it wrote.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from winsim.processes import OutStream, ProcessIO, StdinStream

if TYPE_CHECKING:
    from winsim.host import SimHost


def run_inline(parent: ProcessIO, command_line: str, env: dict[str, str] | None = None) -> int:
    """Run ``command_line`` on the parent's streams and return its exit code."""
    program = parent.host.resolve_program(command_line)
    child = ProcessIO(
        host=parent.host,
        command_line=command_line,
        stdin=parent.stdin,
        stdout=parent.stdout,
        stderr=parent.stderr,
        env=dict(env if env is not None else parent.env),
        cwd=parent.cwd,
        terminated=parent.terminated,
    )
    return int(program(child))


def run_captured(
    host: SimHost,
    command_line: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> tuple[int, str, str]:
    """Run ``command_line`` with its own pipes: (exit code, stdout text, stderr text)."""
    program = host.resolve_program(command_line)
    cond = threading.Condition()
    child_in = StdinStream()
    child_in.feed((stdin or "").encode("utf-8"), eof=True)
    io = ProcessIO(
        host=host,
        command_line=command_line,
        stdin=child_in,
        stdout=OutStream(cond),
        stderr=OutStream(cond),
        env=dict(env or {}),
    )
    if cwd:
        io.cwd = cwd
    code = int(program(io))
    return code, io.stdout.take().decode("utf-8", "replace"), io.stderr.take().decode("utf-8", "replace")
