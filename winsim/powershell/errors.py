"""Error records and flow-control signals of the simulated PowerShell, and their console text.

An :class:`ErrorRecord` renders the way Windows PowerShell 5.1 prints an error when its output is
redirected (the text that also ends up inside CLIXML ``<S S="Error">`` lines)::

    Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, ...
    At line:1 char:1
    + Get-Foo
    + ~~~~~~~
        + CategoryInfo          : ObjectNotFound: (Get-Foo:String) [], CommandNotFoundException
        + FullyQualifiedErrorId : CommandNotFoundException
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from winsim.powershell.objects import PSObject
from winsim.powershell.registry import PSError
from winsim.powershell.values import to_string, type_display

# Width of the console buffer Windows PowerShell wraps error text to when output is redirected.
ERROR_WRAP_WIDTH = 120


@dataclass
class Position:
    """Where in the script an error happened: 1-based line/column, the line's text, highlight length."""

    line: int
    column: int
    line_text: str
    length: int


class ErrorRecord:
    """A PowerShell ErrorRecord (``$Error[0]``, ``$_`` in ``catch``)."""

    def __init__(
        self,
        error: PSError,
        command: str = "",
        position: Position | None = None,
        activity: str = "",
        show_prefix: bool = True,
    ) -> None:
        self.error = error
        self.command = command  # prefix "<command> : " in the rendered text
        self.position = position
        self.activity = activity  # the [...] part of CategoryInfo, e.g. "Write-Error"
        self.show_prefix = show_prefix

    @property
    def message(self) -> str:
        return self.error.message

    @property
    def exception_short(self) -> str:
        return self.error.exception_type.rsplit(".", 1)[-1]

    def category_line(self) -> str:
        target = self.error.target
        shown = ":" if target is None else f"{to_string(target)}:{type_display(target).rsplit('.', 1)[-1]}"
        return f"{self.error.category}: ({shown}) [{self.activity}], {self.exception_short}"

    def lines(self) -> list[str]:
        """The record as console lines (no line terminators), wrapped like the console host does."""
        head = f"{self.command} : {self.message}" if self.command and self.show_prefix else self.message
        out: list[str] = []
        for para in head.split("\n"):
            out.extend(wrap(para.rstrip("\r"), ERROR_WRAP_WIDTH))
        if self.position is not None:
            pos = self.position
            out.append(f"At line:{pos.line} char:{pos.column}")
            out.append("+ " + pos.line_text)
            out.append("+ " + " " * (pos.column - 1) + "~" * max(1, pos.length))
        out.append(f"    + CategoryInfo          : {self.category_line()}")
        out.append(f"    + FullyQualifiedErrorId : {self.error.error_id}")
        out.append(" ")
        return out

    def to_string(self) -> str:
        return self.message

    def member(self, name: str) -> Any:
        """Properties a script reads from an error record."""
        low = name.lower()
        if low == "exception":
            return _exception(self.error, self.message)
        if low == "fullyqualifiederrorid":
            return self.error.error_id
        if low == "categoryinfo":
            return PSObject.of(
                "System.Management.Automation.ErrorCategoryInfo",
                {
                    "Category": self.error.category,
                    "Activity": self.activity,
                    "Reason": self.exception_short,
                    "__ToString": self.category_line(),
                },
            )
        if low == "targetobject":
            return self.error.target
        if low == "invocationinfo":
            pos = self.position
            return PSObject.of(
                "System.Management.Automation.InvocationInfo",
                {
                    "MyCommand": self.command or None,
                    "ScriptLineNumber": pos.line if pos else 0,
                    "OffsetInLine": pos.column if pos else 0,
                    "Line": pos.line_text if pos else "",
                },
            )
        if low == "scriptstacktrace":
            return "at <ScriptBlock>, <No file>: line " + str(self.position.line if self.position else 1)
        raise KeyError(name)


def _exception(error: PSError, message: str) -> PSObject:
    inner = _exception(error.inner, error.inner.message) if error.inner is not None else None
    return PSObject.of(
        error.exception_type,
        {"Message": message, "InnerException": inner, "__ToString": f"{error.exception_type}: {message}"},
    )


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap like the console host: a line plus its trailing space stays under ``width``."""
    if len(text) < width:
        return [text]
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        piece = word + (" " if i < len(words) - 1 else "")
        if current and len(current) + len(piece) > width - 1:
            lines.append(current)
            current = ""
        while len(piece) > width - 1:  # a single word longer than the line is cut
            lines.append(piece[: width - 1])
            piece = piece[width - 1 :]
        current += piece
    if current:
        lines.append(current)
    return lines


class FlowSignal(Exception):
    """Base of break/continue/return/exit unwinding."""


class BreakSignal(FlowSignal):
    pass


class ContinueSignal(FlowSignal):
    pass


class ReturnSignal(FlowSignal):
    def __init__(self, values: list[Any]) -> None:
        super().__init__("return")
        self.values = values


class ExitSignal(FlowSignal):
    def __init__(self, code: int) -> None:
        super().__init__(f"exit {code}")
        self.code = code


class TerminatingError(Exception):
    """A terminating error unwinding to the nearest ``try``/``catch`` or the top level."""

    def __init__(self, record: ErrorRecord) -> None:
        super().__init__(record.message)
        self.record = record
