"""Listeners and the Emulator: aiohttp serves every request; a thin front lets one port also act as a proxy.

The front reads only the first request head of a connection (with h11). ``CONNECT host:port`` is answered
`200` and the same connection is upgraded to TLS with the emulator's own certificate (no second hop); anything
else, including absolute-form proxy requests (`GET http://b.stdcdn.test/k`), is handed to aiohttp unchanged.
This is how virtual-hosted style is served on machines where `bucket.localhost` does not resolve.
"""

from __future__ import annotations

import asyncio
import socket
import ssl

import h11
from aiohttp import web

from .app import Handler, ServiceState

_MAX_HEAD = 64 * 1024


class _Buffer(asyncio.Protocol):
    """Holds what arrives on a fresh TLS tunnel until aiohttp's protocol is attached to it."""

    def __init__(self) -> None:
        self.pending: list[bytes] = []

    def data_received(self, data: bytes) -> None:
        self.pending.append(data)


class FrontProtocol(asyncio.Protocol):
    def __init__(self, server: web.Server, tls: ssl.SSLContext | None) -> None:
        self._server, self._tls = server, tls
        self._parser = h11.Connection(h11.SERVER)
        self._seen = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._seen += data
        self._parser.receive_data(data)
        try:
            event = self._parser.next_event()
        except h11.RemoteProtocolError:
            event = None  # not HTTP we can read: aiohttp answers it (400) the way it answers any bad request
        if event is h11.NEED_DATA and len(self._seen) < _MAX_HEAD:
            return
        if isinstance(event, h11.Request) and event.method == b"CONNECT":
            self._transport.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            asyncio.ensure_future(self._tunnel(bytes(self._parser.trailing_data[0])))
            return
        _attach(self._server, self._transport, bytes(self._seen))

    def connection_lost(self, exc: Exception | None) -> None:
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
    server = web.Server(Handler(state), access_log=None, handler_cancellation=True)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(lambda: FrontProtocol(server, tunnel_tls), sock=sock, ssl=tls)
    return server, listener
