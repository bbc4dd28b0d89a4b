"""The matrix as one self-contained HTML page (inline CSS, no scripts, no external assets).

Each cell says its verdict in words and colour (pass green, fail red, n/a grey, error amber),
links to the deciding test's page in the Allure report (when there is one), shows the reason on
hover (``title``) and, when not a pass, again in a details row under the behaviour.  Under the
host's verdict, one sub-cell per isolation mode (``span.mode``, ``data-isolation``, coloured by
its own verdict, its reason on hover) says that mode's verdict and each driver's.  Each
behaviour shows its MUST sentence and the seed clause it comes from, linked to that line of the
seed (``seed.html``, written beside the matrix).  Cells carry ``data-behaviour``, ``data-host``
and ``data-status`` for tools.

    html = render(matrix)
"""

from __future__ import annotations

from html import escape

from reports import seed
from reports.matrix_model import (
    ERR,
    FAIL,
    NA,
    NA_NEW_REASON,
    NEWLY_FAILING,
    NEWLY_NA,
    NEWLY_PASSING,
    PASS,
    Cell,
    Matrix,
    Mode,
    Row,
    TestResult,
    not_run_reason,
)

LABEL = {PASS: "pass", FAIL: "fail", NA: "n/a", ERR: "error"}
CHANGE_LABEL = {
    NEWLY_FAILING: "newly failing",
    NEWLY_PASSING: "newly passing",
    NEWLY_NA: "newly n/a",
    NA_NEW_REASON: "n/a for a new reason",
}

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
.meta { color: #555; margin-bottom: 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 4px 8px; vertical-align: top; }
th { background: #eee; }
td.behaviour { max-width: 42em; }
.bid { font-family: ui-monospace, monospace; font-weight: 600; }
.must { display: block; }
.seed { display: block; color: #444; font-style: italic; font-size: .9em; }
.isolation { display: block; color: #444; font-size: .9em; }
td.cell a { color: inherit; }
tr.area th { text-align: left; background: #dde3ea; }
td.cell { text-align: center; font-weight: 600; min-width: 7em; }
td.s-pass { background: #2e7d32; color: #fff; }
td.s-fail { background: #c62828; color: #fff; }
td.s-na { background: #9e9e9e; color: #fff; }
td.s-error { background: #ffb300; color: #000; }
.via { font-weight: 400; font-size: .8em; }
.mode { display: block; font-weight: 400; font-size: .8em; margin-top: 2px; padding: 0 3px; border: 1px solid #fff8; }
.mode.m-pass { background: #2e7d32; color: #fff; }
.mode.m-fail { background: #c62828; color: #fff; }
.mode.m-na { background: #9e9e9e; color: #fff; }
.mode.m-error { background: #ffb300; color: #000; }
.change { display: block; font-size: .8em; text-decoration: underline; }
tr.detail td { background: #fafafa; font-size: .9em; }
tr.detail li { white-space: pre-wrap; }
ul.summary li { margin: .2em 0; }
.v-deviates { color: #c62828; font-weight: 600; }
.v-incomplete { color: #a06000; font-weight: 600; }
.v-conforms { color: #2e7d32; font-weight: 600; }
ul.glance li.g-fail a b { color: #c62828; }
ul.glance li.g-error a b { color: #a06000; }
.interrupted { background: #fff3cd; border: 1px solid #ffb300; padding: .4em .8em; }
"""


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render(matrix: Matrix) -> str:
    seed_text = seed.SEED.read_text(encoding="utf-8")
    head = "".join(f"<th>{_host_heading(matrix, h)}</th>" for h in matrix.hosts)
    body: list[str] = []
    area = None
    for row in matrix.rows:
        if row.area != area:
            area = row.area
            body.append(f'<tr class="area"><th colspan="{len(matrix.hosts) + 1}">{escape(area)}</th></tr>')
        body.append(_row(matrix, row, seed.link(row.seed, seed_text)))
        body.append(_detail(matrix, row))
    summary_cells = "".join(f'<td class="total">{_counts(matrix, h)}</td>' for h in matrix.hosts)
    body.append(f'<tr class="totals"><th>Summary</th>{summary_cells}</tr>')
    baseline = f" Compared with {escape(matrix.baseline)}." if matrix.baseline else ""
    problems = "".join(f"<li>{escape(p)}</li>" for p in matrix.problems)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>wcc conformance matrix</title>
<style>{CSS}</style></head>
<body>
<h1>Conformance matrix</h1>
<p class="meta">{plural(len(matrix.rows), "behaviour")} on {plural(len(matrix.hosts), "host")}, generated {escape(matrix.generated)}.{baseline}
The seed: <a href="{seed.PAGE}">{seed.PAGE}</a>; the catalogue: <a href="catalogue.html">catalogue.html</a>.</p>
{_interrupted(matrix)}{_glance(matrix)}<ul class="summary">{"".join(_summary(matrix, h) for h in matrix.hosts)}</ul>
{_changes(matrix)}
<table id="matrix">
<thead><tr><th>Behaviour</th>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
{f'<h2>Problems reading results</h2><ul class="problems">{problems}</ul>' if problems else ""}
</body></html>
"""


GLANCE = ((FAIL, "fails"), (NA, "n/a"), (ERR, "error"))


def _glance(matrix: Matrix) -> str:
    """What fails, is newly n/a or errors, per behaviour and host, linked to its cell and to Allure.

    A host that was not run or could not be reached is said once, in the summary below.
    """
    said_once = {h for h in matrix.hosts if h in matrix.not_run or matrix.unreachable(h)}
    items = []
    for status, word in GLANCE:
        for row in matrix.rows:
            for host in matrix.hosts:
                cell = row.cells[host]
                if host in said_once or cell.status != status:
                    continue
                if status == NA and cell.change not in (NEWLY_NA, NA_NEW_REASON):
                    continue
                if _label(matrix, cell) == NOT_RUN:
                    continue  # the interruption is said once, above
                test = _deciding(cell)
                allure = f' · <a href="{escape(test.allure)}">Allure</a>' if test and test.allure else ""
                reason = cell.reason.split("\n", 1)[0]
                items.append(
                    f'<li class="g-{status}" data-behaviour="{escape(row.id)}" data-host="{escape(host)}">'
                    f'<a href="#{cell_id(row.id, host)}"><b>{escape(row.id)}</b> on {escape(host)}</a> '
                    f"{CHANGE_LABEL.get(cell.change, word) if status == NA else word}: {escape(reason)}{allure}</li>"
                )
    if not items:
        return ""
    return f'<h2 id="glance">At a glance</h2><ul class="glance">{"".join(items)}</ul>\n'


def _interrupted(matrix: Matrix) -> str:
    if not matrix.interrupted:
        return ""
    return (
        '<p class="interrupted"><b>Interrupted run:</b> the run was stopped before it finished; '
        'tests that never ran show as "not run".</p>\n'
    )


NOT_RUN = "not run"


def _never_ran(matrix: Matrix, tests: list[TestResult]) -> bool:
    """Tests an interruption stopped before they ran (they did not report)."""
    return matrix.interrupted and bool(tests) and all(t.category == "no-result" for t in tests)


def _label(matrix: Matrix, cell: Cell) -> str:
    """A cell's verdict in words: "not run" for an error that only says its tests never ran."""
    if cell.status == ERR and (cell.reason.startswith("not run:") or _never_ran(matrix, cell.tests())):
        return NOT_RUN
    return LABEL[cell.status]


def _host_heading(matrix: Matrix, host: str) -> str:
    facts = matrix.facts.get(host, {})
    build = facts.get("os_revision") or facts.get("os_build")
    extra = [f"build {build}"] if build else []
    extra += [f"docker {facts['docker_version']}"] if facts.get("docker_version") else []
    extra += [f"containerd {facts['containerd_version']}"] if facts.get("containerd_version") else []
    extra += [f"isolation {facts['isolation']}"] if facts.get("isolation") else []
    sub = f"<br><small>{escape(', '.join(extra))}</small>" if extra else ""
    return f"{escape(host)}{sub}"


def cell_id(behaviour: str, host: str) -> str:
    """The HTML id of a cell, for links from the lists above the table."""
    return escape(f"c-{behaviour}@{host}")


def _deciding(cell: Cell) -> TestResult | None:
    """The test whose verdict the cell shows (the first with the cell's status)."""
    tests = cell.tests()
    return next((t for t in tests if t.status == cell.status), tests[0] if tests else None)


def _linked(text: str, test: TestResult | None) -> str:
    if test is None or not test.allure:
        return text
    return f'<a href="{escape(test.allure)}" title="{escape(test.nodeid)} in the Allure report">{text}</a>'


def _mode(matrix: Matrix, name: str, mode: Mode, own_reason: bool) -> str:
    """One isolation mode's sub-cell: its verdict, then each driver's; with ``own_reason`` its reason on hover
    (else the cell's hover already says it, or an unreachable host's reason is said once, above)."""
    vias = "".join(
        f' · <span class="via" data-via="{escape(via)}">{escape(via)} '
        f"{_linked(NOT_RUN if _never_ran(matrix, v.tests) else LABEL[v.status], next((t for t in v.tests if t.status == v.status), None))}</span>"
        for via, v in mode.via.items()
        if via
    )
    label = (
        NOT_RUN if _never_ran(matrix, [t for v in mode.via.values() for t in v.tests]) else LABEL[mode.status]
    )
    change = f" ({CHANGE_LABEL[mode.change]})" if mode.change else ""
    title = f"{name}: {label}" + (f"\n{mode.reason}" if mode.reason and own_reason else "")
    return (
        f'<span class="mode m-{mode.status}" data-isolation="{escape(name)}" data-status="{mode.status}" '
        f'data-change="{mode.change}" title="{escape(title)}">{escape(name)}: {label}{change}{vias}</span>'
    )


def _row(matrix: Matrix, row: Row, seed_link: str | None) -> str:
    cells = []
    for host in matrix.hosts:
        cell = row.cells[host]
        own = len(cell.isolation) > 1 and not matrix.unreachable(host)
        modes = "".join(_mode(matrix, name, mode, own) for name, mode in cell.isolation.items())
        change = f'<span class="change">{CHANGE_LABEL[cell.change]}</span>' if cell.change else ""
        # an unreachable host's reason is said once, above the table
        reason = "host unreachable (see above)" if matrix.unreachable(host) else cell.reason
        label = _label(matrix, cell)
        title = f"{label} on {host}" + (f"\n{reason}" if reason else "")
        cells.append(
            f'<td class="cell s-{cell.status}" id="{cell_id(row.id, host)}" data-behaviour="{escape(row.id)}" data-host="{escape(host)}" '
            f'data-status="{cell.status}" data-change="{cell.change}" title="{escape(title)}">'
            f"{_linked(label, _deciding(cell))}{modes}{change}</td>"
        )
    clause = escape(row.seed)
    if seed_link:
        clause = f'<a href="{escape(seed_link)}" title="this clause in the seed">{clause}</a>'
    origin = f'<span class="seed">Seed: {clause}</span>'
    if row.source and not row.seed:
        origin = (
            f'<span class="seed beyond"><a href="{seed.PAGE}#{seed.beyond_anchor(row.id)}">Beyond the seed</a>'
            f"; source: {seed.linked_source(row.source)}</span>"
        )
    held = ", ".join(row.isolation) or "not known"
    why = "".join(
        f'<span class="isolation-evidence" data-isolation="{escape(m)}">{escape(m)}: {escape(e)}</span>'
        for m, e in row.isolation_evidence.items()
    )
    origin += f'<span class="isolation">Holds under isolation: {escape(held)}{why}</span>'
    return (
        f'<tr class="behaviour" id="b-{escape(row.id)}" data-behaviour="{escape(row.id)}">'
        f'<td class="behaviour"><a class="bid" href="#b-{escape(row.id)}">{escape(row.id)}</a>'
        f'<span class="must">{escape(row.must)}</span>'
        f"{origin}</td>{''.join(cells)}</tr>"
    )


def _detail(matrix: Matrix, row: Row) -> str:
    """One line per distinct (verdict, reason) on each host; modes and drivers that agree share a line."""
    items = []
    for host in (h for h in matrix.hosts if not matrix.unreachable(h)):
        cell = row.cells[host]
        groups: dict[tuple[str, str], list[str]] = {}
        for mode, via, result in cell.results():
            if result.status != PASS:
                name = " ".join(p for p in (mode if len(cell.isolation) > 1 else "", via) if p)
                groups.setdefault((result.status, result.reason), []).append(name)
        for (status, reason), vias in groups.items():
            where = f"{host} / {', '.join(vias)}" if any(vias) else host
            items.append(f"<li><b>{escape(where)}</b> {LABEL[status]}: {escape(reason)}</li>")
    if not items:
        return ""
    return (
        f'<tr class="detail" data-behaviour="{escape(row.id)}"><td colspan="{len(matrix.hosts) + 1}">'
        f"<ul>{''.join(items)}</ul></td></tr>"
    )


def _counts(matrix: Matrix, host: str) -> str:
    c = matrix.summary(host)
    return f"{c[PASS]} pass · {c[FAIL]} fail · {c[ERR]} error · {c[NA]} n/a"


def _summary(matrix: Matrix, host: str) -> str:
    if host in matrix.not_run:
        return (
            f'<li data-host="{escape(host)}" class="not-run"><b>{escape(host)}</b>: '
            f'<span class="v-incomplete">{escape(not_run_reason(matrix.not_run[host]))}</span></li>'
        )
    if why := matrix.unreachable(host):
        return (
            f'<li data-host="{escape(host)}" class="unreachable"><b>{escape(host)}</b>: '
            f'<span class="v-incomplete">unreachable</span>, no test ran: {escape(why)}</li>'
        )
    verdict = matrix.verdict(host)
    cost = matrix.costs.get(host)
    spent = f'<br><span class="cost">{escape(cost.line())}</span>' if cost and cost.tests else ""
    return (
        f'<li data-host="{escape(host)}"><b>{escape(host)}</b>: {_counts(matrix, host)} '
        f'<span class="v-{verdict}">{verdict}</span>{spent}</li>'
    )


def _under(modes: str) -> str:
    return f" under {modes}" if modes else ""


def _changes(matrix: Matrix) -> str:
    changes = matrix.changes()
    if not changes:
        return ""
    items = "".join(
        f'<li data-behaviour="{escape(c["behaviour"])}" data-host="{escape(c["host"])}">'
        f'{CHANGE_LABEL[c["change"]]}: <a href="#{cell_id(c["behaviour"], c["host"])}">'
        f"<b>{escape(c['behaviour'])}</b> on {escape(c['host'])}{escape(_under(c['isolation']))}</a> "
        f"({LABEL[c['from']]} → {LABEL[c['to']]}); {escape(c['host_change'])}</li>"
        for c in changes
    )
    return f'<h2>Changes since the baseline</h2><ul class="changes">{items}</ul>'
