"""Why each survivor of `make mutation` cannot change documented behaviour (see equivalent.md).

``python -m tests.mutation.classify`` lists the last session's survivors with their class;
a survivor no rule covers is printed as UNCLASSIFIED: a gap for the suite to close.

A rule names the code, not its line numbers, so moving code breaks no rule: the function the
mutant is in (qualified as :func:`tests.mutation.scope.function_lines` names it), a prefix of
cosmic-ray's operator name, and a stable text: ``code``, a part of the mutated line(s), and/or
``inside``, a part of the header of a branch the mutated code is in (``if <test>:`` for an if's
body, ``if not (<test>):`` for its else, ``except <type>:``, ``while <test>:``).
``tests/mutation/test_classify.py`` checks that every rule still finds its code.
"""

from __future__ import annotations

import ast
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

from tests.mutation.run import SESSION
from tests.mutation.scope import function_lines

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Rule:
    path: str
    function: str
    operator: str  # prefix of the operator's name; "" for any
    why: str  # a heading of equivalent.md
    code: str = ""  # part of the mutated line(s)
    inside: str = ""  # part of an enclosing branch's header


@dataclass(frozen=True)
class Site:
    """Where a mutant is: its function, the text of its line(s), the headers of the branches it is in."""

    function: str
    code: str
    inside: tuple[str, ...]


A, B, C, D = (
    "A annotation",
    "B deviation-gated",
    "C undocumented wait condition",
    "D unreachable or unobservable path",
)
E, F, G, H = (
    "E input the seed's lifecycles never give",
    "F one network, one attach per container",
    "G poll interval of a notified wait",
    "H alias suffix the seed does not state",
)
WAIT, WAIT_API = "winsim/model/docker_containers.py", "winsim/docker_api/handlers.py"
LAYERS, HNS, HCS, NET = (
    "winsim/model/windowsfilter.py",
    "winsim/model/hns.py",
    "winsim/model/hcs.py",
    "winsim/model/netstack.py",
)
BEGIN_WAIT = "DockerdContainers.begin_wait"

RULES: tuple[Rule, ...] = (
    Rule(WAIT, BEGIN_WAIT, "core/ReplaceBinaryOperator_BitOr", A, code="Callable[[], bool] | None"),
    Rule(WAIT, BEGIN_WAIT, "", B, code='immediate = condition == "next-exit" and ('),
    Rule(WAIT, BEGIN_WAIT, "", B, code="self.model.deviates(Deviation.WAIT_NEXT_EXIT"),
    Rule(WAIT, BEGIN_WAIT, "core/ReplaceComparisonOperator", C, code='if condition == "removed":'),
    Rule(WAIT, BEGIN_WAIT, "", C, inside='if condition == "removed":'),
    Rule(WAIT, BEGIN_WAIT, "core/ReplaceComparisonOperator", C, code='if condition == "next-exit":'),
    Rule(WAIT, BEGIN_WAIT, "", C, code="return not c.running"),
    Rule(WAIT, BEGIN_WAIT, "", D, code="if not self.running:"),
    Rule(WAIT, BEGIN_WAIT, "", D, inside="if not self.running:"),
    Rule(WAIT, BEGIN_WAIT, "", D, code="if cancelled is not None and cancelled():"),
    Rule(WAIT, BEGIN_WAIT, "", D, inside="if cancelled is not None and cancelled():"),
    Rule(WAIT, BEGIN_WAIT, "core/NumberReplacer", G, code="self.changed.wait("),
    Rule(WAIT_API, "containers_wait", "", D, code="except DockerError"),
    Rule(WAIT_API, "containers_wait", "", D, inside="except DockerError"),
    Rule(WAIT_API, "containers_wait", "", D, code="except DaemonNotRunning"),
    Rule(LAYERS, "LayerStore.write_layer_chain", "", B, inside="if self._deviates("),
    Rule(
        LAYERS,
        "LayerStore.write_layer_chain",
        "",
        B,
        code='if lay is not None and lay.kind == "scratch" and len(ordered) > 1:',
    ),
    Rule(LAYERS, "LayerStore.activate_layer", "", B, code="uuid.uuid5(uuid.NAMESPACE_URL"),
    Rule(
        LAYERS,
        "LayerStore.get_layer_mount_path",
        "",
        B,
        inside="and self._deviates(Deviation.PARENT_LAYER_MOUNTED)",
    ),
    Rule(HNS, "Hns.create_endpoint", "", B, inside="if self._deviates("),
    Rule(HNS, "Hns.create_endpoint", "", E, code="settings.virtual_network_name"),
    Rule(HNS, "Hns.create_endpoint", "", E, code="mac = settings.mac"),
    Rule(HNS, "Hns.create_endpoint", "", E, inside="if not mac:"),
    Rule(HNS, "Hns.create_endpoint", "", E, code="settings.dns_"),
    Rule(HNS, "Hns.create_endpoint", "", E, code="if not ep.name:"),
    Rule(HNS, "Hns.create_endpoint", "", E, inside="if not ep.name:"),
    Rule(HNS, "Hns.attach_endpoint", "", F, code="not in ep.shared_containers"),
    Rule(HNS, "Hns.attach_endpoint", "", F, inside="not in ep.shared_containers"),
    Rule(HCS, "Hcs._build_network", "", F, code="system.endpoint_ids[0]"),
    Rule(HCS, "Hcs._build_network", "", B, code="existing = self._net.compartment(first.compartment_id)"),
    Rule(HCS, "Hcs._build_network", "", B, inside="if existing is not None:"),
    Rule(HCS, "Hcs._build_network", "", B, inside="if self._deviates("),
    Rule(NET, "NetStack.add_endpoint_interface", "core/NumberReplacer", H, code="endpoint_id.split('-')[0]"),
    Rule(NET, "NetStack.add_endpoint_interface", "", B, inside="if self._deviates("),
    Rule(NET, "NetStack._description", "", B, inside="if self._deviates("),
)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _branches(body: list[ast.stmt], line: int, source: str, inside: list[str]) -> None:
    """Record the headers of the branches around ``line``, outermost first."""
    for stmt in body:
        if not stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
            continue
        seg = ast.get_source_segment
        if isinstance(stmt, ast.If | ast.While):
            test = _norm(seg(source, stmt.test) or "")
            keyword = "if" if isinstance(stmt, ast.If) else "while"
            if any(s.lineno <= line <= (s.end_lineno or s.lineno) for s in stmt.body):
                inside.append(f"{keyword} {test}:")
                _branches(stmt.body, line, source, inside)
            elif stmt.orelse:
                inside.append(f"{keyword} not ({test}):")
                _branches(stmt.orelse, line, source, inside)
        elif isinstance(stmt, ast.Try):
            for handler in stmt.handlers:
                if handler.body and handler.body[0].lineno <= line <= (handler.end_lineno or handler.lineno):
                    kind = _norm(seg(source, handler.type) or "") if handler.type else ""
                    inside.append(f"except {kind}:".replace("except :", "except:"))
                    _branches(handler.body, line, source, inside)
            for part in (stmt.body, stmt.orelse, stmt.finalbody):
                _branches(part, line, source, inside)
        elif isinstance(stmt, ast.ClassDef | ast.With | ast.For | ast.FunctionDef | ast.AsyncFunctionDef):
            _branches(stmt.body, line, source, inside)


@functools.lru_cache(maxsize=16)
def _parsed(source: str) -> tuple[ast.Module, dict[str, tuple[int, int]]]:
    return ast.parse(source), function_lines(Path("<source>"), source)


def locate(source: str, line: int, end_line: int | None = None) -> Site | None:
    """The site of a mutant spanning ``line`` to ``end_line`` (1-based), or None outside any function."""
    tree, spans = _parsed(source)
    function = next((name for name, (a, b) in spans.items() if a <= line <= b), None)
    if function is None:
        return None
    lines = source.splitlines()[line - 1 : (end_line or line)]
    inside: list[str] = []
    _branches(tree.body, line, source, inside)
    return Site(function, _norm(" ".join(lines)), tuple(inside))


def classify(module: str, operator: str, site: Site | None) -> str:
    for rule in RULES:
        if (
            site is not None
            and rule.path == module
            and rule.function == site.function
            and operator.startswith(rule.operator)
            and rule.code in site.code
            and (not rule.inside or any(rule.inside in header for header in site.inside))
        ):
            return rule.why
    return "UNCLASSIFIED"


def main() -> int:
    unclassified = 0
    sources: dict[str, str] = {}
    with use_db(str(SESSION), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result is None or result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if result.test_outcome != TestOutcome.SURVIVED:
                continue
            m = item.mutations[0]
            module = Path(m.module_path).as_posix()
            if module not in sources:
                sources[module] = (ROOT / module).read_text(encoding="utf-8")
            site = locate(sources[module], m.start_pos[0], m.end_pos[0])
            name = classify(module, m.operator_name, site)
            unclassified += name == "UNCLASSIFIED"
            where = site.function if site else "?"
            print(
                f"{name:45} {module}:{m.start_pos[0]} {where} {m.operator_name}  {site.code if site else ''}"
            )
    return 1 if unclassified else 0


if __name__ == "__main__":
    sys.exit(main())
