"""The contract with the harness: what harness.results.ResultStore really writes becomes a valid report.

Built with the harness's own classes (not a hand-written dict), so a change of the record shape in
harness/results.py that the report builder does not follow fails here.
"""

from __future__ import annotations

import json

from harness.report import write_reports
from harness.report.verdicts import VERDICTS as REPORT_VERDICTS
from harness.results import RESULTS_SCHEMA_VERSION, VERDICTS, CheckRecord, NotApplicable, ResultStore


def _store() -> ResultStore:
    store = ResultStore("20260101T000000Z-0123abcd", "derandomized", "moto")
    store.targets["http-path"] = {"name": "moto", "scheme": "http", "endpoint_url": "http://127.0.0.1:1",
                                  "addressing_style": "path", "bucket": "conformance",
                                  "credentials": {"access_key": "AKIAIOSFODNN7EXAMPLE"}, "region": "us-east-1",
                                  "vhost_template": None, "proxy_url": None, "ca_bundle": None,
                                  "run_prefix": "s3-conformance/x/", "other_credentials": None, "live": False,
                                  "foreign_bucket": None}
    # as harness/check.py notes them: per client variant and endpoint label
    store.note_client("boto3[when_supported]@http-path", "boto3 1.44.8 / botocore 1.44.8", {"region": "us-east-1"})
    store.add(CheckRecord(
        id="stateful/bucket-machine/boto3[when_supported]/http-path", group="stateful", scenario="bucket-machine",
        operations=["PutObject", "GetObject"], client="boto3", variant="when_supported", scheme="http",
        addressing="path", target="moto", verdict="gap",
        expected={"status": 400, "error_code": "KeyTooLongError"}, observed={"outcome": "ok", "status": 200},
        differences=[{"field": "status", "expected": 400, "observed": 200}],
        wire=[{"method": "PUT", "url": "http://127.0.0.1:1/conformance/k",
               "request_headers": {"Expect": "100-continue"}, "status": 200,
               "response_headers": {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'},
               "started": 1.0, "duration": 0.002, "error": None}],
        reproduction={"boto3": "import os, boto3"},
        hypothesis={"minimal_sequence": ["Put(key='a')", "Put(key='L'*1000)"], "seed": "derandomized",
                    "profile": "ci"},
        reference={"moto": "known deviation moto-key-too-long-accepted"}, duration=0.62,
        timings=[{"operation": "PutObject", "method": "PUT", "status": 200, "duration": 0.002},
                 {"operation": "GetObject", "method": "GET", "status": 200, "duration": 0.001}],
        steps=2, nodeid="scenarios/test_stateful.py::test_stateful_bucket[http-path-boto3-when_supported]"))
    store.add_na(NotApplicable("x/y/s3cmd[doc]/http-path", "probes", "y", ["GetObject"], "s3cmd", "doc", "http",
                               "path", "s3cmd cannot send a Range"))
    return store


def test_the_verdicts_are_the_harness_verdicts():
    assert tuple(REPORT_VERDICTS) == tuple(VERDICTS)
    assert RESULTS_SCHEMA_VERSION == 1  # a new results schema needs a look at harness/report/build.py


def test_what_the_store_writes_becomes_a_valid_report(tmp_path):
    results = _store().write(str(tmp_path))
    paths = write_reports(results, tmp_path)
    with open(paths["json"], encoding="utf-8") as f:
        report = json.load(f)
    with open(paths["html"], encoding="utf-8") as f:
        page = f.read()
    assert '<code>boto3[when_supported]</code> <span class="muted">boto3 1.44.8 / botocore 1.44.8</span>' in page
    (check,) = report["checks"]
    assert check["id"] == "stateful/bucket-machine/boto3[when_supported]/http-path"
    assert check["verdict"] == "gap" and check["operations"] == ["PutObject", "GetObject"]
    assert check["differences"] == [{"field": "status", "expected": 400, "observed": 200}]
    assert check["wire"][0]["url"] == "http://127.0.0.1:1/conformance/k" and check["requests"] == 2
    assert check["reproduction"]["boto3"] == "import os, boto3"
    assert check["reproduction"]["hypothesis"]["minimal_sequence"][0] == "Put(key='a')"
    assert check["reference"] == {"moto": "known deviation moto-key-too-long-accepted"}
    assert report["run"]["id"] == "20260101T000000Z-0123abcd" and report["target"]["name"] == "moto"
    assert report["clients"] == [{"key": "boto3[when_supported]@http-path", "name": "boto3",
                                  "variant": "when_supported", "label": "http-path",
                                  "version": "boto3 1.44.8 / botocore 1.44.8", "settings": {"region": "us-east-1"}}]
    assert report["not_applicable"][0]["reason"] == "s3cmd cannot send a Range"
    assert {(x["operation"], x["requests"]) for x in report["latency"]} == {("PutObject", 1), ("GetObject", 1)}
    assert report["totals"]["gap"] == 1 and report["totals"]["not_applicable"] == 1


def test_merged_worker_results_too(tmp_path):
    """pytest-xdist: the controller merges the workers' dicts; the merged file must report the same."""
    worker = _store()
    controller = ResultStore(worker.run_id, worker.seed, "moto")
    controller.merge(json.loads(json.dumps(worker.to_dict())))
    paths = write_reports(controller.write(str(tmp_path)), tmp_path)
    with open(paths["json"], encoding="utf-8") as f:
        assert json.load(f)["totals"]["gap"] == 1
