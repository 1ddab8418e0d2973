"""ListBuckets, HeadBucket, and the opt-in CreateBucket/DeleteBucket (a stand-in for the service's dashboard).

https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
"""

from __future__ import annotations

import re

from ..errors import ErrorCode, S3Error
from ..xmlbody import S3_NS, add, add_all, element, iso8601, serialise
from . import Reply
from .context import Call

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET_NAME = re.compile(r"(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def valid_bucket_name(name: str) -> bool:
    return bool(_BUCKET_NAME.fullmatch(name)) and ".." not in name and not re.fullmatch(r"[\d.]+", name)


async def list_buckets(call: Call) -> Reply:
    root = element("ListAllMyBucketsResult", xmlns=S3_NS)
    owner = add(root, "Owner")
    add_all(owner, [("ID", call.account.canonical_id), ("DisplayName", call.account.owner_name)])
    buckets = add(root, "Buckets")
    for info in call.store.list_buckets():
        if info.owner == call.account.access_key:
            add_all(add(buckets, "Bucket"), [("Name", info.name), ("CreationDate", iso8601(info.created))])
    return Reply(headers={"Content-Type": "application/xml"}, body=serialise(root))


async def head_bucket(call: Call) -> Reply:
    # Existence and ownership are checked before any operation runs (see dispatch.check_bucket).
    return Reply(headers={"x-amz-bucket-region": call.region, "x-amz-access-point-alias": "false"})


async def create_bucket(call: Call) -> Reply:
    name = call.address.bucket or ""
    existing = call.store.get_bucket(name)
    if existing is not None:
        code = (
            ErrorCode.BucketAlreadyOwnedByYou
            if existing.owner == call.account.access_key
            else ErrorCode.BucketAlreadyExists
        )
        raise S3Error(code, fields={"BucketName": name})
    if not valid_bucket_name(name):
        raise S3Error(ErrorCode.InvalidBucketName, fields={"BucketName": name})
    async for _ in call.body:  # a CreateBucketConfiguration body is accepted and not needed
        pass
    call.store.create_bucket(name, call.account.access_key)
    return Reply(headers={"Location": f"/{name}"})


async def delete_bucket(call: Call) -> Reply:
    name = call.address.bucket or ""
    if not call.store.bucket_is_empty(name):
        raise S3Error(ErrorCode.BucketNotEmpty, fields={"BucketName": name})
    call.store.delete_bucket(name)
    return Reply(status=204)
