"""The load users' signer (cached signing key) against botocore's own S3SigV4Auth, request by request."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness.load import s3ops
from harness.load.sigv4 import UNSIGNED_PAYLOAD, Signer

NOW = 1795996000.0  # fixed: both signers get the same time


def botocore_headers(method: str, url: str, headers: dict, body: bytes | None, payload: str) -> dict:
    req = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
    # botocore sends UNSIGNED-PAYLOAD only over HTTPS with payload signing off (its _should_sha256_sign_payload)
    req.context["payload_signing_enabled"] = payload != UNSIGNED_PAYLOAD
    S3SigV4Auth(Credentials("AKIAEXAMPLE", "secret/with+chars"), "s3", "eu-west-3").add_auth(req)
    return dict(req.headers)


def epoch(amz_date: str) -> float:
    return datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


@pytest.mark.parametrize("style", ["path", "virtual"])
@pytest.mark.parametrize("method, key, params, body", [
    ("GET", "s3-conformance/r/load/k0001", None, None),
    ("HEAD", "s3-conformance/r/load/k0002", None, None),
    ("DELETE", "s3-conformance/r/load/k0003", None, None),
    ("PUT", "s3-conformance/r/load/k0004", None, b"hello"),
    ("PUT", "s3-conformance/r/load/k0005", None, b"x" * 300_000),  # above the limit: UNSIGNED-PAYLOAD
    ("GET", "s3-conformance/r/load/ key with spaces+plus%", None, None),
    ("GET", None, {"prefix": "s3-conformance/r/load/", "max-keys": "1000"}, None),
])
def test_signature_equals_botocore(style, method, key, params, body):
    scheme = "https" if body and len(body) > 256 * 1024 else "http"
    ep = s3ops.Endpoint.of(f"{scheme}://127.0.0.1:9000", "load", style, "%(bucket)s.stdcdn.test")
    signer = Signer("AKIAEXAMPLE", "secret/with+chars", "eu-west-3")
    headers = {}
    if body is not None:
        headers, _ = s3ops.put_headers("tok", body)
    host, path = ep.object_path(key) if key else ep.bucket_path()
    ours = s3ops.sign_request(signer, ep, method, host, path, params, headers, body, now=NOW)
    payload = ours.headers["x-amz-content-sha256"]
    if body and len(body) > 256 * 1024:
        assert payload == UNSIGNED_PAYLOAD
    else:
        assert payload == hashlib.sha256(body or b"").hexdigest()
    theirs = botocore_headers(method, ours.url, headers, body, payload)  # signs at its own clock's time
    ours = s3ops.sign_request(signer, ep, method, host, path, params, headers, body, now=epoch(theirs["X-Amz-Date"]))
    assert ours.headers["x-amz-date"] == theirs["X-Amz-Date"]
    assert ours.headers["Authorization"] == theirs["Authorization"]


def test_the_signing_key_is_cached_per_day():
    s = Signer("AK", "SK")
    s.sign("GET", "h", "/b/k", now=NOW)
    key = s._key  # noqa: SLF001
    s.sign("GET", "h", "/b/k2", now=NOW + 60)
    assert s._key is key  # noqa: SLF001 - same day: not derived again
    s.sign("GET", "h", "/b/k", now=NOW + 86400)
    assert s._key != key  # noqa: SLF001
