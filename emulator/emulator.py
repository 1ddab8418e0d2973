"""The Emulator: in-process (a thread with its own event loop) or standalone (``run_forever``)."""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from .accounts import Account
from .app import ServiceState
from .config import DEFAULT_DOMAINS, BucketSpec, ConfigError, EmulatorConfig, accounts_from, buckets_from
from .server import bind, serve
from .storage import Storage
from .storage.memory import MemoryStorage
from .tls import TlsMaterial, generated, given

T = TypeVar("T")


class EmulatorError(RuntimeError):
    """The emulator hit a bug of its own while serving; raised in the test that caused it."""


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` on uvloop where it is installed (about twice the requests per second), else on asyncio."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux and macOS
        return asyncio.run(main)
    return uvloop.run(main)


def start_without_signals(thread: threading.Thread) -> None:
    """Start ``thread`` (and the threads it starts) with SIGINT and SIGTERM blocked, so the kernel delivers them to
    the main thread. A Ctrl-C taken by a server thread would only set Python's flag, and a main thread blocked in a
    socket read would not see it until the read timed out."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        thread.start()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def make_store(config: EmulatorConfig) -> Storage:
    if config.data_dir:
        from .storage.disk import DiskStorage  # the crash-safe store (issue: hardening)

        return DiskStorage(config.data_dir)
    return MemoryStorage()


def _url(scheme: str, sock) -> str:
    host, port = sock.getsockname()[:2]
    return f"{scheme}://{'[' + host + ']' if ':' in host else host}:{port}"


class Emulator:
    """``with Emulator(buckets=["b"], credentials=[("AK", "SK")]) as emu: emu.endpoint_url``."""

    def __init__(
        self,
        buckets: Iterable[str | BucketSpec | tuple[str, str]] = (),
        credentials: Iterable[Account | tuple[str, str]] = (),
        *,
        tls: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        domains: tuple[str, ...] = DEFAULT_DOMAINS,
        allow_bucket_admin: bool = False,
        data_dir: str | None = None,
        config: EmulatorConfig | None = None,
    ) -> None:
        if config is None:
            config = EmulatorConfig(
                accounts=accounts_from(credentials),
                buckets=buckets_from(buckets),
                host=host,
                port=port,
                region=region,
                domains=tuple(domains),
                tls=tls,
                allow_bucket_admin=allow_bucket_admin,
                data_dir=data_dir,
            )
        self.config = config.validate()
        self.store = make_store(self.config)
        self.state = ServiceState(
            store=self.store,
            accounts={a.access_key: a for a in self.config.accounts},
            region=self.config.region,
            domains=self.config.domains,
            allow_bucket_admin=self.config.allow_bucket_admin,
            body_timeout=self.config.body_timeout,
            record_requests=self.config.record_requests,
        )
        first = self.config.accounts[0].access_key
        for bucket in self.config.buckets:
            if self.store.get_bucket(bucket.name) is None:
                self.store.create_bucket(bucket.name, bucket.owner or first)
        self._tmp = tempfile.TemporaryDirectory(prefix="s3-emulator-")
        self._tls = self._make_tls()
        self._sock = bind(self.config.host, self.config.port)
        self._proxy_sock = (
            bind(self.config.host, self.config.proxy_port)
            if (self._tls and self.config.proxy_port is not None)
            else None
        )
        self.endpoint_url = _url("https" if self._tls else "http", self._sock)
        self.proxy_url = (
            _url("http", self._proxy_sock) if self._proxy_sock else (None if self._tls else self.endpoint_url)
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None

    # -- facts for clients -------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    @property
    def ca_file(self) -> str | None:
        return self._tls.ca_file if self._tls else None

    @property
    def requests(self) -> list[tuple[str, str, int, str]]:
        return self.state.requests

    @property
    def accounts(self) -> tuple[Account, ...]:
        return self.config.accounts

    def _make_tls(self) -> TlsMaterial | None:
        if self.config.tls_cert:
            try:
                return given(self.config.tls_cert, self.config.tls_key)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(f"cannot load the TLS certificate and key: {exc.strerror or exc}") from None
        if self.config.tls:
            return generated(
                self.config.host, self.config.domains, self.config.ca_file or os.path.join(self._tmp.name, "ca.pem")
            )
        return None

    # -- serving --------------------------------------------------------------------------------------------------
    async def serve(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until ``stop``; used by the thread and by the standalone command."""
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        context = self._tls.context if self._tls else None
        servers = [await serve(self.state, self._sock, context, tunnel_tls=context)]
        if self._proxy_sock is not None:
            servers.append(await serve(self.state, self._proxy_sock, None, tunnel_tls=context))
        if on_ready is not None:
            on_ready()
        try:
            await self._stopping.wait()
        finally:
            for server, listener in servers:
                listener.close()
                await server.shutdown(timeout=1.0)
            self.store.close()

    def stop_from_loop(self) -> None:
        """Ask ``serve`` to finish, from inside its own event loop (signal handlers)."""
        if self._stopping is not None:
            self._stopping.set()

    def start(self) -> Emulator:
        ready = threading.Event()
        failure: list[BaseException] = []

        def main() -> None:
            try:
                run_loop(self.serve(ready.set))
            except BaseException as exc:  # reported to the caller of start()
                failure.append(exc)
                ready.set()

        self._thread = threading.Thread(target=main, name=f"s3-emulator-{self.port}", daemon=True)
        start_without_signals(self._thread)
        if not ready.wait(30) or failure:
            raise EmulatorError(f"the emulator did not start: {failure[0] if failure else 'timeout'}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(10)
            self._thread = None
        self._tmp.cleanup()

    def check(self) -> None:
        """Raise if the server hit an internal error since the last check (pytest fixtures call this)."""
        if self.state.internal_errors:
            errors, self.state.internal_errors[:] = list(self.state.internal_errors), []
            raise EmulatorError(f"the emulator failed while serving: {errors[0]!r}") from errors[0]

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()
        if exc_type is None:
            self.check()

    def with_config(self, **changes) -> EmulatorConfig:
        return replace(self.config, **changes)
