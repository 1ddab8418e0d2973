"""Helpers shared by the scenario files (kept here so that scenarios stay declarative)."""

from __future__ import annotations

from harness.observation import Exchange, Observation, outcome_for_status, pick_headers, pick_metadata
from harness.wire.classify import operation_at


def operation_of(x: Exchange, endpoint_url: str) -> str:
    return operation_at(x, endpoint_url)


def exchange_observation(obs: Observation, operation: str, endpoint_url: str) -> Observation | None:
    """The observation of the first request of ``operation`` inside a client command (e.g. s3cmd's ?location
    probe, the CreateMultipartUpload a transfer starts), or None when the command never sent it."""
    for x in obs.wire:
        if operation_of(x, endpoint_url) == operation:
            code = None
            if x.status and x.status >= 300:
                code = x.response_headers.get("x-amz-error-code")
            return Observation(outcome_for_status(x.status), status=x.status, error_code=code,
                               headers=pick_headers(x.response_headers), metadata=pick_metadata(x.response_headers),
                               wire=[x], note=f"inside: {obs.note}"[:600], command=obs.command)
    return None


def operations_sent(obs: Observation, endpoint_url: str) -> list[str]:
    return [operation_of(x, endpoint_url) for x in obs.wire]


def ensure_object(harness, target, rel_key: str, body: bytes = b"probe", **put_kw) -> None:
    """Write a setup object once per target with boto3 (tracked for cleanup; not itself a check)."""
    from harness.drivers.boto3.driver import Boto3Driver

    def make():
        harness.tracker_for(target).track(target.bucket, target.key(rel_key))
        d = Boto3Driver(target, "when_required")
        try:
            d.client().put_object(Bucket=target.bucket, Key=target.key(rel_key), Body=body, **put_kw)
        finally:
            d.close()
        return True

    harness.shared(("object", target.endpoint_url, target.proxy_url, target.key(rel_key)), make)


HARNESS_BUCKET_SUFFIX = "-created-by-harness"  # the bucket the CreateBucket / DeleteBucket probes name


def ensure_harness_bucket(target) -> None:
    """Make ``<bucket>-created-by-harness`` exist (boto3; not itself a check), so that a DeleteBucket probe on a
    full-S3 target judges DeleteBucket itself. Done just before each probe, never memoised: a previous DeleteBucket
    (another client, the same worker) removes it, and under ``-n 2`` each worker has its own server, where the
    CreateBucket probe may never have run. Already there (BucketAlreadyOwnedByYou) is fine."""
    from botocore.exceptions import ClientError

    from harness.drivers.boto3.driver import Boto3Driver

    d = Boto3Driver(target, "when_required")
    try:
        d.client().create_bucket(Bucket=target.bucket + HARNESS_BUCKET_SUFFIX)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
            raise
    finally:
        d.close()
