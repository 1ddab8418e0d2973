"""Targets: where a run sends its requests, and how each client must be pointed there.

A Target is immutable and safe to print: the secret key is excluded from repr() and from
``public_dict()``. Factories:

- ``emulator_targets()``: the in-process emulator, one HTTP and one HTTPS instance per session;
- ``moto_targets()``:     moto's server in-process (werkzeug, HTTP and HTTPS via trustme), bucket created via its API;
- ``live_target_from_env()``: any endpoint described by environment variables (see LIVE_VARIABLES).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import urlsplit

RUN_PREFIX_ROOT = "s3-conformance"


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str = field(repr=False)

    def __str__(self) -> str:  # never the secret
        return f"Credentials(access_key={self.access_key!r})"


@dataclass(frozen=True)
class Target:
    """One way of reaching one bucket.

    ``endpoint_url`` is what boto3 / aws get as endpoint; for virtual-host style without DNS it names the
    service domain (``https://stdcdn.test``) and ``proxy_url`` is a forward proxy that reaches it.
    """

    name: str  # emulator | moto | live
    scheme: str  # http | https
    endpoint_url: str
    addressing_style: str  # path | virtual
    bucket: str
    credentials: Credentials
    region: str = "us-east-1"
    vhost_template: str | None = None  # e.g. "%(bucket)s.stdcdn.com" (s3cmd host_bucket)
    proxy_url: str | None = None
    ca_bundle: str | None = None
    run_prefix: str = ""
    other_credentials: Credentials | None = None  # a second account that does not own `bucket`
    live: bool = False
    # bucket names that exist but belong to `other_credentials` (for the 403 HeadBucket check)
    foreign_bucket: str | None = None

    @property
    def host_base(self) -> str:
        """host[:port] of the endpoint, as s3cmd's host_base wants it."""
        return urlsplit(self.endpoint_url).netloc

    @property
    def host_bucket(self) -> str:
        """s3cmd's host_bucket: the template for virtual style, the base host for path style."""
        if self.addressing_style == "virtual" and self.vhost_template:
            return self.vhost_template
        return self.host_base

    @property
    def label(self) -> str:
        return f"{self.scheme}-{self.addressing_style}"

    def key(self, relative: str) -> str:
        """Absolute key for a run-relative key: everything a run writes lives under run_prefix."""
        return self.run_prefix + relative

    def with_prefix(self, sub: str) -> Target:
        return replace(self, run_prefix=self.run_prefix + sub)

    def public_dict(self) -> dict:
        d = asdict(self)
        d["credentials"] = {"access_key": self.credentials.access_key}
        if self.other_credentials:
            d["other_credentials"] = {"access_key": self.other_credentials.access_key}
        return d


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def run_prefix_for(run_id: str) -> str:
    return f"{RUN_PREFIX_ROOT}/{run_id}/"


def _random_credentials() -> Credentials:
    return Credentials("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))


# ---------------------------------------------------------------- live

LIVE_VARIABLES = {
    # name: (default or None when required, meaning)
    "S3_ENDPOINT_URL": ("https://stdcdn.com", "endpoint URL of the service"),
    "AWS_ACCESS_KEY_ID": (None, "access key id"),
    "AWS_SECRET_ACCESS_KEY": (None, "secret access key (never printed)"),
    "S3_BUCKET": (None, "an existing bucket the run may write to (under s3-conformance/<run-id>/ only)"),
    "AWS_REGION": ("us-east-1", "signing region"),
    "S3_ADDRESSING_STYLE": ("virtual", "path or virtual"),
    "S3_VHOST_TEMPLATE": ("%(bucket)s.stdcdn.com", "virtual-host template (s3cmd host_bucket)"),
    "S3_CA_BUNDLE": ("", "optional CA bundle PEM for HTTPS endpoints"),
    "S3_PROXY_URL": ("", "optional forward proxy (e.g. the emulator's proxy_url for virtual style without DNS)"),
}


class ConfigError(Exception):
    """A one-line configuration problem (missing or bad variable)."""


def live_target_from_env(run_id: str, env: dict | None = None) -> Target:
    env = os.environ if env is None else env
    values = {}
    for name, (default, _meaning) in LIVE_VARIABLES.items():
        value = env.get(name, "")
        if not value:
            if default is None:
                raise ConfigError(f"{name} is not set: the live target needs it ({LIVE_VARIABLES[name][1]})")
            value = default
        values[name] = value
    url = urlsplit(values["S3_ENDPOINT_URL"])
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ConfigError(f"S3_ENDPOINT_URL must be an http(s) URL, got {values['S3_ENDPOINT_URL']!r}")
    style = values["S3_ADDRESSING_STYLE"]
    if style not in ("path", "virtual"):
        raise ConfigError(f"S3_ADDRESSING_STYLE must be 'path' or 'virtual', got {style!r}")
    if style == "virtual" and "%(bucket)s" not in values["S3_VHOST_TEMPLATE"]:
        raise ConfigError("S3_VHOST_TEMPLATE must contain %(bucket)s")
    ca = values["S3_CA_BUNDLE"] or None
    if ca and not os.path.isfile(ca):
        raise ConfigError(f"S3_CA_BUNDLE names a file that does not exist: {ca}")
    return Target(
        name="live",
        scheme=url.scheme,
        endpoint_url=values["S3_ENDPOINT_URL"].rstrip("/"),
        addressing_style=style,
        bucket=values["S3_BUCKET"],
        credentials=Credentials(values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]),
        region=values["AWS_REGION"],
        vhost_template=values["S3_VHOST_TEMPLATE"],
        proxy_url=values["S3_PROXY_URL"] or None,
        ca_bundle=ca,
        run_prefix=run_prefix_for(run_id),
        live=True,
    )


# ---------------------------------------------------------------- emulator

EMULATOR_VHOST_DOMAIN = "stdcdn.test"


@contextlib.contextmanager
def emulator_targets(run_id: str, bucket: str = "conformance") -> Iterator[list[Target]]:
    """Start the in-process emulator over HTTP and HTTPS; yields [http-path, https-virtual, http-virtual,
    https-path] targets. Virtual style goes through the emulator's own forward proxy (no DNS needed)."""
    from emulator import Emulator  # imported lazily: the harness must import without it

    creds = _random_credentials()
    other = _random_credentials()
    kwargs = dict(
        buckets=[bucket, (bucket + "-other", other.access_key)],  # (name, owner): a bucket of another account
        credentials=[(creds.access_key, creds.secret_key), (other.access_key, other.secret_key)],
        region="us-east-1",
        domains=("localhost", "stdcdn.com", EMULATOR_VHOST_DOMAIN),
    )
    with contextlib.ExitStack() as stack:
        plain = stack.enter_context(Emulator(tls=False, **kwargs))
        tls = stack.enter_context(Emulator(tls=True, **kwargs))
        # the second bucket must belong to the second account for the 403 check
        foreign = bucket + "-other"
        common = dict(name="emulator", bucket=bucket, credentials=creds, other_credentials=other,
                      run_prefix=run_prefix_for(run_id), region="us-east-1", foreign_bucket=foreign)
        template = "%(bucket)s." + EMULATOR_VHOST_DOMAIN
        yield [
            Target(scheme="http", endpoint_url=plain.endpoint_url, addressing_style="path", **common),
            Target(scheme="https", endpoint_url=f"https://{EMULATOR_VHOST_DOMAIN}", addressing_style="virtual",
                   vhost_template=template, proxy_url=tls.proxy_url, ca_bundle=tls.ca_file, **common),
            Target(scheme="http", endpoint_url=f"http://{EMULATOR_VHOST_DOMAIN}", addressing_style="virtual",
                   vhost_template=template, proxy_url=plain.proxy_url, **common),
            Target(scheme="https", endpoint_url=tls.endpoint_url, addressing_style="path", ca_bundle=tls.ca_file,
                   **common),
        ]


# ---------------------------------------------------------------- moto

class _MotoServer:
    """moto's WSGI app on werkzeug in a thread, on 127.0.0.1:0, optionally over TLS (trustme CA)."""

    def __init__(self, tls: bool, workdir: str):
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        ssl_context = None
        self.ca_file = None
        if tls:
            import ssl

            import trustme

            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            cert.configure_cert(ssl_context)
            self.ca_file = os.path.join(workdir, "moto-ca.pem")
            ca.cert_pem.write_to_path(self.ca_file)
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
        self.port = self._server.server_address[1]
        self.endpoint_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        from emulator.emulator import start_without_signals  # lazily, as Emulator below: see emulator_targets

        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="moto-server")
        start_without_signals(self._thread)  # so a Ctrl-C reaches the main thread at once

    def stop(self) -> None:
        # shutdown() waits, without a timeout, for serve_forever to notice; a server thread frozen by interpreter
        # shutdown (a context left open until exit) never does, and the process would hang at exit
        if self._thread.is_alive() and not sys.is_finalizing():
            stopper = threading.Thread(target=self._server.shutdown, daemon=True, name="moto-server-stop")
            stopper.start()
            stopper.join(10)
        self._server.server_close()


def _moto_env() -> contextlib.AbstractContextManager:
    # moto reads these at import time in some places; keep them harmless and local
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    return contextlib.nullcontext()


def create_moto_bucket(endpoint_url: str, creds: Credentials, bucket: str, ca_file: str | None = None) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1",
                          aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
                          verify=ca_file or True, config=Config(retries={"total_max_attempts": 1}))
    try:
        client.create_bucket(Bucket=bucket)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass


@contextlib.contextmanager
def moto_servers() -> Iterator[tuple[_MotoServer, _MotoServer]]:
    with _moto_env(), tempfile.TemporaryDirectory(prefix="harness-moto-") as workdir:
        plain = _MotoServer(False, workdir)
        tls = _MotoServer(True, workdir)
        try:
            yield plain, tls
        finally:
            plain.stop()
            tls.stop()


@contextlib.contextmanager
def moto_targets(run_id: str, bucket: str = "conformance") -> Iterator[list[Target]]:
    """moto over HTTP and HTTPS, path style only (moto's server has no virtual-host routing for custom domains)."""
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    with moto_servers() as (plain, tls):
        create_moto_bucket(plain.endpoint_url, creds, bucket)
        common = dict(name="moto", bucket=bucket, credentials=creds, run_prefix=run_prefix_for(run_id))
        yield [
            Target(scheme="http", endpoint_url=plain.endpoint_url, addressing_style="path", **common),
            Target(scheme="https", endpoint_url=tls.endpoint_url, addressing_style="path", ca_bundle=tls.ca_file,
                   **common),
        ]
