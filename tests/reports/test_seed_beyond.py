"""seed.html's "Beyond the seed": each behaviour without a seed clause, its MUST and its source linked."""

from __future__ import annotations

import re
from pathlib import Path

from reports import seed
from reports.matrix import build_matrix, load_catalogue, write_matrix
from reports.records import Record, RunInfo


def test_each_reference_a_source_makes_is_linked(tmp_path: Path):
    (tmp_path / "error-x-1.txt").write_text(
        "kind: t\nsource: https://github.com/o/r/issues/7 (a reply)\n---\nx\n"
    )
    (tmp_path / "error-x-2.txt").write_text("kind: t\nhost: h\n---\nx\n")  # cites no URL: named, unlinked
    html = seed.source_html(
        "tests/fidelity/samples/error-x-*.txt (docker/for-win#1951); moby daemon/a/b.go (F); "
        "hcsshim internal/hns/x.go; 'Doc', https://learn.microsoft.com/p?q=1.",
        samples=tmp_path,
    )
    assert re.findall(r'href="([^"]+)"', html) == [
        "https://github.com/o/r/issues/7",
        "https://github.com/docker/for-win/issues/1951",
        "https://github.com/moby/moby/blob/master/daemon/a/b.go",
        "https://github.com/microsoft/hcsshim/blob/main/internal/hns/x.go",
        "https://learn.microsoft.com/p?q=1",
    ]
    assert ">tests/fidelity/samples/error-x-1.txt</a>, tests/fidelity/samples/error-x-2.txt (" in html
    assert html.endswith("p?q=1</a>.")  # the sentence's full stop is not part of the URL


def test_seed_page_lists_the_behaviours_beyond_it_and_the_matrix_links_there(tmp_path: Path):
    catalogue = [
        {"id": "network/p", "area": "network", "must": "P MUST <hold>.", "seed": "", "source": "moby d/w.go"},
        {
            "id": "network/q",
            "area": "network",
            "must": "Q MUST.",
            "seed": "Firstly network endpoint is created.",
        },
    ]
    records = [Record(b, "h1", "docker", "passed", f"t::{b}") for b in ("network/p", "network/q")]
    write_matrix(build_matrix(records, RunInfo(expected={"h1"}), catalogue), tmp_path)
    page = (tmp_path / "seed.html").read_text()
    beyond = page.split('<h2 id="beyond">', 1)[1]
    assert beyond.count("<dt ") == 1  # the behaviour quoting the seed is not beyond it
    assert '<dt id="beyond-network/p"><a href="matrix.html#b-network/p">network/p</a></dt>' in beyond
    assert "P MUST &lt;hold&gt;." in beyond
    assert '<a href="https://github.com/moby/moby/blob/master/d/w.go">moby d/w.go</a>' in beyond
    assert f'href="{seed.anchor("network/p")}"' in (tmp_path / "matrix.html").read_text()


def test_every_catalogued_source_links_its_evidence():
    beyond = [e for e in load_catalogue() if not e.get("seed")]
    assert beyond, "the catalogue has behaviours beyond the seed"
    unlinked = [e["id"] for e in beyond if "<a href=" not in seed.source_html(e.get("source", ""))]
    assert unlinked == [], "these sources name no URL, fidelity sample, issue or moby/hcsshim file"
