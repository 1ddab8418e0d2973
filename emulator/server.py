"""Listeners and the Emulator: aiohttp serves every request; a thin front lets one port also act as a proxy.

The front reads only the first request head of a connection (with h11). ``CONNECT host:port`` is answered
`200` and the same connection is upgraded to TLS with the emulator's own certificate (no second hop); anything
else, including absolute-form proxy requests (`GET http://b.stdcdn.test/k`), is handed to aiohttp unchanged.
This is how virtual-hosted style is served on machines where `bucket.localhost` does not resolve.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl

import h11
from aiohttp import web
from aiohttp.http_exceptions import BadHttpMethod, ContentLengthError, LineTooLong
from aiohttp.web_protocol import RequestHandler

from .app import Handler, ServiceState, new_ids
from .errors import ErrorCode, S3Error, error_xml

_MAX_HEAD = 64 * 1024
_MAX_FIELD = 8190  # S3 refuses a header section over 8 KiB (RequestHeaderSectionTooLarge); aiohttp's line limit
_CONNECT_TARGET = re.compile(rb"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}")


class S3RequestHandler(RequestHandler):
    """aiohttp's connection handler, but what aiohttp itself refuses (unparseable HTTP) is answered in S3 XML."""

    def handle_error(self, request, status: int = 500, exc: BaseException | None = None, message: str | None = None):
        if request.writer.output_size > 0:  # an answer is already on the wire: nothing more can be said
            raise ConnectionError("response already sent")
        if isinstance(exc, LineTooLong) or "Too many headers" in str(exc):
            code = ErrorCode.RequestHeaderSectionTooLarge
        elif isinstance(exc, BadHttpMethod):
            code = ErrorCode.NotImplemented  # RFC 9110 9.1: an unrecognised method is 501
        elif status >= 500:
            code = ErrorCode.InternalError
        else:
            code = ErrorCode.BadRequest
        ids = new_ids()
        body = error_xml(S3Error(code), "/", ids["x-amz-request-id"], ids["x-amz-id-2"])
        response = web.Response(status=code.status, body=body, headers={**ids, "Content-Type": "application/xml"})
        response.force_close()
        return response

    def eof_received(self) -> bool:
        """The client half-closed: the request being read gets its answer (IncompleteBody for a short body) on
        the half that is still open, instead of a silent close; then the connection ends."""
        self._on_eof(hops=3)
        return True

    def _on_eof(self, hops: int) -> None:
        # aiohttp keeps no public handle on the request being read: the one running, else the last one queued.
        # Just after a request is dequeued and before its task runs there is neither: look again a few loop
        # iterations later (bounded), then treat the connection as idle.
        if self._current_request is not None:
            payload = self._current_request.content
        elif self._messages:
            payload = self._messages[-1][1]
        elif hops > 0 and self.transport is not None:
            self._loop.call_soon(self._on_eof, hops - 1)
            return
        else:  # between requests: nothing to answer
            self.force_close()
            return
        if not payload.is_eof():
            payload.set_exception(ContentLengthError("the client closed before the body was complete"))
        self.close()


class S3Server(web.Server):
    def __call__(self) -> RequestHandler:
        return S3RequestHandler(self, loop=self._loop, **self._kwargs)


class _Buffer(asyncio.Protocol):
    """Holds what arrives on a fresh TLS tunnel until aiohttp's protocol is attached to it."""

    def __init__(self) -> None:
        self.pending: list[bytes] = []

    def data_received(self, data: bytes) -> None:
        self.pending.append(data)


class FrontProtocol(asyncio.Protocol):
    def __init__(self, server: web.Server, tls: ssl.SSLContext | None, head_timeout: float) -> None:
        self._server, self._tls, self._head_timeout = server, tls, head_timeout
        self._parser = h11.Connection(h11.SERVER)
        self._seen = bytearray()
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        # A client that never completes its first request head must not hold the connection forever; after the
        # hand-over aiohttp's own keep-alive timeout takes this role.
        self._timer = asyncio.get_running_loop().call_later(self._head_timeout, transport.close)

    def data_received(self, data: bytes) -> None:
        self._seen += data
        self._parser.receive_data(data)
        try:
            event = self._parser.next_event()
        except h11.RemoteProtocolError:
            event = None  # not HTTP we can read: aiohttp answers it (400) the way it answers any bad request
        if event is h11.NEED_DATA and len(self._seen) < _MAX_HEAD:
            return
        self._timer.cancel()
        if isinstance(event, h11.Request) and event.method == b"CONNECT":
            if not _CONNECT_TARGET.fullmatch(event.target):
                self._refuse_connect()
                return
            self._transport.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            asyncio.ensure_future(self._tunnel(bytes(self._parser.trailing_data[0])))
            return
        _attach(self._server, self._transport, bytes(self._seen))

    def eof_received(self) -> bool:
        # The client ended before a whole request head: there is nothing to answer.
        self._transport.close()
        return False

    def _refuse_connect(self) -> None:
        """CONNECT takes host:port only (RFC 9112 3.2.3); anything else is a bad request."""
        ids = new_ids()
        body = error_xml(
            S3Error(ErrorCode.BadRequest, message="CONNECT needs a host:port target."),
            "/",
            ids["x-amz-request-id"],
            ids["x-amz-id-2"],
        )
        head = "".join(f"{k}: {v}\r\n" for k, v in ids.items())
        self._transport.write(
            b"HTTP/1.1 400 Bad Request\r\n"
            + head.encode()
            + b"Content-Type: application/xml\r\n"
            + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
            + body
        )
        self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._transport = None

    async def _tunnel(self, early: bytes) -> None:
        transport = self._transport
        if self._tls is None:
            _attach(self._server, transport, early)
            return
        holder = _Buffer()
        transport.set_protocol(holder)
        try:
            tls_transport = await asyncio.get_running_loop().start_tls(transport, holder, self._tls, server_side=True)
        except (OSError, ssl.SSLError, ConnectionError):
            transport.close()
            return
        _attach(self._server, tls_transport, b"".join(holder.pending))


def _attach(server: web.Server, transport: asyncio.BaseTransport, initial: bytes) -> None:
    handler = server()
    transport.set_protocol(handler)
    handler.connection_made(transport)
    if initial:
        handler.data_received(initial)


def bind(host: str, port: int) -> socket.socket:
    """Bind before serving so a busy port is reported at once, in one line, by the caller."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def serve(
    state: ServiceState, sock: socket.socket, tls: ssl.SSLContext | None, *, tunnel_tls: ssl.SSLContext | None
):
    """Start one listener on ``sock``; ``tls`` wraps the socket itself, ``tunnel_tls`` is used for CONNECT."""
    server = S3Server(
        Handler(state),
        access_log=None,
        handler_cancellation=True,
        max_field_size=_MAX_FIELD,
        # The header-section limit is S3's (checked in app.py, answered in S3 XML), not aiohttp's count of 128.
        max_headers=1000,
        read_bufsize=1 << 20,  # fewer, larger body pieces: less per-piece work on a large PUT
        # Bodies are stored as sent: a PUT with Content-Encoding: gzip keeps its gzip bytes.
        auto_decompress=False,
    )
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(
        lambda: FrontProtocol(server, tunnel_tls, state.body_timeout), sock=sock, ssl=tls
    )
    return server, listener
