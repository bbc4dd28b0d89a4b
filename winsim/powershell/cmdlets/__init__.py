"""Built-in cmdlets of the simulated PowerShell; importing this package registers them."""

from winsim.powershell import addtype

from . import core, json_cmdlets, modules, new_object, plumbing

__all__ = ["addtype", "core", "json_cmdlets", "modules", "new_object", "plumbing"]
