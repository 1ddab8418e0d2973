"""What an operation gets: the routed call, its authenticated account, its body, and the store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from ..accounts import Account
from ..auth import AuthResult
from ..routing import Address, Operation
from ..storage import Storage


@dataclass
class Call:
    has_body: bool  # the request carries a body (Content-Length > 0 or chunked)
    operation: Operation
    address: Address
    method: str
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive
    auth: AuthResult
    body: AsyncIterator[bytes]
    store: Storage
    region: str
    accounts: Mapping[str, Account]
    trailers: dict[str, str] = field(default_factory=dict)

    @property
    def account(self) -> Account:
        return self.auth.account
