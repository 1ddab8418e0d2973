"""Loaded by the subprocess clients (s3cmd, aws) through PYTHONPATH when HARNESS_WIRE_LOG is set.

It records each HTTP exchange the client library makes (request line, headers, status, response headers,
timings) as one JSON line in HARNESS_WIRE_LOG. Authorization and signatures are redacted here, in the child,
so no credential material is ever written. The client code itself runs unchanged.
HARNESS_WIRE_MODE: "http.client" (s3cmd) or "botocore" (aws CLI: botocore.endpoint.Endpoint._send).
"""

import json
import os
import re
import time

_LOG = os.environ.get("HARNESS_WIRE_LOG")
_MODE = os.environ.get("HARNESS_WIRE_MODE", "http.client")
_SIG = re.compile(r"((?:X-Amz-Signature|Signature|X-Amz-Credential|AWSAccessKeyId|X-Amz-Security-Token)=)[^&\s]*",
                  re.IGNORECASE)


def _redact(headers):
    out = {}
    for k, v in headers.items():
        if isinstance(v, bytes):
            v = v.decode("latin-1")
        v = str(v)
        if k.lower() in ("authorization", "proxy-authorization", "x-amz-security-token"):
            m = re.match(r"(AWS4-HMAC-SHA256|AWS)\s", v)
            s = re.search(r"SignedHeaders=([^,\s]+)", v)
            v = (m.group(1) + " " if m else "") + "REDACTED" + (" SignedHeaders=" + s.group(1) if s else "")
        out[str(k)] = v
    return out


def _write(rec):
    rec["url"] = _SIG.sub(r"\1REDACTED", rec["url"])
    rec["request_headers"] = _redact(rec.get("request_headers", {}))
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(rec) + "\n").encode())
    finally:
        os.close(fd)


def _install_http_client():
    import http.client as hc

    orig_putrequest = hc.HTTPConnection.putrequest
    orig_putheader = hc.HTTPConnection.putheader
    orig_getresponse = hc.HTTPConnection.getresponse

    def putrequest(self, method, url, *a, **k):
        scheme = "https" if isinstance(self, hc.HTTPSConnection) else "http"
        self._harness_rec = {"method": method, "url": url, "request_headers": {}, "started": time.time(),
                             "_scheme": scheme}
        return orig_putrequest(self, method, url, *a, **k)

    def putheader(self, header, *values):
        rec = getattr(self, "_harness_rec", None)
        if rec is not None:
            h = header.decode("latin-1") if isinstance(header, bytes) else header
            rec["request_headers"][h] = ", ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v)
                                                  for v in values)
        return orig_putheader(self, header, *values)

    def getresponse(self, *a, **k):
        rec = getattr(self, "_harness_rec", None)
        self._harness_rec = None
        try:
            resp = orig_getresponse(self, *a, **k)
        except Exception as e:
            if rec is not None:
                rec.update(status=None, response_headers={}, duration=time.time() - rec["started"],
                           error=type(e).__name__ + ": " + str(e)[:200])
                _finish(rec)
            raise
        if rec is not None:
            rec.update(status=resp.status, response_headers=dict(resp.getheaders()),
                       duration=time.time() - rec["started"], error=None)
            _finish(rec)
        return resp

    def _finish(rec):
        url = rec["url"]
        if url.startswith("/"):
            host = rec["request_headers"].get("Host") or rec["request_headers"].get("host") or ""
            url = rec["_scheme"] + "://" + host + url
        rec["url"] = url
        rec.pop("_scheme", None)
        _write(rec)

    hc.HTTPConnection.putrequest = putrequest
    hc.HTTPConnection.putheader = putheader
    hc.HTTPConnection.getresponse = getresponse


def _install_botocore():
    import botocore.endpoint as ep

    orig_send = ep.Endpoint._send

    def _send(self, request):
        rec = {"method": request.method, "url": request.url, "request_headers": dict(request.headers.items()),
               "started": time.time()}
        try:
            resp = orig_send(self, request)
        except Exception as e:
            rec.update(status=None, response_headers={}, duration=time.time() - rec["started"],
                       error=type(e).__name__ + ": " + str(e)[:200])
            _write(rec)
            raise
        rec.update(status=resp.status_code, response_headers=dict(resp.headers.items()),
                   duration=time.time() - rec["started"], error=None)
        _write(rec)
        return resp

    ep.Endpoint._send = _send


if _LOG:
    try:
        if _MODE == "botocore":
            _install_botocore()
        else:
            _install_http_client()
    except Exception:  # never break the client; the harness notices the missing log
        pass
