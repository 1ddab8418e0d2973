"""The raw signed HTTP client ("http"): requests no SDK sends, built and signed here and sent with urllib.

It exists for what a real client cannot express: a request with one thing wrong on purpose (clock skew, a body that
contradicts its signed hash, a wrong Content-MD5, a tampered chunk signature or trailer checksum, presigned
X-Amz-Expires out of range, a non-numeric max-keys), aws-chunked bodies on plain HTTP (boto3 sends them over TLS
only), and response-* overrides. Signatures come from botocore's own SigV4 signer (S3SigV4Auth, S3SigV4QueryAuth);
the chunk signatures follow https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html. Nothing here uses
the emulator's code: the harness stays independent of what it judges.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import platform
import zlib
from urllib.parse import quote, urlencode, urlsplit

import botocore
from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from harness.http import fetch
from harness.observation import OBSERVABLE, Observation
from harness.steps import ChunkedPut, Framing, Get, GetOverrides, Put, Step, Tamper, Tampered
from harness.targets import Target

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
SKEW = datetime.timedelta(minutes=16)  # beyond S3's 15 minutes (RequestTimeTooSkewed)
CHUNK = 64 * 1024


class _Signer(S3SigV4Auth):
    """botocore's S3 SigV4 signer with a chosen x-amz-content-sha256 and a chosen clock."""

    def __init__(self, creds: BotoCredentials, region: str, payload_hash: str | None, when: datetime.datetime):
        super().__init__(creds, "s3", region)
        self._payload_hash = payload_hash
        self._when = when

    def payload(self, request):
        return self._payload_hash or hashlib.sha256(request.body or b"").hexdigest()

    def add_auth(self, request):  # botocore's add_auth, with self._when instead of the current time
        request.context["timestamp"] = self._when.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        string_to_sign = self.string_to_sign(request, self.canonical_request(request))
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


class WireDriver:
    name = "http"
    expresses = frozenset({"wire", "response-overrides"})
    observes = OBSERVABLE
    returns_response_fields = True  # it is the harness itself: every field it reads is "returned"

    def __init__(self, target: Target, variant: str = "sigv4"):
        self.target = target
        self.variant = variant

    def version(self) -> str:
        return f"urllib (Python {platform.python_version()}) signed by botocore {botocore.__version__}"

    def settings(self) -> dict:
        return {"endpoint_url": self.target.endpoint_url, "addressing": self.target.addressing_style,
                "signer": "botocore S3SigV4Auth / S3SigV4QueryAuth; chunk signatures per sigv4-streaming.html"}

    def adapt(self, step: Step) -> Step | str:
        if isinstance(step, (Tampered, ChunkedPut, GetOverrides, Put)):
            return step
        if isinstance(step, Get) and not step.conditions.any():
            return step  # e.g. reading back what a ChunkedPut stored
        return "the raw signed HTTP client sends only what real clients cannot (judged through the real clients)"

    def reproduction(self, step: Step) -> str:
        return f"# a request built by harness/drivers/wire/driver.py: {step!r}"

    def close(self) -> None:
        pass

    # ------------------------------------------------------------ requests
    def url(self, key: str | None = None, query: dict | None = None) -> str:
        t = self.target
        parts = urlsplit(t.endpoint_url)
        path = "/" + quote(t.key(key), safe="/~") if key is not None else "/"
        if t.addressing_style == "virtual" and t.vhost_template:
            host = t.vhost_template % {"bucket": t.bucket}
            if parts.port and ":" not in host:
                host += f":{parts.port}"
        else:
            host, path = parts.netloc, f"/{t.bucket}" + path
        return f"{parts.scheme}://{host}{path}" + (("?" + urlencode(query, quote_via=quote)) if query else "")

    def _creds(self) -> BotoCredentials:
        c = self.target.credentials
        return BotoCredentials(c.access_key, c.secret_key)

    def _signed(self, method: str, url: str, headers: dict, body: bytes = b"", payload_hash: str | None = None,
                when: datetime.datetime | None = None) -> AWSRequest:
        if method == "PUT":
            # urllib would add application/x-www-form-urlencoded to a request with a body: name S3's default instead
            headers = {"Content-Type": "binary/octet-stream", **headers}
        req = AWSRequest(method=method, url=url, headers=headers, data=body)
        when = when or datetime.datetime.now(datetime.timezone.utc)
        _Signer(self._creds(), self.target.region, payload_hash, when).add_auth(req)
        return req

    def _send(self, req: AWSRequest, body: bytes | None = None) -> Observation:
        data = req.body if body is None else body
        return fetch(self.target, req.url, req.method, dict(req.headers.items()), data or None)

    def run(self, step: Step) -> Observation:
        if isinstance(step, Tampered):
            return self._tampered(step.inner, step.how)
        if isinstance(step, ChunkedPut):
            return self._chunked(step.key, step.body, step.framing, tamper=None)
        if isinstance(step, GetOverrides):
            return self._send(self._signed("GET", self.url(step.key, dict(step.overrides)), {}))
        if isinstance(step, Get):
            return self._send(self._signed("GET", self.url(step.key), {"Range": step.range} if step.range else {}))
        if isinstance(step, Put):
            headers = {f"x-amz-meta-{k}": v for k, v in step.metadata}
            headers.update({k.title(): v for k, v in step.headers})
            if step.content_type:
                headers["Content-Type"] = step.content_type
            return self._send(self._signed("PUT", self.url(step.key), headers, step.body))
        raise TypeError(f"the wire driver cannot run {step!r}")

    def _tampered(self, inner: Step, how: Tamper) -> Observation:
        now = datetime.datetime.now(datetime.timezone.utc)
        if how in (Tamper.CLOCK_AHEAD, Tamper.CLOCK_BEHIND):
            when = now + SKEW if how is Tamper.CLOCK_AHEAD else now - SKEW
            return self._send(self._signed("GET", self.url(inner.key), {}, when=when))
        if how is Tamper.PAYLOAD_HASH:
            other = hashlib.sha256(inner.body + b"!").hexdigest()
            return self._send(self._signed("PUT", self.url(inner.key), {}, inner.body, payload_hash=other))
        if how is Tamper.CONTENT_MD5:
            md5 = base64.b64encode(hashlib.md5(inner.body + b"!").digest()).decode()
            return self._send(self._signed("PUT", self.url(inner.key), {"Content-MD5": md5}, inner.body))
        if how is Tamper.CHUNK_SIGNATURE:
            return self._chunked(inner.key, inner.body, Framing.SIGNED_CHUNKS, tamper=how)
        if how is Tamper.TRAILER_CHECKSUM:
            return self._chunked(inner.key, inner.body, Framing.UNSIGNED_TRAILER, tamper=how)
        if how in (Tamper.EXPIRES_TOO_LONG, Tamper.EXPIRES_NEGATIVE, Tamper.EXPIRES_ZERO):
            expires = {Tamper.EXPIRES_TOO_LONG: 604801, Tamper.EXPIRES_NEGATIVE: -1, Tamper.EXPIRES_ZERO: 0}[how]
            req = AWSRequest(method="GET", url=self.url(inner.key), headers={})
            S3SigV4QueryAuth(self._creds(), "s3", self.target.region, expires=expires).add_auth(req)
            return self._send(req)
        if how is Tamper.MAX_KEYS_NOT_A_NUMBER:
            query = {"prefix": self.target.key(inner.prefix), "max-keys": "abc"}
            return self._send(self._signed("GET", self.url(None, query), {}))
        raise ValueError(how)

    # ------------------------------------------------------------ aws-chunked
    def _chunked(self, key: str, body: bytes, framing: Framing, tamper: Tamper | None) -> Observation:
        when = datetime.datetime.now(datetime.timezone.utc)
        pieces = [body[i:i + CHUNK] for i in range(0, len(body), CHUNK)]
        headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(body))}
        if framing is Framing.UNSIGNED_TRAILER:
            crc = zlib.crc32(body + (b"!" if tamper is Tamper.TRAILER_CHECKSUM else b""))
            trailer = base64.b64encode(crc.to_bytes(4, "big")).decode()
            encoded = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces)
            encoded += b"0\r\nx-amz-checksum-crc32:" + trailer.encode() + b"\r\n\r\n"
            headers["x-amz-trailer"] = "x-amz-checksum-crc32"
            headers["Content-Length"] = str(len(encoded))
            req = self._signed("PUT", self.url(key), headers, b"", payload_hash=framing.value, when=when)
            return self._send(req, encoded)
        headers["Content-Length"] = str(_signed_length(pieces))
        req = self._signed("PUT", self.url(key), headers, b"", payload_hash=framing.value, when=when)
        seed = req.headers["Authorization"].rsplit("Signature=", 1)[1]
        encoded = self._signed_frames(pieces, when, seed=seed, tamper=tamper is Tamper.CHUNK_SIGNATURE)
        return self._send(req, encoded)

    def _signed_frames(self, pieces: list[bytes], when: datetime.datetime, seed: str = "0" * 64,
                       tamper: bool = False) -> bytes:
        """The body as signed chunks; the chain starts from the header's signature (sigv4-streaming.html)."""
        date, stamp = when.strftime("%Y%m%d"), when.strftime(SIGV4_TIMESTAMP)
        scope = f"{date}/{self.target.region}/s3/aws4_request"
        key = _signing_key(self.target.credentials.secret_key, date, self.target.region)
        out, previous = [], seed
        for i, piece in enumerate([*pieces, b""]):
            to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", stamp, scope, previous, EMPTY_SHA256,
                                 hashlib.sha256(piece).hexdigest()])
            signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            previous = signature
            if tamper and i == 0:
                signature = ("0" if signature[0] != "0" else "1") + signature[1:]
            out.append(b"%x;chunk-signature=%s\r\n%s\r\n" % (len(piece), signature.encode(), piece))
        return b"".join(out)


def _signed_length(pieces: list[bytes]) -> int:
    """The encoded length of the signed chunks (and the final empty one): the header must be signed before the chunk
    signatures can be computed, and every signature is 64 hex digits, so the length is known without them."""
    frame = len(";chunk-signature=") + 64 + 4  # + two CRLFs
    return sum(len(f"{len(p):x}") + frame + len(p) for p in [*pieces, b""])


def _signing_key(secret: str, date: str, region: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
