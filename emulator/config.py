"""The emulator's settings, from keyword arguments, a TOML file, environment variables or the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .accounts import Account

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_DOMAINS = ("localhost", "stdcdn.com")
ENV_ACCESS_KEY = "S3_EMULATOR_ACCESS_KEY"
ENV_SECRET_KEY = "S3_EMULATOR_SECRET_KEY"
ENV_BUCKETS = "S3_EMULATOR_BUCKETS"


class ConfigError(ValueError):
    """A setting that cannot be used; its message is one line for the user."""


@dataclass(frozen=True)
class BucketSpec:
    name: str
    owner: str | None = None  # access key; None: the first account


@dataclass(frozen=True)
class EmulatorConfig:
    accounts: tuple[Account, ...] = ()
    buckets: tuple[BucketSpec, ...] = ()
    host: str = "127.0.0.1"
    port: int = 0
    region: str = "us-east-1"
    domains: tuple[str, ...] = DEFAULT_DOMAINS
    tls: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    ca_file: str | None = None  # where a generated CA is written; None: a private temporary directory
    allow_bucket_admin: bool = False
    data_dir: str | None = None
    proxy_port: int | None = 0  # with TLS, a plain proxy listener (CONNECT and absolute-form); None: none
    body_timeout: float = 20.0
    # In-process emulators keep (method, resource, status, operation) per request for tests to inspect; the
    # standalone command does not, or a server left running for days would grow without bound.
    record_requests: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    def validate(self) -> EmulatorConfig:
        if not self.accounts:
            raise ConfigError(
                "no credentials: pass --access-key and --secret-key, a --config file, "
                f"or {ENV_ACCESS_KEY}/{ENV_SECRET_KEY}"
            )
        keys = [a.access_key for a in self.accounts]
        if len(set(keys)) != len(keys):
            raise ConfigError("an access key is given twice")
        for account in self.accounts:
            if not account.access_key or not account.secret_key:
                raise ConfigError("every credential needs both an access key and a secret key")
        for bucket in self.buckets:
            if bucket.owner is not None and bucket.owner not in keys:
                raise ConfigError(f"bucket {bucket.name!r} is owned by an unknown access key")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ConfigError("--tls-cert and --tls-key go together")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port {self.port} is out of range")
        return self


def accounts_from(credentials: Iterable[Account | tuple[str, str] | Sequence[str]]) -> tuple[Account, ...]:
    out = []
    for cred in credentials:
        out.append(cred if isinstance(cred, Account) else Account(cred[0], cred[1], *cred[2:3]))
    return tuple(out)


def buckets_from(buckets: Iterable[str | BucketSpec | tuple[str, str]]) -> tuple[BucketSpec, ...]:
    out = []
    for bucket in buckets:
        if isinstance(bucket, BucketSpec):
            out.append(bucket)
        elif isinstance(bucket, str):
            out.append(BucketSpec(bucket))
        else:
            out.append(BucketSpec(bucket[0], bucket[1]))
    return tuple(out)


def from_file(path: str, base: EmulatorConfig) -> EmulatorConfig:
    """A TOML file: region, domains, host, port, allow_bucket_admin, data_dir, [[credentials]], [[buckets]]."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    try:
        accounts = accounts_from(
            (c["access_key"], c["secret_key"], c.get("display_name", "")) for c in data.pop("credentials", [])
        )
        buckets = tuple(
            BucketSpec(b["name"], b.get("owner")) if isinstance(b, dict) else BucketSpec(str(b))
            for b in data.pop("buckets", [])
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"config file {path}: a credential or bucket entry lacks {exc}") from None
    known = {"region", "domains", "host", "port", "allow_bucket_admin", "data_dir", "tls", "tls_cert", "tls_key"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(sorted(unknown))}")
    if "domains" in data:
        data["domains"] = tuple(data["domains"])
    return replace(base, accounts=base.accounts + accounts, buckets=base.buckets + buckets, **data)


def from_env(base: EmulatorConfig, environ=os.environ) -> EmulatorConfig:
    access, secret = environ.get(ENV_ACCESS_KEY), environ.get(ENV_SECRET_KEY)
    accounts = base.accounts
    if access or secret:
        accounts = accounts + (Account(access or "", secret or ""),)
    names = [n.strip() for n in environ.get(ENV_BUCKETS, "").split(",") if n.strip()]
    return replace(base, accounts=accounts, buckets=base.buckets + tuple(BucketSpec(n) for n in names))
