"""Ceph RGW (Debian's radosgw 16.2.15) as a one-host cluster on 127.0.0.1 (harness/servers/rgw.py), HTTP, path
style; judged as full S3; its deviations are in harness/ledgers/rgw.py."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from harness.kinds.base import TargetKind
from harness.profile import Profile
from harness.servers import rgw
from harness.targets import ConfigError, Credentials, Target, run_prefix_for

BUCKET = "conformance"


def _account(uid: str, bucket: str) -> rgw.Account:
    return rgw.Account(uid, "AK" + secrets.token_hex(9).upper(), secrets.token_urlsafe(30), bucket)


@contextlib.contextmanager
def rgw_targets(run_id: str, log_dir: str) -> Iterator[list[Target]]:
    main, other = _account("conformance", BUCKET), _account("conformance-other", BUCKET + "-other")
    with rgw.rgw_server(main, other, log_dir) as server:
        yield [Target(name="rgw", scheme="http", endpoint_url=server.endpoint_url, addressing_style="path",
                      bucket=BUCKET, credentials=Credentials(main.access_key, main.secret_key),
                      other_credentials=Credentials(other.access_key, other.secret_key),
                      foreign_bucket=other.bucket, run_prefix=run_prefix_for(run_id))]


def _validate() -> None:
    missing = rgw.missing_programs()
    if missing:
        raise ConfigError(f"--target rgw: Ceph RGW is not installed ({', '.join(missing)} missing); "
                          "run scripts/install-rgw.sh (root, apt-get)")


KIND = TargetKind(
    name="rgw",
    description="Ceph RGW 16.2.15, one-host memstore cluster started by the harness (HTTP, path style)",
    start=rgw_targets,
    main_labels=("http-path",),
    all_labels=("http-path",),
    profile=Profile.S3,
    ledger="rgw",
    validate=_validate,
    schemes=("http",),
)

