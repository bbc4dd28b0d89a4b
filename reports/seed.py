"""The seed, the document whose behaviours the suite checks, as a page the matrix links into.

``reports/seed.txt`` is the seed's text as given, without the web page's leftovers (the
"Skip to content" line the copy began with).  Each behaviour's ``seed`` text quotes it
(fragments joined by ``...``); :func:`clause_lines` finds the lines a quote comes from, and
:func:`render` writes ``seed.html`` with an anchor per line (``seed.html#L30``) and, beside each
quoted line, the behaviours that quote it, linking back to their rows in the matrix.

    lines = clause_lines(SEED.read_text(), "one default compartment ... CompartmentType Unspecified")  # [30]
    html = render(SEED.read_text(), {30: ["compartments/default-is-native"]})
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

SEED = Path(__file__).with_name("seed.txt")
PAGE = "seed.html"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def clause_lines(seed: str, clause: str) -> list[int]:
    """1-based numbers of the seed lines the quote's fragments come from, in the quote's order."""
    lines = [_norm(line) for line in seed.splitlines()]
    found: list[int] = []
    for fragment in (_norm(f) for f in clause.split("...")):
        if not fragment:
            continue
        number = next((n for n, line in enumerate(lines, 1) if fragment in line), None)
        if number is not None and number not in found:
            found.append(number)
    return found


def link(clause: str, seed: str) -> str | None:
    """``seed.html#L<n>`` for the first line the clause quotes, or None when it quotes none."""
    lines = clause_lines(seed, clause)
    return f"{PAGE}#L{lines[0]}" if lines else None


CSS = """
body { font: 14px/1.5 system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 60em; }
p.line { margin: 0; padding: 1px 4px; white-space: pre-wrap; }
p.line a.n { color: #999; text-decoration: none; display: inline-block; width: 3em; }
p.quoted { background: #eef4fb; }
p.line:target { background: #fff3b0; outline: 2px solid #ffb300; }
.by { font-size: .8em; margin-left: .5em; }
.by a { font-family: ui-monospace, monospace; }
"""


# A source's references that have a public page: owner/repo#123, and moby's files by path.
_ISSUE = re.compile(r"\b([\w.-]+/[\w.-]+)#(\d+)\b")
_MOBY_PATH = re.compile(r"\bmoby ((?:daemon|libcontainerd|libnetwork)/[\w./-]*\w)")


def beyond_anchor(behaviour: str) -> str:
    return "beyond-" + behaviour.replace("/", "-")


def linked_source(source: str) -> str:
    """The source as HTML, its GitHub issue references and moby paths linked."""
    text = escape(source)
    text = _ISSUE.sub(lambda m: f'<a href="https://github.com/{m[1]}/issues/{m[2]}">{m[0]}</a>', text)
    return _MOBY_PATH.sub(
        lambda m: f'moby <a href="https://github.com/moby/moby/tree/master/{m[1]}">{m[1]}</a>', text
    )


def render(
    seed: str,
    quoted: Mapping[int, Sequence[str]],
    matrix_page: str = "matrix.html",
    beyond: Sequence[tuple[str, str, str]] = (),
) -> str:
    """The seed with an anchor per line; ``quoted`` maps line numbers to the behaviours quoting them.
    ``beyond`` lists the behaviours beyond the seed as (id, MUST, source), each shown with its source."""
    rows = []
    for number, line in enumerate(seed.splitlines(), 1):
        behaviours = quoted.get(number, ())
        by = "".join(f' <a href="{matrix_page}#b-{escape(b)}">{escape(b)}</a>' for b in behaviours)
        rows.append(
            f'<p class="line{" quoted" if behaviours else ""}" id="L{number}">'
            f'<a class="n" href="#L{number}">{number}</a>{escape(line)}'
            f"{f'<span class=by>checked by{by}</span>' if by else ''}</p>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>wcc seed</title><style>{CSS}</style></head>
<body>
<h1>The seed</h1>
<p>The document whose behaviours the conformance suite checks; quoted lines name the behaviours
that check them (back to the <a href="{matrix_page}">matrix</a>).</p>
{chr(10).join(rows)}
{_beyond(beyond, matrix_page)}
</body></html>
"""


def _beyond(beyond: Sequence[tuple[str, str, str]], matrix_page: str) -> str:
    if not beyond:
        return ""
    items = "".join(
        f'<li id="{beyond_anchor(b)}"><a href="{matrix_page}#b-{escape(b)}">{escape(b)}</a>: {escape(must)}'
        f"<br><small>Source: {linked_source(source)}</small></li>"
        for b, must, source in beyond
    )
    return f"<h2>Beyond the seed</h2>\n<p>Behaviours the seed does not state, each with its evidence.</p>\n<ul>{items}</ul>"
