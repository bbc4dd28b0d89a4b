"""What the evaluator's parts see of a runspace: the ``Runspace`` protocol ``Interpreter`` satisfies.

The interpreter dispatches to ``commands``, ``expressions``, ``native_commands`` and the .NET
objects of ``netobjects``, and they evaluate sub-nodes back through the runspace they are given.
They take this protocol, so the imports run one way: ``interpreter`` -> those modules -> here.
Script functions and their parameters (``FunctionDef``, ``ScriptParam``) are plain data kept here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tree_sitter import Node

    from winsim.powershell.errors import ErrorRecord, Position
    from winsim.powershell.registry import PSError
    from winsim.powershell.values import ScriptBlock
    from winsim.processes import HostServices, ProcessIO


class FunctionDef:
    """A script function: its parameters, body and (for modules) the module that defined it."""

    def __init__(
        self, name: str, params: list[ScriptParam], body: Node, source: str, has_process: bool
    ) -> None:
        self.name = name
        self.params = params
        self.body = body
        self.source = source
        self.has_process = has_process


class ScriptParam:
    def __init__(
        self,
        name: str,
        type_name: str | None,
        default: Node | None,
        mandatory: bool,
        from_pipeline: bool,
        valid_values: list[str] | None = None,
    ) -> None:
        self.valid_values = valid_values  # [ValidateSet(...)]
        self.name = name
        self.type_name = type_name
        self.default = default
        self.mandatory = mandatory
        self.from_pipeline = from_pipeline

    @property
    def switch(self) -> bool:
        return (self.type_name or "").lower() in ("switch", "system.management.automation.switchparameter")


class Runspace(Protocol):
    """The state and evaluation entry points of one PowerShell runspace."""

    host: HostServices
    env: dict[str, str]
    cwd: str
    scopes: list[dict[str, Any]]
    script_scope: dict[str, Any]
    module_scopes: dict[str, dict[str, Any]]
    functions: dict[str, FunctionDef]
    function_modules: dict[str, str]
    current_function: str | None
    error_sinks: list[Callable[[ErrorRecord], None]]
    last_success: bool
    strict: bool
    depth: int
    source: str
    process: ProcessIO | None

    def new_runspace(
        self, on_output: Callable[[list[Any]], None], on_error: Callable[[ErrorRecord], None]
    ) -> Runspace: ...
    def get_var(self, name: str, node: Node | None = None) -> Any: ...
    def set_var(self, name: str, value: Any) -> None: ...
    def run(self, text: str, emit: bool = True) -> None: ...
    def block(self, node: Node) -> list[Any]: ...
    def statement(self, node: Node) -> list[Any]: ...
    def expr(self, node: Node) -> Any: ...
    def expr_text(self, text: str) -> Any: ...
    def value_of(self, node: Node) -> Any: ...
    def binary_chain(self, node: Node) -> Any: ...
    def member_name(self, node: Node) -> str: ...
    def assign(self, target: Node, value: Any, stmt: Node) -> None: ...
    def invoke_scriptblock(
        self,
        block: ScriptBlock,
        args: list[Any],
        dollar_under: Any = None,
        new_scope: bool = True,
        named_args: dict[str, Any] | None = None,
        pipeline_input: list[Any] | None = None,
    ) -> list[Any]: ...
    def position(self, node: Node, length: int | None = None) -> Position: ...
    def record(
        self, err: PSError, node: Node | None, command: str = "", activity: str = ""
    ) -> ErrorRecord: ...
    def write_error(self, record: ErrorRecord, action: str | None = None) -> None: ...
    def report(self, record: ErrorRecord) -> None: ...
