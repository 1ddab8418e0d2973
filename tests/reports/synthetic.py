"""Synthetic results.json inputs, shaped like harness/results.py writes them (schema_version 1).

    python -m tests.reports.synthetic realistic OUT.json     # also: hostile, empty

``realistic()`` is a plausible emulator-style run (6 groups, 4 clients, HTTP and HTTPS, every verdict);
``hostile()`` puts markup, quotes, unicode, control characters and secrets where a report must escape or
redact them; ``empty()`` is a run that recorded nothing.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

ENDPOINTS = {"http-path": ("http", "path", "http://127.0.0.1:46419"),
             "https-virtual": ("https", "virtual", "https://stdcdn.test")}
RUN_ID = "20261124T190324Z-aac434e4"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSYNTHETICKEY"
BOTO3 = """import os, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url={endpoint!r}, region_name='us-east-1',
                  aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                  aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                  config=Config(s3={{'addressing_style': {addressing!r}}}, retries={{'total_max_attempts': 1}}))
print(s3.{call})"""


def exchange(method: str, url: str, status: int | None, ua: str = "Boto3/1.44.8", **extra: Any) -> dict[str, Any]:
    return {"method": method, "url": url,
            "request_headers": {"User-Agent": ua, "host": url.split("/")[2],
                                "Authorization": "AWS4-HMAC-SHA256 REDACTED SignedHeaders=host;x-amz-date",
                                **extra.pop("request_headers", {})},
            "status": status, "response_headers": extra.pop("response_headers", {"Content-Length": "0"}),
            "started": 1795547006.3, "duration": extra.pop("duration", 0.0021), "error": extra.pop("error", None)}


def record(group: str, scenario: str, client: str, variant: str, label: str = "http-path", *,
           verdict: str = "pass", operations: list[str] | None = None, rng: random.Random | None = None,
           requests: int = 3, **fields: Any) -> dict[str, Any]:
    scheme, addressing, endpoint = ENDPOINTS[label]
    ops = operations or ["ListObjects"]
    rng = rng or random.Random(0)
    status = fields.pop("status", 200)
    timings = [{"operation": ops[i % len(ops)], "method": "GET", "status": status,
                "duration": round(rng.uniform(0.0008, 0.004 if client == "boto3" else 0.03), 6)}
               for i in range(requests)]
    r: dict[str, Any] = {
        "id": f"{group}/{scenario}/{client}[{variant}]/{scheme}-{addressing}", "group": group,
        "scenario": scenario, "operations": ops, "client": client, "variant": variant, "scheme": scheme,
        "addressing": addressing, "target": "emulator", "verdict": verdict,
        "expected": {"status": status, "error_code": None, "headers": {}, "reason": "as S3 does"},
        "observed": {"outcome": "ok", "status": status, "error_code": None, "headers": {}},
        "differences": [], "wire": [exchange("GET", f"{endpoint}/conformance/", status)],
        "reproduction": {"boto3": BOTO3.format(endpoint=endpoint, addressing=addressing,
                                               call="list_objects(Bucket='conformance')")},
        "hypothesis": None, "reference": {"moto": "agrees"}, "duration": round(rng.uniform(0.05, 2.5), 4),
        "timings": timings, "steps": requests,
        "nodeid": f"scenarios/test_{group.replace('-', '_')}.py::test_{scenario.replace('-', '_')}[{label}-{client}]",
        "notes": "",
    }
    r.update(fields)
    return r


def _results(records: list[dict[str, Any]], target: str = "emulator", **extra: Any) -> dict[str, Any]:
    totals = {v: sum(r["verdict"] == v for r in records) for v in ("pass", "gap", "limitation", "extra", "error")}
    targets = {label: {"name": target, "scheme": s, "endpoint_url": e, "addressing_style": a, "bucket": "conformance",
                       "credentials": {"access_key": "AKIADC9445476CE16FB9"}, "region": "us-east-1",
                       "vhost_template": "%(bucket)s.stdcdn.test" if a == "virtual" else None,
                       "proxy_url": "http://127.0.0.1:44429" if a == "virtual" else None,
                       "ca_bundle": "/tmp/ca.pem" if s == "https" else None,
                       "run_prefix": f"s3-conformance/{RUN_ID}/", "other_credentials": None, "live": False,
                       "foreign_bucket": None}
               for label, (s, a, e) in ENDPOINTS.items()}
    clients = {
        "boto3[when_supported]": {"version": "boto3 1.44.8 / botocore 1.44.8",
                                  "settings": {"request_checksum_calculation": "when_supported",
                                               "retries": {"total_max_attempts": 1}}},
        "boto3[when_required]": {"version": "boto3 1.44.8 / botocore 1.44.8",
                                 "settings": {"request_checksum_calculation": "when_required"}},
        "s3cmd[doc]": {"version": "s3cmd 2.4.0", "settings": {"multipart": "--disable-multipart",
                                                              "host_bucket": "%(bucket)s.stdcdn.test"}},
        "awscli[s3api]": {"version": "aws-cli/1.40.0", "settings": {"command": "aws s3api"}},
        "awscli[s3]": {"version": "aws-cli/1.40.0", "settings": {"command": "aws s3", "multipart_threshold": "8MB"}},
    }
    data = {"schema_version": 1, "run_id": RUN_ID, "seed": "derandomized", "target": target, "targets": targets,
            "clients": clients, "started": 1795547004.52, "finished": 1795547101.69, "totals": totals,
            "records": records, "not_applicable": [], "cleanup": {"deleted": 80, "failed": [], "attempted": 80}}
    data.update(extra)
    return data


def realistic() -> dict[str, Any]:
    rng = random.Random(42)
    recs: list[dict[str, Any]] = []
    clients = [("boto3", "when_supported"), ("boto3", "when_required"), ("s3cmd", "doc"), ("awscli", "s3api")]
    for label in ENDPOINTS:
        for client, variant in clients:
            recs.append(record("stateful", "bucket-machine", client, variant, label, rng=rng, requests=40,
                               operations=["PutObject", "GetObject", "HeadObject", "DeleteObject", "ListObjects"]))
            recs.append(record("cross-client", f"written-by-{client}", client, variant, label, rng=rng,
                               operations=["PutObject", "GetObject", "HeadObject"], requests=9))
            recs.append(record("negative", "wrong-secret", client, variant, label, rng=rng, status=403,
                               operations=["ListBuckets"], requests=1))
            recs.append(record("negative", "missing-bucket", client, variant, label, rng=rng, status=404,
                               operations=["HeadBucket"], requests=1))
            recs.append(record("negative", "multipart-upload", client, variant, label, rng=rng, status=501,
                               verdict="limitation", operations=["CreateMultipartUpload"], requests=1,
                               notes="documented as unsupported: refused with 501 NotImplemented"))
            recs.append(record("probes", "zero-byte-object", client, variant, label, rng=rng,
                               operations=["PutObject", "GetObject"], requests=2))
        recs.append(record("doc-examples", "buckets-all", "boto3", "when_supported", label, rng=rng,
                           operations=["ListBuckets"], requests=1))
        for scen, op in (("configure-test", "ListBuckets"), ("ls-bucket", "ListObjects"), ("put", "PutObject"),
                         ("get", "GetObject"), ("rm", "DeleteObject")):
            recs.append(record("doc-examples", scen, "s3cmd", "doc", label, rng=rng, operations=[op], requests=2))
        recs.append(record("config-matrix", "presigned-sigv2", "http", "presigned-v2", label, rng=rng, status=403,
                           operations=["GetObject"], requests=1))
        recs.append(record("doc-examples", "s3-cp-20MiB", "awscli", "s3", label, rng=rng, status=501,
                           verdict="limitation", operations=["CreateMultipartUpload"], requests=1,
                           notes="aws s3 cp switches to multipart above 8 MiB: set multipart_threshold = 64MB"))
    https_key = "naïve/日本語 +%.txt"
    recs.append(record(
        "probes", "listing-past-1000", "s3cmd", "doc", "https-virtual", verdict="gap", rng=rng, requests=3,
        operations=["ListObjects"], visibility="client-visible", rule="list.next-marker",
        expected={"status": 200, "listing": {"keys": 1001, "is_truncated": False}, "reason": "all 1001 keys"},
        observed={"outcome": "ok", "status": 200, "listing": {"keys": 1000, "is_truncated": False}},
        differences=[{"field": "listing.keys", "expected": 1001, "observed": 1000},
                     {"field": "listing.next_marker", "expected": "k-0999", "observed": None}],
        wire=[exchange("GET", "https://conformance.stdcdn.test/?prefix=s3-conformance%2F&marker=k-0999", 200,
                       ua="s3cmd/2.4.0+ (Linux)",
                       response_headers={"Content-Type": "application/xml", "Content-Length": "312"})],
        reproduction={"command": "s3cmd -c \"$S3CFG\" --host=stdcdn.test --host-bucket='%(bucket)s.stdcdn.test' "
                                 "ls --recursive s3://conformance/s3-conformance/"}))
    recs.append(record(
        "stateful", "bucket-machine", "s3cmd", "doc", "https-virtual", verdict="gap", rng=rng, requests=31,
        operations=["PutObject", "GetObject", "HeadObject", "DeleteObject", "ListObjects"],
        expected={"status": 200, "metadata": {"colour": "blau"}, "reason": "user metadata round-trips"},
        observed={"outcome": "ok", "status": 200, "metadata": {}},
        differences=[{"field": "metadata", "expected": {"colour": "blau"}, "observed": {}}],
        wire=[exchange("HEAD", f"https://conformance.stdcdn.test/s3-conformance/{RUN_ID}/{https_key}", 200,
                       ua="s3cmd/2.4.0+ (Linux)")],
        reproduction={"command": f"s3cmd -c \"$S3CFG\" --disable-multipart put body.bin 's3://conformance/{https_key}'"
                                 " --add-header=x-amz-meta-colour:blau && s3cmd -c \"$S3CFG\" info "
                                 f"'s3://conformance/{https_key}'"},
        hypothesis={"minimal_sequence": [f"Put(key={https_key!r}, body=<3 bytes>, metadata=(('colour', 'blau'),))",
                                         f"Head(key={https_key!r})"], "seed": "derandomized", "profile": "ci"}))
    recs.append(record(
        "negative", "copy-object", "boto3", "when_supported", "http-path", verdict="extra", rng=rng, requests=1,
        operations=["CopyObject"], status=200,
        expected={"status": 501, "error_code": "NotImplemented", "reason": "documented as unsupported"},
        differences=[{"field": "status", "expected": 501, "observed": 200}]))
    recs.append(record(
        "probes", "object-20MiB", "awscli", "s3api", "https-virtual", verdict="error", rng=rng, requests=1,
        operations=["PutObject"], status=None,
        observed={"outcome": "transport_error", "status": None, "note": "Read timeout on endpoint URL"},
        differences=[{"field": "status", "expected": 200, "observed": None}],
        wire=[exchange("PUT", "https://conformance.stdcdn.test/s3-conformance/big", None, error="ReadTimeoutError")]))
    na = [{"id": "config-matrix/location-probe/boto3[when_supported]/http-path", "group": "config-matrix",
           "scenario": "location-probe", "operations": ["GetBucketLocation"], "client": "boto3",
           "variant": "when_supported", "scheme": "http", "addressing": "path",
           "reason": "only s3cmd probes ?location when bucket_location is unset"}]
    unique = {r["id"]: r for r in recs}  # a later record (a gap) replaces the generic one of the loop
    return _results(list(unique.values()), not_applicable=na)


def hostile() -> dict[str, Any]:
    """Ids, keys and messages that must be escaped (HTML, Markdown, XML) or redacted (secrets)."""
    evil = "<script>window.__pwned=1</script>\"'&<img src=x onerror=\"window.__pwned=2\">"
    key = f"ünï/😀 +%//../{evil}\x01|`pipe`"
    r = record("negative", f"evil-{evil}", "boto3", "when_supported", "http-path", verdict="gap",
               operations=[f"Put<b>Object</b>&{evil}"],
               expected={"status": 200, "reason": evil},
               observed={"outcome": "ok", "status": 400, "error_code": f"Bad&<{evil}>"},
               differences=[{"field": f"status {evil}", "expected": 200, "observed": f"{evil}\x02\udc80"}],
               wire=[exchange("PUT", f"http://127.0.0.1:1/b/{key}?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA/x",
                              400, request_headers={"Authorization": f"AWS4-HMAC-SHA256 Credential=AKIA/x, "
                                                                     f"SignedHeaders=host, Signature={SECRET}"})],
               reproduction={"boto3": f"s3.put_object(Bucket='b', Key={key!r})  # {SECRET}",
                             "command": f"aws s3api put-object --bucket b --key '{key}'"},
               hypothesis={"minimal_sequence": [f"Put(key={key!r})"], "seed": 12345},
               notes=f"note {evil} with ``` fences ``` and | pipes |")
    p = record("doc-examples", "ünïcødé-€", "s3cmd", "doc", "https-virtual", operations=["ListBuckets"])
    return _results([r, p], cleanup={"deleted": 1, "attempted": 2, "failed": [{"key": key, "error": evil}]})


def empty() -> dict[str, Any]:
    return _results([], targets={}, clients={})


def main(argv: list[str]) -> int:
    kind, out = argv
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"realistic": realistic, "hostile": hostile, "empty": empty}[kind](), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
