"""The probe module's functions, and those the conformance run on simulated hosts cannot reach."""

from __future__ import annotations

import tree_sitter
import tree_sitter_powershell

from drivers.probe import module_text

# function -> why only a real host runs it.  Keep this short: each entry is PowerShell that
# reaches Windows untried.
REAL_HOST_ONLY: dict[str, str] = {}
# function -> the project test that runs it in winsim: a conformance run on a conforming host
# never has a program miss its deadline, so it never reaches these.
OUTSIDE_THE_RUN: dict[str, str] = {
    "Stop-WccProcessTree": "tests/drivers/test_program_deadline.py (a program past its deadline)",
    "Invoke-WccTaskKill": "tests/drivers/test_program_deadline.py (a program past its deadline)",
}


def module_functions() -> list[str]:
    """Names of the functions Wcc.psm1 declares, in order."""
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    tree = parser.parse(module_text().encode("utf-8"))
    names: list[str] = []

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "function_statement":
            name = next(c for c in node.children if c.type == "function_name")
            names.append((name.text or b"").decode())
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return names
