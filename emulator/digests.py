"""The digests of one request body — MD5 (the ETag), SHA-256 (a signed payload), x-amz-checksum-* — as it streams.

Because the ETag forces an MD5 pass over every byte, a large PUT would be capped below single-core MD5 speed if the
event loop hashed as well as received. Bodies are therefore hashed on a worker thread in batches of about 1 MiB
while the loop receives the next batch: hashlib, zlib and awscrt release the GIL on large buffers, so the two
overlap on two cores. Small bodies (one batch) are hashed inline: a thread hop would cost more than it saves.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from .checksums import ChecksumAlgorithm
from .errors import ErrorCode, S3Error

_BATCH = 1 << 20
_EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="s3-digest")


class BodyDigests:
    def __init__(self, *, sha256: bool, checksums: Iterable[ChecksumAlgorithm] = ()) -> None:
        self.md5 = hashlib.md5()
        self.sha256 = hashlib.sha256() if sha256 else None
        self.checksums = {alg: alg.new() for alg in checksums}
        self._hashers = [self.md5, *([self.sha256] if self.sha256 else []), *self.checksums.values()]
        self._batch: list[bytes] = []
        self._batched = 0
        self._pending: asyncio.Future | None = None

    async def update(self, piece: bytes) -> None:
        self._batch.append(piece)
        self._batched += len(piece)
        if self._batched >= _BATCH:
            if self._pending is not None:
                await self._pending  # one batch in flight at a time keeps the updates in order
            batch, self._batch, self._batched = self._batch, [], 0
            self._pending = asyncio.get_running_loop().run_in_executor(_EXECUTOR, self._hash, batch)

    async def finish(self) -> None:
        """Wait for the batch in flight and hash the rest; the digests are then complete."""
        if self._pending is not None:
            await self._pending
            self._pending = None
        self._hash(self._batch)
        self._batch, self._batched = [], 0

    def check_payload_hash(self, signed: str | None) -> None:
        """A signed payload's hash must be the body's (sig-v4-header-based-auth.html): XAmzContentSHA256Mismatch."""
        if self.sha256 is not None and self.sha256.hexdigest() != signed:
            raise S3Error(
                ErrorCode.XAmzContentSHA256Mismatch,
                fields={
                    "ClientComputedContentSHA256": signed or "",
                    "S3ComputedContentSHA256": self.sha256.hexdigest(),
                },
            )

    def _hash(self, batch: list[bytes]) -> None:
        for hasher in self._hashers:
            for piece in batch:
                hasher.update(piece)
