"""Every place where Ceph RGW (16.2.15, Debian bookworm) is known to differ from AWS S3 for the checks of this
harness (see entry.py).

Each entry names the field that differs, the source of AWS's behaviour and what RGW does instead, and has a test in
tests/servers/test_rgw_ledger.py that fails once RGW stops deviating.
"""

from __future__ import annotations

from harness.ledgers import catalogue_entries as cat
from harness.ledgers.entry import Ledger, LedgerEntry
from harness.steps import Delete, Get, Head, ListObjects, Presigned, Put, SigV2, Tamper

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
        # a PUT (error code only), and GET/HEAD/DELETE of such a key (catalogue key-1025-bytes-*: the model wants
        # 204 or KeyTooLongError for DELETE, rule key.too-long-delete)
        applies=lambda step, diff: isinstance(step, (Put, Get, Head, Delete)) and len(step.key.encode()) > 900
        and (diff.field == "status" or (diff.expected == "KeyTooLongError" and diff.observed == "InvalidObjectName")),
        fields=("error_code", "status"),
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

LEDGER += (
    LedgerEntry(
        id="rgw-unsigned-trailer-refused",
        title="RGW 16.2 refuses STREAMING-UNSIGNED-PAYLOAD-TRAILER uploads",
        reason="S3 accepts an aws-chunked body with unsigned chunks and a trailing checksum (what the AWS SDKs send "
               "by default for a stream), and answers a wrong trailing checksum 400 BadDigest; RGW 16.2 does not "
               "implement this framing: 400 (and XAmzContentSHA256Mismatch for the tampered one).",
        link=CEPH + "rgw_auth_s3.cc (no STREAMING-UNSIGNED-PAYLOAD-TRAILER before Reef)",
        applies=cat.unsigned_trailer,
        fields=("status", "error_code"),
        aws=cat.aws("put.aws-chunked"),
        observed="400 for a valid upload; XAmzContentSHA256Mismatch instead of BadDigest",
    ),
    LedgerEntry(
        id="rgw-if-modified-since-future-304",
        title="RGW answers 304 to an If-Modified-Since date in the future",
        reason="S3 ignores an If-Modified-Since later than the current time and returns the object (200); RGW "
               "compares it with Last-Modified only and answers 304 Not Modified.",
        link=CEPH + "rgw_op.cc (RGWGetObj: mod_ptr)",
        applies=cat.future_if_modified_since,
        fields=("status",),
        aws=cat.aws("cond.if-modified-since"),
        observed="304 Not Modified",
    ),
    LedgerEntry(
        id="rgw-invalid-max-keys-accepted",
        title="RGW accepts a max-keys that is not a non-negative integer",
        reason="S3 answers max-keys=-1 or max-keys=abc 400 InvalidArgument; RGW lists (200).",
        link=CEPH + "rgw_rest_s3.cc (RGWListBucket_ObjStore_S3::get_params)",
        applies=cat.invalid_max_keys,
        fields=("status",),
        aws=cat.aws("list.max-keys-invalid"),
        observed="200 and a listing",
    ),
    LedgerEntry(
        id="rgw-presign-expires-out-of-range-403",
        title="RGW answers 403 to X-Amz-Expires above 604800 or negative",
        reason="S3 answers a presigned URL whose X-Amz-Expires is above 7 days or negative 400 "
               "AuthorizationQueryParametersError; RGW answers 403.",
        link=CEPH + "rgw_auth_s3.cc (get_v4_exp_time)",
        applies=cat.tampered(Tamper.EXPIRES_TOO_LONG, Tamper.EXPIRES_NEGATIVE),
        fields=("status", "error_code"),
        aws=cat.aws("auth.presign-expires-range"),
        observed="403",
    ),
    LedgerEntry(
        id="rgw-metadata-rfc2047-not-decoded",
        title="RGW returns RFC 2047 encoded metadata values undecoded",
        reason="S3 returns an x-amz-meta-* value sent as an RFC 2047 encoded word decoded; RGW returns the "
               "encoded word as sent.",
        link=CEPH + "rgw_rest_s3.cc (dump_header for x-amz-meta-*)",
        applies=cat.metadata_rfc2047,
        fields=("metadata",),
        aws=cat.aws("put.metadata"),
        observed="=?UTF-8?B?...?= as sent",
    ),
    LedgerEntry(
        id="rgw-metadata-too-large-accepted",
        title="RGW stores user metadata over 2 KB",
        reason="S3 refuses x-amz-meta-* over 2 KB (names and values, UTF-8) with 400 MetadataTooLarge; RGW "
               "stores it (200).",
        link=CEPH + "rgw_op.cc (rgw_max_attr_size is 0: unlimited by default)",
        applies=cat.metadata_too_large,
        fields=("status",),
        aws=cat.aws("put.metadata-too-large"),
        observed="200",
    ),
    LedgerEntry(
        id="rgw-invalid-range-416",
        title="RGW answers 416 to a syntactically invalid Range instead of ignoring it",
        reason="S3 ignores a Range it cannot parse (inverted, several ranges, no unit) and returns the whole "
               "object (200); RGW answers 416 InvalidRange.",
        link=CEPH + "rgw_op.cc (RGWGetObj::parse_range)",
        applies=cat.range_is(*cat.INVALID_RANGES),
        fields=("status",),
        aws=cat.aws("range.invalid-ignored"),
        observed="416 InvalidRange",
    ),
    LedgerEntry(
        id="rgw-suffix-range-zero-206",
        title="RGW answers bytes=-0 with 206",
        reason="S3 answers the empty suffix range bytes=-0 416 InvalidRange; RGW answers 206.",
        link=CEPH + "rgw_op.cc (RGWGetObj::parse_range)",
        applies=cat.range_is("bytes=-0"),
        fields=("status",),
        aws=cat.aws("range.unsatisfiable"),
        observed="206",
    ),
)



def _short_page(step, diff) -> bool:
    """A truncated page shorter than max-keys: what it lists is a prefix of what S3 lists, and its NextMarker is
    correspondingly earlier."""
    if not isinstance(step, ListObjects):
        return False
    if diff.field in ("listing keys", "common prefixes"):
        o, e = diff.observed, diff.expected
        return isinstance(o, dict) and isinstance(e, dict) and not o.get("unexpected") \
            and o.get("count", 0) < e.get("count", 0)
    return diff.field == "NextMarker" and step.delimiter is not None and isinstance(diff.observed, str) \
        and isinstance(diff.expected, str) and diff.observed < diff.expected


LEDGER += (
    LedgerEntry(
        id="rgw-short-listing-page",
        title="RGW returns truncated ListObjects pages shorter than max-keys in a large bucket",
        reason="AWS returns max-keys entries on every truncated page (LocalStack's AWS-validated listings; the API "
               "reference only promises 'up to' max-keys and says a page 'might contain fewer keys'); RGW's "
               "sharded bucket index returns shorter truncated pages (860 of 1000 here) once the bucket holds many "
               "other keys. A client that follows IsTruncated still gets everything: only one page differs.",
        link=CEPH + "cls/rgw/cls_rgw.cc, rgw_rados.cc (cls_bucket_list_ordered)",
        applies=_short_page,
        fields=("listing keys", "common prefixes", "NextMarker"),
        aws="https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html (MaxKeys) ; " + LOCALSTACK
            + "test_s3_list_operations.snapshot.json (AWS-validated full pages)",
        observed="a truncated first page of 860 keys / prefixes instead of 1000",
    ),
)

RGW = Ledger("rgw", "Ceph RGW 16.2.15 (Debian bookworm)", LEDGER)
