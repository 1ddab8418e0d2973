"""python -m harness.ledgers.audit: every gap of a run names an entry of its target's ledger; no verdict is error."""

from __future__ import annotations

import json

from harness.ledgers.audit import main, unadjudicated
from harness.report import build_report
from tests.reports.synthetic import _results, record


def _report(target, *recs):
    return build_report(_results(list(recs), target=target))


def test_a_gap_named_by_the_ledger_is_adjudicated():
    r = _report("rgw", record("probes", "p", "boto3", "v", verdict="gap", notes="x; known rgw deviation: rgw-a"),
                record("probes", "q", "boto3", "v"))
    assert unadjudicated(r) == []


def test_a_gap_without_an_entry_or_another_ledgers_entry_is_not(tmp_path):
    r = _report("rgw", record("probes", "p", "boto3", "v", verdict="gap", notes="known moto deviation: moto-x",
                              differences=[{"field": "NextMarker", "expected": None, "observed": "k"}]))
    problems = unadjudicated(r)
    assert len(problems) == 1 and "probes/p/boto3[v]" in problems[0] and "NextMarker" in problems[0]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(r))
    assert main([str(path)]) == 1


def test_an_error_is_never_adjudicated():
    assert unadjudicated(_report("seaweedfs", record("negative", "n", "s3cmd", "doc", verdict="error")))


def test_bad_input_is_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "missing.json")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
