"""What a person sees: the matrix and the Allure report in headless Chromium (Debian's package).

Screenshots go to reports/out/screenshots/.  Without /usr/bin/chromium the test skips locally;
under CI (CI=true) a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.reports import sample
from tests.reports.cdp import Browser
from tests.reports.conftest import SampleRun

CHROMIUM = os.environ.get("WCC_CHROMIUM", "/usr/bin/chromium")
SHOTS = sample.ROOT / "reports" / "out" / "screenshots"

pytestmark = pytest.mark.slow  # starts a browser: a few seconds


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{CHROMIUM} not found: CI must install Debian's chromium (apt-get install -y chromium)"
            )
        pytest.skip(f"{CHROMIUM} not found (apt-get install -y chromium); CI runs this test")
    with Browser.launch(CHROMIUM, tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


def colour_name(rgb: str) -> str:
    """How a person would name a background colour given as 'rgb(r, g, b)'."""
    r, g, b = (int(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    if abs(r - g) < 20 and abs(g - b) < 20:
        return "grey"
    if g > r + 40 and g > b + 40:
        return "green"
    if r > 180 and g > 120 and b < 90 and r - g < 100:
        return "amber"
    if r > g + 80 and r > b + 80:
        return "red"
    return f"unclear {rgb}"


EXPECTED_COLOUR = {"pass": "green", "fail": "red", "na": "grey", "error": "amber"}
EXPECTED_TEXT = {"pass": "pass", "fail": "fail", "na": "n/a", "error": "error"}

CELLS_JS = """
Array.from(document.querySelectorAll('td.cell')).map(td => ({
  behaviour: td.dataset.behaviour, host: td.dataset.host, title: td.title,
  text: td.innerText.split('\\n')[0].trim(),
  link: td.querySelector('a') ? td.querySelector('a').href : null,
  background: getComputedStyle(td).backgroundColor,
  visible: td.getBoundingClientRect().width > 0 && td.getBoundingClientRect().height > 0,
}))
"""


def test_matrix_page_shows_every_behaviour_and_host_in_the_right_colours(
    browser: Browser, sample_run: SampleRun
):
    page = browser.open((sample_run.out / "matrix.html").as_uri())
    headers = page.evaluate(
        "Array.from(document.querySelectorAll('thead th')).map(th => th.innerText.split('\\n')[0])"
    )
    assert headers == ["Behaviour", *sorted(sample.HOSTS)]
    cells = page.evaluate(CELLS_JS)
    seen = {(c["behaviour"], c["host"]): c for c in cells}
    assert set(seen) == {(b, h) for b, hosts in sample.EXPECTED.items() for h in hosts}
    for (behaviour, host), cell in seen.items():
        want = sample.EXPECTED[behaviour][host]
        where = f"{behaviour} on {host}"
        assert cell["visible"], where
        assert cell["text"] == EXPECTED_TEXT[want], where
        assert colour_name(cell["background"]) == EXPECTED_COLOUR[want], f"{where}: {cell['background']}"
    failing = seen[("compartments/default-native", "ws-bad")]
    assert "expected 'Native'" in failing["title"]  # the reason on hover
    assert "host unreachable" in seen[("hcs/owner-docker", "ws-down")]["title"]
    text = page.evaluate("document.body.innerText")
    # an unreachable host is said once, with its reason, not under every behaviour
    assert text.count("logon refused for password") == 1
    assert "ws-down: unreachable, no test ran: ws-down (winrm): logon refused for password ***" in text
    assert "ws-bad: 1 pass · 1 fail · 2 error · 1 n/a" in text
    assert "5 behaviours on 3 hosts" in text
    # the seed clause of each behaviour, and its MUST sentence (not only a tooltip)
    assert "Volume path for a given mounted layer may change over time on Windows by design." in text
    assert "A newer build MUST do the new thing." in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "matrix.png").write_bytes(page.screenshot())


SEED_LINKS_JS = """
Array.from(document.querySelectorAll('tr.behaviour')).map(tr => ({
  behaviour: tr.dataset.behaviour,
  seed: tr.querySelector('.seed a') ? tr.querySelector('.seed a').href : null,
  clause: tr.querySelector('.seed a') ? tr.querySelector('.seed a').innerText : null,
}))
"""


def test_every_behaviour_links_to_its_clause_in_the_seed(browser: Browser, sample_run: SampleRun):
    page = browser.open((sample_run.out / "matrix.html").as_uri())
    rows = page.evaluate(SEED_LINKS_JS)
    assert {r["behaviour"] for r in rows} == set(sample.EXPECTED)
    for row in rows:
        assert row["seed"] and "/seed.html#L" in row["seed"], row
        seed = browser.open(row["seed"])
        target = seed.evaluate(
            "(() => { const t = document.querySelector(':target'); return t && t.innerText; })()"
        )
        assert target and row["clause"].rstrip(".") in " ".join(target.split()), (row, target)
        assert row["behaviour"] in target  # the seed line names the behaviours that check it


def test_every_cell_links_to_its_test_in_allure(browser: Browser, sample_run: SampleRun):
    if not sample_run.html:
        if os.environ.get("CI") == "true":
            pytest.fail("node/npm missing under CI: the Allure HTML was not built")
        pytest.skip("node/npm not installed: no Allure HTML to link to")
    page = browser.open((sample_run.out / "matrix.html").as_uri())
    cells = page.evaluate(CELLS_JS)
    assert cells and all(c["link"] and "/allure-report/index.html#/" in c["link"] for c in cells), cells
    failing = next(
        c for c in cells if (c["behaviour"], c["host"]) == ("compartments/default-native", "ws-bad")
    )
    report = browser.open(failing["link"])
    shown = report.wait_for(
        "document.body.innerText.includes('test_default_native[ws-bad-') && document.body.innerText"
    )
    assert "default compartment type 'Unspecified'" in shown  # the failure, on the test's own page
    # the report a person reads: parameters as written, no plumbing fixtures, no unnamed steps
    assert "ws-bad" in shown and "'ws-bad'" not in shown
    for hidden in ("_wcc_host_name", "_gates", "<lambda>"):
        assert hidden not in shown, hidden
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "allure-test.png").write_bytes(report.screenshot())


def test_allure_page_loads_with_its_test_count(browser: Browser, sample_run: SampleRun):
    if not sample_run.html:
        if os.environ.get("CI") == "true":
            pytest.fail("node/npm missing under CI: the Allure HTML was not built")
        pytest.skip("node/npm not installed: no Allure HTML to look at")
    page = browser.open((sample_run.out / "allure-report" / "index.html").as_uri())
    total = page.wait_for(
        "(() => { const m = document.body.innerText.match(/Total\\s+(\\d+)/); return m && Number(m[1]); })()"
    )
    assert total == sample.TESTS_PER_HOST * len(sample.HOSTS)
    assert "wcc conformance" in page.evaluate("document.body.innerText")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "allure.png").write_bytes(page.screenshot())
    page.evaluate(
        "Array.from(document.querySelectorAll('button, a, [role=tab], div, span'))"
        ".find(e => /^Categories\\s*\\d*$/.test(e.innerText.trim()))?.click()"
    )
    shown = page.wait_for("document.body.innerText.includes('Product deviations') && document.body.innerText")
    assert "Broken runs: host unreachable" in shown
    (SHOTS / "allure-categories.png").write_bytes(page.screenshot())
    scripts = page.evaluate("Array.from(document.scripts).map(s => s.src + ' ' + s.text.slice(0, 200))")
    assert not [s for s in scripts if "googletagmanager" in s or "gtag(" in s]  # no analytics
    assert "googletagmanager" not in (sample_run.out / "allure-report" / "index.html").read_text()
