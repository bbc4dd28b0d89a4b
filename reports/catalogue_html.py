"""The conformance catalogue as a page of the report (``catalogue.html``), one anchor per behaviour.

Allure's "catalogue" link of each test points here (``../catalogue.html#<id>`` from
``allure-report/index.html``), so it works in a downloaded artifact as well as in a checkout.
Each entry shows its MUST sentence, the seed clause, drivers, gates with their evidence and tests.

    html = render(load_catalogue(CATALOGUE))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

PAGE = "catalogue.html"
# the Allure link of a behaviour, relative to allure-report/index.html
ALLURE_LINK = "../" + PAGE + "#{id}"


def _gates(entry: Mapping[str, Any]) -> str:
    gates = entry.get("gates") or {}
    parts = [f"build ≥ {gates['min_build']}"] if gates.get("min_build") else []
    parts += [f"build ≤ {gates['max_build']}"] if gates.get("max_build") else []
    parts += [f"feature {f}" for f in gates.get("features") or []]
    if not parts:
        return ""
    evidence = f" ({escape(str(gates['evidence']))})" if gates.get("evidence") else ""
    return f"<dt>applies to</dt><dd>{escape(', '.join(parts))}{evidence}</dd>"


def _entry(entry: Mapping[str, Any]) -> str:
    bid = escape(str(entry["id"]))
    tests = "".join(f"<li><code>{escape(str(t))}</code></li>" for t in entry.get("tests") or [])
    destructive = (
        "<dt>destructive</dt><dd>yes: changes the host beyond its own objects</dd>"
        if entry.get("destructive")
        else ""
    )
    return (
        f'<section id="{bid}"><h2><a href="#{bid}">{bid}</a></h2><dl>'
        f"<dt>MUST</dt><dd>{escape(str(entry.get('must', '')))}</dd>"
        f"<dt>seed</dt><dd><i>{escape(str(entry.get('seed', '')))}</i></dd>"
        f"<dt>via</dt><dd>{escape(', '.join(entry.get('via') or []))}</dd>"
        f"{_gates(entry)}{destructive}<dt>tests</dt><dd><ul>{tests}</ul></dd></dl></section>"
    )


def render(catalogue: Sequence[Mapping[str, Any]]) -> str:
    body = "\n".join(_entry(e) for e in catalogue)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>wcc conformance catalogue</title>
<style>body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; }} h2 {{ font-size: 1.1em; }}
dt {{ font-weight: 600; }} section:target {{ background: #fff8d6; }}</style></head>
<body><h1>Conformance catalogue</h1>
<p>{len(catalogue)} behaviours. The matrix: <a href="matrix.html">matrix.html</a>.</p>
{body}
</body></html>
"""
