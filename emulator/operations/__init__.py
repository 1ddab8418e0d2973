"""The operations, run against the storage interface; each returns a Reply that the server writes out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # A streamed body: (iterator of pieces, length). Used for object bodies so large objects never sit in memory.
    stream: Iterator[bytes] | AsyncIterator[bytes] | None = None
    length: int | None = None
