"""The oracle's rules in one table: what S3 does, where that is written down, and who implements it.

Every expectation the harness holds (the model's, the negative group's, the catalogue's) names one rule id here,
and the emulator mirrors the same rule (the ``emulator`` column), so that the model and the emulator never share a
misunderstanding without it being visible in one place. Sources are AWS: the S3 API reference, its error-code
table, or a recording of what AWS actually answered (LocalStack's AWS-validated ``*.snapshot.json`` files, whose
``*.validation.json`` marks them as run against real AWS). Where the reference and a recording disagree, the
recording wins and the rule says so.

``python -m harness.rules`` prints the README's "What S3 does here" section; ``--check README.md`` fails when the
README is out of date (tests/harness/test_rules.py runs it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

API = "https://docs.aws.amazon.com/AmazonS3/latest/API/"
ERRORS = API + "ErrorResponses.html#ErrorCodeList"
LS = "https://github.com/localstack/localstack/blob/main/tests/aws/services/s3/"


@dataclass(frozen=True)
class Rule:
    id: str
    behaviour: str
    sources: tuple[str, ...]
    model: str  # where the harness's expectation comes from
    emulator: str  # where the emulator implements it
    note: str = ""  # corrections, disagreements between sources

    def markdown_row(self) -> str:
        links = ", ".join(f"[{_label(s)}]({s})" for s in self.sources)
        note = f" {self.note}" if self.note else ""
        return f"| `{self.id}` | {self.behaviour}{note} | {links} | `{self.model}` | `{self.emulator}` |"


def _label(url: str) -> str:
    if url.startswith(LS):
        file, _, test = url[len(LS):].partition("#")
        return f"AWS recording: {file.removesuffix('.snapshot.json')} {test}".strip()
    if "ErrorResponses" in url:
        return "S3 error codes"
    if url.startswith(API):
        return url[len(API):].split("#")[0].removesuffix(".html")
    return url.split("/")[-1].split("#")[0] or url


M, NEG, CAT = "harness/model.py", "scenarios/test_negative.py", "harness/catalogue.py"
S3 = LS + "test_s3.snapshot.json#"
S3API = LS + "test_s3_api.snapshot.json#"
LIST = LS + "test_s3_list_operations.snapshot.json#"
UNSETTLED = "Unsettled: no AWS recording exists; the harness accepts either answer until one is recorded."

RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ authentication and integrity
    Rule("auth.wrong-secret", "a signature made with a wrong secret: 403 SignatureDoesNotMatch",
         (S3 + "TestS3PresignedUrl::test_presigned_url_signature_authentication", ERRORS), NEG,
         "emulator/auth.py:_verify_signature"),
    Rule("auth.unknown-key", "an access key the service does not know: 403 InvalidAccessKeyId",
         (ERRORS,), NEG, "emulator/auth.py:_account"),
    Rule("auth.sigv2-header", "SigV2 in the Authorization header (in a SigV4-only region, as every region opened "
         "since 2014 and every bucket made since June 2020): 400 InvalidRequest, \"The authorization mechanism "
         "you have provided is not supported. Please use AWS4-HMAC-SHA256.\"; s3cmd then retries with SigV4 and "
         "succeeds", (ERRORS, "https://github.com/s3tools/s3cmd/blob/master/S3/S3.py"), NEG,
         "emulator/auth.py:_sigv2_refused",
         "Corrected: our earlier requirement said 403 AccessDenied; AWS answers 400."),
    Rule("auth.sigv2-query", "a SigV2 presigned URL (AWSAccessKeyId/Signature/Expires): 400 InvalidRequest, same "
         "message", (ERRORS,), NEG, "emulator/auth.py:_sigv2_refused", "Corrected from 403, as above."),
    Rule("auth.presign-expired", "an expired presigned URL (X-Amz-Expires=0 included): 403 AccessDenied \"Request "
         "has expired\"", (S3 + "TestS3PresignedUrl::test_s3_presigned_url_expired",
                            API + "sigv4-query-string-auth.html"), NEG, "emulator/auth.py:_check_presigned_time"),
    Rule("auth.presign-expires-range", "X-Amz-Expires above 604800 or negative: 400 "
         "AuthorizationQueryParametersError", (API + "sigv4-query-string-auth.html",
                                               "https://github.com/aws/aws-cli/issues/5464"), CAT,
         "emulator/auth.py:_expires_seconds"),
    Rule("auth.clock-skew", "x-amz-date more than 15 minutes from the server's clock, either way: 403 "
         "RequestTimeTooSkewed", (ERRORS, API + "sig-v4-authenticating-requests.html"), CAT,
         "emulator/auth.py:_check_header_time"),
    Rule("integrity.payload-hash", "a body that contradicts its signed x-amz-content-sha256: 400 "
         "XAmzContentSHA256Mismatch", (ERRORS, API + "sig-v4-header-based-auth.html"), CAT,
         "emulator/operations/objects.py (BodyDigests.check_payload_hash)"),
    Rule("integrity.content-md5", "a Content-MD5 that does not match the body: 400 BadDigest",
         (S3 + "TestS3::test_s3_invalid_content_md5", API + "API_PutObject.html"), CAT,
         "emulator/operations/objects.py"),
    Rule("integrity.chunk-signature", "an aws-chunked body with a tampered chunk signature: 403 "
         "SignatureDoesNotMatch, nothing stored", (API + "sigv4-streaming.html",), CAT, "emulator/chunked.py"),
    Rule("integrity.trailer-checksum", "an aws-chunked body whose trailing x-amz-checksum-* does not match: 400 "
         "BadDigest, nothing stored", (API + "API_PutObject.html", "https://docs.aws.amazon.com/AmazonS3/latest/"
                                       "userguide/checking-object-integrity.html"), CAT,
         "emulator/chunked.py, emulator/checksums.py"),
    # ------------------------------------------------------------------ buckets
    Rule("bucket.list", "ListBuckets lists the caller's buckets", (API + "API_ListBuckets.html",), M,
         "emulator/operations/buckets.py"),
    Rule("bucket.head", "HeadBucket: 200 for the caller's bucket", (API + "API_HeadBucket.html",), M,
         "emulator/operations/buckets.py"),
    Rule("bucket.head-missing", "HeadBucket of a missing bucket: 404, no body",
         (S3 + "TestS3::test_create_bucket_head_bucket", API + "API_HeadBucket.html"),
         NEG, "emulator/operations/__init__.py"),
    Rule("bucket.foreign", "HeadBucket of another account's bucket: 403", (API + "API_HeadBucket.html",), NEG,
         "emulator/operations/__init__.py"),
    Rule("bucket.missing", "an object or list request on a missing bucket: 404 NoSuchBucket",
         (S3 + "TestS3::test_get_object_no_such_bucket", ERRORS), NEG,
         "emulator/operations/__init__.py"),
    # ------------------------------------------------------------------ PutObject
    Rule("put.etag-md5", "a single PUT's ETag is the quoted MD5 of the body (also in listings)",
         (S3API + "TestS3ObjectCRUD::test_get_object_range", API + "API_Object.html"), M,
         "emulator/operations/objects.py"),
    Rule("put.default-content-type", "a PUT without Content-Type is served as binary/octet-stream (no sniffing)",
         (S3API + "TestS3ObjectCRUD::test_get_object_range", API + "API_PutObject.html"), M,
         "emulator/operations/objects.py"),
    Rule("put.headers", "Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Content-Language and "
         "Expires are stored and returned exactly as sent (a Content-Encoding list such as `deflate, gzip` too; only "
         "an `aws-chunked` element is removed)", (API + "API_PutObject.html", API + "API_GetObject.html"), M,
         "emulator/operations/objects.py"),
    Rule("put.metadata", "x-amz-meta-* names are returned lowercased; values that are printable ASCII as sent, RFC "
         "2047 encoded-words decoded on the way in, anything else returned RFC 2047-encoded (Q, or B when most "
         "characters need escaping)", (S3 + "TestS3::test_user_metadata_rfc2047_encoded",
                                       S3 + "TestS3::test_metadata_header_character_decoding",
                                       "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html"),
         M, "emulator/metadata.py", "Corrected: values were expected back exactly as sent."),
    Rule("put.aws-chunked", "an aws-chunked PUT (signed chunks, or unsigned with a trailing checksum) stores the "
         "decoded payload, never the chunk framing, on HTTP as on HTTPS",
         (API + "sigv4-streaming.html", S3 + "TestS3PutObjectChecksum::test_s3_checksum_with_content_encoding"), M,
         "emulator/chunked.py"),
    Rule("put.metadata-too-large", "user metadata over 2 KB (names + values, UTF-8): 400 MetadataTooLarge",
         ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html", ERRORS), CAT,
         "emulator/operations/objects.py"),
    Rule("key.max-length", "a key of exactly 1024 UTF-8 bytes is stored and served",
         ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html",), M,
         "emulator/routing.py"),
    Rule("key.too-long", "a key over 1024 UTF-8 bytes: 400 KeyTooLongError on PutObject",
         ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html",
          "https://github.com/basho/riak_cs/pull/1233"), M, "emulator/operations/objects.py:_check_key_length"),
    Rule("key.too-long-read", "a key over 1024 UTF-8 bytes on GetObject: 400 KeyTooLongError; HeadObject: 400 "
         "without a body", ("https://github.com/s3fs-fuse/s3fs-fuse/pull/1602", ERRORS), M,
         "emulator/operations/objects.py:_check_key_length",
         "Corrected: the model expected 404 (no such key). The sources are AWS answers quoted by s3fs-fuse, not a "
         "recording."),
    Rule("key.too-long-delete", "a key over 1024 UTF-8 bytes on DeleteObject: 204 or 400 KeyTooLongError",
         ("https://github.com/versity/versitygw/issues/755", API + "API_DeleteObject.html"), M,
         "emulator/operations/objects.py:_check_key_length (400)", UNSETTLED),
    # ------------------------------------------------------------------ GetObject / HeadObject
    Rule("get.object", "GET returns the stored body, headers and metadata; HEAD the same without a body",
         (API + "API_GetObject.html", API + "API_HeadObject.html"), M, "emulator/operations/objects.py"),
    Rule("get.missing-key", "GET of a missing key: 404 NoSuchKey; HEAD: 404 without a body",
         (API + "API_GetObject.html", ERRORS), M, "emulator/operations/objects.py"),
    Rule("range.satisfiable", "Range first-last, open-ended and suffix: 206 with Content-Range; a last byte past "
         "the end is clamped", (S3API + "TestS3ObjectCRUD::test_get_object_range", API + "API_GetObject.html"),
         M, "emulator/conditions.py:parse_range"),
    Rule("range.unsatisfiable", "a first byte at or past the end (also `bytes=0-` on an empty object) or a suffix "
         "of 0: 416 InvalidRange", (S3API + "TestS3ObjectCRUD::test_get_object_range",
                                    "https://github.com/minio/minio-java/issues/636"), M,
         "emulator/conditions.py:parse_range"),
    Rule("range.suffix-on-empty", "a non-zero suffix range (`bytes=-N`) on an empty object: 416 InvalidRange, or "
         "200/206 with the empty body", ("https://www.rfc-editor.org/rfc/rfc9110#section-14.1.1",), M,
         "emulator/conditions.py:parse_range (416)", UNSETTLED),
    Rule("range.invalid-ignored", "a syntactically invalid Range (inverted `bytes=1-0`, several ranges, no "
         "`bytes=`) is ignored: 200 with the whole object", (S3API + "TestS3ObjectCRUD::test_get_object_range",), M,
         "emulator/conditions.py:parse_range"),
    Rule("cond.if-match", "If-Match not matching the ETag: 412 PreconditionFailed (HEAD: 412 without a body)",
         (S3 + "TestS3::test_s3_get_object_preconditions", API + "API_GetObject.html"), M,
         "emulator/conditions.py"),
    Rule("cond.if-none-match", "If-None-Match matching the ETag (quoted or not): 304 Not Modified",
         (S3 + "TestS3::test_s3_get_object_preconditions",), M, "emulator/conditions.py"),
    Rule("cond.if-modified-since", "If-Modified-Since at or after Last-Modified: 304; before it: 200; a date in "
         "the future is ignored: 200", (S3 + "TestS3::test_s3_get_object_preconditions",), M,
         "emulator/conditions.py", "Corrected: a future date gave 304 in the model and the emulator."),
    Rule("cond.if-unmodified-since", "If-Unmodified-Since before Last-Modified: 412",
         (S3 + "TestS3::test_s3_get_object_preconditions",), M, "emulator/conditions.py"),
    Rule("cond.precedence", "412 conditions before 304 ones; If-Match true decides over a false "
         "If-Unmodified-Since (200); a matching If-None-Match gives 304 whatever If-Modified-Since says, a "
         "non-matching one makes If-Modified-Since ignored (200)",
         (S3 + "TestS3::test_s3_get_object_preconditions", API + "API_GetObject.html"), M,
         "emulator/conditions.py"),
    Rule("get.response-overrides", "response-content-type, -content-language, -expires, -cache-control, "
         "-content-disposition and -content-encoding set those headers on a signed GET",
         (S3 + "TestS3::test_s3_get_object_header_overrides", API + "API_GetObject.html"), CAT,
         "emulator/operations/objects.py"),
    # ------------------------------------------------------------------ DeleteObject
    Rule("delete.object", "DeleteObject: 204, and the key is gone", (API + "API_DeleteObject.html",), M,
         "emulator/operations/objects.py"),
    Rule("delete.missing-key", "DeleteObject of a missing key: 204",
         (S3API + "TestS3ObjectCRUD::test_delete_object", API + "API_DeleteObject.html"), M,
         "emulator/operations/objects.py"),
    # ------------------------------------------------------------------ ListObjects (v1)
    Rule("list.order", "keys in UTF-8 binary order, with size and ETag", (API + "API_ListObjects.html",), M,
         "emulator/operations/listing.py"),
    Rule("list.prefix-delimiter", "prefix filters; a delimiter rolls keys up into CommonPrefixes",
         (API + "API_ListObjects.html",), M, "emulator/operations/listing.py"),
    Rule("list.marker", "marker is exclusive: listing starts after it (after every key under a CommonPrefix "
         "marker)", (LIST + "TestS3ListObjects::test_list_objects_marker_common_prefixes",
                     API + "API_ListObjects.html"), M, "emulator/operations/listing.py"),
    Rule("list.max-keys", "max-keys bounds keys + CommonPrefixes; 0 gives an empty page that is not truncated; "
         "above 1000 is clamped to 1000", (API + "API_ListObjects.html",
                                          "https://github.com/ceph/s3-tests/blob/master/s3tests/functional/"
                                          "test_s3.py"), M, "emulator/operations/listing.py"),
    Rule("list.max-keys-invalid", "a max-keys that is not a non-negative integer: 400 InvalidArgument",
         ("https://github.com/ceph/s3-tests/blob/master/s3tests_boto3/functional/test_s3.py",
          "https://github.com/brekkylab/backlot/issues/192"), CAT, "emulator/operations/listing.py:_max_keys"),
    Rule("list.next-marker", "NextMarker only with a delimiter on a truncated page; without one, page by the last "
         "key", (LIST + "TestS3ListObjects::test_list_objects_next_marker", API + "API_ListObjects.html"), M,
         "emulator/operations/listing.py"),
    # ------------------------------------------------------------------ the service profile
    Rule("service.unsupported", "an operation outside the seven (multipart, ListObjectsV2, sub-resources, "
         "CopyObject, DeleteObjects, bucket admin): 501 NotImplemented, as S3 answers for functionality it does "
         "not implement", (S3API + "TestS3DeletePrecondition::test_delete_object_if_match_size_non_express", ERRORS),
         NEG, "emulator/routing.py"),
)

BY_ID = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError names it: an expectation must cite a rule that exists)."""
    return BY_ID[rule_id]


BEGIN = "<!-- rules:begin (generated by `python -m harness.rules`; do not edit by hand) -->"
END = "<!-- rules:end -->"


def markdown() -> str:
    head = ["| rule | what S3 does | source | expectation | emulator |", "| --- | --- | --- | --- | --- |"]
    return "\n".join([BEGIN, *head, *(r.markdown_row() for r in RULES), END])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--check"] and len(argv) == 2:
        text = open(argv[1], encoding="utf-8").read()
        if markdown() not in text:
            print(f"{argv[1]}: the rules table is out of date; paste `python -m harness.rules` into it",
                  file=sys.stderr)
            return 1
        return 0
    if argv:
        print("usage: python -m harness.rules [--check README.md]", file=sys.stderr)
        return 2
    print(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
