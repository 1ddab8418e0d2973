"""The HTTP side: one aiohttp handler turns a request into a Call, runs it, and writes the Reply or the error.

Flow: target -> Address (routing.parse_address) -> SigV4 (auth.authenticate) -> Operation (routing.route)
-> operation (operations.dispatch.run) -> Reply -> HTTP response. Every error, from any stage, leaves through
``error_xml`` in errors.py.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import CIMultiDict, CIMultiDictProxy

from .accounts import Account
from .auth import RequestView, authenticate
from .errors import ErrorCode, S3Error, error_xml
from .operations import Reply
from .operations.context import Call
from .operations.dispatch import run
from .routing import parse_address, route
from .storage import Storage

access_log = logging.getLogger("emulator.access")
_SERVER = "PoweredbyCloud-S3-Emulator"
_BODY_WANTED = web.RequestKey("body_wanted", bool)
_SMALL = 256 * 1024


@dataclass
class ServiceState:
    """Everything a request handler needs, shared by all listeners of one emulator."""

    store: Storage
    accounts: dict[str, Account]
    region: str = "us-east-1"
    domains: tuple[str, ...] = ("localhost", "stdcdn.com")
    allow_bucket_admin: bool = False
    body_timeout: float = 20.0  # S3 closes an idle upload with RequestTimeout after about 20 s
    requests: list[tuple[str, str, int, str]] = field(default_factory=list)  # (method, path, status, operation)
    internal_errors: list[BaseException] = field(default_factory=list)
    record_requests: bool = True


def _split_target(raw: str) -> tuple[str, str]:
    """Path and query as sent; an absolute-form target (a proxy request) loses its scheme and authority."""
    if not raw.startswith("/"):
        scheme_end = raw.find("://")
        if scheme_end >= 0:
            slash = raw.find("/", scheme_end + 3)
            raw = raw[slash:] if slash >= 0 else "/"
    path, _, query = raw.partition("?")
    return path, query


def _joined_headers(headers: CIMultiDictProxy) -> CIMultiDictProxy:
    """Repeated headers joined with ',' as SigV4 canonicalises them; the common case costs one set()."""
    if len({k.lower() for k in headers.keys()}) == len(headers):
        return headers
    joined: CIMultiDict = CIMultiDict()
    for name in headers.keys():
        if name not in joined:
            joined[name] = ",".join(headers.getall(name))
    return CIMultiDictProxy(joined)


_MAX_HEADER_SECTION = 8192  # bytes of header lines S3 accepts (RequestHeaderSectionTooLarge past it)


def _check_http(request: web.BaseRequest) -> None:
    if request.version not in ((1, 1), (1, 0)):
        raise S3Error(ErrorCode.BadRequest, message="Only HTTP/1.0 and HTTP/1.1 are served.")
    if sum(len(k) + len(v) + 4 for k, v in request.raw_headers) > _MAX_HEADER_SECTION:
        raise S3Error(ErrorCode.RequestHeaderSectionTooLarge, fields={"MaxSizeAllowed": str(_MAX_HEADER_SECTION)})


def _query(raw_query: str) -> dict[str, str]:
    """Query parameters; invalid UTF-8 is refused rather than replaced, or a listing would run on another prefix."""
    try:
        return dict(parse_qsl(raw_query, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        raise S3Error(ErrorCode.InvalidURI) from None


def new_ids() -> dict[str, str]:
    raw = os.urandom(32)
    return {"x-amz-request-id": raw[:8].hex().upper(), "x-amz-id-2": base64.b64encode(raw[8:]).decode()}


def _incomplete(request: web.BaseRequest) -> S3Error:
    """The client closed (or half-closed) before its body was complete: answer 400 IncompleteBody with one access-log
    line. The body is marked as ended: otherwise aiohttp, after sending the answer, tries to drain the rest of a body
    that will never come and prints the ContentLengthError as an unhandled traceback (issue 9)."""
    request.content.feed_eof()
    return S3Error(ErrorCode.IncompleteBody)


async def _body(request: web.BaseRequest, timeout: float) -> AsyncIterator[bytes]:
    """The request body as it arrives; `100 Continue` goes out only now, once the request has been accepted."""
    if request.version >= (1, 1) and request.headers.get("Expect", "").lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    request[_BODY_WANTED] = True
    content = request.content
    while True:
        try:
            piece = await asyncio.wait_for(content.readany(), timeout)
        except asyncio.TimeoutError:
            raise S3Error(ErrorCode.RequestTimeout) from None
        except (HttpProcessingError, ConnectionError, asyncio.IncompleteReadError) as exc:
            raise _incomplete(request) from exc
        if not piece:
            if content.exception() is not None:
                raise _incomplete(request)
            return
        yield piece


class Handler:
    def __init__(self, state: ServiceState) -> None:
        self.state = state

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        started = time.perf_counter()
        ids = new_ids()
        path, raw_query = _split_target(request.raw_path)
        resource, operation, account = path, "-", "-"
        try:
            _check_http(request)
            headers = _joined_headers(request.headers)
            address = parse_address(request.host, path, self.state.domains)
            resource = address.resource
            view = RequestView(request.method, path, raw_query, headers)
            auth = authenticate(
                view, self.state.accounts.get, self.state.region, datetime.datetime.now(datetime.timezone.utc)
            )
            account = auth.account.access_key
            query = _query(raw_query)
            op = route(request.method, address, query, headers)
            operation = op.value
            call = Call(
                request.body_exists,
                op,
                address,
                request.method,
                query,
                headers,
                auth,
                _body(request, self.state.body_timeout),
                self.state.store,
                self.state.region,
                self.state.accounts,
            )
            reply = await run(call, self.state.allow_bucket_admin)
        except S3Error as err:
            # Logged before the answer is written, so a client that has its answer can also read the log line.
            self._log(
                request,
                resource,
                err.status,
                err.operation or operation,
                account,
                err.log_reason or err.code.name,
                ids,
                started,
            )
            return await self._error(request, err, resource, ids)
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug of ours: answer InternalError, and let the test that caused it see it
            self.state.internal_errors.append(exc)
            access_log.exception("internal error serving %s %s", request.method, resource)
            self._log(request, resource, 500, operation, account, f"internal error: {type(exc).__name__}", ids, started)
            return await self._error(request, S3Error(ErrorCode.InternalError), resource, ids)
        self._log(request, resource, reply.status, operation, account, None, ids, started)
        try:
            return await self._write(request, reply, ids)
        except (ConnectionError, asyncio.CancelledError):
            raise
        except Exception as exc:  # e.g. a header value aiohttp refuses to write: our bug, surfaced in the test
            self.state.internal_errors.append(exc)
            access_log.exception("internal error answering %s %s", request.method, resource)
            return await self._error(request, S3Error(ErrorCode.InternalError), resource, ids)

    def _log(self, request, resource, status, operation, account, reason, ids, started) -> None:
        if self.state.record_requests:
            self.state.requests.append((request.method, resource, status, operation))
        if access_log.isEnabledFor(logging.INFO):
            elapsed = (time.perf_counter() - started) * 1000
            extra = f" ({reason})" if reason else ""
            access_log.info(
                '%s "%s %s" %d %s key=%s %.1fms id=%s%s',
                request.remote,
                request.method,
                resource,
                status,
                operation,
                account,
                elapsed,
                ids["x-amz-request-id"],
                extra,
            )

    async def _write(self, request: web.BaseRequest, reply: Reply, ids: dict[str, str]) -> web.StreamResponse:
        headers = {"Server": _SERVER, **ids, **reply.headers}
        if request.method == "HEAD" or reply.status in (204, 304):
            return await _headers_only(request, reply.status, headers, reply.length)
        if reply.stream is None:
            return web.Response(status=reply.status, headers=headers, body=reply.body)
        if reply.length is not None and reply.length <= _SMALL:
            # One write for headers and body: a small GET costs one send() instead of three.
            return web.Response(status=reply.status, headers=headers, body=b"".join(reply.stream))
        response = web.StreamResponse(status=reply.status, headers=headers)
        response.content_length = reply.length
        await response.prepare(request)
        for piece in reply.stream:
            await response.write(piece)
        await response.write_eof()
        return response

    async def _error(
        self, request: web.BaseRequest, err: S3Error, resource: str, ids: dict[str, str]
    ) -> web.StreamResponse:
        headers = {"Server": _SERVER, **ids, **err.headers}
        if err.code is ErrorCode.NotModified:
            return await self._write(request, Reply(status=304, headers=headers), {})
        body = b"" if request.method == "HEAD" else error_xml(err, resource, ids["x-amz-request-id"], ids["x-amz-id-2"])
        headers["Content-Type"] = "application/xml"
        if request.method == "HEAD":
            return await _headers_only(request, err.status, headers, 0)
        response = web.Response(status=err.status, headers=headers, body=body)
        if request.headers.get("Expect", "").lower() == "100-continue" and not request.get(_BODY_WANTED):
            # Refused before `100 Continue`: the client may still send the body or not, so the connection cannot be
            # reused safely; S3 closes it too. Without Expect, aiohttp reads and drops the unread body (lingering).
            response.force_close()
        return response


async def _headers_only(request: web.BaseRequest, status: int, headers: dict[str, str], length: int | None):
    """HEAD answers, 204 and 304: headers only, with the Content-Length a GET would have (RFC 9110 9.3.2)."""
    response = web.StreamResponse(status=status, headers=headers)
    if status not in (204, 304):
        response.content_length = length or 0
    await response.prepare(request)
    await response.write_eof()
    return response
