"""SigV4 header signing for the load users, with the signing key cached per day.

Because a Locust worker must sign thousands of requests per second on one core, this skips botocore's general
machinery (AWSRequest, header copies, credential refresh) and keeps the derived signing key, which only changes with
the date (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#derive-signing-key).
Only what the load users send is supported: path-style or virtual-host URLs with an already-encoded path, a query of
simple pairs, and x-amz-* / host / content-* headers. ``tests/load/test_sigv4.py`` checks every signature it makes
against botocore's own S3SigV4Auth for the same request and time.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def uri_encode(s: str, *, encode_slash: bool = True) -> str:
    """AWS UriEncode: everything but A-Za-z0-9-_.~ (and '/' in paths) percent-encoded, UTF-8."""
    return quote(s, safe="-_.~" + ("" if encode_slash else "/"))


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{uri_encode(k)}={uri_encode(v)}" for k, v in sorted(params.items()))


@dataclass
class Signer:
    """Signs S3 requests for one credential and region; not thread-safe (one per Locust user or per greenlet)."""

    access_key: str
    secret_key: str = field(repr=False)
    region: str = "us-east-1"
    service: str = "s3"
    _day: str = field(default="", repr=False)
    _key: bytes = field(default=b"", repr=False)

    def signing_key(self, day: str) -> bytes:
        if day != self._day:
            k = hmac.new(("AWS4" + self.secret_key).encode(), day.encode(), hashlib.sha256).digest()
            for part in (self.region, self.service, "aws4_request"):
                k = hmac.new(k, part.encode(), hashlib.sha256).digest()
            self._day, self._key = day, k
        return self._key

    def sign(self, method: str, host: str, path: str, params: dict[str, str] | None = None,
             headers: dict[str, str] | None = None, payload_hash: str = EMPTY_SHA256,
             now: float | None = None) -> dict[str, str]:
        """The headers to send: ``headers`` plus Host-less x-amz-date, x-amz-content-sha256 and Authorization.

        ``path`` is the canonical (already UriEncoded, '/' kept) path, as sent on the wire."""
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
        day = amz_date[:8]
        out = dict(headers or {})
        out["x-amz-date"] = amz_date
        out["x-amz-content-sha256"] = payload_hash
        signed = {"host": host, **{k.lower(): " ".join(str(v).split()) for k, v in out.items()}}
        names = sorted(signed)
        canonical = "\n".join([method, path, canonical_query(params or {}),
                               "".join(f"{n}:{signed[n]}\n" for n in names), ";".join(names), payload_hash])
        scope = f"{day}/{self.region}/{self.service}/aws4_request"
        to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        sig = hmac.new(self.signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        out["Authorization"] = (f"{ALGORITHM} Credential={self.access_key}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={sig}")
        return out


def signer_rate(signer: Signer, seconds: float = 0.2, limit: int = 20000) -> float:
    """Signatures per second this process makes (bounded in time and count): the generator's signing capacity."""
    start = time.perf_counter()
    n = 0
    while n < limit:
        signer.sign("GET", "bench.invalid", f"/bucket/s3-conformance/x/load/k{n:05d}")
        n += 1
        if n % 200 == 0 and time.perf_counter() - start > seconds:
            break
    return n / max(time.perf_counter() - start, 1e-9)
