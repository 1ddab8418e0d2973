"""Fixtures that start a real server (Ceph RGW, SeaweedFS) through the target registry, once per module.

These tests cost a server start each (RGW about 15 s), so they run only when asked: ``S3_SERVER_TESTS=rgw`` (or
``seaweedfs``, or both, comma-separated), as ``tox -e rgw`` / ``tox -e seaweedfs`` do. Otherwise, or when the server
is not installed, they are skipped with the reason."""

from __future__ import annotations

import os

import boto3
import pytest
from botocore.config import Config

from harness.kinds import KINDS
from harness.targets import ConfigError, Target, new_run_id

ENABLE = "S3_SERVER_TESTS"


def _server_target(name: str, tmp_path_factory) -> Target:
    wanted = {x.strip() for x in os.environ.get(ENABLE, "").split(",") if x.strip()}
    if name not in wanted:
        pytest.skip(f"starts {name}: set {ENABLE}={name} to run (tox -e {name} does)")
    kind = KINDS[name]
    try:
        kind.validate()
    except ConfigError as e:
        pytest.skip(f"{name} is not installed here: {e}")
    return kind


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """The module's server (module attribute SERVER = 'rgw' | 'seaweedfs'), as a harness Target."""
    name = request.module.SERVER
    kind = _server_target(name, tmp_path_factory)
    with kind.start(new_run_id(), str(tmp_path_factory.mktemp(f"{name}-logs"))) as targets:
        yield targets[0]


def s3_client(target: Target, *, secret: str | None = None, signature: str | None = None, other: bool = False):
    creds = target.other_credentials if other else target.credentials
    kw = {"retries": {"total_max_attempts": 1}, "s3": {"addressing_style": "path"}}
    if signature:
        kw["signature_version"] = signature
    return boto3.session.Session().client(
        "s3", endpoint_url=target.endpoint_url, region_name=target.region, aws_access_key_id=creds.access_key,
        aws_secret_access_key=secret or creds.secret_key, config=Config(**kw))


def sigv2_presigned_status(target: Target, key: str) -> int:
    """Put ``key``, then fetch it through a SigV2 presigned URL (boto3 signature "s3"): the status the server gives."""
    import urllib.error
    import urllib.request

    s3_client(target).put_object(Bucket=target.bucket, Key=key, Body=b"x")
    url = s3_client(target, signature="s3").generate_presigned_url(
        "get_object", Params={"Bucket": target.bucket, "Key": key})
    assert "Signature=" in url and "X-Amz-Signature" not in url  # really a SigV2 URL
    try:
        return urllib.request.urlopen(url).status  # noqa: S310 - the loopback server of this test
    except urllib.error.HTTPError as e:
        return e.code
