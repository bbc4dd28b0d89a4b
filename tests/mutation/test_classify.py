"""classify.py's rules name code, not line numbers: each still finds its code, and moving it keeps the class."""

from __future__ import annotations

import pytest

from tests.mutation.classify import ROOT, RULES, Rule, classify, locate
from tests.mutation.scope import function_lines


def _sites(rule: Rule) -> list[int]:
    """Lines of the rule's function where a mutant with the rule's operator is classified by it."""
    source = (ROOT / rule.path).read_text(encoding="utf-8")
    operator = rule.operator or "core/AnyOperator"
    first, last = function_lines(ROOT / rule.path)[rule.function]
    found = []
    for line in range(first, last + 1):
        site = locate(source, line)
        if site is None or classify(rule.path, operator, site) != rule.why:
            continue
        if rule.code in site.code and (not rule.inside or any(rule.inside in h for h in site.inside)):
            found.append(line)
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.function}:{r.code or r.inside}")
def test_every_rule_still_finds_its_code(rule: Rule):
    assert _sites(rule), (
        f"{rule.path}: {rule.function}: no code matches {rule.code or rule.inside!r}: re-check it"
    )


def test_a_mutant_keeps_its_class_when_the_code_moves():
    source = (ROOT / "winsim/model/docker_containers.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    begin = next(n for n, text in enumerate(lines, 1) if "def begin_wait(" in text)
    line = next(n for n, text in enumerate(lines[begin:], begin + 1) if "self.changed.wait(" in text)
    moved = "\n" * 7 + source  # the same code, seven lines further down
    for text, at in ((source, line), (moved, line + 7)):
        site = locate(text, at)
        assert site is not None and site.function == "DockerdContainers.begin_wait"
        assert classify("winsim/model/docker_containers.py", "core/NumberReplacer", site).startswith("G ")
        assert classify("winsim/model/docker_containers.py", "core/ReplaceComparisonOperator", site) == (
            "UNCLASSIFIED"
        )


def test_a_branch_and_its_else_are_told_apart():
    source = "class S:\n    def f(self, x):\n        if self._deviates(X):\n            a = 1\n        else:\n            a = 2\n"
    body, other = locate(source, 4), locate(source, 6)
    assert body is not None and body.inside == ("if self._deviates(X):",)
    assert other is not None and other.inside == ("if not (self._deviates(X)):",)
    rule = Rule("m.py", "S.f", "", "B deviation-gated", inside="if self._deviates(")
    assert rule.inside in body.inside[0] and rule.inside not in other.inside[0]
