"""Copy-paste reproductions as boto3 snippets; credentials come from $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY."""

from __future__ import annotations

from harness.steps import (
    REPRO_WRONG_SECRET,
    UNKNOWN_ACCESS_KEY,
    UNKNOWN_SECRET,
    Delete,
    Get,
    Head,
    HeadBucket,
    ListBuckets,
    ListObjects,
    MissingBucket,
    Presigned,
    Put,
    Step,
    Unsupported,
    auth_variant,
)

BODY_LITERAL_MAX = 256


def client_lines(driver, signature: str | None = None, creds: str = "env") -> list[str]:
    t = driver.target
    kw = driver.config_kwargs(signature)
    if creds == "wrong-secret":
        cred = f'aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key={REPRO_WRONG_SECRET!r}'
    elif creds == "unknown-key":
        cred = f"aws_access_key_id={UNKNOWN_ACCESS_KEY!r}, aws_secret_access_key={UNKNOWN_SECRET!r}"
    else:
        cred = ('aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], '
                'aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"]')
    return [
        "import os, boto3",
        "from botocore.config import Config",
        f's3 = boto3.client("s3", endpoint_url={t.endpoint_url!r}, region_name={t.region!r},',
        f"                  {cred},",
        f"                  verify={t.ca_bundle or True!r}, config=Config(**{kw!r}))",
    ]


def call(driver, step: Step) -> list[str]:
    t = driver.target
    b = getattr(step, "bucket", None) or t.bucket
    if isinstance(step, ListBuckets):
        return ["print(s3.list_buckets())"]
    if isinstance(step, HeadBucket):
        return [f"print(s3.head_bucket(Bucket={b!r}))"]
    if isinstance(step, ListObjects):
        kw = {"Bucket": b, "Prefix": t.key(step.prefix)}
        if step.delimiter is not None:
            kw["Delimiter"] = step.delimiter
        if step.marker is not None:
            kw["Marker"] = t.key(step.marker)
        if step.max_keys is not None:
            kw["MaxKeys"] = step.max_keys
        if step.all_pages:
            return [f"for page in s3.get_paginator('list_objects').paginate(**{kw!r}):", "    print(page)"]
        return [f"print(s3.list_objects(**{kw!r}))"]
    if isinstance(step, Put):
        body = repr(step.body) if len(step.body) <= BODY_LITERAL_MAX else f"os.urandom({len(step.body)})"
        kw = {"Bucket": b, "Key": t.key(step.key)}
        if step.content_type is not None:
            kw["ContentType"] = step.content_type
        if step.metadata:
            kw["Metadata"] = dict(step.metadata)
        from harness.drivers.boto3.driver import HEADER_PARAMS

        for h, v in step.headers:
            kw[HEADER_PARAMS[h]] = v
        return [f"print(s3.put_object(Body={body}, **{kw!r}))"]
    if isinstance(step, (Get, Head)):
        kw = {"Bucket": b, "Key": t.key(step.key)}
        c = step.conditions
        for attr, param in (("if_match", "IfMatch"), ("if_none_match", "IfNoneMatch"),
                            ("if_modified_since", "IfModifiedSince"), ("if_unmodified_since", "IfUnmodifiedSince")):
            if getattr(c, attr):
                kw[param] = getattr(c, attr)
        if isinstance(step, Head):
            return [f"print(s3.head_object(**{kw!r}))"]
        if step.range:
            kw["Range"] = step.range
        return [f"r = s3.get_object(**{kw!r})", "print(r['ResponseMetadata'], len(r['Body'].read()))"]
    if isinstance(step, Delete):
        return [f"print(s3.delete_object(Bucket={b!r}, Key={t.key(step.key)!r}))"]
    if isinstance(step, MissingBucket):
        from dataclasses import replace

        return call(driver, replace(step.inner, bucket="nonexistent-bucket-for-repro"))
    if isinstance(step, Unsupported):
        return [f"# {step.operation}: the service should answer 501 NotImplemented",
                f"print(s3.{_UNSUPPORTED[step.operation].format(b=b, k=t.key(step.key), p=t.run_prefix)})"]
    if isinstance(step, Presigned):
        params = {"Bucket": b, "Key": t.key(step.key)}
        return [f"url = s3.generate_presigned_url('get_object', Params={params!r})",
                "import urllib.request; print(urllib.request.urlopen(url).status)"]
    return [f"# {step!r}"]


_UNSUPPORTED = {
    "ListObjectsV2": "list_objects_v2(Bucket={b!r}, Prefix={p!r})",
    "CreateMultipartUpload": "create_multipart_upload(Bucket={b!r}, Key={k!r})",
    "GetBucketLocation": "get_bucket_location(Bucket={b!r})",
    "GetObjectAcl": "get_object_acl(Bucket={b!r}, Key={k!r})",
    "CopyObject": "copy_object(Bucket={b!r}, Key={k!r} + '.copy', CopySource={{'Bucket': {b!r}, 'Key': {k!r}}})",
    "DeleteObjects": "delete_objects(Bucket={b!r}, Delete={{'Objects': [{{'Key': {k!r} + '.absent'}}]}})",
    "CreateBucket": "create_bucket(Bucket={b!r} + '-created-by-harness')",
    "DeleteBucket": "delete_bucket(Bucket={b!r} + '-created-by-harness')",
}


def snippet(driver, step: Step) -> str:
    kind, inner = auth_variant(step)
    creds = kind if kind in ("wrong-secret", "unknown-key") else "env"
    signature = "s3" if kind == "sigv2" else None
    if isinstance(step, Presigned):
        signature = "s3v4" if step.signature == "s3v4" else None
    lines = client_lines(driver, signature, creds)
    if driver.target.proxy_url:
        lines.insert(2, f"# virtual-host style without DNS: requests go through the proxy {driver.target.proxy_url}")
    return compress_runs("\n".join(lines + call(driver, inner)))


def compress_runs(text: str) -> str:
    """'...LLLL(948 times)...' inside a single-quoted literal -> '...' + 'L' * 948 + '...' (still valid Python)."""
    import re

    return re.sub(r"([A-Za-z0-9])\1{39,}", lambda m: f"' + {m.group(1)!r} * {len(m.group(0))} + '", text)
