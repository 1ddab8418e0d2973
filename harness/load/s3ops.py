"""The seven S3 operations as signed HTTP requests, and what each one records in the history.

Kept apart from Locust so the same functions serve the Locust users (through FastHttpSession) and the tests.
URLs follow the target's addressing style (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import unescape

from harness.load.sigv4 import EMPTY_SHA256, UNSIGNED_PAYLOAD, Signer, uri_encode

TOKEN_HEADER = "x-amz-meta-load-token"
_KEY_RE = re.compile(r"<Key>(.*?)</Key>", re.S)
_CODE_RE = re.compile(rb"<Code>(.*?)</Code>")
_TRUNCATED_RE = re.compile(r"<IsTruncated>true</IsTruncated>")


@dataclass(frozen=True)
class Endpoint:
    """Where requests go: scheme, the service host (path style or ListBuckets) and the bucket's host."""

    scheme: str
    service_host: str  # host[:port] as sent in Host
    bucket: str
    bucket_host: str | None  # virtual style: "<bucket>.<domain>[:port]"; None for path style

    @classmethod
    def of(cls, endpoint_url: str, bucket: str, addressing_style: str, vhost_template: str | None) -> Endpoint:
        u = urlsplit(endpoint_url)
        host = u.netloc
        bucket_host = None
        if addressing_style == "virtual" and vhost_template:
            bucket_host = vhost_template % {"bucket": bucket}
            if u.port and ":" not in bucket_host:
                bucket_host += f":{u.port}"
        return cls(u.scheme, host, bucket, bucket_host)

    def object_path(self, key: str) -> tuple[str, str]:
        """(host, canonical path) of an object; the path is UriEncoded with '/' kept, as S3 canonicalises it."""
        if self.bucket_host:
            return self.bucket_host, "/" + uri_encode(key, encode_slash=False)
        return self.service_host, f"/{self.bucket}/" + uri_encode(key, encode_slash=False)

    def bucket_path(self) -> tuple[str, str]:
        return (self.bucket_host, "/") if self.bucket_host else (self.service_host, f"/{self.bucket}")

    def url(self, host: str, path: str, query: str = "") -> str:
        return f"{self.scheme}://{host}{path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None


def sign_request(signer: Signer, ep: Endpoint, method: str, host: str, path: str, params: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None, body: bytes | None = None,
                 sign_payload_limit: int = 256 * 1024, now: float | None = None) -> Request:
    payload = EMPTY_SHA256
    if body:
        payload = hashlib.sha256(body).hexdigest() if len(body) <= sign_payload_limit else UNSIGNED_PAYLOAD
    signed = signer.sign(method, host, path, params, headers, payload, now=now)
    from harness.load.sigv4 import canonical_query

    return Request(method, ep.url(host, path, canonical_query(params or {})), signed, body)


def put_headers(token: str, body: bytes) -> tuple[dict[str, str], str]:
    """Headers of a PutObject and the body's MD5 (hex). Content-MD5 lets the server check the bytes, since large
    bodies go UNSIGNED-PAYLOAD (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html)."""
    md5 = hashlib.md5(body)  # noqa: S324 - S3's ETag and Content-MD5, not security
    return {TOKEN_HEADER: token, "Content-MD5": base64.b64encode(md5.digest()).decode(),
            "Content-Type": "application/octet-stream"}, md5.hexdigest()


def error_code(status: int | None, body: bytes | None) -> str | None:
    """The S3 error code of an error response; HEAD has no body, so its code is the status."""
    if status is None or status < 300:
        return None
    m = _CODE_RE.search(body or b"")
    return m.group(1).decode("utf-8", "replace") if m else f"HTTP{status}"


def listed_slots(xml: str, prefix: str) -> tuple[tuple[int, ...], bool]:
    """The key slots ('<prefix>k0042' -> 42) a ListObjects page names, and whether it was truncated."""
    slots = []
    for raw in _KEY_RE.findall(xml):
        key = unescape(raw, {"&quot;": '"', "&apos;": "'"})
        if key.startswith(prefix + "k") and key[len(prefix) + 1:].isdigit():
            slots.append(int(key[len(prefix) + 1:]))
    return tuple(sorted(slots)), bool(_TRUNCATED_RE.search(xml))
