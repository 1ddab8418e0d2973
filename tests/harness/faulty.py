"""A small faulty reverse proxy on 127.0.0.1 in front of a real endpoint (the emulator): it forwards every request
unchanged (Host included, so SigV4 signatures stay valid) and breaks the answer in one chosen way."""

from __future__ import annotations

import http.client
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


def _is_list_v2(path: str) -> bool:
    return "list-type=2" in path


class Fault:
    """Override any of these; each returns the (possibly) changed value."""

    name = "none"

    def request(self, method: str, path: str, headers: dict) -> tuple[str, dict]:
        return path, headers

    def response(self, method: str, path: str, status: int, headers: list, body: bytes):
        return status, headers, body


def _drop(headers: list, pred) -> list:
    return [(k, v) for k, v in headers if not pred(k.lower())]


def _set(headers: list, name: str, value: str) -> list:
    return _drop(headers, lambda k: k == name.lower()) + [(name, value)]


class DropMetadata(Fault):
    name = "drops x-amz-meta-* on GET/HEAD"

    def response(self, method, path, status, headers, body):
        return status, _drop(headers, lambda k: k.startswith("x-amz-meta-")), body


class IgnoreRange(Fault):
    name = "ignores Range"

    def request(self, method, path, headers):
        return path, {k: v for k, v in headers.items() if k.lower() != "range"}


class WrongEtag(Fault):
    name = "answers PUT with a wrong ETag"

    def response(self, method, path, status, headers, body):
        if method == "PUT":
            headers = _set(headers, "ETag", '"00000000000000000000000000000000"')
        return status, headers, body


class TruncateBody(Fault):
    name = "truncates GET bodies to half (consistent Content-Length)"

    def response(self, method, path, status, headers, body):
        if method == "GET" and status in (200, 206) and len(body) > 1 and "prefix=" not in path and path.count("/") > 1:
            body = body[: len(body) // 2]
            headers = _set(headers, "Content-Length", str(len(body)))
        return status, headers, body


class DropContentType(Fault):
    name = "drops Content-Type on GET/HEAD of objects"

    def response(self, method, path, status, headers, body):
        if method in ("GET", "HEAD") and "?" not in path and path.count("/") > 1:
            headers = _drop(headers, lambda k: k == "content-type")
        return status, headers, body


class WrongNextMarker(Fault):
    name = "returns a NextMarker one entry too early"

    def response(self, method, path, status, headers, body):
        if method == "GET" and b"<NextMarker>" in body:
            prefixes = re.findall(rb"<CommonPrefixes><Prefix>([^<]*)</Prefix></CommonPrefixes>", body)
            keys = re.findall(rb"<Key>([^<]*)</Key>", body)
            entries = sorted(prefixes + keys)
            if len(entries) >= 2:
                body = re.sub(rb"<NextMarker>[^<]*</NextMarker>", b"<NextMarker>" + entries[-2] + b"</NextMarker>",
                              body)
                headers = _set(headers, "Content-Length", str(len(body)))
        return status, headers, body


class V1BodyForV2(Fault):
    name = "answers list-type=2 with a V1 ListBucketResult (200)"

    BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<Name>b</Name><Prefix></Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
            b"</ListBucketResult>")

    def response(self, method, path, status, headers, body):
        if _is_list_v2(path):
            return 200, [("Content-Type", "application/xml"), ("Content-Length", str(len(self.BODY)))], self.BODY
        return status, headers, body


class SigV2Accepted(Fault):
    """Cannot make the backend accept SigV2; instead turns any 403 into a 200 with an empty body."""

    name = "turns 403 into 200"

    def response(self, method, path, status, headers, body):
        if status == 403:
            return 200, _set(headers, "Content-Length", "0"), b""
        return status, headers, body


class SigV2As403(Fault):
    """Our own earlier answer to SigV2 (403 AccessDenied) where AWS says 400 InvalidRequest."""

    name = "answers SigV2 with 403"

    def response(self, method, path, status, headers, body):
        if status == 400 and b"<Code>InvalidRequest</Code>" in body and b"AWS4-HMAC-SHA256" in body:
            body = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code></Error>"
            return 403, _set(headers, "Content-Length", str(len(body))), body
        return status, headers, body


XML = b'<?xml version="1.0" encoding="UTF-8"?>\n'
AWS_SIGV2 = (XML + b"<Error><Code>InvalidRequest</Code><Message>The authorization mechanism you have provided is not "
             b"supported. Please use AWS4-HMAC-SHA256.</Message></Error>")
AWS_EXPIRES = (XML + b"<Error><Code>AuthorizationQueryParametersError</Code><Message>X-Amz-Expires must be less than "
               b"a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds</Message>"
               b"</Error>")


class AwsFaithful(Fault):
    """Answers SigV2 (header or query) and an over-long X-Amz-Expires with AWS's own bytes, whatever the backend
    says (issue 9: an endpoint that answers like AWS must show no gap for these checks). AWS's answers: the S3 error
    table and aws/aws-cli#5464 (see harness/rules.py, auth.sigv2-*, auth.presign-expires-range)."""

    name = "answers like AWS"

    def __init__(self):
        self._local = threading.local()  # the proxy serves requests on several threads

    def request(self, method, path, headers):
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        query = parse_qs(urlsplit(path).query)
        expires = query.get("X-Amz-Expires", ["0"])[0]
        self._local.canned = None
        if auth.startswith("AWS ") or "AWSAccessKeyId" in query:
            self._local.canned = AWS_SIGV2
        elif expires.lstrip("-").isdigit() and int(expires) > 604800:
            self._local.canned = AWS_EXPIRES
        return path, headers

    def response(self, method, path, status, headers, body):
        canned = getattr(self._local, "canned", None)
        if canned is not None:
            return 400, [("Content-Type", "application/xml"), ("Content-Length", str(len(canned)))], canned
        return status, headers, body


class DropRequestHeader(Fault):
    """Forwards the request without one header: the endpoint ignores it (e.g. If-None-Match)."""

    def __init__(self, header: str):
        self.header = header.lower()
        self.name = f"ignores {header}"

    def request(self, method, path, headers):
        return path, {k: v for k, v in headers.items() if k.lower() != self.header}


class Several(Fault):
    """Several faults at once (each applied in turn)."""

    def __init__(self, *faults: Fault):
        self.faults = faults
        self.name = " + ".join(f.name for f in faults)

    def request(self, method, path, headers):
        for f in self.faults:
            path, headers = f.request(method, path, headers)
        return path, headers

    def response(self, method, path, status, headers, body):
        for f in self.faults:
            status, headers, body = f.response(method, path, status, headers, body)
        return status, headers, body


class FaultyProxy:
    def __init__(self, upstream_url: str, fault: Fault):
        self.upstream = urlsplit(upstream_url)
        self.fault = fault
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "expect"}
                path, headers = proxy.fault.request(self.command, self.path, headers)
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                conn.putrequest(self.command, path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers.items():
                    conn.putheader(k, v)
                conn.endheaders(body or None)
                resp = conn.getresponse()
                data = resp.read()
                rheaders = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
                status, rheaders, data = proxy.fault.response(self.command, self.path, resp.status, rheaders, data)
                conn.close()
                if self.command != "HEAD" and not any(k.lower() == "content-length" for k, _ in rheaders):
                    rheaders.append(("Content-Length", str(len(data))))
                self.send_response(status)
                for k, v in rheaders:
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD" and data:
                    self.wfile.write(data)

            do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
