"""`s3-emulator` / `python -m emulator`: the emulator as a standalone command."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace

from .accounts import Account
from .config import DEFAULT_DOMAINS, BucketSpec, ConfigError, EmulatorConfig, from_env, from_file


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line and exit 2, never a traceback
        self.exit(2, f"s3-emulator: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="s3-emulator", description="Emulate Poweredby.Cloud's S3-compatible API on this machine.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9000, help="port (default 9000; 0 picks a free one)")
    p.add_argument(
        "--bucket",
        action="append",
        default=[],
        metavar="NAME[:ACCESS_KEY]",
        help="a bucket to create at start, owned by the first (or the named) account; repeatable",
    )
    p.add_argument("--access-key", action="append", default=[], help="an access key id; repeatable, paired in order")
    p.add_argument(
        "--secret-key", action="append", default=[], help="its secret key (prefer --config or the environment)"
    )
    p.add_argument("--config", help="a TOML file with credentials, buckets and settings")
    p.add_argument("--region", default=None, help="the region clients sign for (default us-east-1)")
    p.add_argument(
        "--domain",
        action="append",
        default=[],
        help="a domain for virtual-hosted style (<bucket>.<domain>); repeatable "
        f"(default {', '.join(DEFAULT_DOMAINS)})",
    )
    p.add_argument(
        "--tls", action="store_true", help="serve HTTPS with a certificate made on the fly (CA written to --ca-file)"
    )
    p.add_argument("--ca-file", default=None, help="where to write the generated CA (default: ./s3-emulator-ca.pem)")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM) ...")
    p.add_argument("--tls-key", help="... and this key")
    p.add_argument(
        "--proxy-port",
        type=int,
        default=None,
        help="with TLS: also listen here (plain HTTP) as a proxy, tunnelling CONNECT into the TLS listener",
    )
    p.add_argument(
        "--allow-bucket-admin",
        action="store_true",
        help="serve CreateBucket/DeleteBucket (the service itself does not: buckets come from its dashboard)",
    )
    p.add_argument("--data-dir", help="keep buckets and objects in this directory across restarts")
    p.add_argument("--ready-file", help="write {endpoint_url, proxy_url, ca_file} as JSON here once listening")
    p.add_argument("--quiet", action="store_true", help="no access log")
    return p


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    if len(args.access_key) != len(args.secret_key):
        raise ConfigError("give --access-key and --secret-key the same number of times")
    config = EmulatorConfig(
        accounts=tuple(Account(a, s) for a, s in zip(args.access_key, args.secret_key, strict=True)),
        host=args.host,
        port=args.port,
        tls=args.tls,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        allow_bucket_admin=args.allow_bucket_admin,
        data_dir=args.data_dir,
        proxy_port=args.proxy_port,
        record_requests=False,
        ca_file=os.path.abspath(args.ca_file or "s3-emulator-ca.pem") if args.tls else None,
    )
    if args.config:
        config = from_file(args.config, config)
    config = from_env(config)
    buckets = tuple(BucketSpec(*b.split(":", 1)) if ":" in b else BucketSpec(b) for b in args.bucket)
    changes: dict = {"buckets": config.buckets + buckets}
    if args.region:
        changes["region"] = args.region
    if args.domain:
        changes["domains"] = tuple(args.domain)
    return replace(config, **changes).validate()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s", stream=sys.stderr)
    from .emulator import Emulator, run_loop  # after argument parsing, so `--help` stays instant

    try:
        config = build_config(args)
        emulator = Emulator(config=config)
    except ConfigError as exc:
        print(f"s3-emulator: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"s3-emulator: error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    return run_loop(_serve(emulator, args.ready_file))


async def _serve(emulator, ready_file: str | None) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, emulator.stop_from_loop)
    facts = {"endpoint_url": emulator.endpoint_url, "proxy_url": emulator.proxy_url, "ca_file": emulator.ca_file}
    line = f"S3 emulator ready at {emulator.endpoint_url}"
    if emulator.proxy_url and emulator.proxy_url != emulator.endpoint_url:
        line += f" (proxy {emulator.proxy_url})"
    if emulator.ca_file:
        line += f"; trust {emulator.ca_file}"
    buckets = ", ".join(b.name for b in emulator.store.list_buckets()) or "none"

    def on_ready() -> None:
        print(f"{line}; buckets: {buckets}", flush=True)
        if ready_file:
            tmp = ready_file + ".tmp"
            with open(tmp, "w") as fh:
                json.dump(facts, fh)
            os.replace(tmp, ready_file)

    await emulator.serve(on_ready)
    return 0
