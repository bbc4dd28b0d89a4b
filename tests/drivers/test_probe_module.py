"""The probe module is real PowerShell that parses, documents its probes, and winsim never stands in for it."""

from __future__ import annotations

import tree_sitter
import tree_sitter_powershell

from drivers.probe import MODULE_FILE, module_text, powershell_files

_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def _errors(source: bytes) -> list[str]:
    tree = _PARSER.parse(source)
    found: list[str] = []

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "ERROR" or node.is_missing:
            found.append(f"line {node.start_point.row + 1}: {source[node.start_byte : node.end_byte][:60]!r}")
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return found


def _functions(source: bytes) -> dict[str, list[str]]:
    """function name -> its declared parameter names (from the param() block)."""
    tree = _PARSER.parse(source)
    out: dict[str, list[str]] = {}

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "function_statement":
            name_node = next(c for c in node.children if c.type == "function_name")
            params: list[str] = []

            def params_of(n: tree_sitter.Node) -> None:
                if n.type == "function_statement" and n is not node:
                    return
                if n.type == "script_parameter":
                    var = next(c for c in n.children if c.type == "variable")
                    params.append((var.text or b"").decode().lstrip("$"))
                for c in n.children:
                    params_of(c)

            params_of(node)
            out[(name_node.text or b"").decode()] = params
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return out


def test_every_powershell_file_under_drivers_parses():
    files = powershell_files()
    assert MODULE_FILE in files
    for path in files:
        assert _errors(path.read_bytes()) == [], f"{path} does not parse"


def test_the_simulated_powershell_accepts_the_module():
    from winsim.powershell.parser import syntax_errors

    assert syntax_errors(module_text()) == []


def test_a_broken_module_is_caught_by_the_parse_check():
    broken = module_text().replace("function Get-WccRoute {", "function Get-WccRoute {{", 1).encode()
    assert _errors(broken)


def test_winsim_names_nothing_of_the_module():
    """winsim runs the module's own PowerShell: no Python stands in for any of its functions."""
    from pathlib import Path

    import winsim

    root = Path(winsim.__file__).parent
    names = [n for n in _functions(module_text().encode()) if "-Wcc" in n]
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "Wcc" not in text, f"{path} names the probe module"
    assert names


def test_every_probe_is_documented():
    import drivers.probe

    doc = drivers.probe.__doc__ or ""
    for name in _functions(module_text().encode()):
        if "-Wcc" in name and not name.startswith(("ConvertTo-", "Initialize-", "Invoke-WccCall")):
            assert name in doc, f"{name} is missing from the table in drivers/probe/__init__.py"
