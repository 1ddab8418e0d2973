"""A plain HTTP fetch (urllib) through the target's proxy / CA, for presigned URLs and raw probes."""

from __future__ import annotations

import re
import ssl
import time
import urllib.error
import urllib.request

from harness.observation import Exchange, Observation, digest, outcome_for_status, pick_headers, pick_metadata
from harness.targets import Target


def opener(target: Target) -> urllib.request.OpenerDirector:
    handlers: list = []
    ctx = ssl.create_default_context(cafile=target.ca_bundle) if target.ca_bundle else ssl.create_default_context()
    handlers.append(urllib.request.HTTPSHandler(context=ctx))
    proxies = {"http": target.proxy_url, "https": target.proxy_url} if target.proxy_url else {}
    handlers.append(urllib.request.ProxyHandler(proxies))
    return urllib.request.build_opener(*handlers)


def error_code(body: bytes) -> str | None:
    m = re.search(rb"<Code>([^<]*)</Code>", body or b"")
    return m.group(1).decode() if m else None


def fetch(target: Target, url: str, method: str = "GET", headers: dict | None = None,
          data: bytes | None = None, timeout: float = 30.0) -> Observation:
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    started = time.time()
    try:
        resp = opener(target).open(req, timeout=timeout)
        status, hdrs, body = resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        status, hdrs, body = e.code, dict(e.headers.items()), e.read()
    except OSError as e:
        ex = Exchange(method, url, dict(headers or {}), None, {}, started, time.time() - started, repr(e))
        return Observation("transport_error", note=repr(e)[:300], wire=[ex], duration=time.time() - started)
    duration = time.time() - started
    ex = Exchange(method, url, dict(headers or {}), status, hdrs, started, duration)
    ok = 200 <= status < 300
    return Observation(
        outcome=outcome_for_status(status), status=status, error_code=None if ok else error_code(body),
        headers=pick_headers(hdrs), metadata=pick_metadata(hdrs),
        body_sha256=digest(body) if ok and method == "GET" else None,
        body_size=len(body) if ok and method == "GET" else None, wire=[ex], duration=duration)
