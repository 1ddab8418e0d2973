"""s3-compare: check × implementation from several runs' reports, differing rows first, each cell linking to the
check in that run's report.html, everything escaped; bad input is one line and exit 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.compare import main
from harness.report import write_reports
from tests.reports.synthetic import _results, record

HOSTILE = "<script>alert(1)</script>&\""


def _run(tmp: Path, name: str, target: str, verdicts: dict[tuple[str, str], str], profile: str) -> Path:
    recs = [record("negative", scenario, "boto3", "when_supported", label, verdict=v,
                   notes=f"known {target} deviation: {target}-x" if v == "gap" else "",
                   differences=[{"field": "status", "expected": 400, "observed": 200}] if v == "gap" else [])
            for (scenario, label), v in verdicts.items()]
    out = tmp / name
    write_reports(_results(recs, target=target, profile=profile), str(out))
    return out / "report.json"


@pytest.fixture
def runs(tmp_path):
    a = _run(tmp_path, "emulator", "emulator", {("sigv2", "http-path"): "pass", ("sigv2", "https-virtual"): "pass",
                                                ("copy", "http-path"): "limitation",
                                                ("same", "http-path"): "pass"}, "service")
    b = _run(tmp_path, "rgw", "rgw", {("sigv2", "http-path"): "gap", ("copy", "http-path"): "pass",
                                      ("same", "http-path"): "pass", (HOSTILE, "http-path"): "pass"}, "s3")
    return tmp_path, a, b


def test_differing_rows_first_with_links_to_the_evidence(runs):
    tmp, a, b = runs
    out = tmp / "docs" / "compat"
    assert main(["--out", str(out), str(a), str(b)]) == 0
    md = (tmp / "docs" / "compat.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| **`") or line.startswith("| `negative")]
    # differing first; copy (a limitation judged as the service, a pass judged as S3) is not a difference
    assert [r.split("`")[1] for r in rows[:1]] == ["negative/sigv2/boto3[when_supported]"]
    assert not any("negative/copy" in r and "**" in r for r in rows)
    assert "negative/same/boto3[when_supported]" in rows[-1] or "negative/same" in "".join(rows[2:])
    sigv2 = next(r for r in rows if "negative/sigv2" in r)
    assert "✅ pass" in sigv2 and "❌ gap" in sigv2
    # each link opens that check in that run's report.html: the anchor exists there
    for href in re.findall(r"\]\(([^)]+)\)", sigv2):
        path, _, frag = href.partition("#")
        page = (out.parent / path).resolve()
        assert page.is_file() and f'id="{frag}"' in page.read_text(), href
    assert "| rgw | full S3 |" in md and "| emulator | the service" in md
    assert "known rgw deviation: rgw-x" in md  # why the cell differs
    # a row that only one implementation ran is shown, with '·' for the other
    assert any("·" in r for r in rows)


def test_the_page_is_self_contained_and_escaped(runs):
    tmp, a, b = runs
    assert main(["--out", str(tmp / "c"), str(a), f"renamed={b}"]) == 0
    page = (tmp / "c.html").read_text()
    assert "<script" not in page and "alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "default-src 'none'" in page and "http://" not in page.split("</head>")[0]
    assert "<th>renamed</th>" in page  # NAME=REPORT names the column


def test_two_runs_of_one_kind_get_distinct_columns(runs):
    tmp, a, _ = runs
    assert main(["--out", str(tmp / "d"), str(a), str(a.parent)]) == 0
    assert "| check | emulator | emulator-2 |" in (tmp / "d.md").read_text()


@pytest.mark.parametrize("bad", ["missing.json", "notjson"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, bad):
    if bad == "notjson":
        (tmp_path / bad).write_text("{")
    proc = subprocess.run([sys.executable, "-m", "harness.compare", str(tmp_path / bad), "--out",
                           str(tmp_path / "x")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
