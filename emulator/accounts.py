"""Accounts: an access key / secret pair owns buckets, as a key from the service's developer page does."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    access_key: str
    secret_key: str = ""
    display_name: str = ""

    @property
    def canonical_id(self) -> str:
        """A stable 64-hex owner id, as S3's canonical user ids look; derived, so never the secret."""
        return hashlib.sha256(b"owner:" + self.access_key.encode()).hexdigest()

    @property
    def owner_name(self) -> str:
        return self.display_name or self.access_key

    def __repr__(self) -> str:
        # Because secrets must never reach logs, tracebacks or reports.
        return f"Account(access_key={self.access_key!r}, secret_key='***')"
