"""Which mutants to run: those inside the functions the seed's behaviours rest on.

A whole-module run is thousands of mutants (an hour per module on a shared 2-core machine);
these functions implement what the conformance suite asserts (the wait, the layer chain,
activation and volume paths, endpoints, vNICs and compartments, compute systems, restore).
"""

from __future__ import annotations

import ast
from pathlib import Path

from cosmic_ray.work_db import WorkDB
from cosmic_ray.work_item import WorkerOutcome, WorkResult

SCOPE: dict[str, frozenset[str]] = {
    "winsim/model/docker_containers.py": frozenset({"DockerdContainers.begin_wait"}),
    "winsim/model/windowsfilter.py": frozenset(
        {"LayerStore.write_layer_chain", "LayerStore.activate_layer", "LayerStore.get_layer_mount_path"}
    ),
    "winsim/model/hns.py": frozenset({"Hns.create_endpoint", "Hns.attach_endpoint"}),
    "winsim/model/netstack.py": frozenset({"NetStack.add_endpoint_interface", "NetStack._description"}),
    "winsim/model/hcs.py": frozenset({"Hcs._build_network"}),
    "winsim/docker_api/handlers.py": frozenset({"containers_wait"}),
}


def function_lines(path: Path, source: str | None = None) -> dict[str, tuple[int, int]]:
    """Qualified name (Class.method or function) -> (first line, last line), decorators included;
    of ``source`` when given (``path`` then only names it), else of the file."""
    spans: dict[str, tuple[int, int]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                spans[f"{prefix}{child.name}"] = (first, child.end_lineno or child.lineno)

    visit(ast.parse(path.read_text() if source is None else source, str(path)), "")
    return spans


def in_scope(root: Path) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for module, names in SCOPE.items():
        spans = function_lines(root / module)
        missing = sorted(names - set(spans))
        if missing:
            raise SystemExit(f"tests/mutation/scope.py: {module} has no function(s) {', '.join(missing)}")
        out[module] = [spans[n] for n in sorted(names)]
    return out


def skip_out_of_scope(db: WorkDB, root: Path) -> tuple[int, int]:
    """Mark every pending mutant outside SCOPE as skipped; returns (kept, skipped)."""
    spans = in_scope(root)
    kept = skipped = 0
    for item in list(db.pending_work_items):
        mutation = item.mutations[0]
        module = Path(mutation.module_path).as_posix()
        line = mutation.start_pos[0]
        if any(a <= line <= b for a, b in spans.get(module, [])):
            kept += 1
            continue
        skipped += 1
        db.set_result(
            item.job_id, WorkResult(output="outside the mutation scope", worker_outcome=WorkerOutcome.SKIPPED)
        )
    return kept, skipped
