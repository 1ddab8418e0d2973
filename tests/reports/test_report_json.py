"""report.json: built from results.json, valid against its schema, secrets out, numbers right."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from harness.report import FILES, ReportInputError, ReportSchemaError, build_report, validate_report, write_reports
from harness.report.build import percentile
from tests.reports import synthetic
from tests.reports.conftest import dump


@pytest.mark.parametrize("kind", ["realistic", "hostile", "empty"])
def test_every_synthetic_run_gives_a_valid_report(kind, tmp_path):
    paths = write_reports(dump(tmp_path / "in" / "results.json", getattr(synthetic, kind)()), tmp_path / "out")
    assert sorted(paths) == sorted(FILES)
    assert all(os.path.getsize(p) > 0 for p in paths.values())
    with open(paths["json"], encoding="utf-8") as f:
        report = json.load(f)
    validate_report(report)
    assert report["report_version"] == 1


def test_the_schema_rejects_what_it_must(realistic_report):
    for mutate, where in [
        (lambda r: r["checks"][0].update(verdict="flaky"), "checks/0/verdict"),
        (lambda r: r["checks"][0].pop("reproduction"), "checks/0"),
        (lambda r: r["totals"].update(gap=-1), "totals/gap"),
        (lambda r: r.update(report_version=2), "report_version"),
        (lambda r: r["target"]["endpoints"][0].update(endpoint="https://AKIA:secret@host/"), "endpoint"),
        (lambda r: r["checks"][0].update(operations=[]), "checks/0/operations"),
    ]:
        broken = copy.deepcopy(realistic_report)
        mutate(broken)
        with pytest.raises(ReportSchemaError, match=where):
            validate_report(broken)
    dup = copy.deepcopy(realistic_report)
    dup["checks"].append(dict(dup["checks"][0]))
    with pytest.raises(ReportSchemaError, match="duplicate check id"):
        validate_report(dup)


def test_run_target_and_clients(realistic_report):
    r = realistic_report
    assert r["run"] == {"id": synthetic.RUN_ID, "seed": "derandomized", "started": "2026-11-24T19:03:24Z",
                        "finished": "2026-11-24T19:05:01Z", "duration": 97.17,
                        "hypothesis_db": {"path": None, "replayed": []}}
    assert r["target"]["name"] == "emulator"
    eps = {e["label"]: e for e in r["target"]["endpoints"]}
    assert eps["https-virtual"] == {
        "label": "https-virtual", "endpoint": "https://stdcdn.test", "scheme": "https", "addressing_style": "virtual",
        "bucket": "conformance", "region": "us-east-1", "vhost_template": "%(bucket)s.stdcdn.test",
        "via_proxy": True, "custom_ca": True, "run_prefix": f"s3-conformance/{synthetic.RUN_ID}/"}
    assert "AKIA" not in json.dumps(r["target"])  # no credentials at all, not even the access key id
    s3cmd = next(c for c in r["clients"] if c["key"] == "s3cmd[doc]")
    assert s3cmd["name"] == "s3cmd" and s3cmd["variant"] == "doc" and s3cmd["version"] == "s3cmd 2.4.0"
    assert s3cmd["label"] == ""
    assert s3cmd["settings"]["multipart"] == "--disable-multipart"


def test_one_record_per_check_with_stable_ids(realistic, realistic_report):
    ids = [c["id"] for c in realistic_report["checks"]]
    assert sorted(ids) == sorted(r["id"] for r in realistic["records"]) and len(set(ids)) == len(ids)
    again = build_report(copy.deepcopy(realistic))
    assert [c["id"] for c in again["checks"]] == ids  # same input, same ids, same order
    gap = next(c for c in realistic_report["checks"] if c["id"] == "stateful/bucket-machine/s3cmd[doc]/https-virtual")
    assert gap["verdict"] == "gap" and gap["group"] == "stateful" and gap["client"] == "s3cmd"
    assert gap["differences"] == [{"field": "metadata", "expected": {"colour": "blau"}, "observed": {}}]
    assert gap["expected"]["metadata"] == {"colour": "blau"} and gap["observed"]["metadata"] == {}
    assert gap["wire"][0]["method"] == "HEAD" and gap["wire"][0]["status"] == 200
    assert gap["reproduction"]["command"].startswith("s3cmd ") and gap["reproduction"]["boto3"] is None
    assert gap["reproduction"]["hypothesis"]["minimal_sequence"][1].startswith("Head(")
    assert gap["requests"] == 31 and gap["steps"] == 31


def test_totals_and_matrix(realistic_report):
    r = realistic_report
    assert r["totals"] == {"pass": 53, "gap": 2, "limitation": 10, "extra": 1, "error": 1, "checks": 67,
                           "not_applicable": 1}
    m = r["matrix"]
    assert m["operations"][:5] == ["ListBuckets", "HeadBucket", "ListObjects", "PutObject", "GetObject"]
    assert m["clients"] == ["boto3", "s3cmd", "awscli", "http"] and m["schemes"] == ["http", "https"]
    cells = {(c["operation"], c["client"], c["scheme"]): c for c in m["cells"]}
    put = cells[("PutObject", "s3cmd", "https")]  # the s3cmd metadata gap counts in every row it exercised
    assert put["verdict"] == "gap" and put["counts"]["gap"] == 1 and put["total"] == 4
    assert cells[("PutObject", "awscli", "https")]["verdict"] == "error"
    assert cells[("CopyObject", "boto3", "http")]["verdict"] == "extra"
    assert cells[("CreateMultipartUpload", "boto3", "http")]["counts"] == {
        "pass": 0, "gap": 0, "limitation": 2, "extra": 0, "error": 0}
    assert ("CopyObject", "s3cmd", "http") not in cells


def test_latency_from_the_records_timings():
    recs = [synthetic.record("probes", "p", "boto3", "v", operations=["GetObject"], requests=0,
                             timings=[{"operation": "GetObject", "method": "GET", "status": 200, "duration": d}
                                      for d in (0.004, 0.001, 0.003, 0.002, 0.010)]),
            synthetic.record("probes", "q", "boto3", "w", operations=["GetObject"], requests=0,
                             timings=[{"operation": "GetObject", "method": "GET", "status": None, "duration": 9.0},
                                      {"operation": "HeadObject", "method": "HEAD", "status": 404,
                                       "duration": 0.5}])]
    lat = {(x["operation"], x["client"]): x for x in build_report(synthetic._results(recs))["latency"]}
    assert lat[("GetObject", "boto3")] == {"operation": "GetObject", "client": "boto3", "requests": 6, "failed": 1,
                                           "p50": 0.003, "p95": 0.01}
    assert lat[("HeadObject", "boto3")]["p50"] == 0.5
    assert percentile([5.0], 95) == 5.0 and percentile([1, 2, 3, 4], 50) == 2
    assert percentile(list(range(1, 21)), 95) == 19


def test_secrets_never_reach_a_report(tmp_path, monkeypatch, hostile):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", synthetic.SECRET)
    paths = write_reports(hostile, tmp_path)
    for p in paths.values():
        with open(p, encoding="utf-8") as f:
            text = f.read()
        assert synthetic.SECRET not in text, p
        assert "deadbeef" not in text, p  # presigned signature in a wire URL
    with open(paths["json"], encoding="utf-8") as f:
        check = next(c for c in json.load(f)["checks"] if c["verdict"] == "gap")
    assert check["wire"][0]["request_headers"]["Authorization"] == "AWS4-HMAC-SHA256 REDACTED SignedHeaders=host"
    assert "X-Amz-Signature=REDACTED" in check["wire"][0]["url"]
    assert "$AWS_SECRET_ACCESS_KEY" in check["reproduction"]["boto3"]


def test_secrets_passed_explicitly_are_scrubbed(hostile):
    report = build_report(hostile, secrets=[synthetic.SECRET])
    assert synthetic.SECRET not in json.dumps(report)


def test_lone_surrogates_and_control_characters_survive(hostile, tmp_path):
    paths = write_reports(hostile, tmp_path)
    with open(paths["json"], encoding="utf-8") as f:
        report = json.load(f)
    gap = next(c for c in report["checks"] if c["verdict"] == "gap")
    assert gap["differences"][0]["observed"].endswith("\x02\\udc80")


def test_duplicate_ids_are_made_unique_with_a_warning():
    a = synthetic.record("probes", "p", "boto3", "v", nodeid="b.py::t")
    b = synthetic.record("probes", "p", "boto3", "v", verdict="gap", nodeid="a.py::t")
    report = build_report(synthetic._results([a, b]))
    validate_report(report)
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["probes/p/boto3[v]/http-path"]["nodeid"] == "a.py::t"
    assert by_id["probes/p/boto3[v]/http-path#2"]["nodeid"] == "b.py::t"
    assert "recorded 2 times" in report["warnings"][0]


@pytest.mark.parametrize("data, message", [
    ({"no": "records"}, "no 'records' list"),
    ({"records": [{"id": "x"}]}, "record #0: missing or non-string 'verdict'"),
    ({"records": [{"id": "x", "verdict": "maybe"}]}, "unknown verdict 'maybe'"),
    ({"records": ["x"]}, "record #0: not an object"),
])
def test_bad_input_is_one_clear_error(data, message):
    with pytest.raises(ReportInputError, match=message):
        build_report(data)


@pytest.mark.parametrize("content, message", [
    (None, "no such file"), ("{not json", "not JSON"), ("[1, 2]", "expected a JSON object"),
    ('{"schema_version": 1}', "no 'records' list"),
])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "harness.report", str(path), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, cwd=os.getcwd())
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and message in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_cli_writes_next_to_the_results_by_default(tmp_path, realistic):
    path = dump(tmp_path / "run" / "results.json", realistic)
    p = subprocess.run([sys.executable, "-m", "harness.report", path], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert sorted(os.listdir(tmp_path / "run")) == ["junit.xml", "report.html", "report.json", "report.md",
                                                     "results.json"]
