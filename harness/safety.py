"""Live safety: every key the run writes is tracked before it is sent, and cleanup deletes exactly those keys.

- ``KeyTracker.track`` refuses (raises) any key outside the run prefix: nothing outside it is ever written.
- ``cleanup`` deletes the tracked keys by DeleteObject, one by one, and returns the ones it could not delete.
- ``cleanup_on_interrupt`` runs cleanup in ``finally``, which a SIGINT (KeyboardInterrupt) also reaches.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

from harness.targets import Target


class OutsidePrefixError(AssertionError):
    pass


class KeyTracker:
    def __init__(self, run_prefix: str):
        if not run_prefix.endswith("/") or not run_prefix.startswith("s3-conformance/"):
            raise ValueError(f"unsafe run prefix {run_prefix!r}")
        self.run_prefix = run_prefix
        self._keys: dict[tuple[str, str], None] = {}  # (bucket, key), insertion ordered
        self._lock = threading.Lock()

    def track(self, bucket: str, key: str) -> None:
        if not key.startswith(self.run_prefix):
            raise OutsidePrefixError(f"refusing to write outside the run prefix: {key!r}")
        with self._lock:
            self._keys[(bucket, key)] = None

    def keys(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._keys)

    def forget(self, bucket: str, key: str) -> None:
        with self._lock:
            self._keys.pop((bucket, key), None)


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


@contextlib.contextmanager
def cleanup_on_interrupt(cleanup: Callable[[], None]) -> Iterator[None]:
    """Run ``cleanup`` exactly once: at the end, on an exception, or after SIGINT.

    SIGINT raises KeyboardInterrupt (Python's default handler); pytest then ends the session and this ``finally``
    runs the cleanup. The cleanup is deliberately NOT run inside a signal handler: the handler interrupts arbitrary
    code, and network I/O from there deadlocks when the interrupted code holds a lock (a connection pool's, the
    logging module's) — which is how an earlier version hung on Ctrl-C under load.
    """
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a Ctrl-C must reach us even if ignored upstream
    try:
        yield
    finally:
        cleanup()
