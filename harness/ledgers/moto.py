"""Every place where moto (5.2.x, server mode) is known to differ from S3 for the seven operations.

Each entry has a reason, a link (moto issue or source) and a test in tests/harness/test_moto_ledger.py that
FAILS when moto stops differing (then remove the entry). ``explain`` is used when moto runs as the reference:
a disagreement between moto and the model is excused only if an entry covers every differing field.
When moto is the *target*, the ledger excuses nothing: a deviation is a gap, and the record names the entry.
"""

from __future__ import annotations

from harness.ledgers import catalogue_entries as cat
from harness.ledgers.entry import Ledger, LedgerEntry
from harness.steps import (
    Get,
    Head,
    ListObjects,
    Presigned,
    Put,
    SigV2,
    Tamper,
    UnknownAccessKey,
    Unsupported,
    WrongSecret,
)


def _kinds(*types):
    return lambda step, diff: isinstance(step, types)


LEDGER: tuple[LedgerEntry, ...] = (
    LedgerEntry(
        id="moto-no-signature-check",
        title="moto's server accepts any signature and any access key",
        reason="Auth is only enforced when INITIAL_NO_AUTH_ACTION_COUNT is set (IAM emulation); by default a wrong "
               "secret, an unknown access key or a SigV2 signature are all accepted with 200.",
        link="https://github.com/getmoto/moto/blob/master/moto/core/responses.py (ActionAuthenticatorMixin, "
             "INITIAL_NO_AUTH_ACTION_COUNT)",
        applies=_kinds(WrongSecret, UnknownAccessKey, SigV2),
    ),
    LedgerEntry(
        id="moto-presign-not-verified",
        title="moto does not verify presigned URLs (expiry, SigV2 vs SigV4)",
        reason="Query-string auth is parsed but neither the signature nor X-Amz-Expires is checked in server mode, "
               "so an expired or a SigV2 presigned URL is served with 200.",
        link="https://github.com/getmoto/moto/blob/master/moto/s3/responses.py (_authenticate_and_authorize_s3_action)",
        applies=_kinds(Presigned),
    ),
    LedgerEntry(
        id="moto-supports-everything",
        title="moto implements S3 operations this service refuses",
        reason="Not a deviation from S3: moto is a full S3 emulator, so ListObjectsV2, multipart, ?location, ?acl, "
               "CopyObject, DeleteObjects, CreateBucket and DeleteBucket succeed (verdict extra against this "
               "service's documentation).",
        link="https://docs.getmoto.org/en/latest/docs/services/s3.html",
        # only the 'extra' difference of the service profile (moto accepted it): under the full-S3 profile moto is
        # judged by (harness/kinds/moto.py) there is no such difference, and a real refusal is never excused
        applies=lambda step, diff: isinstance(step, Unsupported) and getattr(diff, "field", None) == "status"
        and "unsupported by the service" in str(getattr(diff, "expected", "")),
    ),
    LedgerEntry(
        id="moto-key-too-long-accepted",
        title="moto stores and serves keys longer than 1024 bytes",
        reason="S3 refuses a key over 1024 UTF-8 bytes with 400 KeyTooLongError (rules key.too-long, "
               "key.too-long-read); moto's server stores it (200) and answers GET/HEAD of one with 404 or 200.",
        link="https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html ; moto/s3/models.py put_object "
             "has no key-length check",
        applies=lambda step, diff: isinstance(step, (Put, Get, Head)) and len(step.key.encode()) > 900,
    ),
    LedgerEntry(
        id="moto-if-match-does-not-override-if-unmodified-since",
        title="moto fails If-Match + If-Unmodified-Since with 412 when If-Match matches",
        reason="S3: when If-Match is true and If-Unmodified-Since is false, the object is returned (200); moto "
               "evaluates If-Unmodified-Since independently and answers 412 PreconditionFailed.",
        link="https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (conditional requests) ; "
             "moto/s3/responses.py (_get_key / conditional headers)",
        applies=lambda step, diff: isinstance(step, (Get, Head)) and step.conditions.if_match is not None
        and step.conditions.if_unmodified_since is not None,
    ),
    LedgerEntry(
        id="moto-common-prefixes-not-counted-in-max-keys",
        title="moto does not count CommonPrefixes toward MaxKeys",
        reason="S3 counts keys and CommonPrefixes together against max-keys and truncates there; moto returns up to "
               "max-keys keys plus any number of CommonPrefixes (so pages are longer and IsTruncated differs).",
        link="https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html (MaxKeys) ; "
             "moto/s3/models.py (list_objects / _set_delimiter_size_limit)",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is not None
        and step.max_keys is not None,
    ),
    LedgerEntry(
        id="moto-marker-repeats-common-prefix",
        title="moto returns a CommonPrefix again when the marker is that prefix",
        reason="With marker='boo/' and delimiter '/', S3 continues after every key under boo/ (ceph s3-tests "
               "test_bucket_list_delimiter_prefix; riak_cs#1099); moto lists 'boo/' again, so paging by NextMarker "
               "repeats prefixes.",
        link="https://github.com/basho/riak_cs/issues/1099 ; moto/s3/models.py (list_objects)",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is not None
        and (step.marker is not None or step.all_pages),
    ),
    LedgerEntry(
        id="moto-next-marker-without-delimiter",
        title="moto sends an opaque NextMarker without a delimiter",
        reason="S3 returns NextMarker only when a delimiter was given (clients then page by the last key); moto "
               "returns a hash-like NextMarker on every truncated page.",
        link="https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html (NextMarker)",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is None
        and diff.field == "NextMarker",
    ),
)

MOTO_S3 = "https://github.com/getmoto/moto/blob/5.2.5/moto/s3/"

# the catalogue's checks (harness/catalogue.py): each entry cites the rule's own AWS source (catalogue_entries.aws)
LEDGER += (
    LedgerEntry(
        id="moto-presign-expired-served",
        title="moto serves a presigned URL with X-Amz-Expires=0",
        reason="S3 answers a presigned URL that has expired (X-Amz-Expires=0 included) 403 AccessDenied \"Request "
               "has expired\"; moto's server never checks X-Amz-Date + X-Amz-Expires and serves it (200).",
        link=MOTO_S3 + "responses.py (_authenticate_and_authorize_s3_action: no expiry check in server mode)",
        applies=cat.tampered(Tamper.EXPIRES_ZERO),
        fields=("status",),
        aws=cat.aws("auth.presign-expired"),
        observed="200 and the object",
    ),
    LedgerEntry(
        id="moto-presign-expires-out-of-range-served",
        title="moto serves a presigned URL whose X-Amz-Expires is above 604800 or negative",
        reason="S3 answers X-Amz-Expires above 7 days or negative 400 AuthorizationQueryParametersError; moto "
               "does not read X-Amz-Expires and serves the object (200).",
        link=MOTO_S3 + "responses.py (_authenticate_and_authorize_s3_action)",
        applies=cat.tampered(Tamper.EXPIRES_TOO_LONG, Tamper.EXPIRES_NEGATIVE),
        fields=("status",),
        aws=cat.aws("auth.presign-expires-range"),
        observed="200 and the object",
    ),
    LedgerEntry(
        id="moto-clock-skew-not-checked",
        title="moto accepts an x-amz-date 16 minutes ahead of or behind its clock",
        reason="S3 answers a request whose x-amz-date is more than 15 minutes from its clock 403 "
               "RequestTimeTooSkewed; moto verifies no signature and no date (200).",
        link=MOTO_S3 + "responses.py ; https://github.com/getmoto/moto/blob/5.2.5/moto/core/responses.py "
             "(ActionAuthenticatorMixin: only with INITIAL_NO_AUTH_ACTION_COUNT)",
        applies=cat.tampered(Tamper.CLOCK_AHEAD, Tamper.CLOCK_BEHIND),
        fields=("status",),
        aws=cat.aws("auth.clock-skew"),
        observed="200",
    ),
    LedgerEntry(
        id="moto-payload-hash-not-checked",
        title="moto stores a body that contradicts its signed x-amz-content-sha256",
        reason="S3 answers 400 XAmzContentSHA256Mismatch and stores nothing; moto never compares the body with "
               "x-amz-content-sha256 and stores it (200).",
        link=MOTO_S3 + "responses.py (put_object: x-amz-content-sha256 is not read)",
        applies=cat.tampered(Tamper.PAYLOAD_HASH),
        fields=("status",),
        aws=cat.aws("integrity.payload-hash"),
        observed="200, the body stored",
    ),
    LedgerEntry(
        id="moto-content-md5-not-checked",
        title="moto stores a body whose Content-MD5 does not match",
        reason="S3 answers a Content-MD5 that is not the body's MD5 400 BadDigest and stores nothing; moto "
               "stores the body (200).",
        link=MOTO_S3 + "responses.py (put_object: Content-MD5 is kept as a header, never verified)",
        applies=cat.tampered(Tamper.CONTENT_MD5),
        fields=("status",),
        aws=cat.aws("integrity.content-md5"),
        observed="200, the body stored",
    ),
    LedgerEntry(
        id="moto-chunk-signature-not-checked",
        title="moto stores an aws-chunked body with a tampered chunk signature",
        reason="S3 answers 403 SignatureDoesNotMatch when a chunk signature of STREAMING-AWS4-HMAC-SHA256-PAYLOAD "
               "is wrong; moto strips the chunk framing without verifying the signatures (200).",
        link=MOTO_S3 + "responses.py (_handle_v4_chunk_signatures: the framing is stripped, signatures unread)",
        applies=cat.tampered(Tamper.CHUNK_SIGNATURE),
        fields=("status",),
        aws=cat.aws("integrity.chunk-signature"),
        observed="200, the body stored",
    ),
    LedgerEntry(
        id="moto-trailer-checksum-not-checked",
        title="moto stores an aws-chunked body whose trailing x-amz-checksum-crc32 is wrong",
        reason="S3 answers 400 BadDigest when the trailing checksum does not match the decoded body; moto "
               "stores the body and the checksum it was sent (200).",
        link=MOTO_S3 + "responses.py (_handle_v4_chunk_signatures, put_object: the trailer's checksum is not compared)",
        applies=cat.tampered(Tamper.TRAILER_CHECKSUM),
        fields=("status",),
        aws=cat.aws("integrity.trailer-checksum"),
        observed="200, the body stored",
    ),
    LedgerEntry(
        id="moto-if-modified-since-future-304",
        title="moto answers 304 to an If-Modified-Since date in the future",
        reason="S3 ignores an If-Modified-Since later than the current time and returns the object (200); moto "
               "compares it with Last-Modified only (last_modified <= if_modified_since) and answers 304.",
        link=MOTO_S3 + "responses.py (get_object, head_object: last_modified <= if_modified_since gives 304)",
        applies=cat.future_if_modified_since,
        fields=("status",),
        aws=cat.aws("cond.if-modified-since"),
        observed="304 Not Modified",
    ),
    LedgerEntry(
        id="moto-invalid-max-keys-500",
        title="moto answers 500 to max-keys=-1 or max-keys=abc",
        reason="S3 answers a max-keys that is not a non-negative integer 400 InvalidArgument; moto's server "
               "fails with 500 Internal Server Error (int('abc') raises; -1 fails later in the listing).",
        link=MOTO_S3 + "responses.py (list_objects: max_keys = int(...))",
        applies=cat.invalid_max_keys,
        fields=("status", "error_code"),
        aws=cat.aws("list.max-keys-invalid"),
        observed="500 (an HTML page, not S3 XML)",
    ),
    LedgerEntry(
        id="moto-range-without-unit-500",
        title="moto answers 500 to a Range without the bytes= unit",
        reason="S3 ignores a Range it cannot parse and returns the whole object (200); moto splits the header on "
               "'=' and fails with 500 when there is none (Range: 0-1). The other invalid forms (inverted, "
               "several ranges, bytes=-) moto ignores, as S3 does.",
        link=MOTO_S3 + "responses.py (_handle_range_header: request.headers.get('range').split('='))",
        applies=cat.range_is("0-1"),
        fields=("status",),
        aws=cat.aws("range.invalid-ignored"),
        observed="500 Internal Server Error",
    ),
    LedgerEntry(
        id="moto-metadata-rfc2047-not-decoded",
        title="moto returns RFC 2047 encoded metadata values undecoded",
        reason="S3 decodes an x-amz-meta-* value sent as an RFC 2047 encoded word (=?UTF-8?B?YWJj?= is stored "
               "as abc); moto stores and returns the encoded word as sent.",
        link=MOTO_S3 + "utils.py (metadata_from_headers: values stored verbatim)",
        applies=cat.metadata_rfc2047,
        fields=("metadata",),
        aws=cat.aws("put.metadata"),
        observed="=?UTF-8?B?YWJj?= as sent",
    ),
    LedgerEntry(
        id="moto-metadata-too-large-accepted",
        title="moto stores user metadata over 2 KB",
        reason="S3 refuses x-amz-meta-* over 2 KB (names and values, UTF-8) with 400 MetadataTooLarge; moto has "
               "no metadata size limit and stores it (200).",
        link=MOTO_S3 + "responses.py, models.py (no MetadataTooLarge anywhere in moto.s3)",
        applies=cat.metadata_too_large,
        fields=("status",),
        aws=cat.aws("put.metadata-too-large"),
        observed="200",
    ),
)

MOTO = Ledger("moto", "moto 5.2.x (server mode)", LEDGER)
BY_ID = MOTO.by_id
explain = MOTO.explain
