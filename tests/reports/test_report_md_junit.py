"""report.md (pull-request comment) and junit.xml (CI)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from harness.report import build_report
from harness.report.junit import render_junit
from harness.report.markdown import MAX_CHARS, md_block, md_code, md_text, render_markdown
from tests.reports import synthetic


def test_markdown_totals_gaps_first_then_matrix(realistic_report):
    md = render_markdown(realistic_report)
    lines = md.splitlines()
    assert lines[0] == "## S3 conformance: `emulator`: ❌ 4 failing check(s)"
    assert "**67 checks**: ✅ 53 pass · ❌ 2 gap · ➖ 10 limitation · ⚠️ 1 extra · 💥 1 error · 1 not applicable" in md
    order = [md.index(h) for h in ("### ❌ Gaps (2)", "### ⚠️ Extras (1)", "### 💥 Errors (1)",
                                   "### Matrix: operation × client × scheme", "### ➖ Limitations (10)",
                                   "### Latency")]
    assert order == sorted(order)
    gaps = md[md.index("### ❌ Gaps"):md.index("### ⚠️ Extras")]
    assert "| `probes/listing-past-1000/s3cmd[doc]/https-virtual` | ListObjects | `s3cmd[doc]` | client-visible " \
           "| `list.next-marker` | listing.keys: expected 1001, observed 1000; listing.next\\_marker: expected k-0999, observed null |" in gaps
    assert "<details><summary>Reproduce stateful/bucket-machine/s3cmd[doc]/https-virtual</summary>" in gaps
    assert "```sh\ns3cmd -c \"$S3CFG\" --disable-multipart put body.bin 's3://conformance/naïve/日本語 +%.txt'" in gaps
    assert "Hypothesis minimal sequence" in gaps


def test_markdown_matrix_cells(realistic_report):
    md = render_markdown(realistic_report)
    header = next(x for x in md.splitlines() if x.startswith("| operation |"))
    assert header == ("| operation | boto3 HTTP | boto3 HTTPS | s3cmd HTTP | s3cmd HTTPS | awscli HTTP | awscli HTTPS "
                      "| http HTTP | http HTTPS |")
    row = next(x for x in md.splitlines() if x.startswith("| `PutObject` |"))
    assert row == "| `PutObject` | ✅ 6 | ✅ 6 | ✅ 4 | ❌ 1/4 | ✅ 3 | 💥 1/4 | · | · |"
    row = next(x for x in md.splitlines() if x.startswith("| `CopyObject` |"))
    assert row.startswith("| `CopyObject` | ⚠️ 1/1 | · |")


def _outside_code(md: str) -> str:
    """The Markdown that GitHub would interpret as Markdown/HTML: fenced blocks and code spans removed."""
    md = re.sub(r"(?ms)^(`{3,})[^\n]*\n.*?^\1[ \t]*$", "", md)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", md)


def test_markdown_escapes_everything(hostile):
    md = render_markdown(build_report(hostile))
    table_row = next(x for x in md.splitlines() if x.startswith("| `negative/evil-"))
    assert table_row.count(" | ") == 5  # the id's and notes' pipes did not add columns
    prose = _outside_code(md)
    assert "pwned" in prose  # the hostile text is there, as text
    assert "<script" not in prose and "<img" not in prose and "<b>" not in prose
    assert "Put&lt;b&gt;Object&lt;/b&gt;&amp;" in table_row
    assert md_text("a|b*c_<d>") == "a\\|b\\*c\\_&lt;d&gt;"
    assert md_code("x`y|z") == "``x`y\\|z``"
    assert md_block("a\n```\nb", "sh") == "````sh\na\n```\nb\n````"  # a fence longer than any inside


def test_markdown_fits_a_pull_request_comment():
    recs = [synthetic.record("probes", f"p{i}", "boto3", "v", verdict="gap",
                             reproduction={"boto3": "x" * 3000}, operations=["GetObject"]) for i in range(100)]
    md = render_markdown(build_report(synthetic._results(recs)))
    assert len(md) <= MAX_CHARS
    assert md.count("| `probes/p") == 100  # every gap is still listed
    assert "Reproductions not shown here for lack of room" in md


def test_markdown_of_an_empty_run():
    md = render_markdown(build_report(synthetic.empty()))
    assert "✅ no gap" in md.splitlines()[0] and "_No checks were recorded._" in md


def test_junit_one_testcase_per_check(realistic_report):
    root = ET.fromstring(render_junit(realistic_report))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("67", "3", "1", "10")
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 67
    ids = [c.find("properties/property[@name='check_id']").get("value") for c in cases]
    assert sorted(ids) == sorted(c["id"] for c in realistic_report["checks"])
    by_id = dict(zip(ids, cases, strict=True))
    gap = by_id["probes/listing-past-1000/s3cmd[doc]/https-virtual"]
    assert gap.get("classname") == "emulator.probes.listing-past-1000"
    assert gap.get("name") == "s3cmd[doc] https-virtual"
    f = gap.find("failure")
    assert f.get("type") == "gap" and f.get("message").startswith("gap: listing.keys: expected 1001, observed 1000")
    assert "reproduce (command):\ns3cmd -c" in f.text and "wire: GET https://conformance.stdcdn.test/" in f.text
    assert by_id["negative/copy-object/boto3[when_supported]/http-path"].find("failure").get("type") == "extra"
    err = by_id["probes/object-20MiB/awscli[s3api]/https-virtual"]
    assert err.find("error").get("type") == "error" and err.find("failure") is None
    lim = by_id["negative/multipart-upload/s3cmd[doc]/http-path"].find("skipped")
    assert lim.get("type") == "limitation" and "501" in lim.get("message")
    ok = by_id["doc-examples/buckets-all/boto3[when_supported]/http-path"]
    assert [x.tag for x in ok] == ["properties"]
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["emulator.config-matrix", "emulator.cross-client", "emulator.doc-examples",
                              "emulator.negative", "emulator.probes", "emulator.stateful"]
    assert suites["emulator.probes"].find("properties/property[@name='run_id']").get("value") == synthetic.RUN_ID


def test_junit_survives_markup_and_control_characters(hostile):
    root = ET.fromstring(render_junit(build_report(hostile)))
    case = next(c for c in root.iter("testcase") if c.find("failure") is not None)
    assert case.get("classname").startswith("emulator.negative.evil-<script>window.__pwned=1</script>\"'&<img")
    assert "\\x02" in case.find("failure").get("message")  # a control character XML cannot carry, made visible


def test_junit_of_an_empty_run():
    root = ET.fromstring(render_junit(build_report(synthetic.empty())))
    assert root.get("tests") == "0" and root.findall("testsuite") == []
