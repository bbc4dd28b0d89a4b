"""Pipeline plumbing: Where-Object, ForEach-Object, Select-Object, Sort-Object, Measure-Object."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from winsim.powershell import dotnet
from winsim.powershell.expressions import get_member
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import (
    ScriptBlock,
    as_list,
    compare,
    is_collection,
    order,
    to_bool,
    to_int,
    to_number,
    to_string,
    unwrap,
)

# Where-Object's comparison switches (simplified syntax: Where Prop -Like value).
_WHERE_OPS = (
    "EQ", "NE", "GT", "LT", "GE", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains", "NotContains", "In", "NotIn",
    "CEQ", "CNE", "CGT", "CLT", "CGE", "CLE", "CLike", "CNotLike", "CMatch", "CNotMatch", "CContains", "CNotContains",
    "CIn", "CNotIn", "Is", "IsNot",
)  # fmt: skip


def _prop(inv: Invocation, obj: Any, name: str) -> Any:
    return get_member(inv.session, obj, name) if not inv.session.strict else _lenient(inv, obj, name)


def _lenient(inv: Invocation, obj: Any, name: str) -> Any:
    try:
        return get_member(inv.session, obj, name)
    except PSError:
        return None


def _run_block(inv: Invocation, block: ScriptBlock, item: Any) -> list[Any]:
    return inv.session.invoke_scriptblock(block, [], dollar_under=item, new_scope=False)


@cmdlet(
    "Where-Object",
    Param("Property", position=0),
    Param("Value", position=1),
    Param("FilterScript"),
    *(Param(op, switch=True) for op in _WHERE_OPS),
    aliases=("where", "?"),
)
def where_object(inv: Invocation) -> Iterable[Any]:
    block = inv.args.get("FilterScript")
    prop = inv.args.get("Property")
    if block is None and isinstance(prop, ScriptBlock):
        block, prop = prop, None
    if block is not None:
        for item in inv.input:
            if to_bool(unwrap(_run_block(inv, block, item))):
                yield item
        return
    if prop is None:
        raise PSError(
            "Cannot process command because of one or more missing mandatory parameters: FilterScript.",
            "MissingMandatoryParameter,Microsoft.PowerShell.Commands.WhereObjectCommand",
            "InvalidArgument",
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    ops = [op for op in _WHERE_OPS if inv.switch(op)]
    if len(ops) > 1:
        raise PSError(
            "Parameter set cannot be resolved using the specified named parameters.",
            "AmbiguousParameterSet,Microsoft.PowerShell.Commands.WhereObjectCommand",
            "InvalidArgument",
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    name = to_string(prop)
    value = inv.args.get("Value")
    for item in inv.input:
        actual = _prop(inv, item, name)
        if not ops:
            hit = to_bool(actual)
        elif ops[0] in ("Is", "IsNot"):
            hit = dotnet.is_instance(actual, to_string(getattr(value, "name", value)))
            hit = hit if ops[0] == "Is" else not hit
        else:
            result = compare("-" + ops[0].lower(), actual, value)
            hit = to_bool(result) if not is_collection(result) else bool(result)
        if hit:
            yield item


@cmdlet(
    "ForEach-Object",
    Param("Process", position=0),
    Param("Begin"),
    Param("End"),
    Param("MemberName"),
    Param("ArgumentList"),
    aliases=("foreach", "%"),
)
def foreach_object(inv: Invocation) -> Iterable[Any]:
    process = inv.args.get("Process")
    member = inv.args.get("MemberName")
    if isinstance(process, str) and member is None:
        member, process = process, None
    if inv.args.get("Begin") is not None:
        yield from _run_block(inv, inv.args["Begin"], None)
    for item in inv.input:
        if member is not None:
            value = _prop(inv, item, to_string(member))
            yield from as_list(value) if is_collection(value) else ([] if value is None else [value])
        elif isinstance(process, ScriptBlock):
            yield from _run_block(inv, process, item)
        elif process is not None:
            for block in as_list(process):
                if isinstance(block, ScriptBlock):
                    yield from _run_block(inv, block, item)
    if inv.args.get("End") is not None:
        yield from _run_block(inv, inv.args["End"], None)


def _calculated(inv: Invocation, spec: Any) -> tuple[str, Any]:
    """(name, getter) for a Select-Object property: a name or @{Name=...; Expression=...}."""
    if isinstance(spec, dict):
        name = None
        expr = None
        for key, value in spec.items():
            k = str(key).lower()
            if k in ("n", "name", "l", "label") or "name".startswith(k) and k:
                name = to_string(value)
            elif "expression".startswith(k) and k:
                expr = value
        if expr is None:
            raise PSError(
                'The "Expression" key is missing in the hashtable.', "DictionaryKeyMissing", "InvalidArgument"
            )
        if name is None:
            name = to_string(expr.text.strip() if isinstance(expr, ScriptBlock) else expr)
        return name, expr
    return to_string(spec), to_string(spec)


def _evaluate(inv: Invocation, getter: Any, item: Any) -> Any:
    if isinstance(getter, ScriptBlock):
        return unwrap(_run_block(inv, getter, item))
    return _prop(inv, item, to_string(getter))


@cmdlet(
    "Select-Object",
    Param("Property", position=0),
    Param("ExpandProperty", type="string"),
    Param("First", type="int"),
    Param("Last", type="int"),
    Param("Skip", type="int"),
    Param("Unique", switch=True),
    Param("ExcludeProperty", type="string[]"),
    Param("InputObject", from_pipeline=True),
    aliases=("select",),
)
def select_object(inv: Invocation) -> Iterable[Any]:
    items = list(inv.input) if "InputObject" not in inv.args else [inv.args["InputObject"]]
    skip = to_int(inv.args.get("Skip", 0))
    items = items[skip:]
    if "First" in inv.args:
        items = items[: to_int(inv.args["First"])]
    if "Last" in inv.args:
        last = to_int(inv.args["Last"])
        items = items[-last:] if last else []
    specs = as_list(inv.args.get("Property")) if "Property" in inv.args else []
    expand = inv.args.get("ExpandProperty")
    out: list[Any] = []
    for item in items:
        if specs and not (len(specs) == 1 and specs[0] == "*" and expand is None):
            props: dict[str, Any] = {}
            for spec in specs:
                if spec == "*" and isinstance(item, PSObject):
                    props.update({k: v for k, v in item.props.items() if not k.startswith("__")})
                    continue
                name, getter = _calculated(inv, spec)
                props[name] = _evaluate(inv, getter, item)
            type_name = item.type_name if isinstance(item, PSObject) else "System.Object"
            selected = PSObject(
                [f"Selected.{type_name}", "System.Management.Automation.PSCustomObject", "System.Object"],
                props,
            )
            item = selected
        if expand is not None:
            value = _prop(inv, item, expand)
            if (
                value is None
                and not (isinstance(item, PSObject) and item.has(expand))
                and not (isinstance(item, dict))
            ):
                raise PSError(
                    f'Property "{expand}" cannot be found.',
                    "ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand",
                    "InvalidArgument",
                    target=item,
                    exception_type="System.Management.Automation.PSArgumentException",
                )
            out.extend(as_list(value) if is_collection(value) else ([] if value is None else [value]))
        else:
            out.append(item)
    if inv.switch("Unique"):
        unique: list[Any] = []
        for v in out:
            if not any(compare("-eq", u, v) is True for u in unique if not is_collection(u)):
                unique.append(v)
        out = unique
    yield from out


@cmdlet(
    "Sort-Object",
    Param("Property", position=0),
    Param("Descending", switch=True),
    Param("Unique", switch=True),
    Param("CaseSensitive", switch=True),
    aliases=("sort",),
)
def sort_object(inv: Invocation) -> Iterable[Any]:
    specs = as_list(inv.args.get("Property")) if "Property" in inv.args else []
    descending = inv.switch("Descending")

    def keys(item: Any) -> list[Any]:
        if not specs:
            return [item]
        result = []
        for spec in specs:
            getter: Any = spec
            if isinstance(spec, dict):
                getter = next((v for k, v in spec.items() if "expression".startswith(str(k).lower())), spec)
            result.append(_evaluate(inv, getter, item))
        return result

    decorated = [(keys(item), index, item) for index, item in enumerate(inv.input)]

    def cmp(a: tuple[list[Any], int, Any], b: tuple[list[Any], int, Any]) -> int:
        for x, y in zip(a[0], b[0], strict=False):
            try:
                result = order(x, y, inv.switch("CaseSensitive"))
            except PSError:
                result = order(to_string(x), to_string(y))
            if result:
                return -result if descending else result
        return a[1] - b[1]

    decorated.sort(key=functools.cmp_to_key(cmp))
    result = [d[2] for d in decorated]
    if inv.switch("Unique"):
        unique: list[Any] = []
        for v in result:
            if not unique or order(unique[-1], v) != 0:
                unique.append(v)
        result = unique
    yield from result


@cmdlet(
    "Measure-Object",
    Param("Property", position=0, type="string[]"),
    Param("Sum", switch=True),
    Param("Average", switch=True),
    Param("Maximum", switch=True),
    Param("Minimum", switch=True),
    Param("InputObject", from_pipeline=True),
    aliases=("measure",),
)
def measure_object(inv: Invocation) -> Iterable[Any]:
    items = [i for i in inv.input if i is not None]
    prop = (inv.args.get("Property") or [None])[0]
    values = [_prop(inv, i, prop) if prop else i for i in items]
    numbers = (
        [to_number(v) for v in values if v is not None]
        if any(inv.switch(s) for s in ("Sum", "Average", "Maximum", "Minimum"))
        else []
    )
    stats: dict[str, Any] = {
        "Count": len(values),
        "Average": (sum(numbers) / len(numbers)) if inv.switch("Average") and numbers else None,
        "Sum": sum(numbers) if inv.switch("Sum") else None,
        "Maximum": max(numbers) if inv.switch("Maximum") and numbers else None,
        "Minimum": min(numbers) if inv.switch("Minimum") and numbers else None,
        "Property": prop,
    }
    yield PSObject.of("Microsoft.PowerShell.Commands.GenericMeasureInfo", stats, view="list")


@cmdlet("Group-Object", Param("Property", position=0), aliases=("group",))
def group_object(inv: Invocation) -> Iterable[Any]:
    groups: dict[str, list[Any]] = {}
    names: dict[str, str] = {}
    for item in inv.input:
        key = (
            to_string(_evaluate(inv, as_list(inv.args.get("Property"))[0], item))
            if "Property" in inv.args
            else to_string(item)
        )
        groups.setdefault(key.lower(), []).append(item)
        names.setdefault(key.lower(), key)
    for low, members in groups.items():
        yield PSObject.of(
            "Microsoft.PowerShell.Commands.GroupInfo",
            {"Count": len(members), "Name": names[low], "Group": members},
            view="table",
        )
