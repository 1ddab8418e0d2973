"""Every place where Ceph RGW (16.2.15, Debian bookworm) is known to differ from AWS S3 for the checks of this
harness (see entry.py).

Each entry names the field that differs, the source of AWS's behaviour and what RGW does instead, and has a test in
tests/servers/test_rgw_ledger.py that fails once RGW stops deviating.
"""

from __future__ import annotations

from harness.ledgers.entry import Ledger, LedgerEntry
from harness.steps import ListObjects, Presigned, Put, SigV2

CEPH = "https://github.com/ceph/ceph/blob/v16.2.15/src/rgw/"
LOCALSTACK = "https://github.com/localstack/localstack/blob/master/tests/aws/services/s3/"

LEDGER: tuple[LedgerEntry, ...] = (
    LedgerEntry(
        id="rgw-sigv2-accepted",
        title="RGW verifies and serves SigV2 requests (header and presigned URL)",
        reason="AWS S3 takes SigV4 only and answers a SigV2 request 400 InvalidRequest (\"The authorization "
               "mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.\"); RGW implements "
               "SigV2: a valid SigV2 request (s3cmd signature_v2, a default boto3/aws presigned URL) is served "
               "200, and one whose SigV2 it computes differently (boto3 list with encoding-type=url) gets "
               "403 SignatureDoesNotMatch.",
        link=CEPH + "rgw_auth_s3.cc (AWSv2 authentication)",
        applies=lambda step, diff: isinstance(step, SigV2)
        or (isinstance(step, Presigned) and step.signature != "s3v4"),
        fields=("status", "error_code", "first attempt"),  # first attempt: s3cmd's SigV2 try, before a retry
        aws="https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList "
            "(InvalidRequest: Please use AWS4-HMAC-SHA256)",
        observed="200 (or 403 SignatureDoesNotMatch) instead of 400 InvalidRequest",
    ),
    LedgerEntry(
        id="rgw-key-too-long-invalid-object-name",
        title="RGW refuses a key over 1024 bytes with InvalidObjectName instead of KeyTooLongError",
        reason="S3 refuses a key longer than 1024 UTF-8 bytes with 400 KeyTooLongError (\"Your key is too "
               "long\"); RGW answers 400 too, with the error code InvalidObjectName (the status is right).",
        link=CEPH + "rgw_op.cc (ERR_INVALID_OBJECT_NAME for an object name over 1024 bytes)",
        applies=lambda step, diff: isinstance(step, Put) and len(step.key.encode()) > 900
        and diff.expected == "KeyTooLongError" and diff.observed == "InvalidObjectName",
        fields=("error_code",),
        aws="https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (KeyTooLongError, "
            "400) ; https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html",
        observed="400 InvalidObjectName",
    ),
    LedgerEntry(
        id="rgw-next-marker-without-delimiter",
        title="RGW sends NextMarker on a truncated ListObjects page without a delimiter",
        reason="S3 returns NextMarker only when a delimiter was given (clients page by the last key otherwise); "
               "RGW returns the last key as NextMarker on every truncated page.",
        link=CEPH + "rgw_rest_s3.cc (RGWListBucket_ObjStore_S3::send_versioned_response / send_response)",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is None,
        fields=("NextMarker",),
        aws=LOCALSTACK + "test_s3_list_operations.snapshot.json (AWS-validated: "
                         "TestS3ListObjects::test_list_objects_next_marker, list-objects-rest: truncated, no "
                         "delimiter, no NextMarker) ; https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html",
        observed="NextMarker = the page's last key",
    ),
)

RGW = Ledger("rgw", "Ceph RGW 16.2.15 (Debian bookworm)", LEDGER)
