"""From a routed, authenticated call to its operation: the bucket checks every operation shares, then the op."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..auth import PayloadMode
from ..digests import BodyDigests
from ..errors import ErrorCode, S3Error
from ..routing import BUCKET_ADMIN, Operation
from . import Reply
from .buckets import create_bucket, delete_bucket, head_bucket, list_buckets
from .context import Call
from .listing import list_objects_xml, list_page, parse_params
from .objects import decoded_body, delete_object, get_object, head_object, is_chunked, put_object


async def list_objects(call: Call) -> Reply:
    params = parse_params(call.query)
    page = list_page(call.store, call.address.bucket, params)
    return list_objects_xml(call.address.bucket, params, page, call.account)


HANDLERS: dict[Operation, Callable[[Call], Awaitable[Reply]]] = {
    Operation.ListBuckets: list_buckets,
    Operation.HeadBucket: head_bucket,
    Operation.ListObjects: list_objects,
    Operation.PutObject: put_object,
    Operation.GetObject: get_object,
    Operation.HeadObject: head_object,
    Operation.DeleteObject: delete_object,
    Operation.CreateBucket: create_bucket,
    Operation.DeleteBucket: delete_bucket,
}


def check_bucket(call: Call) -> None:
    """NoSuchBucket for a missing bucket, AccessDenied for another account's, as S3 answers."""
    name = call.address.bucket
    if name is None or call.operation is Operation.CreateBucket:
        return
    info = call.store.get_bucket(name)
    if info is None:
        raise S3Error(ErrorCode.NoSuchBucket, fields={"BucketName": name})
    if info.owner != call.account.access_key:
        raise S3Error(ErrorCode.AccessDenied)


async def run(call: Call, allow_bucket_admin: bool) -> Reply:
    if call.operation in BUCKET_ADMIN and not allow_bucket_admin:
        raise S3Error(
            ErrorCode.NotImplemented,
            message=f"The {call.operation.value} operation is not supported by this service: buckets are created "
            "and deleted from the dashboard.",
            log_reason=f"{call.operation.value}: not supported by the service (start with --allow-bucket-admin)",
        )
    check_bucket(call)
    if call.has_body and call.operation not in _BODY_OPERATIONS:
        await verify_unused_body(call)
    return await HANDLERS[call.operation](call)


_BODY_OPERATIONS = frozenset({Operation.PutObject, Operation.CreateBucket})


async def verify_unused_body(call: Call) -> None:
    """A body the operation ignores is still covered by the signature: its hash (or chunk signatures) must hold,
    before the operation runs, so a DELETE with a tampered body deletes nothing (sig-v4-header-based-auth.html)."""
    digests = BodyDigests(sha256=call.auth.payload_mode is PayloadMode.HASH)
    async for piece in decoded_body(call, is_chunked(call)):
        await digests.update(piece)
    await digests.finish()
    digests.check_payload_hash(call.auth.payload_sha256)
