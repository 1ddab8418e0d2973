"""The catalogue of behaviours: every rule of harness/rules.py gets named, deterministic checks of its own.

The stateful machines explore interactions; the catalogue is the floor that is always judged: one check per entry
and client, its own id in the report (``catalogue/<entry>/<client>[<variant>]/<scheme>-<addressing>``), its own
verdict, so one gap marks one cell. An entry is data: its id, the rule it judges, and a function that, given a
fresh prefix (objects seeded there with boto3, unjudged, and mirrored in the model), yields the steps to run through
the client under test, each with its fixed expectation or None (then the model decides). A client that cannot
express a step reports it "not applicable" (Step.requires / driver.adapt), never passed.
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from harness.model import FAR_FUTURE, FAR_PAST, BucketModel, Expected
from harness.steps import (
    ChunkedPut,
    Conditions,
    Delete,
    Framing,
    Get,
    GetOverrides,
    Head,
    HeadBucket,
    ListBuckets,
    ListObjects,
    MissingBucket,
    Presigned,
    Put,
    SigV2,
    Step,
    Tamper,
    Tampered,
    UnknownAccessKey,
    Unsupported,
    WrongSecret,
)
from harness.strategies import LONG_KEY, TOO_LONG_KEY, pattern_body, resolve_key

OBJ = "obj.bin"
BODY = pattern_body(10, 3)  # 10 distinct bytes, like the recording's "0123456789"
WRONG_ETAG = '"ffffffffffffffffffffffffffffffff"'


@dataclass
class Ctx:
    """What an entry may use: the model of its fresh prefix, how to seed it, and the driver under test."""

    model: BucketModel
    seed: Callable[..., None]  # seed(key, body=b"", **put_kwargs): written with boto3, not judged
    last_modified: Callable[[str], str]  # the object's Last-Modified as the target reports it (an HTTP date)
    driver: object
    target: object

    def etag(self, key: str) -> str:
        return self.model.objects[key].etag

    def long_key(self, sentinel: str) -> str:
        return resolve_key(sentinel, self.model.prefix_len)


Steps = Iterator[tuple[Step, Expected | None]]


@dataclass(frozen=True)
class Entry:
    id: str
    rule: str
    run: Callable[[Ctx], Steps]
    needs_object: bool = True  # seed OBJ (10 bytes) first


def sigv2_header_expectation(driver) -> Expected:
    """AWS refuses SigV2 with 400 InvalidRequest; s3cmd recognises that exact message (S3._http_400_handler,
    https://github.com/s3tools/s3cmd/blob/master/S3/S3.py) and retries with SigV4: on S3 its command succeeds."""
    if getattr(driver, "retries_sigv2_with_sigv4", False):
        return Expected(200, first_attempt_status=400, rule="auth.sigv2-header",
                        reason="400 InvalidRequest to the SigV2 request, then the client's SigV4 retry succeeds")
    return Expected(400, "InvalidRequest", rule="auth.sigv2-header")


def _fixed(step: Step, status: int, code: str | None, rule: str) -> tuple[Step, Expected]:
    return step, Expected(status, code, rule=rule)


def _cond(**kw) -> Conditions:
    return Conditions(**kw)


# ---------------------------------------------------------------------------------------------- entries
def _auth(c: Ctx) -> Steps:
    yield _fixed(WrongSecret(Get(OBJ)), 403, "SignatureDoesNotMatch", "auth.wrong-secret")


def _unknown(c: Ctx) -> Steps:
    yield _fixed(UnknownAccessKey(Get(OBJ)), 403, "InvalidAccessKeyId", "auth.unknown-key")


def _sigv2_header(c: Ctx) -> Steps:
    yield SigV2(ListObjects("")), sigv2_header_expectation(c.driver)


def _sigv2_query(c: Ctx) -> Steps:
    yield _fixed(Presigned(OBJ, "default"), 400, "InvalidRequest", "auth.sigv2-query")


def _expired(c: Ctx) -> Steps:
    yield _fixed(Presigned(OBJ, "s3v4", expired=True), 403, "AccessDenied", "auth.presign-expired")
    yield _fixed(Tampered(Get(OBJ), Tamper.EXPIRES_ZERO), 403, "AccessDenied", "auth.presign-expired")


def _expires_range(c: Ctx) -> Steps:
    for how in (Tamper.EXPIRES_TOO_LONG, Tamper.EXPIRES_NEGATIVE):
        yield _fixed(Tampered(Get(OBJ), how), 400, "AuthorizationQueryParametersError", "auth.presign-expires-range")


def _skew(c: Ctx) -> Steps:
    for how in (Tamper.CLOCK_AHEAD, Tamper.CLOCK_BEHIND):
        yield _fixed(Tampered(Get(OBJ), how), 403, "RequestTimeTooSkewed", "auth.clock-skew")


def _integrity(how: Tamper, status: int, code: str, rule: str) -> Callable[[Ctx], Steps]:
    def run(c: Ctx) -> Steps:
        yield _fixed(Tampered(Put("tampered.bin", pattern_body(70000, 5)), how), status, code, rule)
        yield Get("tampered.bin"), None  # nothing was stored: 404 NoSuchKey by the model
    return run


def _chunked(framing: Framing) -> Callable[[Ctx], Steps]:
    def run(c: Ctx) -> Steps:
        body = pattern_body(150000, 9)
        yield ChunkedPut("chunked.bin", body, framing), None
        yield Get("chunked.bin"), None  # the decoded body, never the chunk framing
    return run


def _buckets(c: Ctx) -> Steps:
    yield ListBuckets(), None


def _head_bucket(c: Ctx) -> Steps:
    yield HeadBucket(), None


def _head_missing(c: Ctx) -> Steps:
    yield _fixed(MissingBucket(HeadBucket()), 404, None, "bucket.head-missing")


def _foreign(c: Ctx) -> Steps:
    if c.target.foreign_bucket:
        yield _fixed(HeadBucket(bucket=c.target.foreign_bucket), 403, None, "bucket.foreign")


def _missing_bucket(c: Ctx) -> Steps:
    yield _fixed(MissingBucket(Get(OBJ)), 404, "NoSuchBucket", "bucket.missing")
    yield _fixed(MissingBucket(ListObjects("")), 404, "NoSuchBucket", "bucket.missing")


def _put_etag(c: Ctx) -> Steps:
    yield Put("etag.bin", pattern_body(1000, 1)), None
    yield ListObjects(""), None


def _default_type(c: Ctx) -> Steps:
    yield Put("plain.txt", b"just text, no Content-Type"), None
    yield Head("plain.txt"), None


def _headers(c: Ctx) -> Steps:
    headers = (("content-encoding", "deflate, gzip"), ("cache-control", "max-age=74"),
               ("content-disposition", 'attachment; filename="foo.jpg"'), ("content-language", "de-DE"),
               ("expires", "Wed, 21 Oct 2015 07:28:00 GMT"))
    yield Put("headers.bin", b"h", "image/jpeg", (), headers), None
    yield Head("headers.bin"), None


def _metadata(c: Ctx) -> Steps:
    meta = (("Colour", "blau"), ("encoded-b", "=?UTF-8?B?YWJj?="),
            ("encoded-q", "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?="))
    yield Put("meta.bin", b"m", None, meta), None
    yield Head("meta.bin"), None


def _metadata_large(c: Ctx) -> Steps:
    yield Put("meta-large.bin", b"m", None, (("big", "v" * 2048),)), None


def _key_max(c: Ctx) -> Steps:
    key = c.long_key(LONG_KEY)
    yield Put(key, b"1024"), None
    yield Get(key), None


def _key_too_long(c: Ctx) -> Steps:
    yield Put(c.long_key(TOO_LONG_KEY), b"1025"), None


def _key_too_long_read(c: Ctx) -> Steps:
    yield Get(c.long_key(TOO_LONG_KEY)), None
    yield Head(c.long_key(TOO_LONG_KEY)), None


def _key_too_long_delete(c: Ctx) -> Steps:
    yield Delete(c.long_key(TOO_LONG_KEY)), None


def _get(c: Ctx) -> Steps:
    yield Get(OBJ), None
    yield Head(OBJ), None


def _get_missing(c: Ctx) -> Steps:
    yield Get("absent"), None
    yield Head("absent"), None


def _ranges(*forms: str, empty: bool = False) -> Callable[[Ctx], Steps]:
    def run(c: Ctx) -> Steps:
        key = OBJ
        if empty:
            c.seed("empty.bin", b"")
            key = "empty.bin"
        for form in forms:
            yield Get(key, range=form), None
    return run


def _if_match(c: Ctx) -> Steps:
    yield Get(OBJ, conditions=_cond(if_match=WRONG_ETAG)), None
    yield Head(OBJ, conditions=_cond(if_match=WRONG_ETAG)), None
    yield Get(OBJ, conditions=_cond(if_match=c.etag(OBJ))), None


def _if_none_match(c: Ctx) -> Steps:
    yield Get(OBJ, conditions=_cond(if_none_match=c.etag(OBJ))), None
    yield Get(OBJ, conditions=_cond(if_none_match=c.etag(OBJ).strip('"'))), None  # unquoted: still matches
    yield Head(OBJ, conditions=_cond(if_none_match=WRONG_ETAG)), None


def _if_modified_since(c: Ctx) -> Steps:
    yield Get(OBJ, conditions=_cond(if_modified_since=FAR_PAST)), None
    yield Get(OBJ, conditions=_cond(if_modified_since=FAR_FUTURE)), None  # ignored: 200
    yield Head(OBJ, conditions=_cond(if_modified_since=FAR_FUTURE)), None
    # the object's own Last-Modified: not modified since, 304 (recorded: IMS = Last-Modified exactly)
    yield Get(OBJ, conditions=_cond(if_modified_since=c.last_modified(OBJ))), Expected(
        304, rule="cond.if-modified-since")


def _if_unmodified_since(c: Ctx) -> Steps:
    yield Get(OBJ, conditions=_cond(if_unmodified_since=FAR_PAST)), None
    yield Head(OBJ, conditions=_cond(if_unmodified_since=FAR_PAST)), None
    yield Get(OBJ, conditions=_cond(if_unmodified_since=FAR_FUTURE)), None
    yield Get(OBJ, conditions=_cond(if_unmodified_since=c.last_modified(OBJ))), Expected(
        200, rule="cond.if-unmodified-since")


def _precedence(c: Ctx) -> Steps:
    etag = c.etag(OBJ)
    yield Get(OBJ, conditions=_cond(if_match=etag, if_unmodified_since=FAR_PAST)), None  # 200
    yield Get(OBJ, conditions=_cond(if_none_match=etag, if_modified_since=FAR_PAST)), None  # 304
    yield Get(OBJ, conditions=_cond(if_none_match=WRONG_ETAG, if_modified_since=FAR_FUTURE)), None  # 200
    yield Get(OBJ, conditions=_cond(if_unmodified_since=FAR_PAST, if_none_match=etag)), None  # 412 before 304


OVERRIDES = (("response-content-type", "image/jpeg"), ("response-content-language", "de-DE"),
             ("response-expires", "Wed, 21 Oct 2015 07:28:00 GMT"), ("response-cache-control", "max-age=74"),
             ("response-content-disposition", 'attachment; filename="foo.jpg"'),
             ("response-content-encoding", "identity"))


def _overrides(c: Ctx) -> Steps:
    yield GetOverrides(OBJ, OVERRIDES), None


def _delete(c: Ctx) -> Steps:
    yield Delete(OBJ), None
    yield Get(OBJ), None


def _delete_missing(c: Ctx) -> Steps:
    yield Delete("never-written"), None


def _seed_listing(c: Ctx) -> None:
    for k in ("a", "b/1", "b/2", "c", "d/1", "\u00e9", "z"):
        c.seed("l/" + k, b"l")


def _listing(*steps: Callable[[], ListObjects]) -> Callable[[Ctx], Steps]:
    def run(c: Ctx) -> Steps:
        _seed_listing(c)
        for make in steps:
            yield make(), None
    return run


def _max_keys_invalid(c: Ctx) -> Steps:
    yield ListObjects("l/", max_keys=-1), None
    yield _fixed(Tampered(ListObjects("l/"), Tamper.MAX_KEYS_NOT_A_NUMBER), 400, "InvalidArgument",
                 "list.max-keys-invalid")


def _unsupported(c: Ctx) -> Steps:
    yield Unsupported("ListObjectsV2", OBJ), Expected(501, "NotImplemented", rule="service.unsupported")


ENTRIES: tuple[Entry, ...] = (
    Entry("wrong-secret", "auth.wrong-secret", _auth),
    Entry("unknown-access-key", "auth.unknown-key", _unknown),
    Entry("sigv2-header", "auth.sigv2-header", _sigv2_header),
    Entry("sigv2-presigned", "auth.sigv2-query", _sigv2_query),
    Entry("presigned-expired", "auth.presign-expired", _expired),
    Entry("presigned-expires-out-of-range", "auth.presign-expires-range", _expires_range),
    Entry("clock-skew", "auth.clock-skew", _skew),
    Entry("payload-hash-mismatch", "integrity.payload-hash",
          _integrity(Tamper.PAYLOAD_HASH, 400, "XAmzContentSHA256Mismatch", "integrity.payload-hash")),
    Entry("content-md5-mismatch", "integrity.content-md5",
          _integrity(Tamper.CONTENT_MD5, 400, "BadDigest", "integrity.content-md5")),
    Entry("chunk-signature-tampered", "integrity.chunk-signature",
          _integrity(Tamper.CHUNK_SIGNATURE, 403, "SignatureDoesNotMatch", "integrity.chunk-signature")),
    Entry("trailer-checksum-wrong", "integrity.trailer-checksum",
          _integrity(Tamper.TRAILER_CHECKSUM, 400, "BadDigest", "integrity.trailer-checksum")),
    Entry("aws-chunked-signed", "put.aws-chunked", _chunked(Framing.SIGNED_CHUNKS), needs_object=False),
    Entry("aws-chunked-unsigned-trailer", "put.aws-chunked", _chunked(Framing.UNSIGNED_TRAILER), needs_object=False),
    Entry("list-buckets", "bucket.list", _buckets, needs_object=False),
    Entry("head-bucket", "bucket.head", _head_bucket, needs_object=False),
    Entry("head-missing-bucket", "bucket.head-missing", _head_missing, needs_object=False),
    Entry("head-foreign-bucket", "bucket.foreign", _foreign, needs_object=False),
    Entry("missing-bucket", "bucket.missing", _missing_bucket),
    Entry("put-etag-md5", "put.etag-md5", _put_etag, needs_object=False),
    Entry("put-default-content-type", "put.default-content-type", _default_type, needs_object=False),
    Entry("put-headers-exact", "put.headers", _headers, needs_object=False),
    Entry("put-metadata-rfc2047", "put.metadata", _metadata, needs_object=False),
    Entry("put-metadata-too-large", "put.metadata-too-large", _metadata_large, needs_object=False),
    Entry("key-1024-bytes", "key.max-length", _key_max, needs_object=False),
    Entry("key-1025-bytes-put", "key.too-long", _key_too_long, needs_object=False),
    Entry("key-1025-bytes-get-head", "key.too-long-read", _key_too_long_read, needs_object=False),
    Entry("key-1025-bytes-delete", "key.too-long-delete", _key_too_long_delete, needs_object=False),
    Entry("get-and-head", "get.object", _get),
    Entry("get-missing-key", "get.missing-key", _get_missing, needs_object=False),
    Entry("range-satisfiable", "range.satisfiable",
          _ranges("bytes=0-3", "bytes=4-", "bytes=-3", "bytes=-15", "bytes=2-1000", "bytes=0-0")),
    Entry("range-unsatisfiable", "range.unsatisfiable", _ranges("bytes=100-200", "bytes=10-", "bytes=-0")),
    Entry("range-empty-object", "range.unsatisfiable", _ranges("bytes=0-", empty=True)),
    Entry("range-suffix-empty-object", "range.suffix-on-empty", _ranges("bytes=-5", empty=True)),
    Entry("range-ignored", "range.invalid-ignored", _ranges("bytes=5-2", "bytes=0-1,3-4", "0-1", "bytes=-")),
    Entry("if-match", "cond.if-match", _if_match),
    Entry("if-none-match", "cond.if-none-match", _if_none_match),
    Entry("if-modified-since", "cond.if-modified-since", _if_modified_since),
    Entry("if-unmodified-since", "cond.if-unmodified-since", _if_unmodified_since),
    Entry("conditional-precedence", "cond.precedence", _precedence),
    Entry("response-overrides", "get.response-overrides", _overrides),
    Entry("delete-object", "delete.object", _delete),
    Entry("delete-missing-key", "delete.missing-key", _delete_missing, needs_object=False),
    Entry("list-order", "list.order", _listing(lambda: ListObjects("l/"))),
    Entry("list-prefix-delimiter", "list.prefix-delimiter",
          _listing(lambda: ListObjects("l/", "/"), lambda: ListObjects("l/b/", "/"))),
    Entry("list-marker", "list.marker",
          _listing(lambda: ListObjects("l/", None, "l/b/1"), lambda: ListObjects("l/", "/", "l/b/"))),
    Entry("list-max-keys", "list.max-keys",
          _listing(*(lambda n=n: ListObjects("l/", None, None, n) for n in (0, 1, 1000, 1001)))),
    Entry("list-max-keys-invalid", "list.max-keys-invalid", _max_keys_invalid, needs_object=False),
    Entry("list-next-marker", "list.next-marker",
          _listing(lambda: ListObjects("l/", "/", None, 2), lambda: ListObjects("l/", None, None, 2),
                   lambda: ListObjects("l/", "/", None, 2, True), lambda: ListObjects("l/", None, None, 2, True))),
    Entry("unsupported-operation", "service.unsupported", _unsupported, needs_object=False),
)

BY_ID = {e.id: e for e in ENTRIES}


def http_date(dt) -> str:
    return email.utils.format_datetime(dt.astimezone(datetime.timezone.utc), usegmt=True)
