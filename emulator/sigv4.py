"""AWS Signature Version 4 for S3 as pure functions: no I/O, no clock (``now`` is always a parameter).

The same functions verify (auth.py, chunked.py) and sign (tests, the harness), so both sides share one
canonicalisation. Sources:
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit, urlunsplit

ALGORITHM = "AWS4-HMAC-SHA256"
CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD"
TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER"
TERMINATOR = "aws4_request"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
SIGNATURE_PARAM = "X-Amz-Signature"

# Because these are hop-by-hop or rewritten by proxies, signers leave them out (botocore's SIGNED_HEADERS_BLACKLIST).
_NEVER_SIGNED = frozenset(
    {
        "authorization",
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)
_UNRESERVED = "-_.~"  # with A-Za-z0-9, which quote() never encodes: AWS's UriEncode keeps exactly these
_SPACE_RUNS = re.compile(r"[ \t]+")

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]


class HexDigest(Protocol):
    """A running hash (hashlib.sha256()) whose hex digest names a chunk without holding its bytes."""

    def hexdigest(self) -> str: ...


@dataclass(frozen=True)
class ChunkSigningContext:
    """What an aws-chunked decoder needs to verify the chain of chunk signatures (sigv4-streaming.html).

    ``signing_key`` is derived from the secret; it is kept out of repr because secrets never reach logs.
    """

    signing_key: bytes = field(repr=False)
    amz_date: str
    scope: str
    seed_signature: str


def uri_encode(s: str, *, encode_slash: bool = True) -> str:
    """AWS's UriEncode: unreserved A-Za-z0-9-._~ kept, every other UTF-8 byte as %XX in uppercase hex."""
    return _encode_bytes(s.encode("utf-8", "surrogateescape"), encode_slash=encode_slash)


def _encode_bytes(raw: bytes, *, encode_slash: bool = True) -> str:
    return quote_from_bytes(raw, safe=_UNRESERVED if encode_slash else _UNRESERVED + "/")


def _query_pairs(raw_query: str) -> list[tuple[bytes, bytes]]:
    """The query as sent, split on '&' and '=' and percent-decoded to bytes ('+' stays '+', as S3 signs it)."""
    pairs = []
    for part in raw_query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote_to_bytes(key), unquote_to_bytes(value)))
    return pairs


def canonical_query_string(raw_query: str, *, presigned: bool = False) -> str:
    """Decode each name and value, re-encode with UriEncode, sort by name then value, join with '&'.

    Decoding to bytes (not str) keeps any byte sequence exact, valid UTF-8 or not. For a presigned URL the
    X-Amz-Signature parameter is left out, because it cannot sign itself (sigv4-query-string-auth.html).
    """
    encoded = []
    for key, value in _query_pairs(raw_query):
        if presigned and key == SIGNATURE_PARAM.encode():
            continue
        encoded.append((_encode_bytes(key), _encode_bytes(value)))
    encoded.sort()
    return "&".join(f"{key}={value}" for key, value in encoded)


def _trimall(value: str) -> str:
    # Because the spec trims the value and collapses runs of spaces to one (sig-v4-header-based-auth.html).
    return _SPACE_RUNS.sub(" ", value).strip(" ")


def _grouped(headers: HeaderInput) -> dict[str, list[str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    grouped: dict[str, list[str]] = {}
    for name, value in items:
        grouped.setdefault(name.lower(), []).append(value)
    return grouped


def canonical_headers(headers: HeaderInput, signed_headers: Sequence[str]) -> str:
    """One ``name:value\\n`` line per signed header, in the order given; repeated values joined with ','.

    A signed header the request lacks canonicalises to ``name:`` so the signature fails rather than the parse.
    """
    grouped = _grouped(headers)
    lines = []
    for name in signed_headers:
        values = grouped.get(name.lower(), [])
        lines.append(f"{name.lower()}:{','.join(_trimall(v) for v in values)}\n")
    return "".join(lines)


def canonical_uri_from_raw_path(raw_path: str) -> str:
    """The path exactly as sent, or '/' when empty.

    S3 differs from other services here: other services normalise the path (RFC 3986 dot segments, '//')
    and encode each segment twice, but for S3 the path is encoded once and never normalised, because
    'a//b' and 'a/./b' are distinct object keys (AWS's SigV4 test-suite note on normalize-path, and
    sig-v4-header-based-auth.html#canonical-request). botocore's S3SigV4Auth._normalize_url_path likewise
    returns the path unchanged, so the path as sent is the path the client signed.
    """
    return raw_path or "/"


def canonical_request(
    method: str,
    canonical_uri: str,
    canonical_query: str,
    canonical_headers: str,
    signed_headers_str: str,
    payload_hash: str,
) -> str:
    return "\n".join((method, canonical_uri, canonical_query, canonical_headers, signed_headers_str, payload_hash))


def scope(date: str, region: str, service: str) -> str:
    return f"{date}/{region}/{service}/{TERMINATOR}"


def _sha256_hex(text: str) -> str:
    # surrogateescape: a path aiohttp decoded from non-UTF-8 bytes hashes as the bytes that were sent.
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    return "\n".join((ALGORITHM, amz_date, scope, _sha256_hex(canonical_request)))


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


@functools.lru_cache(maxsize=256)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")."""
    return _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), date), region), service), TERMINATOR)


def signature(key: bytes, string_to_sign: str) -> str:
    return hmac.new(key, string_to_sign.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def chunk_string_to_sign(
    amz_date: str, scope: str, previous_signature: str, chunk_data: bytes | memoryview | HexDigest
) -> str:
    """The string each aws-chunked chunk signs; the empty-string hash stands for the (absent) chunk headers."""
    digest = chunk_data.hexdigest() if hasattr(chunk_data, "hexdigest") else hashlib.sha256(chunk_data).hexdigest()
    return "\n".join((CHUNK_ALGORITHM, amz_date, scope, previous_signature, EMPTY_SHA256, digest))


def canonical_trailers(trailers: HeaderInput) -> str:
    """Trailing headers as signed: lowercase ``name:value\\n`` lines sorted by name (sigv4-streaming-trailers.html)."""
    grouped = _grouped(trailers)
    return "".join(f"{name}:{','.join(_trimall(v) for v in grouped[name])}\n" for name in sorted(grouped))


def trailer_string_to_sign(amz_date: str, scope: str, previous_signature: str, trailers: HeaderInput) -> str:
    """The string x-amz-trailer-signature signs: the final chunk's signature chained to the trailers' hash."""
    trailers_hash = _sha256_hex(canonical_trailers(trailers))
    return "\n".join((TRAILER_ALGORITHM, amz_date, scope, previous_signature, trailers_hash))


# Signing conveniences (tests and the harness). Still pure: the caller passes the time.


def amz_date(now: datetime.datetime) -> str:
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    return now.astimezone(datetime.timezone.utc).strftime(AMZ_DATE_FORMAT)


def host_from_url(url: str) -> str:
    """The Host header a client sends for ``url``: lowercase, default port dropped (as botocore's _host_from_url)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port is None or parts.port == default else f"{host}:{parts.port}"


def _headers_to_sign(url: str, headers: Mapping[str, str]) -> dict[str, str]:
    chosen = {name.lower(): value for name, value in headers.items() if name.lower() not in _NEVER_SIGNED}
    chosen.setdefault("host", host_from_url(url))
    return chosen


def _signed(
    method: str,
    url: str,
    raw_query: str,
    to_sign: Mapping[str, str],
    payload_hash: str,
    key: bytes,
    amz_date_value: str,
    cred_scope: str,
    *,
    presigned: bool,
) -> tuple[str, str]:
    names = sorted(to_sign)
    request = canonical_request(
        method.upper(),
        canonical_uri_from_raw_path(urlsplit(url).path),
        canonical_query_string(raw_query, presigned=presigned),
        canonical_headers(to_sign, names),
        ";".join(names),
        payload_hash,
    )
    return ";".join(names), signature(key, string_to_sign(amz_date_value, cred_scope, request))


def sign_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body_hash: str,
    access_key: str,
    secret: str,
    region: str,
    now: datetime.datetime,
    service: str = "s3",
) -> dict[str, str]:
    """The headers to add so ``method url`` with ``headers`` is SigV4-signed, as botocore's S3SigV4Auth signs.

    ``url`` carries the path and query exactly as they will be sent; ``body_hash`` is the hex SHA-256 of the body
    or one of the x-amz-content-sha256 keywords (UNSIGNED-PAYLOAD, STREAMING-...).
    """
    stamp = amz_date(now)
    cred_scope = scope(stamp[:8], region, service)
    to_sign = _headers_to_sign(url, headers)
    to_sign = {k: v for k, v in to_sign.items() if k not in ("x-amz-date", "x-amz-content-sha256")}
    to_sign.update({"x-amz-date": stamp, "x-amz-content-sha256": body_hash})
    key = signing_key(secret, stamp[:8], region, service)
    names, sig = _signed(method, url, urlsplit(url).query, to_sign, body_hash, key, stamp, cred_scope, presigned=False)
    authorization = f"{ALGORITHM} Credential={access_key}/{cred_scope}, SignedHeaders={names}, Signature={sig}"
    return {"Authorization": authorization, "x-amz-date": stamp, "x-amz-content-sha256": body_hash}


def presign_url(
    method: str,
    url: str,
    access_key: str,
    secret: str,
    region: str,
    now: datetime.datetime,
    expires: int,
    *,
    headers: Mapping[str, str] | None = None,
    service: str = "s3",
) -> str:
    """``url`` with the X-Amz-* query parameters of a presigned request (sigv4-query-string-auth.html).

    The payload is UNSIGNED-PAYLOAD, as a presigned URL cannot know its body, unless ``url`` pins one with an
    X-Amz-Content-Sha256 parameter. ``headers`` the request will carry (besides Host) are signed too.
    """
    stamp = amz_date(now)
    cred_scope = scope(stamp[:8], region, service)
    to_sign = _headers_to_sign(url, headers or {})
    names = ";".join(sorted(to_sign))
    auth_params = (
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{access_key}/{cred_scope}"),
        ("X-Amz-Date", stamp),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", names),
    )
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, *(f"{k}={uri_encode(v)}" for k, v in auth_params)]))
    pinned = [value for name, value in _query_pairs(parts.query) if name == b"X-Amz-Content-Sha256"]
    payload = pinned[0].decode("utf-8", "surrogateescape") if pinned else UNSIGNED_PAYLOAD
    key = signing_key(secret, stamp[:8], region, service)
    _, sig = _signed(method, url, query, to_sign, payload, key, stamp, cred_scope, presigned=True)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, f"{query}&{SIGNATURE_PARAM}={sig}", parts.fragment))
