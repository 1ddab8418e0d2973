"""aws-chunked decoding speed, as ratios to SHA-256 of the same bytes measured in the same run (moved here from
tests/test_chunked.py, which asserted wall-clock times: speed is measured, never asserted, in this project).

    python bench/chunked.py        # prints MiB/s and the ratio decode time / sha256 time for each mode

A per-byte loop or quadratic buffering shows as a ratio far above 1 (the decoder hashes every byte once when
signed, so ~1-2x is expected there; unsigned should be well below 1).
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from emulator.auth import PayloadMode  # noqa: E402
from tests.test_chunked import _periodic_feeds, cut, decoder, encode  # noqa: E402

MIB = 1 << 20


def _sha256_seconds(data: bytes, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        hashlib.sha256(data).hexdigest()
    return time.perf_counter() - started


def unsigned(frames: int = 256) -> tuple[float, float]:
    frame = f"{MIB:x}\r\n".encode() + random.Random(1).randbytes(MIB) + b"\r\n"
    dec = decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER)
    started = time.perf_counter()
    for part in _periodic_feeds(frame, frames, MIB):
        for _ in dec.feed(part):
            pass
    dec.feed(b"0\r\n\r\n")
    dec.finish()
    return time.perf_counter() - started, _sha256_seconds(frame[:MIB], frames)


def signed(frames: int = 64) -> tuple[float, float]:
    chunk = random.Random(2).randbytes(MIB)
    wire = encode(chunk * frames, [MIB] * frames, PayloadMode.STREAMING_SIGNED)
    dec = decoder(PayloadMode.STREAMING_SIGNED)
    started = time.perf_counter()
    for part in cut(wire, range(65536, len(wire), 65536)):
        for _ in dec.feed(part):
            pass
    dec.finish()
    return time.perf_counter() - started, _sha256_seconds(chunk, frames)


def main() -> int:
    for name, (fn, mib) in {"unsigned+trailer": (unsigned, 256), "signed chunks": (signed, 64)}.items():
        decode, sha = fn()
        print(f"{name:18} {mib} MiB: decode {mib / decode:8.0f} MiB/s, sha256 {mib / sha:8.0f} MiB/s, "
              f"ratio decode/sha256 {decode / sha:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
