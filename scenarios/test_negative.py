"""Negative and security: each auth failure and each unsupported operation gets S3's error, class by class.

Expected answers (AWS S3 API reference, Error responses: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
wrong secret 403 SignatureDoesNotMatch; unknown key 403 InvalidAccessKeyId; expired presigned URL 403 AccessDenied;
missing bucket 404 NoSuchBucket (HEAD: 404 without a body); a bucket of another account 403;
SigV2 (header or presigned) 403: the service accepts SigV4 only; unsupported operations 501 NotImplemented.
"""

from __future__ import annotations

import pytest

from harness.model import Expected
from harness.scenario import ensure_object
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
SIGNATURE = Expected(403, "SignatureDoesNotMatch")

CASES = [
    ("wrong-secret-list-buckets", lambda t: WrongSecret(ListBuckets()), SIGNATURE),
    ("wrong-secret-list-objects", lambda t: WrongSecret(ListObjects("negative/")), SIGNATURE),
    ("wrong-secret-put", lambda t: WrongSecret(Put("negative/never-written", b"x")), SIGNATURE),
    ("wrong-secret-get", lambda t: WrongSecret(Get(PROBE_KEY)), SIGNATURE),
    ("unknown-key-list-buckets", lambda t: UnknownAccessKey(ListBuckets()), Expected(403, "InvalidAccessKeyId")),
    ("unknown-key-get", lambda t: UnknownAccessKey(Get(PROBE_KEY)), Expected(403, "InvalidAccessKeyId")),
    ("missing-bucket-head", lambda t: MissingBucket(HeadBucket()), Expected(404)),
    ("missing-bucket-list", lambda t: MissingBucket(ListObjects()), Expected(404, "NoSuchBucket")),
    ("missing-bucket-get", lambda t: MissingBucket(Get(PROBE_KEY)), Expected(404, "NoSuchBucket")),
    ("missing-key-get", lambda t: Get("negative/absent"), Expected(404, "NoSuchKey")),
    ("missing-key-head", lambda t: Head("negative/absent"), Expected(404)),
    ("foreign-bucket-head", lambda t: HeadBucket(bucket=t.foreign_bucket) if t.foreign_bucket else None, Expected(403)),
    ("presigned-expired", lambda t: Presigned(PROBE_KEY, "s3v4", expired=True), Expected(403, "AccessDenied")),
    ("presigned-sigv2-default", lambda t: Presigned(PROBE_KEY, "default"), Expected(403)),
    ("sigv2-header", lambda t: SigV2(ListObjects("negative/")), Expected(403)),
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
            chk.step(step, expected=expected)


@pytest.mark.parametrize("operation", UNSUPPORTED_OPERATIONS)
def test_unsupported_operation(harness, target, client, operation):
    ensure_object(harness, target, PROBE_KEY)
    key = PROBE_KEY
    if operation == "DeleteObjects":
        # a service that accepts it deletes the object: give each client its own (s3cmd deletes what it lists)
        key = f"negative/delete-probe-{client}.txt"
        ensure_object(harness, target, key)
    driver = harness.driver(client, target)
    with harness.check(group="negative", scenario=f"unsupported-{operation}", driver=driver) as chk:
        chk.step(Unsupported(operation, key), unsupported=True)
