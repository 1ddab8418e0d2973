"""report.html, read as text: self-contained, escaped, the matrix and every gap's details are in it."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from markupsafe import escape

from harness.report import build_report
from harness.report.html import render_html
from tests.reports import synthetic


class Page(HTMLParser):
    """Tags with their attributes, and the text of <script> elements."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def find(self, tag: str, attrs: dict[str, str] | None = None) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in (attrs or {}).items())]


def test_self_contained(realistic_report):
    text = render_html(realistic_report)
    page = Page(text)
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    for _, attrs in page.tags:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            assert name not in attrs, (name, attrs)
    assert "@import" not in text and "url(" not in text
    assert len(page.scripts) == 1 and page.find("script") == [{}]  # one inline script, no src
    csp = page.find("meta", {"http-equiv": "Content-Security-Policy"})[0]["content"]
    assert "default-src 'none'" in csp
    digest = base64.b64encode(hashlib.sha256(page.scripts[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp  # the CSP allows exactly the page's own script


def test_matrix_cells_and_colours(realistic_report):
    page = Page(render_html(realistic_report))
    cells = {(a["data-op"], a["data-client"], a["data-scheme"]): a for a in page.find("td") if "data-op" in a}
    assert len(cells) == len(realistic_report["matrix"]["cells"]) == 51
    assert cells[("PutObject", "s3cmd", "https")]["class"] == "cell v-gap"
    assert cells[("PutObject", "s3cmd", "https")]["title"] == "3 pass, 1 gap"
    assert cells[("PutObject", "awscli", "https")]["class"] == "cell v-error"
    assert cells[("CreateMultipartUpload", "boto3", "http")]["class"] == "cell v-limitation"
    assert cells[("ListBuckets", "boto3", "http")]["class"] == "cell v-pass"
    assert len(page.find("td", {"class": "empty"})) > 0  # combinations nobody ran are shown as such


def test_checks_gaps_first_and_each_gap_expandable(realistic_report):
    text = render_html(realistic_report)
    page = Page(text)
    details = [a for a in page.find("details") if "data-verdict" in a]
    verdicts = [a["data-verdict"] for a in details]
    assert len(details) == 67
    assert verdicts[:4] == ["gap", "gap", "extra", "error"] and verdicts[-1] == "pass"
    gap = text[text.index('data-id="stateful/bucket-machine/s3cmd[doc]/https-virtual"'):]
    gap = gap[:gap.index('<details class="check')]  # up to the next check
    for part in ("Expected vs observed", "Wire exchange of the deciding step", "Reproduction",
                 "Hypothesis minimal failing sequence", str(escape('"colour": "blau"')),
                 "HEAD https://conformance.stdcdn.test/s3-conformance/",
                 "s3cmd -c &#34;$S3CFG&#34; --disable-multipart"):
        assert part in gap, part


def test_everything_is_escaped(hostile):
    text = render_html(build_report(hostile))
    page = Page(text)
    assert len(page.scripts) == 1 and "pwned" not in page.scripts[0]
    assert not page.find("img") and len(page.find("b")) == 5  # only the page's own: the five totals
    assert "<script>window.__pwned" not in text and "<img src=x" not in text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    evil = next(a for a in page.find("details") if a.get("data-verdict") == "gap")
    assert evil["data-id"].startswith('negative/evil-<script>window.__pwned=1</script>"\'&<img')  # exact, unescaped
    assert re.search(r"ünï/😀 \+%//\.\./", text)


def test_empty_run():
    text = render_html(build_report(synthetic.empty()))
    assert 'id="no-checks"' in text and "0 of 0 checks shown" in text
