"""Workflow steps: plain, immutable data. A workflow is a sequence of steps; each driver turns a step into
its client's calls. Keys, prefixes and markers are *run-relative*: the driver prepends the target's
run prefix (``s3-conformance/<run-id>/...``) so that nothing outside it is ever written, deleted or listed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Step:
    #: the S3 operation(s) the step exercises (for the report's operation x client matrix)
    operations: ClassVar[tuple[str, ...]] = ()
    #: a capability the driver must declare in ``expresses`` to send this step (None: every driver can); a driver
    #: without it reports the step "not applicable" instead of guessing (harness/check.py)
    requires: ClassVar[str | None] = None

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class ListBuckets(Step):
    operations = ("ListBuckets",)


@dataclass(frozen=True)
class HeadBucket(Step):
    bucket: str | None = None  # None: the target's bucket
    operations = ("HeadBucket",)


@dataclass(frozen=True)
class ListObjects(Step):
    prefix: str = ""  # relative to the run prefix
    delimiter: str | None = None
    marker: str | None = None  # relative; None: no marker
    max_keys: int | None = None
    all_pages: bool = False  # follow IsTruncated (NextMarker, or the last key when there is none)
    bucket: str | None = None
    operations = ("ListObjects",)


@dataclass(frozen=True)
class Put(Step):
    key: str
    body: bytes = b""
    content_type: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()  # x-amz-meta-* (name lowercase ascii)
    headers: tuple[tuple[str, str], ...] = ()  # cache-control, content-disposition, content-language...
    bucket: str | None = None
    operations = ("PutObject",)

    def __repr__(self) -> str:  # bodies can be MiB: show their size only
        return (f"Put(key={self.key!r}, body=<{len(self.body)} bytes>, content_type={self.content_type!r}, "
                f"metadata={self.metadata!r}, headers={self.headers!r})")


@dataclass(frozen=True)
class Conditions:
    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None  # HTTP date
    if_unmodified_since: str | None = None

    def any(self) -> bool:
        return any((self.if_match, self.if_none_match, self.if_modified_since, self.if_unmodified_since))


@dataclass(frozen=True)
class Get(Step):
    key: str
    range: str | None = None  # "bytes=0-9"
    conditions: Conditions = Conditions()
    bucket: str | None = None
    operations = ("GetObject",)


@dataclass(frozen=True)
class Head(Step):
    key: str
    conditions: Conditions = Conditions()
    bucket: str | None = None
    operations = ("HeadObject",)


@dataclass(frozen=True)
class Delete(Step):
    key: str
    bucket: str | None = None
    operations = ("DeleteObject",)


@dataclass(frozen=True)
class Upload(Step):
    """A high-level upload as a user runs it (boto3 upload_fileobj, s3cmd put, aws s3 cp). ``tuned``: with the
    settings that keep it a single PutObject (multipart threshold above the object). Judged as a Put, unless the
    client went multipart: then it is judged as the unsupported CreateMultipartUpload."""

    key: str
    body: bytes = b""
    tuned: bool = False
    operations = ("PutObject",)

    def __repr__(self) -> str:
        return f"Upload(key={self.key!r}, body=<{len(self.body)} bytes>, tuned={self.tuned})"


@dataclass(frozen=True)
class Download(Step):
    """A high-level download (boto3 download_fileobj: HEAD + ranged GETs with If-Match above 8 MiB)."""

    key: str
    operations = ("GetObject",)


# ------------------------------------------------------------------ negative steps

@dataclass(frozen=True)
class WrongSecret(Step):
    """``inner`` signed with the right access key and a wrong secret -> 403 SignatureDoesNotMatch."""

    inner: Step = ListBuckets()

    @property
    def operations(self):  # type: ignore[override]
        return self.inner.operations


@dataclass(frozen=True)
class UnknownAccessKey(Step):
    """``inner`` signed with an access key the service does not know -> 403 InvalidAccessKeyId."""

    inner: Step = ListBuckets()

    @property
    def operations(self):  # type: ignore[override]
        return self.inner.operations


@dataclass(frozen=True)
class MissingBucket(Step):
    """``inner`` against a bucket that does not exist -> 404 NoSuchBucket (HEAD: 404, no code)."""

    inner: Step = HeadBucket()

    @property
    def operations(self):  # type: ignore[override]
        return self.inner.operations


@dataclass(frozen=True)
class Presigned(Step):
    """A presigned GET URL made by the client, fetched with a plain HTTP client.

    signature: "s3v4" or "default" (the client's default: SigV2 for boto3 and ``aws s3 presign``).
    expired: sign as if an hour ago with a 60 s expiry -> 403 AccessDenied "Request has expired".
    """

    key: str
    signature: str = "s3v4"
    expired: bool = False
    operations = ("GetObject",)


#: operations the service documents as unsupported; each must be refused (501 NotImplemented)
UNSUPPORTED_OPERATIONS = (
    "ListObjectsV2",
    "CreateMultipartUpload",
    "GetBucketLocation",
    "GetObjectAcl",
    "CopyObject",
    "DeleteObjects",
    "CreateBucket",
    "DeleteBucket",
)
#: unsupported operations that would modify something outside the run prefix if a service accepted them
DESTRUCTIVE_UNSUPPORTED = ("CreateBucket", "DeleteBucket")


@dataclass(frozen=True)
class Unsupported(Step):
    """An operation outside the seven; ``key`` is the run-relative key it touches (if any)."""

    operation: str = "ListObjectsV2"
    key: str = "unsupported/probe.txt"

    @property
    def operations(self):  # type: ignore[override]
        return (self.operation,)


@dataclass(frozen=True)
class SigV2(Step):
    """``inner`` signed with AWS signature version 2 in the Authorization header -> 403 (SigV4 only)."""

    inner: Step = ListObjects()

    @property
    def operations(self):  # type: ignore[override]
        return self.inner.operations


class Tamper(enum.Enum):
    """One thing made wrong on purpose in an otherwise valid signed request (rule ids in harness/rules.py)."""

    CLOCK_AHEAD = "clock-skew-ahead"  # x-amz-date 16 minutes ahead: 403 RequestTimeTooSkewed
    CLOCK_BEHIND = "clock-skew-behind"  # 16 minutes behind: 403 RequestTimeTooSkewed
    PAYLOAD_HASH = "payload-hash-mismatch"  # signed x-amz-content-sha256 of another body: 400 XAmzContentSHA256Mismatch
    CONTENT_MD5 = "content-md5-mismatch"  # Content-MD5 of another body: 400 BadDigest
    CHUNK_SIGNATURE = "chunk-signature"  # aws-chunked, first chunk signature altered: 403 SignatureDoesNotMatch
    TRAILER_CHECKSUM = "trailer-checksum"  # aws-chunked, trailing x-amz-checksum-crc32 of another body: 400 BadDigest
    EXPIRES_TOO_LONG = "presign-expires-604801"  # presigned, X-Amz-Expires above 7 days: 400
    EXPIRES_NEGATIVE = "presign-expires-negative"  # presigned, X-Amz-Expires=-1: 400
    EXPIRES_ZERO = "presign-expires-zero"  # presigned, X-Amz-Expires=0: expired at once, 403 AccessDenied
    MAX_KEYS_NOT_A_NUMBER = "max-keys-not-a-number"  # ListObjects ?max-keys=abc: 400 InvalidArgument


@dataclass(frozen=True)
class Tampered(Step):
    """``inner`` (a Put, Get or ListObjects) sent by the raw signed HTTP client with ``how`` wrong on purpose: no real
    client sends these, so only a driver that expresses "wire" (harness/drivers/wire) runs it."""

    inner: Step = ListBuckets()
    how: Tamper = Tamper.CLOCK_AHEAD
    requires = "wire"

    @property
    def operations(self):  # type: ignore[override]
        return self.inner.operations


class Framing(enum.Enum):
    """How a PUT body travels (sigv4-streaming.html)."""

    SIGNED_CHUNKS = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


@dataclass(frozen=True)
class ChunkedPut(Step):
    """A valid aws-chunked PutObject (signed chunks, or unsigned with a trailing CRC32), on any scheme: boto3 sends
    aws-chunked over TLS only, so this is how an HTTP run judges how a target stores an aws-chunked body."""

    key: str
    body: bytes = b""
    framing: Framing = Framing.SIGNED_CHUNKS
    operations = ("PutObject",)
    requires = "wire"

    def __repr__(self) -> str:
        return f"ChunkedPut(key={self.key!r}, body=<{len(self.body)} bytes>, framing={self.framing.name})"


@dataclass(frozen=True)
class GetOverrides(Step):
    """GetObject with response-* query overrides ((parameter, value), ...), signed (API_GetObject.html)."""

    key: str
    overrides: tuple[tuple[str, str], ...] = ()
    operations = ("GetObject",)
    requires = "response-overrides"


# The credentials of the negative steps: a key id no service knows (20 characters, as real ones), its secret, and
# the secret a copy-paste reproduction uses for WrongSecret (it cannot derive one from a secret it never sees).
UNKNOWN_ACCESS_KEY = "AKIAUNKNOWN000000000"
UNKNOWN_SECRET = "x" * 40
REPRO_WRONG_SECRET = "wrong-secret"


def auth_variant(step: Step) -> tuple[str, Step]:
    """How a step is signed and what it signs: ("ok" | "wrong-secret" | "unknown-key" | "sigv2", the inner step)."""
    for wrapper, kind in ((WrongSecret, "wrong-secret"), (UnknownAccessKey, "unknown-key"), (SigV2, "sigv2")):
        if isinstance(step, wrapper):
            return kind, step.inner
    return "ok", step


def written_key(step: Step) -> str | None:
    """The run-relative key a step may create (for cleanup tracking), if any."""
    if isinstance(step, (Put, Upload, ChunkedPut)):
        return step.key
    if isinstance(step, Tampered):
        return written_key(step.inner)
    if isinstance(step, Unsupported) and step.operation in ("CopyObject", "CreateMultipartUpload"):
        return step.key
    kind, inner = auth_variant(step)
    return None if kind == "ok" else written_key(inner)
