"""A deliberately broken endpoint must be caught, and reported as exactly that gap.

Each fault is a small reverse proxy of ours (tests/harness/faulty.py) in front of the emulator. The same check
against the emulator directly passes (the control), so the gap comes from the fault and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from harness.catalogue import sigv2_header_expectation
from harness.model import BucketModel, Expected
from harness.steps import (
    Get,
    ListBuckets,
    ListObjects,
    Presigned,
    Put,
    SigV2,
    Tamper,
    Tampered,
    Unsupported,
    WrongSecret,
)
from harness.strategies import pattern_body
from tests.harness.conftest import BUCKET, make_target
from tests.harness.faulty import (
    AwsFaithful,
    DropContentType,
    DropMetadata,
    DropRequestHeader,
    FaultyProxy,
    IgnoreRange,
    Several,
    SigV2Accepted,
    SigV2As403,
    TruncateBody,
    V1BodyForV2,
    WrongEtag,
    WrongNextMarker,
)


def run_metadata(chk, model):
    chk.step(Put("m", b"hello", "text/plain", (("color", "blue"),)), model=model)
    chk.step(Get("m"), model=model)


def run_range(chk, model):
    chk.step(Put("r", pattern_body(100)), model=model)
    chk.step(Get("r", range="bytes=0-9"), model=model)


def run_etag(chk, model):
    chk.step(Put("e", b"etag body"), model=model)


def run_truncate(chk, model):
    chk.step(Put("t", pattern_body(1000)), model=model)
    chk.step(Get("t"), model=model)


def run_content_type(chk, model):
    chk.step(Put("c", b"{}", "application/json"), model=model)
    chk.step(Get("c"), model=model)


def run_next_marker(chk, model):
    for k in ("a/1", "b/1", "c/1"):
        chk.step(Put(k, b"x"), model=model)
    chk.step(ListObjects("", "/", None, 2), model=model)


def run_v2(chk, model):
    chk.step(Unsupported("ListObjectsV2"), unsupported=True)


def run_auth(chk, model):
    chk.step(WrongSecret(ListBuckets()), expected=Expected(403, "SignatureDoesNotMatch"))


def run_sigv2(chk, model):
    chk.step(SigV2(ListObjects("")), expected=Expected(400, "InvalidRequest", rule="auth.sigv2-header"))


FAULTS = [
    (SigV2As403(), run_sigv2, "gap", "status"),
    # fault, scenario, expected verdict, the difference field that must be reported
    (DropMetadata(), run_metadata, "gap", "metadata"),
    (IgnoreRange(), run_range, "gap", "status"),
    (WrongEtag(), run_etag, "gap", "header etag"),
    (TruncateBody(), run_truncate, "gap", "body"),
    (DropContentType(), run_content_type, "gap", "header content-type"),
    (WrongNextMarker(), run_next_marker, "gap", "NextMarker"),
    (V1BodyForV2(), run_v2, "extra", "status"),
    (SigV2Accepted(), run_auth, "gap", "status"),
]


def _check(ctx, target, scenario_fn, name, client="boto3", variant="when_required"):
    driver = ctx.driver(client, target, variant)
    model = BucketModel.for_target(target)
    with ctx.check(group="faults", scenario=name, driver=driver) as chk:
        scenario_fn(chk, model)
    return chk.record


@pytest.mark.parametrize("fault,scenario_fn,verdict,field", FAULTS, ids=[type(f[0]).__name__ for f in FAULTS])
def test_fault_is_reported_as_that_gap(ctx, emulator, creds, fault, scenario_fn, verdict, field):
    control = _check(ctx, make_target(emulator.endpoint_url, creds), scenario_fn, "control")
    expected_control = "limitation" if verdict == "extra" else "pass"
    assert control.verdict == expected_control, control.summary()
    with FaultyProxy(emulator.endpoint_url, fault) as proxy:
        rec = _check(ctx, make_target(proxy.url, creds), scenario_fn, "faulty")
    assert rec.verdict == verdict, rec.summary()
    fields = [d["field"] for d in rec.differences]
    assert field in fields, f"{fault.name}: expected a difference on {field!r}, got {fields}\n{rec.summary()}"
    assert rec.wire, "the failing step's wire exchange must be in the record"
    assert rec.reproduction.get("boto3"), "a gap carries a reproduction"


# one fault per client added with the registry (issue 11), seen through that client: its own driver, its own wire
# capture (the recording proxy), its own way of reading the answer
CLIENT_FAULTS = [
    ("rclone", DropMetadata(), run_metadata, "metadata"),
    ("awsjs", WrongEtag(), run_etag, "header etag"),
    ("awsgo", TruncateBody(), run_truncate, "body"),
    ("minio", DropContentType(), run_content_type, "header content-type"),
    ("curl", IgnoreRange(), run_range, "status"),
]


@pytest.mark.parametrize("client,fault,scenario_fn,field", CLIENT_FAULTS, ids=[c[0] for c in CLIENT_FAULTS])
def test_fault_is_reported_through_each_new_client(ctx, emulator, creds, client, fault, scenario_fn, field):
    control = _check(ctx, make_target(emulator.endpoint_url, creds), scenario_fn, "control", client, None)
    assert control.verdict == "pass", control.summary()
    with FaultyProxy(emulator.endpoint_url, fault) as proxy:
        rec = _check(ctx, make_target(proxy.url, creds), scenario_fn, "faulty", client, None)
    assert rec.verdict == "gap", rec.summary()
    assert rec.client == client
    fields = [d["field"] for d in rec.differences]
    assert field in fields, f"{fault.name} through {client}: expected a difference on {field!r}, got {fields}"
    assert rec.wire, "the failing step's wire exchange (recorded by the recording proxy) must be in the record"
    assert rec.reproduction.get("command"), "a gap carries a reproduction"
    assert creds.secret_key not in str(rec.wire) + str(rec.reproduction)


def test_end_to_end_pytest_run_fails_on_the_fault(emulator, creds, tmp_path):
    """The real entry point (pytest -p harness.plugin --target live) against a faulty endpoint: exit 1, and
    results.json holds the gap with the metadata difference."""
    with FaultyProxy(emulator.endpoint_url, DropMetadata()) as proxy:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
        env.update(S3_ENDPOINT_URL=proxy.url, AWS_ACCESS_KEY_ID=creds.access_key,
                   AWS_SECRET_ACCESS_KEY=creds.secret_key, S3_BUCKET=BUCKET, S3_ADDRESSING_STYLE="path",
                   PYTHONPATH=os.getcwd())
        report = tmp_path / "rep"
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "scenarios/test_cross_client.py", "-p", "harness.plugin",
             "--target", "live", "--driver", "boto3", "--report-dir", str(report), "-q", "-p", "no:cacheprovider",
             "-p", "no:xdist"],
            capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    data = json.loads((report / "results.json").read_text())
    gaps = [r for r in data["records"] if r["verdict"] == "gap"]
    assert gaps and all(any(d["field"] == "metadata" for d in r["differences"]) for r in gaps), gaps[:1]
    assert creds.secret_key not in proc.stdout + proc.stderr
    assert creds.secret_key not in (report / "results.json").read_text()
    assert data["cleanup"]["failed"] == [] and data["cleanup"]["deleted"] >= 1


def _aws_checks(ctx, target, client):
    """The SigV2 (header, presigned) and X-Amz-Expires checks of the catalogue, through ``client``."""
    from harness.drivers import make_driver

    model = BucketModel.for_target(target)
    boto3 = ctx.driver("boto3", target, "when_required")
    boto3.client().put_object(Bucket=target.bucket, Key=target.key("p"), Body=b"p")
    model.apply(Put("p", b"p"))
    ctx.tracker_for(target).track(target.bucket, target.key("p"))
    driver = ctx.driver(client, target) if client != "http" else make_driver("http", target)
    with ctx.check(group="faults", scenario=f"aws-faithful-{client}", driver=driver, client=client) as chk:
        if client == "http":
            chk.step(Tampered(Get("p"), Tamper.EXPIRES_TOO_LONG),
                     expected=Expected(400, "AuthorizationQueryParametersError", rule="auth.presign-expires-range"))
        else:
            chk.step(SigV2(ListObjects("")), expected=sigv2_header_expectation(driver))
        if client == "boto3":
            chk.step(Presigned("p", "default"), expected=Expected(400, "InvalidRequest", rule="auth.sigv2-query"))
    return chk.record


@pytest.mark.parametrize("client", ["boto3", "s3cmd", "http"])
def test_an_aws_faithful_endpoint_shows_no_gap(ctx, emulator, creds, client):
    """Issue 9: an endpoint answering SigV2 and an over-long X-Amz-Expires with AWS's exact bytes passes (s3cmd then
    retries with SigV4 and succeeds, as on AWS); the same checks against our old 403 answer are a gap."""
    with FaultyProxy(emulator.endpoint_url, AwsFaithful()) as proxy:
        rec = _aws_checks(ctx, make_target(proxy.url, creds), client)
    assert rec.verdict == "pass", rec.summary()
    if client == "s3cmd":
        assert [w["status"] for w in rec.wire][:2] == [400, 200], rec.wire  # refused, then the SigV4 retry


def test_stateful_only_differences_are_each_reported(emulator, creds, tmp_path):
    """Issue 10: an endpoint with two independent differences that only the machines and the catalogue exercise
    (it ignores If-None-Match and If-Unmodified-Since): the run reports each as its own gap with its own id and
    reproduction, instead of stopping at the first."""
    faults = Several(DropRequestHeader("If-None-Match"), DropRequestHeader("If-Unmodified-Since"))
    with FaultyProxy(emulator.endpoint_url, faults) as proxy:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
        env.update(S3_ENDPOINT_URL=proxy.url, AWS_ACCESS_KEY_ID=creds.access_key,
                   AWS_SECRET_ACCESS_KEY=creds.secret_key, S3_BUCKET=BUCKET, S3_ADDRESSING_STYLE="path",
                   PYTHONPATH=os.getcwd())
        report = tmp_path / "rep"
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "scenarios/test_catalogue.py", "scenarios/test_stateful.py",
             "-p", "harness.plugin", "--target", "live", "--driver", "boto3", "--hypothesis-profile", "ci",
             "--hypothesis-db", "off", "-k", "if- or conditional or when_required", "--report-dir", str(report),
             "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
            capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    gaps = {r["id"]: r for r in json.loads((report / "results.json").read_text())["records"] if r["verdict"] == "gap"}
    assert any(i.startswith("catalogue/if-none-match/") for i in gaps), sorted(gaps)
    assert any(i.startswith("catalogue/if-unmodified-since/") for i in gaps), sorted(gaps)
    machine = {i: r for i, r in gaps.items() if i.startswith("stateful/bucket-machine")}
    assert len(machine) >= 2, sorted(machine)  # the machine went on exploring after its first gap
    for r in machine.values():
        assert r["hypothesis"]["minimal_sequence"] and r["reproduction"]["boto3"], r["id"]
