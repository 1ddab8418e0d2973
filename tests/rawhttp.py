"""Raw HTTP requests signed by botocore's own signer (an implementation independent of ours)."""

from __future__ import annotations

import http.client
import ssl
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .conftest import ACCESS_KEY, SECRET_KEY


def connection(emu, timeout: float = 10) -> http.client.HTTPConnection:
    parts = urlsplit(emu.endpoint_url)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context(cafile=emu.ca_file)
        )
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def sign(
    emu,
    method: str,
    target: str,
    headers: dict | None = None,
    body: bytes = b"",
    *,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
    region: str = "us-east-1",
    host: str | None = None,
) -> dict:
    request = AWSRequest(method=method, url=emu.endpoint_url + target, data=body, headers=dict(headers or {}))
    if host:
        request.headers["Host"] = host
    signer = S3SigV4Auth(Credentials(access_key, secret_key), "s3", region)
    request.headers["x-amz-content-sha256"] = request.headers.get("x-amz-content-sha256") or _sha(body)
    signer.add_auth(request)
    return dict(request.headers.items())


def _sha(body: bytes) -> str:
    import hashlib

    return hashlib.sha256(body).hexdigest()


def send(emu, method: str, target: str, headers: dict, body: bytes = b"") -> tuple[int, dict, bytes]:
    conn = connection(emu)
    try:
        conn.request(method, target, body=body or None, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def signed_request(emu, method: str, target: str, headers: dict | None = None, body: bytes = b"", **kw):
    return send(emu, method, target, sign(emu, method, target, headers, body, **kw), body)
