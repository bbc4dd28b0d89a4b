"""New-Module / Import-Module / Export-ModuleMember / Get-Module.

A dynamic module's script runs in the session and its functions are defined there from its own
text, as in Windows PowerShell; ``Get-Command -Module`` finds them by the module's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import ScriptBlock, as_list, to_string

# Modules that ship with Windows Server: importing them by name succeeds (their cmdlets are in the registry).
BUILTIN_MODULES = {
    "microsoft.powershell.management",
    "microsoft.powershell.utility",
    "microsoft.powershell.core",
    "microsoft.powershell.security",
    "nettcpip",
    "netadapter",
    "netsecurity",
    "hostnetworkingservice",
    "hns",
    "hyper-v",
    "storage",
}


def _module_info(name: str, functions: list[str]) -> PSObject:
    return PSObject.of(
        "System.Management.Automation.PSModuleInfo",
        {"ModuleType": "Script", "Version": "0.0", "Name": name, "ExportedCommands": functions},
        display=["ModuleType", "Version", "Name", "ExportedCommands"],
        view="table",
    )


@cmdlet(
    "New-Module",
    Param("Name", position=0),
    Param("ScriptBlock", position=1),
    Param("ArgumentList"),
    Param("AsCustomObject", switch=True),
    Param("Function", type="string[]"),
)
def new_module(inv: Invocation) -> Iterable[Any]:
    name, block = inv.args.get("Name"), inv.args.get("ScriptBlock")
    if block is None and isinstance(name, ScriptBlock):
        name, block = None, name
    if not isinstance(block, ScriptBlock):
        raise PSError(
            "Cannot process command because of one or more missing mandatory parameters: ScriptBlock.",
            "MissingMandatoryParameter,Microsoft.PowerShell.Commands.NewModuleCommand",
            "InvalidArgument",
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    it = inv.session
    module_name = to_string(name) if name is not None else f"__DynamicModule_{id(block):x}"
    before = dict(it.functions)
    # The module's script runs in a scope of its own that its functions keep as their $script: scope.
    module_scope: dict[str, Any] = {}
    saved_script = it.script_scope
    it.scopes.append(module_scope)
    it.script_scope = module_scope
    try:
        it.invoke_scriptblock(block, as_list(inv.args.get("ArgumentList")), new_scope=False)
    finally:
        it.scopes.pop()
        it.script_scope = saved_script
    it.module_scopes[module_name] = module_scope
    exported = [fn.name for key, fn in it.functions.items() if before.get(key) is not fn]
    for fn_name in exported:
        it.function_modules[fn_name.lower()] = module_name
    it.loaded_modules.append(module_name)
    yield _module_info(module_name, exported)


@cmdlet(
    "Import-Module",
    Param("Name", position=0),
    Param("ModuleInfo", from_pipeline=True),
    Param("Force", switch=True),
    Param("PassThru", switch=True),
    Param("DisableNameChecking", switch=True),
    Param("Global", switch=True),
)
def import_module(inv: Invocation) -> Iterable[Any]:
    modules = [m for m in inv.input if isinstance(m, PSObject)]
    if "Name" in inv.args:
        for raw in as_list(inv.args["Name"]):
            if isinstance(raw, PSObject):
                modules.append(raw)
                continue
            name = to_string(raw)
            if (
                name.lower().rsplit("\\", 1)[-1].removesuffix(".psm1").removesuffix(".psd1")
                not in BUILTIN_MODULES
            ):
                raise PSError(
                    f"The specified module '{name}' was not loaded because no valid module file was found in any module directory.",
                    "Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand",
                    "ResourceUnavailable",
                    target=name,
                    exception_type="System.IO.FileNotFoundException",
                )
            modules.append(_module_info(name, []))
    if inv.switch("PassThru"):
        yield from modules


@cmdlet(
    "Export-ModuleMember", Param("Function", position=0), Param("Variable"), Param("Alias"), Param("Cmdlet")
)
def export_module_member(inv: Invocation) -> Iterable[Any]:
    return []


@cmdlet("Get-Module", Param("Name", position=0), Param("ListAvailable", switch=True))
def get_module(inv: Invocation) -> Iterable[Any]:
    for name in inv.session.loaded_modules:
        yield _module_info(name, [])
