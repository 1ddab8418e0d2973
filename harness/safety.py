"""Live safety: every key the run writes is tracked before it is sent, and cleanup deletes exactly those keys.

- ``KeyTracker.track`` refuses (raises) any key outside the run prefix: nothing outside it is ever written.
- ``KeyTracker.outcome`` then notes what the server answered: a key whose every PUT was refused (a 4xx: the
  1025-byte key probe, a wrong-secret PUT) was never created, so it is not a leftover and is not deleted or reported
  as one; a key that was created once, or whose PUT got no answer, is deleted.
- ``cleanup`` deletes the tracked keys by DeleteObject, one by one, and returns the ones it could not delete.
- ``cleanup_on_interrupt`` runs cleanup in ``finally``, which a SIGINT (KeyboardInterrupt) also reaches.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from enum import Enum

from harness.targets import Target


class OutsidePrefixError(AssertionError):
    pass


class KeyState(str, Enum):
    SENT = "sent"  # tracked before the request; no answer seen yet (or an answer that says nothing)
    CREATED = "created"  # a PUT of it succeeded at least once
    REFUSED = "refused"  # every PUT of it was refused: the server never created it


class KeyTracker:
    def __init__(self, run_prefix: str):
        if not run_prefix.endswith("/") or not run_prefix.startswith("s3-conformance/"):
            raise ValueError(f"unsafe run prefix {run_prefix!r}")
        self.run_prefix = run_prefix
        self._keys: dict[tuple[str, str], KeyState] = {}  # (bucket, key), insertion ordered
        self._lock = threading.Lock()

    def track(self, bucket: str, key: str) -> None:
        if not key.startswith(self.run_prefix):
            raise OutsidePrefixError(f"refusing to write outside the run prefix: {shorten(key)!r}")
        with self._lock:
            self._keys.setdefault((bucket, key), KeyState.SENT)

    def outcome(self, bucket: str, key: str, status: int | None) -> None:
        """Note the server's answer to a PUT of a tracked key: 2xx created it; a 4xx refused it (unless an
        earlier PUT created it); no answer (None) or a 5xx leaves it unknown, so cleanup still deletes it."""
        with self._lock:
            state = self._keys.get((bucket, key))
            if state is None:
                return
            if status is not None and 200 <= status < 300:
                self._keys[(bucket, key)] = KeyState.CREATED
            elif status is not None and 400 <= status < 500 and state is not KeyState.CREATED:
                self._keys[(bucket, key)] = KeyState.REFUSED

    def keys(self) -> list[tuple[str, str]]:
        """The keys cleanup must delete: every tracked key except those the server refused to create."""
        with self._lock:
            return [k for k, state in self._keys.items() if state is not KeyState.REFUSED]

    def refused(self) -> list[tuple[str, str]]:
        with self._lock:
            return [k for k, state in self._keys.items() if state is KeyState.REFUSED]

    def forget(self, bucket: str, key: str) -> None:
        with self._lock:
            self._keys.pop((bucket, key), None)


def shorten(key: str, limit: int = 72) -> str:
    """A key as printed in messages: runs of one character as 'é×1000', then cut in the middle to ``limit``."""
    s = re.sub(r"(.)\1{9,}", lambda m: f"{m.group(1)}×{len(m.group(0))}", key)
    if len(s) <= limit:
        return s
    half = (limit - 1) // 2
    return s[:half] + "…" + s[-half:]


def delete_keys(target: Target, keys: list[tuple[str, str]]) -> tuple[int, list[dict]]:
    """DeleteObject each key (never a listing-driven or batch delete). Returns (deleted, failures)."""
    import boto3
    from botocore.config import Config

    kw = {"retries": {"total_max_attempts": 3}, "s3": {"addressing_style": target.addressing_style},
          "request_checksum_calculation": "when_required"}
    if target.proxy_url:
        kw["proxies"] = {"http": target.proxy_url, "https": target.proxy_url}
    client = boto3.session.Session().client(
        "s3", endpoint_url=target.endpoint_url, region_name=target.region,
        aws_access_key_id=target.credentials.access_key, aws_secret_access_key=target.credentials.secret_key,
        verify=target.ca_bundle or True, config=Config(**kw))
    failed: list[dict] = []

    def delete(item) -> bool:
        bucket, key = item
        if not key.startswith(target.run_prefix):
            failed.append({"bucket": bucket, "key": key, "error": "outside the run prefix: not deleted"})
            return False
        try:
            client.delete_object(Bucket=bucket, Key=key)
            return True
        except Exception as e:  # noqa: BLE001 - reported, never raised
            failed.append({"bucket": bucket, "key": key, "error": f"{type(e).__name__}: {e}"[:300]})
            return False

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        deleted = sum(pool.map(delete, keys))
    client.close()
    return deleted, failed


_interrupted = threading.Event()


def _on_sigint(signum, frame) -> None:
    _interrupted.set()
    raise KeyboardInterrupt


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt again if a Ctrl-C came and the run is still going.

    Because the first KeyboardInterrupt can be swallowed: Python raises it in whatever Python code runs next, and
    when that is a garbage-collector callback (Hypothesis registers one to time GC, HypothesisWorks/hypothesis#3979)
    or a ``__del__``, the exception is "unraisable" and only printed (pytest turns it into a warning). The run then
    went on as if nothing happened; CI saw it hang. The harness calls this before every step (and, while it is
    active, drops the printout of such a swallowed KeyboardInterrupt)."""
    if _interrupted.is_set():
        raise KeyboardInterrupt("interrupted (a Ctrl-C raised earlier was swallowed by a finaliser)")


@contextlib.contextmanager
def cleanup_on_interrupt(cleanup: Callable[[], None]) -> Iterator[None]:
    """Run ``cleanup`` exactly once: at the end, on an exception, or after SIGINT.

    SIGINT raises KeyboardInterrupt (and sets a flag that ``raise_if_interrupted`` checks before each step); pytest
    then ends the session and this ``finally`` runs the cleanup. The cleanup is deliberately NOT run inside a signal
    handler: the handler interrupts arbitrary code, and network I/O from there deadlocks when the interrupted code
    holds a lock (a connection pool's, the logging module's) — which is how an earlier version hung on Ctrl-C under
    load. In the main thread the handler is installed even if SIGINT was ignored upstream: a Ctrl-C must reach us.
    """
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main else None
    previous_hook = sys.unraisablehook

    def unraisable(u) -> None:  # the swallowed Ctrl-C is raised again: no need to print it as well
        if not (issubclass(u.exc_type, KeyboardInterrupt) and _interrupted.is_set()):
            previous_hook(u)

    if in_main:
        signal.signal(signal.SIGINT, _on_sigint)
        sys.unraisablehook = unraisable
    try:
        yield
    finally:
        try:
            cleanup()
        finally:
            if in_main:  # None: a handler not set from Python; Python's own is the closest
                signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
                sys.unraisablehook = previous_hook
            _interrupted.clear()
