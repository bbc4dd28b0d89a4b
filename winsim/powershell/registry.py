"""The registry of commands the simulated PowerShell can run: cmdlets and native commands.

Everything a script can call by name that is not a script function is a :class:`Command`.
Model-backed cmdlets (``Get-NetCompartment``...) and plumbing (``Where-Object``...) register
the same way, so the interpreter has one way to bind parameters and run a command.

A command function receives the :class:`Invocation` and returns an iterable of output objects;
pipeline input arrives in ``inv.input`` (already a list).  Errors are raised as
:class:`PSError`; the interpreter turns them into error records (non-terminating unless
``terminating=True`` or ``$ErrorActionPreference = 'Stop'``).

Example::

    @cmdlet("Get-Thing", Param("Name", position=0), Param("All", switch=True))
    def get_thing(inv: Invocation) -> Iterable[object]:
        yield PSObject.of("Thing", {"Name": inv.args.get("Name", "x")})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from winsim.processes import HostServices


@dataclass(frozen=True)
class Param:
    name: str
    position: int | None = None
    switch: bool = False
    mandatory: bool = False
    from_pipeline: bool = False  # ValueFromPipeline
    aliases: tuple[str, ...] = ()
    # "string", "int", "string[]", "int[]", "hashtable", "scriptblock", "object", "bool"
    type: str = "object"


class PSError(Exception):
    """An error record: message, FullyQualifiedErrorId and category, as PowerShell reports them."""

    def __init__(
        self,
        message: str,
        error_id: str = "RuntimeException",
        category: str = "NotSpecified",
        target: Any = None,
        terminating: bool = False,
        exception_type: str = "System.Management.Automation.RuntimeException",
        inner: PSError | None = None,
    ) -> None:
        super().__init__(message)
        self.inner = inner  # the .NET exception a MethodInvocationException wraps
        self.message = message
        self.error_id = error_id
        self.category = category
        self.target = target
        self.terminating = terminating
        self.exception_type = exception_type


@dataclass
class Invocation:
    """One call of a command: bound arguments, pipeline input and the session it runs in."""

    name: str
    args: dict[str, Any]  # canonical parameter name -> value; switches are bool
    input: list[Any]
    host: HostServices
    session: Any  # the interpreter's session state (variables, preferences, output streams)
    # Call a script block with $_ set (for Where-Object / ForEach-Object and friends).
    invoke_block: Callable[..., list[Any]] | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def switch(self, name: str) -> bool:
        return bool(self.args.get(name, False))


CommandFn = Callable[[Invocation], Iterable[Any]]


@dataclass(frozen=True)
class Command:
    name: str
    params: tuple[Param, ...]
    fn: CommandFn
    aliases: tuple[str, ...] = ()
    # Native executables (fltmc, hcsdiag, docker) take raw string arguments.
    native: bool = False
    # A command that exists only on some hosts (e.g. a deviation adds it).
    available: Callable[[HostServices], bool] | None = None


class Registry:
    """Case-insensitive name -> Command, with aliases (``where``, ``?``, ``%``, ``select``...)."""

    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def add(self, command: Command) -> Command:
        for key in (command.name, *command.aliases):
            self._commands[key.lower()] = command
        return command

    def find(self, name: str, host: HostServices | None = None) -> Command | None:
        cmd = self._commands.get(name.lower())
        if cmd is None and name.lower().endswith(".exe"):
            cmd = self._commands.get(name.lower()[:-4])
        if cmd is not None and host is not None and cmd.available is not None and not cmd.available(host):
            return None
        return cmd

    def names(self) -> list[str]:
        return sorted({c.name for c in self._commands.values()})


REGISTRY = Registry()


def cmdlet(
    name: str,
    *params: Param,
    aliases: tuple[str, ...] = (),
    native: bool = False,
    available: Callable[[HostServices], bool] | None = None,
) -> Callable[[CommandFn], CommandFn]:
    """Register a function as a command in the global :data:`REGISTRY`."""

    def wrap(fn: CommandFn) -> CommandFn:
        REGISTRY.add(Command(name, tuple(params), fn, aliases, native, available))
        return fn

    return wrap
