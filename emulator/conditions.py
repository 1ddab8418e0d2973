"""Range and conditional-request rules of GetObject/HeadObject, as pure functions.

https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range, If-* precedence)
https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2 (evaluation order)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from .errors import ErrorCode, S3Error

_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")  # ASCII digits only (RFC 9110 14.1.1), not \d


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to serve, or None for the whole object.

    A header that is not a single well-formed byte range is ignored, as S3 and RFC 9110 do (S3 does not serve
    multiple ranges). A well-formed range that selects nothing is 416 InvalidRange; an end past the object is
    clamped.
    """
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise _invalid_range(header, size)
        return ByteRange(max(0, size - length), size)
    start = int(first)
    end = int(last) + 1 if last else size
    if last and end <= start:
        return None  # "bytes=5-2" is syntactically invalid: ignored (RFC 9110 14.1.1)
    if start >= size:
        raise _invalid_range(header, size)
    return ByteRange(start, min(end, size))


def _invalid_range(header: str, size: int) -> S3Error:
    # RangeRequested is the header as sent (AWS recording: localstack tests/aws/services/s3/test_s3_api.snapshot.json,
    # TestS3ObjectCRUD::test_get_object_range, "RangeRequested": "bytes=100-200")
    return S3Error(
        ErrorCode.InvalidRange,
        fields={"RangeRequested": header, "ActualObjectSize": str(size)},
        headers={"Content-Range": f"bytes */{size}"},
    )


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None  # an unparseable date makes the condition absent, as RFC 9110 13.1.3 says


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    bare = etag.strip('"')
    return any(tag.strip().removeprefix("W/").strip('"') == bare for tag in header.split(","))


def check_conditions(headers, etag: str, last_modified: float, now: float | None = None) -> None:
    """Raise PreconditionFailed (412) or NotModified (304) per S3's precedence.

    If-Match true overrides a false If-Unmodified-Since; If-None-Match false (the ETag matches) gives 304 whatever
    If-Modified-Since says. 412 conditions are evaluated before 304 ones. An If-Modified-Since later than ``now`` is
    ignored (rule cond.if-modified-since; AWS recording: localstack test_s3.snapshot.json,
    TestS3::test_s3_get_object_preconditions, "obj-ignore-future-modified-since" -> 200).
    """
    if_match = headers.get("If-Match")
    if if_match is not None:
        if not _etag_matches(if_match, etag):
            raise S3Error(ErrorCode.PreconditionFailed, fields={"Condition": "If-Match"})
    else:
        since = headers.get("If-Unmodified-Since")
        when = _http_date(since) if since is not None else None
        if when is not None and last_modified > when:
            raise S3Error(ErrorCode.PreconditionFailed, fields={"Condition": "If-Unmodified-Since"})
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if _etag_matches(if_none_match, etag):
            raise S3Error(ErrorCode.NotModified)
        return
    since = headers.get("If-Modified-Since")
    when = _http_date(since) if since is not None else None
    if when is not None and last_modified <= when and (now is None or when <= now):
        raise S3Error(ErrorCode.NotModified)
