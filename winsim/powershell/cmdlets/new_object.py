"""``New-Object``: instances of the .NET types winsim models and of structs a script added."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from winsim.powershell.netobjects import new_object
from winsim.powershell.registry import Invocation, Param, cmdlet
from winsim.powershell.values import as_list, to_string


@cmdlet("New-Object", Param("TypeName", position=0, type="string"), Param("ArgumentList", position=1))
def new_object_cmdlet(inv: Invocation) -> Iterable[Any]:
    args = as_list(inv.args.get("ArgumentList")) if "ArgumentList" in inv.args else []
    yield new_object(inv.session, to_string(inv.args.get("TypeName")), args)
