"""Built-in cmdlets of the simulated PowerShell; importing this package registers them."""

from . import core, json_cmdlets, modules, plumbing

__all__ = ["core", "json_cmdlets", "modules", "plumbing"]
