"""The seed, the document whose behaviours the suite checks, as a page the matrix links into.

``reports/seed.txt`` is the seed's text as given, without the web page's leftovers (the
"Skip to content" line the copy began with).  Each behaviour's ``seed`` text quotes it
(fragments joined by ``...``); :func:`clause_lines` finds the lines a quote comes from, and
:func:`render` writes ``seed.html`` with an anchor per line (``seed.html#L30``) and, beside each
quoted line, the behaviours that quote it, linking back to their rows in the matrix.  A
behaviour with no seed clause is listed after the seed, "beyond the seed" (``seed.html#beyond-<id>``),
with its MUST sentence and its source: :func:`source_html` links each reference the source makes
(a URL; a ``tests/fidelity/samples`` sample, by the URL its header cites; ``owner/repo#N``; a moby
or hcsshim file).

    lines = clause_lines(SEED.read_text(), "one default compartment ... CompartmentType Unspecified")  # [30]
    html = render(SEED.read_text(), {30: ["compartments/default-is-native"]},
                  beyond=[Beyond("network/port-published", "A container ... MUST ...", "moby daemon/...go")])
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

SEED = Path(__file__).with_name("seed.txt")
PAGE = "seed.html"
SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "fidelity" / "samples"
# Where a source names a file of a repository by its short name (the default branch's copy).
REPOS = {
    "moby": "https://github.com/moby/moby/blob/master/",
    "hcsshim": "https://github.com/microsoft/hcsshim/blob/main/",
}
_REFERENCE = re.compile(
    r"(?P<url>https?://[^\s()<>']+[^\s()<>'.,;:])"
    r"|(?P<sample>tests/fidelity/samples/[\w.*?-]+)"
    r"|(?P<issue>\b[\w.-]+/[\w.-]+#\d+)"
    rf"|(?P<file>\b(?:{'|'.join(REPOS)}) [\w./-]+\.\w+)"
)
_CITED_URL = re.compile(r"^source:\s*(https?://\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Beyond:
    """A behaviour beyond the seed: its MUST sentence and the evidence it comes from."""

    id: str
    must: str
    source: str


def anchor(behaviour: str) -> str:
    """``seed.html#beyond-<id>``: where a behaviour beyond the seed is listed."""
    return f"{PAGE}#beyond-{behaviour}"


def _sample_links(pattern: str, samples: Path) -> str:
    """Each sample the name (or glob) matches, linked to the URL its header cites."""
    found = sorted(samples.glob(pattern.removeprefix("tests/fidelity/samples/")))
    if not found:
        return escape(pattern)
    links = []
    for path in found:
        cited = _CITED_URL.search(path.read_text(encoding="utf-8"))
        name = escape(f"tests/fidelity/samples/{path.name}")
        links.append(f'<a href="{escape(cited.group(1))}">{name}</a>' if cited else name)
    return ", ".join(links)


def source_html(source: str, samples: Path = SAMPLES) -> str:
    """The source as HTML, each reference it makes linked; the rest of its text as it is."""
    parts: list[str] = []
    end = 0
    for m in _REFERENCE.finditer(source):
        parts.append(escape(source[end : m.start()]))
        text = m.group(0)
        if m.group("url"):
            parts.append(f'<a href="{escape(text)}">{escape(text)}</a>')
        elif m.group("sample"):
            parts.append(_sample_links(text, samples))
        elif m.group("issue"):
            repo, number = text.split("#")
            parts.append(f'<a href="https://github.com/{escape(repo)}/issues/{number}">{escape(text)}</a>')
        else:
            repo, path = text.split(" ", 1)
            parts.append(f'<a href="{REPOS[repo]}{escape(path)}">{escape(text)}</a>')
        end = m.end()
    parts.append(escape(source[end:]))
    return "".join(parts)


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
.beyond dt { font-family: ui-monospace, monospace; margin-top: .8em; }
.beyond dt:target, .beyond dt:target + dd { background: #fff3b0; }
.beyond .source { color: #444; font-size: .9em; }
"""


def _beyond(beyond: Sequence[Beyond], matrix_page: str) -> str:
    if not beyond:
        return ""
    items = "".join(
        f'<dt id="beyond-{escape(b.id)}"><a href="{matrix_page}#b-{escape(b.id)}">{escape(b.id)}</a></dt>'
        f'<dd><span class="must">{escape(b.must)}</span><br><span class="source">Source: '
        f"{source_html(b.source) if b.source else 'none given'}</span></dd>"
        for b in beyond
    )
    return f"""<h2 id="beyond">Beyond the seed</h2>
<p>Behaviours the seed does not state, each with the evidence its MUST sentence comes from.</p>
<dl class="beyond">{items}</dl>"""


def render(
    seed: str,
    quoted: Mapping[int, Sequence[str]],
    matrix_page: str = "matrix.html",
    beyond: Sequence[Beyond] = (),
) -> str:
    """The seed with an anchor per line; ``quoted`` maps line numbers to the behaviours quoting them.

    ``beyond``: the behaviours with no seed clause, listed after the seed with their sources.
    """
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
