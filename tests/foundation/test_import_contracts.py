"""The import layers in ``.importlinter`` hold, no import circle exists, and adding one breaks them.

The circles are added to a copy of the checkout's packages: at module level, hidden in a function
and under ``if TYPE_CHECKING:`` (import-linter's graph counts all three, as does the cycle check).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bench", "inventory", "drivers", "fixtures", "suites", "reports", "winsim")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The checkout's packages (Python files only) and the contracts, in a folder of their own."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "out"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def add_line(path: Path, line: str, after: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert after in text, f"{path}: {after!r} not found"
    path.write_text(text.replace(after, after + line, 1), encoding="utf-8")


def import_circles(*packages: str) -> list[list[str]]:
    """Every import circle between modules (type-checking and function-local imports included),
    as the modules of each strongly connected component of the import graph (Tarjan's algorithm)."""
    graph = grimp.build_graph(
        *packages, include_external_packages=False, exclude_type_checking_imports=False, cache_dir=None
    )
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in imports[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in imports:
        if module not in index:
            visit(module)
    return circles


def test_no_module_of_any_package_is_part_of_an_import_circle(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(ROOT))
    assert import_circles(*PACKAGES) == []


def test_a_type_checking_import_of_an_upper_layer_is_a_circle(copy: Path, monkeypatch: pytest.MonkeyPatch):
    # what the lower layers once did: name the host under TYPE_CHECKING
    add_line(
        copy / "winsim" / "latency.py",
        "\nif TYPE_CHECKING:\n    from winsim.host import SimHost  # noqa: F401\n",
        "from typing import TYPE_CHECKING, Any, Protocol\n",
    )
    monkeypatch.syspath_prepend(str(copy))
    monkeypatch.delitem(sys.modules, "winsim", raising=False)  # so grimp finds the copy's winsim
    assert any("winsim.host" in c and "winsim.latency" in c for c in import_circles("winsim"))
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "No cycles are allowed in winsim." in result.stdout


def test_the_checkout_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.slow
def test_a_circle_between_two_drivers_modules_breaks_the_contracts(copy: Path):
    # the session is below the host facade; a session that imports the facade closes a circle
    add_line(
        copy / "drivers" / "session.py",
        "import drivers.host  # noqa: F401\n",
        "from __future__ import annotations\n",
    )
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "No import circle between the modules or packages of any one package BROKEN" in result.stdout
    assert "Inside drivers: the host facade on top, transports near the bottom BROKEN" in result.stdout


@pytest.mark.slow
def test_a_circle_hidden_in_a_function_breaks_the_contracts(copy: Path):
    # winsim's PowerShell values sit below the interpreter; a function-local import of it is a circle too
    add_line(
        copy / "winsim" / "powershell" / "values.py",
        "\n\ndef _late() -> object:\n    from winsim.powershell import interpreter\n\n    return interpreter\n",
        "from winsim.powershell.registry import PSError\n",
    )
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "No cycles are allowed in winsim.powershell." in result.stdout


@pytest.mark.slow
def test_the_suite_importing_winsim_breaks_the_contracts(copy: Path):
    add_line(
        copy / "drivers" / "models.py",
        "import winsim.profiles  # noqa: F401\n",
        "from __future__ import annotations\n",
    )
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "Only the simulated-host launcher (fixtures.simhosts) imports winsim BROKEN" in result.stdout
