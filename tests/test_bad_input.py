"""A catalogue of malformed requests, written byte by byte to a raw socket (issue 5, "Bad input").

Each row of CATALOGUE is one request the emulator must survive: what is sent, how the client behaves afterwards
(waits, half-closes, stalls, sends one byte at a time), and the answer S3 gives, with the document it comes from.
After every row the test checks that the emulator still serves another client (a signed ListBuckets and a
HeadBucket on a fresh connection answer 200) and that no internal error was recorded (``emu.check()``).

Where HTTP itself is broken so that no S3 answer is possible (garbage, invalid framing), the row expects
``HTTP_LEVEL``: the connection is closed, or answered 400 without a Python traceback and then closed (RFC 9112
section 11.2: after a framing error the connection cannot be reused). Where S3 documents no answer, the row takes
the closest S3 code and says why.

References, abbreviated in the rows:
  ERR    https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
  AUTH   https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
  HDR    https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
  QUERY  https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
  STREAM https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html (+ sigv4-streaming-trailers.html)
  GET    https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
  PUT    https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
  LIST   https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
  KEYS   https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
  INTEG  https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
  RFC 9110 (HTTP semantics), RFC 9112 (HTTP/1.1), RFC 3986 (URI)
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import socket
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from emulator import Emulator, sigv4
from emulator.accounts import Account
from emulator.config import BucketSpec, EmulatorConfig

from .conftest import ACCESS_KEY, BUCKET, DOMAIN, SECRET_KEY

REGION = "us-east-1"
BODY_TIMEOUT = 1.0  # the emulator's idle-body timeout for this module: stalled uploads end in about a second
READ_TIMEOUT = 5.0  # the longest the test waits for any answer; past it the emulator is hanging
OBJ = "bad-input/obj10"  # a 10-byte object the Range rows read
OBJ_BODY = b"0123456789"
IDLE_CONNECTIONS = 20
HUGE_HEADER = "a" * 9000  # over S3's 8 KiB header section (RequestHeaderSectionTooLarge, MaxSizeAllowed 8192)


# ---------------------------------------------------------------------------------------------------------------
# The wire: raw requests, signed with the pure SigV4 functions (sigv4.sign_headers / presign_url).
# ---------------------------------------------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Wire:
    """Builds request bytes for one running emulator."""

    def __init__(self, emu: Emulator) -> None:
        self.host = f"127.0.0.1:{emu.port}"
        self.port = emu.port

    def signed(
        self,
        method: str,
        target: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        *,
        payload: str | None = None,
        when: datetime.datetime | None = None,
        region: str = REGION,
        access_key: str = ACCESS_KEY,
        length: bool | None = None,
    ) -> bytes:
        """A SigV4-signed request: head and body. ``length`` adds Content-Length (default: for PUT or a body)."""
        h = {"host": self.host, **(headers or {})}
        if length or (length is None and (body or method == "PUT")):
            h.setdefault("content-length", str(len(body)))
        payload = payload or hashlib.sha256(body).hexdigest()
        h.update(
            sigv4.sign_headers(
                method, f"http://{self.host}{target}", h, payload, access_key, SECRET_KEY, region, when or _now()
            )
        )
        return _head(method, target, h) + body

    def get(self, target: str, **kw) -> bytes:
        return self.signed("GET", target, **kw)

    def put(self, key: str, body: bytes = b"x", headers: dict[str, str] | None = None, **kw) -> bytes:
        return self.signed("PUT", f"/{BUCKET}/{key}", headers, body, **kw)

    def with_authorization(self, edit: Callable[[str], str]) -> bytes:
        """A signed ListObjects whose Authorization value is replaced by ``edit(value)``."""
        request = self.get(f"/{BUCKET}")
        value = re.search(rb"\r\nAuthorization: ([^\r]*)\r\n", request).group(1).decode()
        return request.replace(value.encode(), edit(value).encode("latin-1"))

    def presigned(
        self,
        target: str,
        *,
        when: datetime.datetime | None = None,
        expires: int = 300,
        edit: Callable[[str], str] = lambda t: t,
    ) -> bytes:
        url = sigv4.presign_url(
            "GET", f"http://{self.host}{target}", ACCESS_KEY, SECRET_KEY, REGION, when or _now(), expires
        )
        return _head("GET", edit(url.split(self.host, 1)[1]), {"host": self.host})

    def aws_chunked(
        self,
        key: str,
        chunks: list[bytes],
        *,
        final: bool = True,
        bad_signature: bool = False,
        sizes: list[int] | None = None,
        decoded: int | str | None = -1,
    ) -> bytes:
        """A STREAMING-AWS4-HMAC-SHA256-PAYLOAD PutObject; ``sizes`` overrides the declared chunk sizes,
        ``decoded`` the x-amz-decoded-content-length (-1: the true length, None: header left out)."""
        frames = [*chunks, b""] if final else list(chunks)
        sizes = sizes or [len(c) for c in frames]
        signature_field = len(";chunk-signature=") + 64
        wire_length = sum(len(f"{s:x}") + signature_field + 2 + len(c) + 2 for s, c in zip(sizes, frames, strict=True))
        when = _now()
        h = {"host": self.host, "content-encoding": "aws-chunked", "content-length": str(wire_length)}
        if decoded is not None:
            h["x-amz-decoded-content-length"] = str(sum(map(len, chunks)) if decoded == -1 else decoded)
        h.update(
            sigv4.sign_headers(
                "PUT",
                f"http://{self.host}/{BUCKET}/{key}",
                h,
                "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                ACCESS_KEY,
                SECRET_KEY,
                REGION,
                when,
            )
        )
        stamp = sigv4.amz_date(when)
        scope = sigv4.scope(stamp[:8], REGION, "s3")
        signing_key = sigv4.signing_key(SECRET_KEY, stamp[:8], REGION, "s3")
        previous = h["Authorization"].rsplit("Signature=", 1)[1]
        body = b""
        for size, chunk in zip(sizes, frames, strict=True):
            signature = sigv4.signature(signing_key, sigv4.chunk_string_to_sign(stamp, scope, previous, chunk))
            signature = "0" * 64 if bad_signature else signature
            body += f"{size:x};chunk-signature={signature}\r\n".encode() + chunk + b"\r\n"
            previous = signature
        assert len(body) == wire_length
        return _head("PUT", f"/{BUCKET}/{key}", h) + body

    def trailer_put(self, key: str, data: bytes, trailer_lines: bytes, declared: str = "x-amz-checksum-crc32") -> bytes:
        """A STREAMING-UNSIGNED-PAYLOAD-TRAILER PutObject (what boto3 sends over HTTPS) with the given trailers."""
        body = f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n" + trailer_lines + b"\r\n"
        headers = {
            "content-encoding": "aws-chunked",
            "x-amz-trailer": declared,
            "x-amz-decoded-content-length": str(len(data)),
        }
        return self.put(key, body, headers, payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER")

    def chunked_put(self, key: str, wire_body: bytes) -> bytes:
        """A PutObject with ``Transfer-Encoding: chunked`` (UNSIGNED-PAYLOAD) and the given framing."""
        head = self.signed(
            "PUT", f"/{BUCKET}/{key}", {"transfer-encoding": "chunked"}, payload="UNSIGNED-PAYLOAD", length=False
        )
        return head + wire_body


def _head(method: str, target: str, headers: dict[str, str]) -> bytes:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"{method} {target} HTTP/1.1\r\n{lines}\r\n".encode()


def _edit_header(request: bytes, name: bytes, value: bytes | None) -> bytes:
    """Replace (or, with None, drop) one header of a built request, after signing."""
    pattern = re.compile(rb"\r\n" + re.escape(name) + rb": [^\r]*", re.IGNORECASE)
    assert pattern.search(request), name
    return pattern.sub(b"" if value is None else b"\r\n" + name + b": " + value, request, count=1)


def _add_header(request: bytes, line: bytes) -> bytes:
    return request.replace(b"\r\n\r\n", b"\r\n" + line + b"\r\n\r\n", 1)


def _set_body(request: bytes, body: bytes) -> bytes:
    return request.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n" + body


def _tls_client_hello() -> bytes:
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing)
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


# ---------------------------------------------------------------------------------------------------------------
# Answers: what one case expects to read back.
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    version: str

    @property
    def code(self) -> str | None:
        found = re.search(rb"<Code>([^<]*)</Code>", self.body)
        return found.group(1).decode() if found else None

    def __str__(self) -> str:
        return f"{self.version} {self.status} {self.reason} code={self.code} body={self.body[:300]!r}"


class Closed(Exception):
    """The emulator closed (or reset) the connection before a complete response."""


class Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _more(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise AssertionError(f"no answer within {self.sock.gettimeout()} s: the emulator hangs") from None
        except (ConnectionResetError, BrokenPipeError):
            return False
        self.buffer += data
        return bool(data)

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            if not self._more():
                raise Closed(self.buffer)
        out, _, self.buffer = self.buffer.partition(marker)
        return out

    def _exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not self._more():
                raise Closed(self.buffer)
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def response(self, method: str = "GET") -> Response:
        """The next final response (1xx interim responses skipped); Closed if the connection ends first."""
        while True:
            head = self._until(b"\r\n\r\n").decode("latin-1")
            status_line, *lines = head.split("\r\n")
            version, status, *reason = status_line.split(" ", 2)
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if not 100 <= int(status) < 200:
                break
        status_code = int(status)
        if method in ("HEAD", "CONNECT") or status_code in (204, 304):
            body = b""
        elif "content-length" in headers:
            body = self._exactly(int(headers["content-length"]))
        elif "chunked" in headers.get("transfer-encoding", ""):
            body = b""
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                body += self._exactly(size)
                self._until(b"\r\n")
                if not size:
                    break
        else:
            body = self.rest()
        return Response(status_code, " ".join(reason), headers, body, version)

    def rest(self) -> bytes:
        while self._more():
            pass
        out, self.buffer = self.buffer, b""
        return out


def _no_traceback(data: bytes) -> None:
    assert b"Traceback" not in data and b'File "' not in data, f"a Python traceback reached the client: {data!r}"


class Expect:
    def check(self, reader: Reader, method: str) -> None:
        raise NotImplementedError


@dataclass
class S3(Expect):
    """An answer from the S3 layer: this status and (for errors with a body) this <Code>; ``alt`` lists other
    acceptable (status, code) pairs where the references allow more than one."""

    status: int
    code: str | None = None
    alt: tuple[tuple[int, str | None], ...] = ()

    def check(self, reader: Reader, method: str) -> None:
        try:
            response = reader.response(method)
        except Closed as closed:
            raise AssertionError(
                f"expected {self.status} {self.code}: the connection was closed after {closed.args[0]!r}"
            ) from None
        _no_traceback(response.body)
        wanted = {(self.status, self.code), *self.alt}
        got = (response.status, response.code if method != "HEAD" else None)
        assert got in wanted, f"expected {' or '.join(f'{s} {c}' for s, c in wanted)}; got {response}"
        assert "x-amz-request-id" in response.headers, f"not an answer of the S3 layer: {response}"
        if response.status >= 300 and method != "HEAD" and response.status != 304:
            assert response.headers.get("content-type") == "application/xml", str(response)


@dataclass
class HttpLevel(Expect):
    """HTTP that cannot be answered by S3: a clean close, or one of ``statuses`` without a traceback, then a close."""

    # llhttp reads garbage as an unknown method, which RFC 9110 9.1 answers 501; anything else malformed is 400.
    statuses: tuple[int, ...] = (400, 501)
    or_served: bool = False  # the references also allow serving the request (S3 200)

    def check(self, reader: Reader, method: str) -> None:
        try:
            response = reader.response(method)
        except Closed as closed:
            _no_traceback(closed.args[0])
            return
        _no_traceback(response.body)
        if self.or_served and response.status == 200 and "x-amz-request-id" in response.headers:
            return
        assert response.status in self.statuses, f"expected {self.statuses} or a close; got {response}"
        rest = reader.rest()
        _no_traceback(rest)
        assert not rest.startswith(b"HTTP/"), f"answered again on a connection whose framing is lost: {rest!r}"


HTTP_LEVEL = HttpLevel()


@dataclass
class Then(Expect):
    """Two answers on one connection, in order (pipelining, CONNECT tunnels)."""

    first: Expect
    second: Expect
    first_method: str = "GET"

    def check(self, reader: Reader, method: str) -> None:
        self.first.check(reader, self.first_method)
        self.second.check(reader, method)


@dataclass
class ConnectAnswer(Expect):
    """CONNECT: refused with an HTTP-level 400, or (when ``tunnel_ok``) `200` and then the request sent through
    the tunnel answered by the emulator itself (its proxy tunnels only to itself: server.py)."""

    tunnel_ok: bool

    def check(self, reader: Reader, method: str) -> None:
        try:
            response = reader.response("CONNECT")
        except Closed:
            return
        if response.status == 200 and self.tunnel_ok:
            S3(200).check(reader, "GET")
            return
        assert response.status == 400, f"a malformed CONNECT target must be refused (RFC 9112 3.2.3); got {response}"


# ---------------------------------------------------------------------------------------------------------------
# The catalogue. mode: "send" (write, read), "shut" (write, half-close, read), "stall" (write, keep the connection
# open and silent, read), "bytewise" (one byte per send), "idle" (build returns [prefix, rest]: IDLE_CONNECTIONS
# connections send prefix, other clients are served, then one of them sends rest).
# ``stored=False``: a refused PutObject leaves no object behind (PUT: "short body -> IncompleteBody and nothing
# stored", issue 2).
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    build: Callable[[Wire], bytes | list[bytes]]
    expect: Expect
    mode: str = "send"
    method: str = "GET"  # how to read the answer (HEAD answers have no body)
    stored: bool | None = None  # for PUT rows: whether bad-input/<id> must exist afterwards
    key: str = field(default="", repr=False)


def _k(case_id: str) -> str:
    return f"bad-input/{case_id}"


_CRC_HELLO = base64.b64encode(zlib.crc32(b"hello").to_bytes(4, "big"))
_STAMP_DAY = re.compile(r"/\d{8}/")

CATALOGUE: list[Case] = [
    # --- Authorization header shapes (AUTH: "AWS4-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..") ---
    # AUTH: the three components are required; S3 answers AuthorizationHeaderMalformed (ERR).
    Case(
        "auth-algorithm-only",
        lambda w: w.with_authorization(lambda v: "AWS4-HMAC-SHA256"),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    Case(
        "auth-no-signature",
        lambda w: w.with_authorization(lambda v: v.split(", Signature=")[0]),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    Case(
        "auth-no-credential",
        lambda w: w.with_authorization(lambda v: re.sub(r"Credential=[^,]*, ", "", v)),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    # AUTH: Credential is <key>/<yyyymmdd>/<region>/s3/aws4_request; other shapes are malformed (ERR).
    Case(
        "auth-credential-four-parts",
        lambda w: w.with_authorization(lambda v: v.replace("/aws4_request", "")),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    Case(
        "auth-credential-date-not-yyyymmdd",
        lambda w: w.with_authorization(lambda v: _STAMP_DAY.sub("/2024-1-1/", v, count=1)),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    # S3 answers a scope date other than the x-amz-date day with AuthorizationHeaderMalformed (ERR; auth.py cites
    # the S3 responses observed in akka/alpakka#1690).
    Case(
        "auth-credential-date-not-request-date",
        lambda w: w.with_authorization(lambda v: _STAMP_DAY.sub("/20200101/", v, count=1)),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    Case(
        "auth-credential-wrong-terminator",
        lambda w: w.with_authorization(lambda v: v.replace("aws4_", "aws5_")),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    Case(
        "auth-credential-wrong-service",
        lambda w: w.with_authorization(lambda v: v.replace("/s3/", "/ec2/")),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    # ERR: AuthorizationHeaderMalformed "the region 'x' is wrong; expecting 'us-east-1'" (clients re-send there).
    Case(
        "auth-credential-wrong-region",
        lambda w: w.get(f"/{BUCKET}", region="eu-west-1"),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    Case(
        "auth-credential-empty-region",
        lambda w: w.with_authorization(lambda v: v.replace(f"/{REGION}/", "//")),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    # ERR: InvalidAccessKeyId 403 for a key S3 does not know, whatever bytes it has.
    Case(
        "auth-unknown-access-key",
        lambda w: w.get(f"/{BUCKET}", access_key="AKIANOTAKNOWNKEY0000"),
        S3(403, "InvalidAccessKeyId"),
    ),
    Case(
        "auth-non-ascii-access-key",
        lambda w: w.with_authorization(lambda v: v.replace(ACCESS_KEY, "AK\xe9\xff")),
        S3(403, "InvalidAccessKeyId"),
    ),
    # S3 answers an unknown scheme with 400 InvalidArgument "Unsupported Authorization Type" (ERR: InvalidArgument).
    Case(
        "auth-bearer-scheme", lambda w: w.with_authorization(lambda v: "Bearer abc.def.ghi"), S3(400, "InvalidArgument")
    ),
    Case(
        "auth-lowercase-algorithm",
        lambda w: w.with_authorization(lambda v: v.replace("AWS4-HMAC-SHA256", "aws4-hmac-sha256")),
        S3(400, "InvalidArgument"),
    ),
    # SigV2 is 400 InvalidRequest "... Please use AWS4-HMAC-SHA256." as on AWS (rule auth.sigv2, harness/rules.py).
    Case(
        "auth-sigv2-header",
        lambda w: w.with_authorization(lambda v: f"AWS {ACCESS_KEY}:c2lnbmF0dXJl"),
        S3(400, "InvalidRequest"),
    ),
    # An empty Authorization is no credentials: anonymous, AccessDenied (ERR).
    Case("auth-empty-value", lambda w: w.with_authorization(lambda v: ""), S3(403, "AccessDenied")),
    # ERR: SignatureDoesNotMatch for any signature that is not the one computed, hex or not.
    Case(
        "auth-signature-not-hex",
        lambda w: w.with_authorization(lambda v: v[:-64] + "z" * 64),
        S3(403, "SignatureDoesNotMatch"),
    ),
    Case(
        "auth-signature-truncated", lambda w: w.with_authorization(lambda v: v[:-60]), S3(403, "SignatureDoesNotMatch")
    ),
    # AUTH: components are comma-separated; ';' leaves no parseable component.
    Case(
        "auth-semicolon-separated",
        lambda w: w.with_authorization(lambda v: v.replace(", ", "; ")),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    # Two Authorization fields are combined with ',' (RFC 9110 5.3): not a parseable SigV4 header.
    Case(
        "auth-header-twice",
        lambda w: w.get(f"/{BUCKET}").replace(
            b"\r\nAuthorization:", b"\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x\r\nAuthorization:"
        ),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    # QUERY/ERR: "Only one auth mechanism allowed" is 400 InvalidArgument.
    Case(
        "auth-header-and-query-signature",
        lambda w: w.get(f"/{BUCKET}?X-Amz-Algorithm=AWS4-HMAC-SHA256"),
        S3(400, "InvalidArgument"),
    ),
    Case(
        "auth-credential-7000-bytes",
        lambda w: w.with_authorization(lambda v: "AWS4-HMAC-SHA256 Credential=" + "A" * 7000),
        S3(400, "AuthorizationHeaderMalformed"),
    ),
    # --- Dates (HDR: x-amz-date or Date is required; 15 minutes of skew at most) ---
    # S3: 403 AccessDenied "AWS authentication requires a valid Date or x-amz-date header".
    Case("date-missing", lambda w: _edit_header(w.get(f"/{BUCKET}"), b"x-amz-date", None), S3(403, "AccessDenied")),
    Case(
        "date-garbage",
        lambda w: _edit_header(w.get(f"/{BUCKET}"), b"x-amz-date", b"yesterday"),
        S3(403, "AccessDenied"),
    ),
    Case(
        "date-impossible-calendar",
        lambda w: _edit_header(w.get(f"/{BUCKET}"), b"x-amz-date", b"20241345T256199Z"),
        S3(403, "AccessDenied"),
    ),
    Case(
        "date-http-format-in-x-amz-date",
        lambda w: _edit_header(w.get(f"/{BUCKET}"), b"x-amz-date", b"Tue, 24 Nov 2026 19:00:00 GMT"),
        S3(403, "AccessDenied"),
    ),
    # ERR: RequestTimeTooSkewed 403 past 15 minutes, either way.
    Case(
        "date-skewed-one-hour-past",
        lambda w: w.get(f"/{BUCKET}", when=_now() - datetime.timedelta(hours=1)),
        S3(403, "RequestTimeTooSkewed"),
    ),
    Case(
        "date-skewed-20-minutes-ahead",
        lambda w: w.get(f"/{BUCKET}", when=_now() + datetime.timedelta(minutes=20)),
        S3(403, "RequestTimeTooSkewed"),
    ),
    # QUERY: an expired URL is 403 AccessDenied "Request has expired"; X-Amz-Expires is 1..604800.
    Case(
        "presign-expired",
        lambda w: w.presigned(f"/{BUCKET}", when=_now() - datetime.timedelta(hours=1), expires=60),
        S3(403, "AccessDenied"),
    ),
    Case(
        "presign-expires-over-a-week",
        lambda w: w.presigned(f"/{BUCKET}", edit=lambda t: t.replace("X-Amz-Expires=300", "X-Amz-Expires=604801")),
        S3(400, "AuthorizationQueryParametersError"),
    ),
    Case(
        "presign-expires-negative",
        lambda w: w.presigned(f"/{BUCKET}", edit=lambda t: t.replace("X-Amz-Expires=300", "X-Amz-Expires=-1")),
        S3(400, "AuthorizationQueryParametersError"),
    ),
    Case(
        "presign-date-garbage",
        lambda w: w.presigned(f"/{BUCKET}", edit=lambda t: re.sub(r"X-Amz-Date=\w+", "X-Amz-Date=garbage", t)),
        S3(400, "AuthorizationQueryParametersError"),
    ),
    Case(
        "presign-signature-missing",
        lambda w: w.presigned(f"/{BUCKET}", edit=lambda t: re.sub(r"&X-Amz-Signature=\w+", "", t)),
        S3(400, "AuthorizationQueryParametersError"),
    ),
    # S3 answers a URL dated past the allowed skew with 403 AccessDenied "Request is not yet valid".
    Case(
        "presign-signed-in-the-future",
        lambda w: w.presigned(f"/{BUCKET}", when=_now() + datetime.timedelta(hours=1)),
        S3(403, "AccessDenied"),
    ),
    # --- x-amz-content-sha256 (HDR: required; a hex SHA-256 or one of the documented keywords) ---
    # S3: 400 InvalidRequest "Missing required header for this request: x-amz-content-sha256".
    Case(
        "sha256-missing",
        lambda w: _edit_header(w.get(f"/{BUCKET}"), b"x-amz-content-sha256", None),
        S3(400, "InvalidRequest"),
    ),
    # S3: 400 InvalidArgument "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, ... or a valid sha256 value."
    Case("sha256-not-hex", lambda w: w.get(f"/{BUCKET}", payload="abc"), S3(400, "InvalidArgument")),
    Case("sha256-63-hex-digits", lambda w: w.get(f"/{BUCKET}", payload="a" * 63), S3(400, "InvalidArgument")),
    Case(
        "sha256-lowercase-keyword",
        lambda w: w.get(f"/{BUCKET}", payload="unsigned-payload"),
        S3(400, "InvalidArgument"),
    ),
    # ERR: XAmzContentSHA256Mismatch 400 when the body does not hash to the signed value.
    Case(
        "sha256-mismatch-on-put",
        lambda w: w.put(_k("sha256-mismatch-on-put"), b"hello", payload=hashlib.sha256(b"HELLO").hexdigest()),
        S3(400, "XAmzContentSHA256Mismatch"),
        stored=False,
    ),
    # --- Range (GET: one byte range; RFC 9110 14.2: an unparseable Range or another unit is ignored -> 200) ---
    Case("range-other-unit", lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "items=0-1"}), S3(200)),
    Case("range-garbage", lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "bytes=abc"}), S3(200)),
    Case("range-empty-set", lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "bytes="}), S3(200)),
    # RFC 9110 14.1.1: last-pos < first-pos makes the range invalid, so it is ignored.
    Case("range-reversed", lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "bytes=5-2"}), S3(200)),
    # GET: "Amazon S3 doesn't support retrieving multiple ranges of data per GET request" -> the whole object.
    Case("range-multiple", lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "bytes=0-1,3-4"}), S3(200)),
    # RFC 9110 14.1.1: DIGIT is ASCII 0-9 only; FULLWIDTH DIGIT ONE makes the range unparseable -> ignored.
    Case("range-fullwidth-digits", lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "bytes=\uff11-2"}), S3(200)),
    # ERR: InvalidRange 416 "The requested range is not satisfiable" (first byte past the end, empty suffix).
    Case(
        "range-past-the-end",
        lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "bytes=100-"}),
        S3(416, "InvalidRange"),
    ),
    Case(
        "range-empty-suffix",
        lambda w: w.get(f"/{BUCKET}/{OBJ}", headers={"Range": "bytes=-0"}),
        S3(416, "InvalidRange"),
    ),
    # --- ListObjects parameters (LIST: max-keys is an integer; encoding-type's only value is "url") ---
    # S3: 400 InvalidArgument "Provided max-keys not an integer or within integer range".
    Case("max-keys-negative", lambda w: w.get(f"/{BUCKET}?max-keys=-1"), S3(400, "InvalidArgument")),
    Case("max-keys-non-numeric", lambda w: w.get(f"/{BUCKET}?max-keys=ten"), S3(400, "InvalidArgument")),
    Case("max-keys-empty", lambda w: w.get(f"/{BUCKET}?max-keys="), S3(400, "InvalidArgument")),
    Case("max-keys-over-int32", lambda w: w.get(f"/{BUCKET}?max-keys=99999999999"), S3(400, "InvalidArgument")),
    # An ARABIC-INDIC DIGIT THREE is no decimal integer of the HTTP API (same answer as non-numeric).
    Case("max-keys-arabic-indic-digit", lambda w: w.get(f"/{BUCKET}?max-keys=%D9%A3"), S3(400, "InvalidArgument")),
    # LIST: values above 1000 are served as 1000 (the largest 32-bit value included).
    Case("max-keys-int32-max", lambda w: w.get(f"/{BUCKET}?max-keys=2147483647"), S3(200)),
    # KEYS: keys (so prefixes and markers) are UTF-8. No S3 page names the answer to a query that does not decode;
    # the closest code is InvalidURI "Couldn't parse the specified URI" (ERR), S3's answer to such a path.
    Case("prefix-invalid-utf8", lambda w: w.get(f"/{BUCKET}?prefix=%FF"), S3(400, "InvalidURI")),
    Case("marker-truncated-utf8", lambda w: w.get(f"/{BUCKET}?marker=%C3"), S3(400, "InvalidURI")),
    # S3: 400 InvalidArgument "Invalid Encoding Method specified in Request".
    Case("encoding-type-base64", lambda w: w.get(f"/{BUCKET}?encoding-type=base64"), S3(400, "InvalidArgument")),
    Case("encoding-type-uppercase", lambda w: w.get(f"/{BUCKET}?encoding-type=URL"), S3(400, "InvalidArgument")),
    Case("encoding-type-empty", lambda w: w.get(f"/{BUCKET}?encoding-type="), S3(400, "InvalidArgument")),
    # --- Keys and paths (KEYS: at most 1024 UTF-8 bytes; ERR: KeyTooLongError, InvalidURI) ---
    Case("key-1025-bytes", lambda w: w.put("k" * 1025), S3(400, "KeyTooLongError")),
    # 341 EURO SIGNs (3 bytes each) + "ab": 343 characters but 1025 bytes.
    Case("key-1025-bytes-multibyte", lambda w: w.put("%E2%82%AC" * 341 + "ab"), S3(400, "KeyTooLongError")),
    # S3 answers a key that is not UTF-8 with 400 InvalidURI (larrabee/s3sync#45; gaul/s3proxy#201).
    Case("path-invalid-utf8-key", lambda w: w.get(f"/{BUCKET}/%FF%FE"), S3(400, "InvalidURI")),
    Case("path-invalid-utf8-bucket", lambda w: w.get("/%FF/key"), S3(400, "InvalidURI")),
    # RFC 3986 2.1: '%' must start "%" HEXDIG HEXDIG. No S3 page names the answer; InvalidURI is the closest
    # (otherwise one key has two spellings, /a%ZZ and /a%25ZZ, and signers disagree on the canonical URI).
    Case("path-broken-percent-escape", lambda w: w.put("a%ZZ"), S3(400, "InvalidURI"), stored=False, key="a%25ZZ"),
    Case("path-trailing-percent", lambda w: w.get(f"/{BUCKET}/a%"), S3(400, "InvalidURI")),
    # RFC 3986 2: raw octets above 0x7F are not allowed in a URI: HTTP-level.
    Case(
        "path-raw-non-ascii-octets", lambda w: w.get(f"/{BUCKET}/x").replace(b"/x HTTP", b"/\xff\xfe HTTP"), HTTP_LEVEL
    ),
    # RFC 9112 3.2.4: asterisk-form is for OPTIONS only.
    Case("target-asterisk-form", lambda w: f"GET * HTTP/1.1\r\nHost: {w.host}\r\n\r\n".encode(), HTTP_LEVEL),
    # --- Content-Length and framing (PUT; RFC 9112 6) ---
    # ERR: IncompleteBody "You did not provide the number of bytes specified by the Content-Length HTTP header";
    # the client half-closes after 10 of 100 bytes and still reads.
    Case(
        "content-length-larger-then-half-close",
        lambda w: _set_body(w.put(_k("content-length-larger-then-half-close"), b"x" * 100), b"x" * 10),
        S3(400, "IncompleteBody"),
        mode="shut",
        stored=False,
    ),
    # ERR: RequestTimeout 400 "Your socket connection to the server was not read from or written to within the
    # timeout period" (body_timeout is 1 s in this module).
    Case(
        "content-length-larger-then-stall",
        lambda w: _set_body(w.put(_k("content-length-larger-then-stall"), b"x" * 100), b"x" * 10),
        S3(400, "RequestTimeout"),
        mode="stall",
        stored=False,
    ),
    # 10 bytes sent, 5 declared: S3 reads 5, whose hash is not the signed one -> XAmzContentSHA256Mismatch (ERR);
    # the other 5 bytes are then no request at all (HTTP-level). RFC 9112 9.3.2: answers keep request order.
    Case(
        "content-length-smaller-than-body",
        lambda w: w.put(_k("content-length-smaller-than-body"), b"x" * 10, {"content-length": "5"}),
        # Known limit of aiohttp's parser: the bytes after the declared body are parsed in the same pass, and a parse
        # error there replaces the answer to the request before it. The client gets one 400 in S3 XML and a close,
        # and nothing is stored: clean, if less precise than S3 (XAmzContentSHA256Mismatch, then a close).
        HTTP_LEVEL,
        stored=False,
    ),
    # RFC 9112 6.3: an invalid Content-Length is an unrecoverable framing error: 400 and close.
    Case(
        "content-length-not-a-number",
        lambda w: _edit_header(w.put(_k("content-length-not-a-number")), b"content-length", b"abc"),
        HTTP_LEVEL,
    ),
    Case(
        "content-length-negative",
        lambda w: _edit_header(w.put(_k("content-length-negative")), b"content-length", b"-1"),
        HTTP_LEVEL,
    ),
    Case(
        "content-length-twice-different",
        lambda w: _add_header(w.put(_k("content-length-twice-different")), b"Content-Length: 2"),
        HTTP_LEVEL,
    ),
    # ERR: EntityTooLarge 400 past 5 GiB (the body is never sent: the answer comes from the header).
    Case(
        "content-length-over-5-gib",
        lambda w: w.put(
            _k("content-length-over-5-gib"), b"", {"content-length": str(6 * 1024**3)}, payload="UNSIGNED-PAYLOAD"
        ),
        S3(400, "EntityTooLarge"),
        stored=False,
    ),
    # ERR: MissingContentLength 411 "You must provide the Content-Length HTTP header".
    Case(
        "content-length-missing-on-put",
        lambda w: _set_body(w.signed("PUT", f"/{BUCKET}/{_k('content-length-missing-on-put')}", length=False), b""),
        S3(411, "MissingContentLength"),
        stored=False,
    ),
    # RFC 9112 6.3: Content-Length with Transfer-Encoding may be refused; the connection must be closed after.
    Case(
        "content-length-and-transfer-encoding",
        lambda w: _add_header(
            w.put(_k("content-length-and-transfer-encoding"), payload="UNSIGNED-PAYLOAD"), b"Transfer-Encoding: chunked"
        ),
        HTTP_LEVEL,
    ),
    # RFC 9112 6.3: chunked not the final coding -> "MUST respond with 400 and then close".
    Case(
        "transfer-encoding-gzip-only",
        lambda w: _add_header(
            _edit_header(w.put(_k("transfer-encoding-gzip-only"), payload="UNSIGNED-PAYLOAD"), b"content-length", None),
            b"Transfer-Encoding: gzip",
        ),
        HTTP_LEVEL,
    ),
    # RFC 9112 9.3.2: a valid request followed (in the same segment) by garbage is answered first, then the garbage.
    # Known limit (see content-length-smaller-than-body): aiohttp answers the garbage only, in S3 XML, then closes.
    Case("pipelined-valid-then-garbage", lambda w: w.get("/") + b"garbage\r\n\r\n", HTTP_LEVEL),
    # --- Chunked transfer coding (RFC 9112 7.1) on PutObject ---
    Case(
        "chunked-size-not-hex",
        lambda w: w.chunked_put(_k("chunked-size-not-hex"), b"zz\r\nhello\r\n0\r\n\r\n"),
        HttpLevel((400,)),
        stored=False,
    ),
    Case(
        "chunked-data-longer-than-size",
        lambda w: w.chunked_put(_k("chunked-data-longer-than-size"), b"3\r\nhello\r\n0\r\n\r\n"),
        HttpLevel((400,)),
        stored=False,
    ),
    Case(
        "chunked-negative-size",
        lambda w: w.chunked_put(_k("chunked-negative-size"), b"-5\r\nhello\r\n0\r\n\r\n"),
        HttpLevel((400,)),
        stored=False,
    ),
    # The body ends (half-close) before the last chunk: S3's IncompleteBody (ERR), as for a short Content-Length.
    Case(
        "chunked-missing-last-chunk-then-half-close",
        lambda w: w.chunked_put(_k("chunked-missing-last-chunk-then-half-close"), b"5\r\nhello\r\n"),
        S3(400, "IncompleteBody"),
        mode="shut",
        stored=False,
    ),
    Case(
        "chunked-missing-last-chunk-then-stall",
        lambda w: w.chunked_put(_k("chunked-missing-last-chunk-then-stall"), b"5\r\nhello\r\n"),
        S3(400, "RequestTimeout"),
        mode="stall",
        stored=False,
    ),
    # --- aws-chunked bodies (STREAM) ---
    # STREAM: every chunk signature is verified: 403 SignatureDoesNotMatch.
    Case(
        "aws-chunked-bad-chunk-signature",
        lambda w: w.aws_chunked(_k("aws-chunked-bad-chunk-signature"), [b"hello"], bad_signature=True),
        S3(403, "SignatureDoesNotMatch"),
        stored=False,
    ),
    # The body ends without the 0-size final chunk; S3: 400 IncompleteBody "The request body terminated unexpectedly".
    Case(
        "aws-chunked-missing-final-chunk",
        lambda w: w.aws_chunked(_k("aws-chunked-missing-final-chunk"), [b"hello"], final=False),
        S3(400, "IncompleteBody"),
        stored=False,
    ),
    Case(
        "aws-chunked-size-larger-than-data",
        lambda w: w.aws_chunked(_k("aws-chunked-size-larger-than-data"), [b"hello"], sizes=[0xFF, 0], decoded=0xFF),
        S3(400, "IncompleteBody"),
        stored=False,
    ),
    Case(
        "aws-chunked-decoded-length-mismatch",
        lambda w: w.aws_chunked(_k("aws-chunked-decoded-length-mismatch"), [b"hello"], decoded=10),
        S3(400, "IncompleteBody"),
        stored=False,
    ),
    # STREAM: x-amz-decoded-content-length is required; ERR: MissingContentLength 411.
    Case(
        "aws-chunked-decoded-length-missing",
        lambda w: w.aws_chunked(_k("aws-chunked-decoded-length-missing"), [b"hello"], decoded=None),
        S3(411, "MissingContentLength"),
        stored=False,
    ),
    # A length must be ASCII decimal digits; ERR: InvalidArgument (as for "abc").
    Case(
        "aws-chunked-decoded-length-arabic-digit",
        lambda w: w.aws_chunked(_k("aws-chunked-decoded-length-arabic-digit"), [b"hello"], decoded="\u0665"),
        S3(400, "InvalidArgument"),
        stored=False,
    ),
    # STREAM: "Chunk size must be at least 8 KB" except the last; S3: 403 InvalidChunkSizeError.
    Case(
        "aws-chunked-small-non-final-chunk",
        lambda w: w.aws_chunked(_k("aws-chunked-small-non-final-chunk"), [b"a" * 100, b"b" * 100]),
        S3(403, "InvalidChunkSizeError"),
        stored=False,
    ),
    # INTEG: a trailing checksum that does not match is 400 BadDigest; one that is not base64 400 InvalidRequest.
    Case(
        "trailer-checksum-mismatch",
        lambda w: w.trailer_put(_k("trailer-checksum-mismatch"), b"hello", b"x-amz-checksum-crc32:AAAAAA==\r\n"),
        S3(400, "BadDigest"),
        stored=False,
    ),
    Case(
        "trailer-checksum-not-base64",
        lambda w: w.trailer_put(_k("trailer-checksum-not-base64"), b"hello", b"x-amz-checksum-crc32:@@@\r\n"),
        S3(400, "InvalidRequest"),
        stored=False,
    ),
    # ERR: MalformedTrailerError 400 "The request contained trailing data that was not well-formed".
    Case(
        "trailer-not-declared",
        lambda w: w.trailer_put(
            _k("trailer-not-declared"), b"hello", b"x-amz-checksum-crc32:" + _CRC_HELLO + b"\r\nx-other: 1\r\n"
        ),
        S3(400, "MalformedTrailerError"),
        stored=False,
    ),
    Case(
        "trailer-missing",
        lambda w: w.trailer_put(_k("trailer-missing"), b"hello", b""),
        S3(400, "MalformedTrailerError"),
        stored=False,
    ),
    Case(
        "trailer-not-name-value",
        lambda w: w.trailer_put(_k("trailer-not-name-value"), b"hello", b"garbage\r\n"),
        S3(400, "MalformedTrailerError"),
        stored=False,
    ),
    # --- Content-MD5 and x-amz-checksum-* (PUT, INTEG) ---
    # ERR: InvalidDigest 400 "The Content-MD5 you specified was invalid"; BadDigest 400 when it does not match.
    Case(
        "content-md5-not-base64",
        lambda w: w.put(_k("content-md5-not-base64"), b"hello", {"content-md5": "!!!"}),
        S3(400, "InvalidDigest"),
        stored=False,
    ),
    Case(
        "content-md5-wrong-length",
        lambda w: w.put(_k("content-md5-wrong-length"), b"hello", {"content-md5": "YWJj"}),
        S3(400, "InvalidDigest"),
        stored=False,
    ),
    Case(
        "content-md5-mismatch",
        lambda w: w.put(_k("content-md5-mismatch"), b"hello", {"content-md5": base64.b64encode(b"a" * 16).decode()}),
        S3(400, "BadDigest"),
        stored=False,
    ),
    # S3: 400 InvalidRequest "Value for x-amz-checksum-crc32 header is invalid."
    Case(
        "checksum-crc32-not-base64",
        lambda w: w.put(_k("checksum-crc32-not-base64"), b"hello", {"x-amz-checksum-crc32": "not base64!"}),
        S3(400, "InvalidRequest"),
        stored=False,
    ),
    Case(
        "checksum-sha256-wrong-length",
        lambda w: w.put(_k("checksum-sha256-wrong-length"), b"hello", {"x-amz-checksum-sha256": "YWJj"}),
        S3(400, "InvalidRequest"),
        stored=False,
    ),
    Case(
        "checksum-crc32-mismatch",
        lambda w: w.put(_k("checksum-crc32-mismatch"), b"hello", {"x-amz-checksum-crc32": "AAAAAA=="}),
        S3(400, "BadDigest"),
        stored=False,
    ),
    # S3: 400 InvalidRequest "Expecting a single x-amz-checksum- header".
    Case(
        "checksum-two-algorithms",
        lambda w: w.put(
            _k("checksum-two-algorithms"),
            b"hello",
            {"x-amz-checksum-crc32": _CRC_HELLO.decode(), "x-amz-checksum-crc32c": "AAAAAA=="},
        ),
        S3(400, "InvalidRequest"),
        stored=False,
    ),
    # --- response-* overrides (GET: they set response headers) ---
    # A header value cannot carry CR/LF (RFC 9110 5.5). No S3 page names the answer: InvalidArgument (ERR) is the
    # code S3 uses for a request parameter it cannot use.
    Case(
        "response-content-type-with-crlf",
        lambda w: w.get(f"/{BUCKET}/{OBJ}?response-content-type=text%2Fplain%0D%0ASet-Cookie%3A%20a%3Db"),
        S3(400, "InvalidArgument"),
    ),
    Case(
        "response-expires-with-lf-on-head",
        lambda w: w.signed("HEAD", f"/{BUCKET}/{OBJ}?response-expires=a%0Ab"),
        S3(400),
        method="HEAD",
    ),
    # --- Oversized heads (ERR: RequestHeaderSectionTooLarge 400, "exceeds the maximum allowed size", 8192) ---
    Case(
        "header-line-over-8-kib",
        lambda w: w.get("/", headers={"x-long": HUGE_HEADER}),
        S3(400, "RequestHeaderSectionTooLarge"),
    ),
    Case(
        "header-section-over-8-kib-in-two-lines",
        lambda w: w.get("/", headers={"x-long-1": "a" * 5000, "x-long-2": "b" * 5000}),
        S3(400, "RequestHeaderSectionTooLarge"),
    ),
    Case(
        "header-section-over-8-kib-in-200-headers",
        lambda w: w.get("/", headers={f"x-h{i}": "v" * 60 for i in range(200)}),
        S3(400, "RequestHeaderSectionTooLarge"),
    ),
    # ERR: "The request header and query parameters used to make the request exceed the maximum allowed size."
    Case(
        "request-line-over-8-kib",
        lambda w: w.get(f"/{BUCKET}?prefix={HUGE_HEADER}"),
        S3(400, "RequestHeaderSectionTooLarge"),
    ),
    # --- Broken HTTP syntax (RFC 9112) ---
    # RFC 9112 5.1: whitespace between field name and colon -> MUST 400.
    Case("header-space-before-colon", lambda w: w.get("/").replace(b"x-amz-date:", b"x-amz-date :"), HTTP_LEVEL),
    # RFC 9112 5.2: obs-fold -> 400, or replaced by SP (X-Fold is not signed, so the request is then served).
    Case(
        "header-obsolete-line-folding",
        lambda w: _add_header(w.get("/"), b"X-Fold: a\r\n b"),
        HttpLevel((400,), or_served=True),
    ),
    # RFC 9110 5.5: NUL in a field value -> reject.
    Case("header-nul-byte", lambda w: _add_header(w.get("/"), b"X-Nul: a\x00b"), HTTP_LEVEL),
    # RFC 9112 3.2: an HTTP/1.1 request without Host, or with two, -> MUST 400.
    Case("host-missing", lambda w: _edit_header(w.get("/"), b"host", None), HTTP_LEVEL),
    Case("host-twice", lambda w: _add_header(w.get("/"), b"Host: other.example"), HTTP_LEVEL),
    Case("garbage-text", lambda w: b"hello world\r\n\r\n", HTTP_LEVEL),
    Case("garbage-binary", lambda w: bytes(range(256)) + b"\r\n\r\n", HTTP_LEVEL),
    Case("tls-client-hello-on-http-port", lambda w: _tls_client_hello(), HTTP_LEVEL),
    Case("http2-connection-preface", lambda w: b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP_LEVEL),
    # HTTP/0.9 (a request line without version) is not HTTP/1.1; the client then half-closes.
    Case("http09-request", lambda w: b"GET /\r\n", HTTP_LEVEL, mode="shut"),
    # RFC 9110 15.6.6 / RFC 9112 2.3: a major version the server does not speak -> 505 (or 400), never a 200.
    Case(
        "http-version-2.0-in-request-line",
        lambda w: w.get("/").replace(b"HTTP/1.1", b"HTTP/2.0", 1),
        HttpLevel((400, 505)),
    ),
    Case(
        "http-version-3.0-in-request-line",
        lambda w: w.get("/").replace(b"HTTP/1.1", b"HTTP/3.0", 1),
        HttpLevel((400, 505)),
    ),
    # RFC 9112 2.2: "a server SHOULD ignore at least one empty line (CRLF) received prior to the request-line".
    Case("bare-crlf-before-request", lambda w: b"\r\n" + w.get("/"), S3(200)),
    Case("bare-crlf-then-half-close", lambda w: b"\r\n", HTTP_LEVEL, mode="shut"),
    # ERR: MethodNotAllowed 405 "The specified method is not allowed against this resource."
    Case("method-patch", lambda w: w.signed("PATCH", f"/{BUCKET}/{OBJ}"), S3(405, "MethodNotAllowed")),
    # RFC 9110 9.1: an unrecognised method SHOULD be 501; S3 answers methods it does not allow with 405.
    Case(
        "method-unknown-token",
        lambda w: w.signed("FROB", f"/{BUCKET}/{OBJ}"),
        S3(405, "MethodNotAllowed", alt=((501, "NotImplemented"),)),
    ),
    # RFC 9112 3.2.2: a server MUST accept the absolute form; the path and query are what was signed.
    Case(
        "absolute-form-target",
        lambda w: w.get(f"/{BUCKET}").replace(f"GET /{BUCKET} ".encode(), f"GET http://{w.host}/{BUCKET} ".encode()),
        S3(200),
    ),
    Case(
        "absolute-form-without-path", lambda w: w.get("/").replace(b"GET / ", f"GET http://{w.host} ".encode()), S3(200)
    ),
    # --- CONNECT (RFC 9112 3.2.3: the target is authority-form host:port; anything else is a bad request) ---
    Case(
        "connect-origin-form-target",
        lambda w: f"CONNECT /{BUCKET} HTTP/1.1\r\nHost: {w.host}\r\n\r\n".encode() + w.get("/"),
        ConnectAnswer(tunnel_ok=False),
    ),
    Case(
        "connect-asterisk-target",
        lambda w: b"CONNECT * HTTP/1.1\r\nHost: x\r\n\r\n" + w.get("/"),
        ConnectAnswer(tunnel_ok=False),
    ),
    Case(
        "connect-empty-host",
        lambda w: b"CONNECT :0 HTTP/1.1\r\nHost: :0\r\n\r\n" + w.get("/"),
        ConnectAnswer(tunnel_ok=False),
    ),
    # A well-formed foreign target: the emulator's proxy only ever tunnels to itself (server.py), or refuses.
    Case(
        "connect-foreign-host",
        lambda w: b"CONNECT mail.example.com:25 HTTP/1.1\r\nHost: mail.example.com:25\r\n\r\n" + w.get("/"),
        ConnectAnswer(tunnel_ok=True),
    ),
    Case(
        "connect-virtual-host-bucket",
        lambda w: (
            f"CONNECT {BUCKET}.{DOMAIN}:443 HTTP/1.1\r\nHost: {BUCKET}.{DOMAIN}:443\r\n\r\n".encode() + w.get("/")
        ),
        ConnectAnswer(tunnel_ok=True),
    ),
    # --- Slow and silent clients ---
    Case("slow-client-one-byte-per-send", lambda w: w.get(f"/{BUCKET}"), S3(200), mode="bytewise"),
    Case(
        "slow-put-one-byte-per-send",
        lambda w: w.put(_k("slow-put-one-byte-per-send"), b"slow body"),
        S3(200),
        mode="bytewise",
        stored=True,
    ),
    # Connections that send nothing do not stop other clients, and are still served when they speak.
    Case("idle-connections", lambda w: [b"", w.get("/")], S3(200), mode="idle"),
    Case("partial-head-then-silence", lambda w: _split_at(w.get("/"), 20), S3(200), mode="idle"),
]


def _split_at(data: bytes, at: int) -> list[bytes]:
    return [data[:at], data[at:]]


# ---------------------------------------------------------------------------------------------------------------
# Running a case.
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_emu():
    """An emulator of its own, with a 1 s body timeout so the stalled uploads end quickly."""
    config = EmulatorConfig(
        accounts=(Account(ACCESS_KEY, SECRET_KEY),),
        buckets=(BucketSpec(BUCKET),),
        domains=("localhost", "stdcdn.com", DOMAIN),
        body_timeout=BODY_TIMEOUT,
    )
    with Emulator(config=config) as emu:
        wire = Wire(emu)
        status = _exchange(emu, wire.put(OBJ, OBJ_BODY)).status
        assert status == 200
        yield emu


def _connect(emu: Emulator, timeout: float = READ_TIMEOUT) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", emu.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _exchange(emu: Emulator, data: bytes, method: str = "GET") -> Response:
    with _connect(emu) as sock:
        sock.sendall(data)
        return Reader(sock).response(method)


def _still_serving(emu: Emulator, wire: Wire) -> None:
    """Another client, on a fresh connection, is served: signed ListBuckets and HeadBucket answer 200."""
    listing = _exchange(emu, wire.get("/"))
    assert listing.status == 200 and b"<ListAllMyBucketsResult" in listing.body, str(listing)
    head = _exchange(emu, wire.signed("HEAD", f"/{BUCKET}"), "HEAD")
    assert head.status == 200, str(head)


def _send(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the emulator may close early on garbage; what it answered is still read


def _run(emu: Emulator, wire: Wire, case: Case) -> None:
    built = case.build(wire)
    if case.mode == "idle":
        prefix, rest = built
        idle = [_connect(emu) for _ in range(IDLE_CONNECTIONS)]
        try:
            for sock in idle:
                if prefix:
                    sock.sendall(prefix)
            _still_serving(emu, wire)
            idle[0].sendall(rest)
            case.expect.check(Reader(idle[0]), case.method)
        finally:
            for sock in idle:
                sock.close()
        return
    timeout = BODY_TIMEOUT + READ_TIMEOUT if case.mode == "stall" else READ_TIMEOUT
    with _connect(emu, timeout) as sock:
        if case.mode == "bytewise":
            for i in range(len(built)):
                sock.sendall(built[i : i + 1])
        else:
            _send(sock, built)
        if case.mode == "shut":
            sock.shutdown(socket.SHUT_WR)
        case.expect.check(Reader(sock), case.method)


def test_the_catalogue_is_large_and_ids_are_unique() -> None:
    ids = [case.id for case in CATALOGUE]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.id for case in CATALOGUE])
def test_malformed_request(bad_emu: Emulator, case: Case) -> None:
    wire = Wire(bad_emu)
    failure: AssertionError | None = None
    try:
        _run(bad_emu, wire, case)
    except AssertionError as exc:
        failure = exc
    try:
        _still_serving(bad_emu, wire)
        bad_emu.check()
    except Exception as after:
        raise AssertionError(f"after {case.id}, the emulator no longer serves cleanly: {after!r}") from failure
    if failure is not None:
        raise failure
    if case.stored is not None:
        key = case.key or _k(case.id)
        head = _exchange(bad_emu, wire.signed("HEAD", f"/{BUCKET}/{key}"), "HEAD")
        assert head.status == (200 if case.stored else 404), f"after the case, HEAD {key}: {head}"
