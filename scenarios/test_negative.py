"""Negative and security: each auth failure and each unsupported operation gets S3's error, class by class.

Every expectation cites its rule in harness/rules.py (status, code and the AWS source live there):
wrong secret 403 SignatureDoesNotMatch; unknown key 403 InvalidAccessKeyId; expired presigned URL 403 AccessDenied;
missing bucket 404 NoSuchBucket (HEAD: 404 without a body); a bucket of another account 403;
SigV2 (header or presigned) 400 InvalidRequest "... Please use AWS4-HMAC-SHA256." (a client that falls back to SigV4
on that answer, as s3cmd does, must then succeed); unsupported operations 501 NotImplemented.
"""

from __future__ import annotations

import pytest

from harness.catalogue import sigv2_header_expectation
from harness.model import Expected
from harness.profile import Profile
from harness.scenario import ensure_harness_bucket, ensure_object
from harness.steps import (
    UNSUPPORTED_OPERATIONS,
    Get,
    Head,
    HeadBucket,
    ListBuckets,
    ListObjects,
    MissingBucket,
    Presigned,
    Put,
    SigV2,
    UnknownAccessKey,
    Unsupported,
    WrongSecret,
)

pytestmark = pytest.mark.group("negative")

PROBE_KEY = "negative/probe.txt"
SIGNATURE = Expected(403, "SignatureDoesNotMatch", rule="auth.wrong-secret")
UNKNOWN = Expected(403, "InvalidAccessKeyId", rule="auth.unknown-key")
NO_BUCKET = Expected(404, "NoSuchBucket", rule="bucket.missing")
SIGV2_QUERY = Expected(400, "InvalidRequest", rule="auth.sigv2-query")


CASES = [
    ("wrong-secret-list-buckets", lambda t: WrongSecret(ListBuckets()), SIGNATURE),
    ("wrong-secret-list-objects", lambda t: WrongSecret(ListObjects("negative/")), SIGNATURE),
    ("wrong-secret-put", lambda t: WrongSecret(Put("negative/never-written", b"x")), SIGNATURE),
    ("wrong-secret-get", lambda t: WrongSecret(Get(PROBE_KEY)), SIGNATURE),
    ("unknown-key-list-buckets", lambda t: UnknownAccessKey(ListBuckets()), UNKNOWN),
    ("unknown-key-get", lambda t: UnknownAccessKey(Get(PROBE_KEY)), UNKNOWN),
    ("missing-bucket-head", lambda t: MissingBucket(HeadBucket()), Expected(404, rule="bucket.head-missing")),
    ("missing-bucket-list", lambda t: MissingBucket(ListObjects()), NO_BUCKET),
    ("missing-bucket-get", lambda t: MissingBucket(Get(PROBE_KEY)), NO_BUCKET),
    ("missing-key-get", lambda t: Get("negative/absent"), Expected(404, "NoSuchKey", rule="get.missing-key")),
    ("missing-key-head", lambda t: Head("negative/absent"), Expected(404, rule="get.missing-key")),
    ("foreign-bucket-head", lambda t: HeadBucket(bucket=t.foreign_bucket) if t.foreign_bucket else None,
     Expected(403, rule="bucket.foreign")),
    ("presigned-expired", lambda t: Presigned(PROBE_KEY, "s3v4", expired=True),
     Expected(403, "AccessDenied", rule="auth.presign-expired")),
    ("presigned-sigv2-default", lambda t: Presigned(PROBE_KEY, "default"), SIGV2_QUERY),
    ("sigv2-header", lambda t: SigV2(ListObjects("negative/")), sigv2_header_expectation),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_auth_and_errors(harness, target, client, case):
    scenario, make, expected = case
    ensure_object(harness, target, PROBE_KEY)
    step = make(target)
    driver = harness.driver(client, target)
    with harness.check(group="negative", scenario=scenario, driver=driver) as chk:
        if step is None:
            chk.not_applicable(HeadBucket(), "the target has no bucket of another account")
        else:
            chk.step(step, expected=expected(driver) if callable(expected) else expected)


@pytest.mark.parametrize("operation", UNSUPPORTED_OPERATIONS)
def test_unsupported_operation(harness, target, client, operation):
    ensure_object(harness, target, PROBE_KEY)
    key = PROBE_KEY
    if operation == "DeleteObjects":
        # a service that accepts it deletes the object: give each client its own (s3cmd deletes what it lists)
        key = f"negative/delete-probe-{client}.txt"
        ensure_object(harness, target, key)
    if operation == "DeleteBucket" and harness.profile is Profile.S3 and not target.live:
        # full S3 answers DeleteBucket of a missing bucket 404 NoSuchBucket: give the probe a bucket to delete, as
        # the CreateBucket probe may not have run on this worker's server (service profile: both are 501, unchanged)
        ensure_harness_bucket(target)
    driver = harness.driver(client, target)
    with harness.check(group="negative", scenario=f"unsupported-{operation}", driver=driver) as chk:
        chk.step(Unsupported(operation, key), unsupported=True)
