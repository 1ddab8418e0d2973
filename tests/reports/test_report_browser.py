"""report.html in a real headless Chromium: it renders, the matrix is there, a gap expands, the filters work,
nothing is fetched, nothing injected runs. Skipped only when no Chromium is installed."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import pytest

from harness.report import write_reports
from harness.report.browser import Chromium, check_report, find_chromium
from tests.reports import synthetic

needs_chromium = pytest.mark.skipif(find_chromium() is None,
                                    reason="Chromium is not installed (apt-get install chromium); CI installs it")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    out = {}
    for kind in ("realistic", "hostile", "empty"):
        d = tmp_path_factory.mktemp(kind)
        out[kind] = write_reports(getattr(synthetic, kind)(), d)["html"]
    return out


@pytest.fixture(scope="module")
def browser():
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    with Chromium(timeout=30) as b:
        yield b


def shown(b: Chromium) -> list[str]:
    return b.evaluate("Array.from(document.querySelectorAll('#checks .check'))"
                      ".filter(d => d.getBoundingClientRect().height > 0).map(d => d.dataset.verdict)")


def cell(b: Chromium, op: str, client: str, scheme: str) -> dict:
    return b.evaluate(f"(() => {{ const td = document.querySelector('#matrix td[data-op=\"{op}\"]"
                      f"[data-client=\"{client}\"][data-scheme=\"{scheme}\"]'); const r = td.getBoundingClientRect();"
                      " return {cls: td.className, text: td.innerText.replace(/\\s+/g, ' ').trim(),"
                      " visible: r.width > 0 && r.height > 0}; })()")


@needs_chromium
def test_renders_with_the_matrix_and_a_gap_expands(browser, pages):
    b = browser
    b.open(pages["realistic"])
    assert b.evaluate("document.documentElement.dataset.ready") == "1"  # the page's own script ran
    assert b.evaluate("document.querySelectorAll('#matrix td.cell').length") == 51
    assert cell(b, "PutObject", "s3cmd", "https") == {"cls": "cell v-gap", "text": "1 gap of 4", "visible": True}
    assert cell(b, "ListBuckets", "boto3", "http")["cls"] == "cell v-pass"
    colour = b.evaluate("getComputedStyle(document.querySelector('#matrix td.v-gap')).backgroundColor")
    assert colour == "rgb(255, 216, 211)"  # the gap colour, from the inline stylesheet
    first = "#checks details.check"
    assert b.evaluate(f"document.querySelector('{first}').dataset.verdict") == "gap"
    assert b.evaluate(f"document.querySelector('{first}').open") is False
    closed = b.evaluate(f"document.querySelector('{first}').getBoundingClientRect().height")
    assert b.evaluate(f"document.querySelector('{first} .body').checkVisibility()") is False
    b.click(f"{first} > summary")
    assert b.evaluate(f"document.querySelector('{first}').open") is True
    body = b.evaluate(f"(() => {{ const e = document.querySelector('{first} .body');"
                      " return {visible: e.checkVisibility(), text: e.innerText}; })()")
    assert body["visible"] is True
    assert b.evaluate(f"document.querySelector('{first}').getBoundingClientRect().height") > closed + 200
    for part in ("Expected vs observed", "listing.keys", "Wire exchange of the deciding step",
                 "GET https://conformance.stdcdn.test/?prefix=s3-conformance%2F&marker=k-0999", "Reproduction",
                 "s3cmd -c \"$S3CFG\" --host=stdcdn.test"):
        assert part in body["text"], part
    assert [u for u in b.requested_urls() if not u.startswith("file:")] == []


@needs_chromium
def test_filters_recount_the_matrix(browser, pages):
    b = browser
    b.open(pages["realistic"])
    assert len(shown(b)) == 67
    b.click(".totals button[data-verdict=pass]")  # hide passes
    assert sorted(set(shown(b))) == ["error", "extra", "gap", "limitation"] and len(shown(b)) == 14
    assert b.evaluate("document.getElementById('shown').textContent") == "14 of 67 checks shown"
    assert cell(b, "ListBuckets", "boto3", "http")["cls"] == "cell v-none"
    assert cell(b, "PutObject", "s3cmd", "https")["text"] == "1 gap of 1"
    b.click("#f-reset")
    b.type_into("#f-text", "LISTING-past")
    assert shown(b) == ["gap"]
    b.click("#f-reset")
    b.evaluate("(() => { const s = document.getElementById('f-client'); s.value = 'awscli';"
               " s.dispatchEvent(new Event('change')); })()")
    assert len(shown(b)) == 15 and cell(b, "ListBuckets", "boto3", "http")["cls"] == "cell v-none"
    b.click("#f-reset")
    b.click('#matrix td[data-op="CopyObject"][data-client="boto3"][data-scheme="http"] button')
    assert shown(b) == ["extra"]
    assert b.evaluate("document.getElementById('cell-chip-text').textContent") == "CopyObject × boto3 × http"
    b.click("#cell-chip-clear")
    assert len(shown(b)) == 67


@needs_chromium
def test_injected_markup_stays_text(browser, pages):
    b = browser
    b.open(pages["hostile"])
    assert b.evaluate("document.documentElement.dataset.ready") == "1"
    assert b.evaluate("typeof window.__pwned") == "undefined"
    assert b.evaluate("document.querySelectorAll('img, script').length") == 1  # only the page's own script
    b.click("#checks details.check.v-gap > summary")
    text = b.evaluate("document.body.innerText")
    assert '<script>window.__pwned=1</script>"\'&<img src=x onerror="window.__pwned=2">' in text
    assert "ünï/😀 +%//../" in text
    b.type_into("#f-text", "ünï/😀")
    assert shown(b) == ["gap"]


@needs_chromium
def test_empty_run_renders(browser, pages):
    browser.open(pages["empty"])
    assert browser.evaluate("document.getElementById('no-checks').innerText") == "No checks were recorded in this run."
    assert browser.evaluate("document.documentElement.dataset.ready") == "1"


@needs_chromium
def test_documented_check_and_screenshot(pages, tmp_path):
    png = str(tmp_path / "shot.png")
    facts = check_report(pages["realistic"], screenshot=png)
    assert facts["problems"] == [] and facts["gap_expanded"] is True and facts["matrix_cells"] == 51
    with open(png, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert width == 1280 and 900 <= height <= 2400
    assert os.path.getsize(png) > 20_000  # a page, not a blank image


def test_browser_check_without_chromium_exits_2(tmp_path):
    env = {**os.environ, "CHROMIUM": str(tmp_path / "no-such-browser")}
    p = subprocess.run([sys.executable, "-m", "harness.report.browser", str(tmp_path / "report.html")],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "no Chromium found" in p.stderr


@needs_chromium
def test_the_matrix_of_every_registry_client_fits_a_1280_pixel_window(browser, tmp_path):
    """Eight clients x two schemes: the matrix fits 1280 px (the window the checks use) without scrolling."""
    import copy

    from harness.drivers.registry import NAMES

    data = synthetic.realistic()
    data["records"] = [r for r in data["records"] if r["client"] != "http"]  # the eight clients alone
    base = [r for r in data["records"] if r["client"] == "boto3"]
    for name in NAMES[1:]:
        for r in base:
            clone = copy.deepcopy(r)
            clone["client"], clone["id"] = name, r["id"].replace("boto3", name)
            data["records"].append(clone)
    b = browser
    b.open(write_reports(data, tmp_path)["html"])
    columns = b.evaluate("Array.from(document.querySelectorAll('#matrix thead tr:first-child th')).slice(1)"
                         ".map(th => th.textContent)")
    assert columns == list(NAMES)
    wrap = b.evaluate("(() => { const w = document.querySelector('.matrix-wrap');"
                      " return [w.scrollWidth, w.clientWidth, document.documentElement.scrollWidth]; })()")
    assert wrap[0] <= wrap[1] and wrap[2] <= 1280, wrap
