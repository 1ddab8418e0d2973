"""Where a load run sends its requests: one small function per target kind, chosen by name.

The conformance harness's targets (harness/targets.py) are reused as they are: the in-process emulator (here one
plain-HTTP instance, memory or ``--data-dir`` store), moto's server, or a live endpoint from exactly the
environment variables of ``tox -e live``. Each factory is a context manager yielding a Target whose run prefix is
``s3-conformance/<run-id>/load/``. To add a kind (rgw, seaweedfs, ... once the harness's registry has them), add
one entry to ``TARGET_KINDS``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from harness.targets import ConfigError, Credentials, Target, live_target_from_env, run_prefix_for

LOAD_DIR = "load/"


@dataclass(frozen=True)
class TargetOptions:
    run_id: str
    data_dir: str | None = None
    env: dict | None = None


def load_prefix(run_id: str) -> str:
    return run_prefix_for(run_id) + LOAD_DIR


@contextlib.contextmanager
def _emulator(o: TargetOptions) -> Iterator[Target]:
    from emulator import Emulator

    creds = Credentials("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))
    with Emulator(buckets=["load"], credentials=[(creds.access_key, creds.secret_key)], data_dir=o.data_dir) as emu:
        yield Target(name="emulator", scheme="http", endpoint_url=emu.endpoint_url, addressing_style="path",
                     bucket="load", credentials=creds, run_prefix=load_prefix(o.run_id))


@contextlib.contextmanager
def _moto(o: TargetOptions) -> Iterator[Target]:
    from harness.targets import moto_targets

    with moto_targets(o.run_id, bucket="load") as targets:
        yield replace(targets[0], run_prefix=load_prefix(o.run_id))


@contextlib.contextmanager
def _live(o: TargetOptions) -> Iterator[Target]:
    t = live_target_from_env(o.run_id, o.env)
    yield replace(t, run_prefix=load_prefix(o.run_id))


TARGET_KINDS: dict[str, Callable[[TargetOptions], contextlib.AbstractContextManager[Target]]] = {
    "emulator": _emulator,
    "moto": _moto,
    "live": _live,
}


def select_target(name: str, options: TargetOptions) -> contextlib.AbstractContextManager[Target]:
    """The target of that kind, started (emulator, moto) or read from the environment (live)."""
    try:
        factory = TARGET_KINDS[name]
    except KeyError:
        raise ConfigError(f"--target must be one of {', '.join(TARGET_KINDS)}, got {name!r}") from None
    if options.data_dir and name != "emulator":
        raise ConfigError("--data-dir only applies to --target emulator")
    return factory(options)


def child_environment(target: Target, base: dict | None = None) -> dict[str, str]:
    """The environment a Locust process gets: the live variables describing ``target`` (the secret travels here,
    never on a command line), and nothing else of AWS_*/S3_* from ours."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith(("AWS_", "S3_", "LOCUST_"))}
    env.update({
        "S3_ENDPOINT_URL": target.endpoint_url, "S3_BUCKET": target.bucket, "AWS_REGION": target.region,
        "AWS_ACCESS_KEY_ID": target.credentials.access_key, "AWS_SECRET_ACCESS_KEY": target.credentials.secret_key,
        "S3_ADDRESSING_STYLE": target.addressing_style,
        "S3_VHOST_TEMPLATE": target.vhost_template or "%(bucket)s.stdcdn.com",
        "S3_CA_BUNDLE": target.ca_bundle or "", "S3_PROXY_URL": target.proxy_url or "",
    })
    return env
