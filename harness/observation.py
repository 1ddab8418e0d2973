"""What a driver saw, normalised so that three clients and two references can be compared.

Every field is optional: ``None`` means "this client does not expose it" and is never compared.
Volatile fields (request ids, dates, owner ids) are not kept; Last-Modified is kept only as "present".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

#: response headers kept in observations (lowercase)
HEADERS_OF_INTEREST = (
    "content-type", "content-length", "content-range", "etag", "accept-ranges", "cache-control",
    "content-disposition", "content-encoding", "content-language", "expires",
)

#: what a driver may observe of a response; each driver declares its subset as ``observes`` (judge.not_judged)
OBSERVABLE = frozenset({"status", "error_code", "headers", "metadata", "body", "listing", "buckets"})

SECRET_HEADERS = ("authorization", "x-amz-security-token", "proxy-authorization")
_SIG_QUERY = re.compile(r"((?:X-Amz-Signature|Signature|X-Amz-Credential|AWSAccessKeyId|X-Amz-Security-Token)=)[^&\s]*",
                        re.IGNORECASE)


def redact_url(url: str) -> str:
    return _SIG_QUERY.sub(r"\1REDACTED", url)


def redact_headers(headers: dict) -> dict:
    out = {}
    for k, v in headers.items():
        if k.lower() in SECRET_HEADERS:
            v = str(v)
            # keep the scheme and the signed header list, never the credential or signature
            m = re.match(r"(AWS4-HMAC-SHA256|AWS)\s", v)
            signed = re.search(r"SignedHeaders=([^,\s]+)", v)
            v = (m.group(1) + " " if m else "") + "REDACTED" + (f" SignedHeaders={signed.group(1)}" if signed else "")
        out[k] = v
    return out


@dataclass
class Exchange:
    """One HTTP request/response as the client library saw it (secrets redacted)."""

    method: str
    url: str
    request_headers: dict = field(default_factory=dict)
    status: int | None = None
    response_headers: dict = field(default_factory=dict)
    started: float = 0.0  # epoch seconds
    duration: float = 0.0  # seconds, request sent -> response head received
    error: str | None = None

    def redacted(self) -> Exchange:
        return Exchange(self.method, redact_url(self.url), redact_headers(self.request_headers), self.status,
                        dict(self.response_headers), self.started, self.duration, self.error)

    def line(self) -> str:
        return f"{self.method} {self.url} -> {self.status if self.status is not None else self.error}"


@dataclass(frozen=True)
class ListEntry:
    key: str
    size: int | None = None
    etag: str | None = None


@dataclass
class Listing:
    entries: tuple[ListEntry, ...] = ()
    common_prefixes: tuple[str, ...] = ()
    is_truncated: bool | None = None
    next_marker: str | None = None  # None: absent

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(e.key for e in self.entries)


OUTCOMES = ("ok", "not_modified", "client_error", "server_error", "transport_error", "client_failure",
            "not_applicable")


def outcome_for_status(status: int | None) -> str:
    if status is None:
        return "transport_error"
    if 200 <= status < 300:
        return "ok"
    if status == 304:
        return "not_modified"
    if 400 <= status < 500:
        return "client_error"
    if status >= 500:
        return "server_error"
    return "client_failure"


@dataclass
class Observation:
    outcome: str
    status: int | None = None
    error_code: str | None = None
    headers: dict = field(default_factory=dict)  # HEADERS_OF_INTEREST, lowercase names
    metadata: dict | None = None  # x-amz-meta-* without the prefix, lowercase names
    body_sha256: str | None = None
    body_size: int | None = None
    listing: Listing | None = None
    buckets: tuple[str, ...] | None = None
    wire: list[Exchange] = field(default_factory=list)
    note: str = ""  # e.g. why not applicable, stderr excerpt
    duration: float = 0.0
    command: str | None = None  # the reproduction, secrets as $VARIABLES

    @classmethod
    def not_applicable(cls, why: str) -> Observation:
        return cls(outcome="not_applicable", note=why)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["wire"] = [asdict(x.redacted()) for x in self.wire]
        return d


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pick_headers(headers) -> dict:
    """Lowercase the names and keep the headers of interest (ETag quotes kept: they are part of S3's answer)."""
    low = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    return {k: low[k] for k in HEADERS_OF_INTEREST if k in low}


def pick_metadata(headers) -> dict:
    low = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    return {k[len("x-amz-meta-"):]: v for k, v in low.items() if k.startswith("x-amz-meta-")}
