"""``Invoke-WccCall`` and ``Invoke-WccScript`` as native commands, and every probe in the registry.

The suite loads ``drivers/probe/Wcc.psm1`` with New-Module exactly as on Windows; the simulated
PowerShell checks that it parses and keeps these native implementations for the module's
functions of the same names.  ``Invoke-WccCall`` decodes the base64 JSON request, runs each
probe from :data:`winsim.probes.functions.PROBES` and writes one framed line to stdout::

    <<wcc:7>>{"id":7,"results":[{"ok":true,"value":[...]}]}<<wcc-end:7>>
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from winsim.powershell.objects import PSObject
from winsim.powershell.registry import REGISTRY, Command, Invocation, Param, PSError, cmdlet
from winsim.probes.functions import PARAMS, PROBES, Probe

if TYPE_CHECKING:
    from winsim.host import SimHost

SWITCHES = {"Kill", "MarkOnly", "Remove"}
SCRIPT_PARAMS = ("Script", "Arguments")


def _record(err: PSError) -> dict[str, Any]:
    return {"Message": err.message, "FullyQualifiedErrorId": err.error_id, "Category": err.category}


def _check_params(fn: str, args: dict[str, Any]) -> None:
    allowed = {p.lower() for p in (SCRIPT_PARAMS if fn == "Invoke-WccScript" else PARAMS.get(fn, ()))}
    for name in args:
        if name.lower() not in allowed:
            raise PSError(
                f"A parameter cannot be found that matches parameter name '{name}'.",
                f"NamedParameterNotFound,{fn}",
                "InvalidArgument",
                exception_type="System.Management.Automation.ParameterBindingException",
            )


def run_call(host: SimHost, fn: str, args: dict[str, Any]) -> dict[str, Any]:
    """One entry of a request: ``{"ok": true, "value": [...]}`` or ``{"ok": false, "errors": [...]}``."""
    runner: Probe
    if fn == "Invoke-WccScript":
        runner = run_script
    elif fn in PROBES and "-Wcc" in fn:
        runner = PROBES[fn]
    else:
        err = PSError(f"unknown probe function '{fn}'", "WccUnknownProbe", "ObjectNotFound")
        return {"ok": False, "errors": [_record(err)]}
    try:
        _check_params(fn, args)
        return {"ok": True, "value": runner(host, args)}
    except PSError as err:
        return {"ok": False, "errors": [_record(err)]}


def decode_request(text: str) -> dict[str, Any]:
    try:
        request = json.loads(base64.b64decode(text, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PSError(
            f'Exception calling "FromBase64String" with "1" argument(s): "{exc}"',
            "FormatException",
            "NotSpecified",
        ) from None
    if not isinstance(request, dict) or not isinstance(request.get("calls"), list):
        raise PSError("the request has no 'calls' list", "WccBadRequest", "InvalidData")
    return request


@cmdlet("Invoke-WccCall", Param("Request", position=0, mandatory=True, type="string"), native=True)
def invoke_call(inv: Invocation) -> Iterable[Any]:
    request = decode_request(str(inv.args["Request"]))
    results = []
    for call in request["calls"]:
        if not isinstance(call, dict):
            results.append(run_call(inv.host, "", {}))
            continue
        args = call.get("args") or {}
        results.append(run_call(inv.host, str(call.get("fn", "")), args if isinstance(args, dict) else {}))
    rid = request.get("id")
    frame = json.dumps({"id": rid, "results": results}, ensure_ascii=True, separators=(",", ":"))
    session = inv.session
    session.write_stdout(f"<<wcc:{rid}>>{frame}<<wcc-end:{rid}>>\r\n")
    session.flush()
    return []


def run_script(host: SimHost, args: dict[str, Any]) -> list[Any]:
    """Run script text in a fresh runspace; bind ``Arguments`` to its param() block."""
    from winsim.powershell.errors import ErrorRecord, ExitSignal, TerminatingError
    from winsim.powershell.format import render
    from winsim.powershell.interpreter import Interpreter

    script = str(args.get("Script") or "")
    named = args.get("Arguments") or {}
    if not isinstance(named, dict):
        raise PSError(
            "Arguments must be an object of parameter names and values", "WccBadArguments", "InvalidArgument"
        )
    output: list[Any] = []
    records: list[ErrorRecord] = []
    written: list[str] = []
    it = Interpreter(host, on_output=output.extend, on_error=records.append, write_stdout=written.append)
    # The param() block of a top-level script is declaration only here: bind by name as variables,
    # and run statement by statement so output written before an `exit` is kept.
    for key, value in named.items():
        it.set_var(str(key), value)
    code: int | None = None
    try:
        it.run(script)
    except ExitSignal as signal:
        code = signal.code
    except TerminatingError as exc:
        records.append(exc.record)
        code = 1
    except PSError as err:
        records.append(ErrorRecord(err))
        code = 1
    if code is None:
        last = it.get_var("LASTEXITCODE")
        code = int(last) if isinstance(last, int) else (1 if records else 0)
    errors = [
        {"Message": r.message, "FullyQualifiedErrorId": r.error.error_id, "Category": r.error.category}
        for r in records
    ]
    stdout = "".join(written) + render(output)
    stderr = "\r\n".join(r.message for r in records)
    return [{"ExitCode": code, "Stdout": stdout, "Stderr": stderr, "Errors": errors}]


def _as_ps(value: Any) -> Any:
    return PSObject.custom(value) if isinstance(value, dict) else value


def _register(name: str) -> None:
    params = tuple(Param(p, switch=p in SWITCHES) for p in PARAMS[name])

    def run(inv: Invocation) -> Iterable[Any]:
        return [_as_ps(v) for v in PROBES[name](inv.host, dict(inv.args))]

    REGISTRY.add(Command(name, params, run, native=True))


@cmdlet("Invoke-WccScript", Param("Script", mandatory=True, type="string"), Param("Arguments"), native=True)
def invoke_script(inv: Invocation) -> Iterable[Any]:
    return [_as_ps(v) for v in run_script(inv.host, dict(inv.args))]


for _name in PROBES:
    _register(_name)
