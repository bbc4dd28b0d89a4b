"""Arithmetic and string operators: ``+ - * / %``, ``..``, ``-f``, ``-join``, ``-split``, ``-replace``.

>>> apply("+", "a", 1)
'a1'
>>> apply("+", [1], 2)
[1, 2]
"""

from __future__ import annotations

import re
from typing import Any

from winsim.powershell import dates, dotnet
from winsim.powershell.registry import PSError
from winsim.powershell.values import as_list, is_collection, to_int, to_number, to_string


def _merge_dicts(left: dict[Any, Any], right: dict[Any, Any]) -> dict[Any, Any]:
    result = dict(left)
    for key, value in right.items():
        if any(str(k).lower() == str(key).lower() for k in result):
            raise PSError(
                f"Item has already been added. Key in dictionary: '{key}'  Key being added: '{key}'",
                "System.ArgumentException",
                "OperationStopped",
            )
        result[key] = value
    return result


def _number(value: float) -> int | float:
    """Results that are whole stay integers, as PowerShell widens only when it must."""
    return value


def _divide(left: Any, right: Any) -> int | float:
    a, b = to_number(left), to_number(right)
    if b == 0:
        raise PSError("Attempted to divide by zero.", "RuntimeException", "NotSpecified")
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return a / b


def apply(op: str, left: Any, right: Any) -> Any:
    """Apply a binary (non-comparison) operator the way PowerShell does for these value kinds."""
    op = op.lower()
    if op in ("+", "-"):
        result = dates.arithmetic(op, left, right)
        if not dates.is_no_method(result):
            return result
    if op == "+":
        if left is None:
            return right
        if is_collection(left):
            return list(left) + as_list(right) if is_collection(right) else list(left) + [right]
        if isinstance(left, str):
            return left + to_string(right)
        if isinstance(left, dict):
            if not isinstance(right, dict):
                raise PSError(
                    "A hash table can only be added to another hash table.", "AddHashTableToNonHashTable"
                )
            return _merge_dicts(left, right)
        return to_number(left) + to_number(right)
    if op == "-":
        return to_number(left) - to_number(right)
    if op == "*":
        if isinstance(left, str):
            return left * to_int(right)
        if is_collection(left):
            return list(left) * to_int(right)
        return to_number(left) * to_number(right)
    if op == "/":
        return _divide(left, right)
    if op == "%":
        b = to_number(right)
        if b == 0:
            raise PSError("Attempted to divide by zero.", "RuntimeException", "NotSpecified")
        a = to_number(left)
        return a - b * int(a / b)
    if op == "..":
        start, end = to_int(left), to_int(right)
        step = 1 if end >= start else -1
        return list(range(start, end + step, step))
    if op == "-f":
        return dotnet.format_string(to_string(left), as_list(right))
    if op in ("-join", "-cjoin", "-ijoin"):
        return to_string(right).join(to_string(v) for v in as_list(left))
    if op in ("-split", "-csplit", "-isplit"):
        flags = 0 if op == "-csplit" else re.IGNORECASE
        pattern = to_string(right)
        return [p for item in as_list(left) for p in re.split(pattern, to_string(item), flags=flags)]
    if op in ("-replace", "-creplace", "-ireplace"):
        parts = as_list(right)
        pattern = to_string(parts[0]) if parts else ""
        replacement = to_string(parts[1]) if len(parts) > 1 else ""
        flags = 0 if op == "-creplace" else re.IGNORECASE
        py_repl = re.sub(r"\$(\d+)", r"\\\1", replacement.replace("\\", "\\\\"))
        py_repl = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", py_repl)
        try:
            compiled = re.compile(pattern, flags)
        except re.error as exc:
            raise PSError(
                f"Invalid regular expression pattern: {pattern}.", "InvalidRegularExpression"
            ) from exc
        if is_collection(left):
            return [compiled.sub(py_repl, to_string(v)) for v in left]
        return compiled.sub(py_repl, to_string(left))
    if op == "-band":
        return to_int(left) & to_int(right)
    if op == "-bor":
        return to_int(left) | to_int(right)
    if op == "-bxor":
        return to_int(left) ^ to_int(right)
    if op == "-shl":
        return to_int(left) << to_int(right)
    if op == "-shr":
        return to_int(left) >> to_int(right)
    raise dotnet.not_modeled(f"the {op} operator")
