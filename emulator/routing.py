"""Where a request goes: the address (root / bucket / object) and the operation, from (method, shape, query).

Path style `/bucket/key` and virtual-hosted style `Host: bucket.<domain>` are both served:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import unquote

from .errors import ErrorCode, S3Error


class Operation(enum.Enum):
    """Operation names as the S3 API reference spells them."""

    ListBuckets = "ListBuckets"
    HeadBucket = "HeadBucket"
    ListObjects = "ListObjects"
    PutObject = "PutObject"
    GetObject = "GetObject"
    HeadObject = "HeadObject"
    DeleteObject = "DeleteObject"
    # Served only with --allow-bucket-admin, a stand-in for the service's dashboard.
    CreateBucket = "CreateBucket"
    DeleteBucket = "DeleteBucket"


SUPPORTED = frozenset(Operation)
BUCKET_ADMIN = frozenset({Operation.CreateBucket, Operation.DeleteBucket})


@dataclass(frozen=True)
class Address:
    bucket: str | None  # None: the service root
    key: str | None  # None: the bucket itself; "" never happens (a trailing "/bucket/" is the bucket)
    virtual_host: bool

    @property
    def resource(self) -> str:
        """The Resource element of an error: the decoded path, as S3 shows it."""
        if self.bucket is None:
            return "/"
        return f"/{self.bucket}" + (f"/{self.key}" if self.key is not None else "")


def _host_bucket(host: str, domains: tuple[str, ...]) -> str | None:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower().rstrip(".")
    for domain in domains:
        if name.endswith("." + domain):
            return name[: -len(domain) - 1]
    return None


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _decode(segment: str) -> str:
    if _BAD_ESCAPE.search(segment):
        raise S3Error(ErrorCode.InvalidURI)
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError as exc:
        raise S3Error(ErrorCode.InvalidURI) from exc


def parse_address(host: str, raw_path: str, domains: tuple[str, ...]) -> Address:
    """Split a request target into bucket and key. ``raw_path`` is percent-encoded, as sent, without a query."""
    if not raw_path.startswith("/"):
        raise S3Error(ErrorCode.InvalidURI)
    bucket = _host_bucket(host, domains)
    if bucket is not None:
        key = _decode(raw_path[1:])
        return Address(bucket, key or None, virtual_host=True)
    rest = raw_path[1:]
    if not rest:
        return Address(None, None, virtual_host=False)
    name, sep, key = rest.partition("/")
    return Address(_decode(name), _decode(key) if key else None, virtual_host=False)


# Sub-resources that name an operation the service does not offer; the value is the operation S3 calls it.
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
_BUCKET_SUBRESOURCES = {
    "accelerate": "BucketAccelerateConfiguration",
    "acl": "BucketAcl",
    "analytics": "BucketAnalyticsConfiguration",
    "cors": "BucketCors",
    "delete": "DeleteObjects",
    "encryption": "BucketEncryption",
    "intelligent-tiering": "BucketIntelligentTieringConfiguration",
    "inventory": "BucketInventoryConfiguration",
    "lifecycle": "BucketLifecycleConfiguration",
    "location": "BucketLocation",
    "logging": "BucketLogging",
    "metrics": "BucketMetricsConfiguration",
    "notification": "BucketNotificationConfiguration",
    "object-lock": "ObjectLockConfiguration",
    "ownershipControls": "BucketOwnershipControls",
    "policy": "BucketPolicy",
    "policyStatus": "BucketPolicyStatus",
    "publicAccessBlock": "PublicAccessBlock",
    "replication": "BucketReplication",
    "requestPayment": "BucketRequestPayment",
    "tagging": "BucketTagging",
    "uploads": "MultipartUploads",
    "versioning": "BucketVersioning",
    "versions": "ObjectVersions",
    "website": "BucketWebsite",
    "session": "CreateSession",
    "metadataTable": "BucketMetadataTableConfiguration",
}
_OBJECT_SUBRESOURCES = {
    "acl": "ObjectAcl",
    "attributes": "ObjectAttributes",
    "legal-hold": "ObjectLegalHold",
    "restore": "RestoreObject",
    "retention": "ObjectRetention",
    "select": "SelectObjectContent",
    "tagging": "ObjectTagging",
    "torrent": "ObjectTorrent",
    "renameObject": "RenameObject",
}
_VERB = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Get", "POST": "Post"}


def _unsupported(name: str) -> S3Error:
    return S3Error(
        ErrorCode.NotImplemented,
        message=f"The {name} operation is not supported by this service.",
        log_reason=f"{name}: not supported by the service",
        operation=name,
    )


def _bucket_operation(method: str, query: dict[str, str]) -> Operation:
    for sub, name in _BUCKET_SUBRESOURCES.items():
        if sub in query:
            if sub == "uploads":
                raise _unsupported("ListMultipartUploads")
            if sub in ("delete", "versions", "location", "session"):
                raise _unsupported(
                    {
                        "delete": "DeleteObjects",
                        "versions": "ListObjectVersions",
                        "location": "GetBucketLocation",
                        "session": "CreateSession",
                    }[sub]
                )
            raise _unsupported(_VERB.get(method, method.title()) + name)
    if method == "GET":
        if query.get("list-type") == "2":
            # Never a V1 body for V2: clients then stop silently at 1000 keys (client-wire-facts.md).
            raise _unsupported("ListObjectsV2")
        return Operation.ListObjects
    table = {"HEAD": Operation.HeadBucket, "PUT": Operation.CreateBucket, "DELETE": Operation.DeleteBucket}
    if method in table:
        return table[method]
    if method == "POST":
        raise _unsupported("PostObject")
    raise S3Error(ErrorCode.MethodNotAllowed, fields={"Method": method, "ResourceType": "BUCKET"})


def _object_operation(method: str, query: dict[str, str], headers: dict[str, str]) -> Operation:
    if "uploadId" in query or "uploads" in query or "partNumber" in query:
        name = {
            ("POST", "uploads"): "CreateMultipartUpload",
            ("POST", "uploadId"): "CompleteMultipartUpload",
            ("PUT", "uploadId"): "UploadPartCopy" if "x-amz-copy-source" in headers else "UploadPart",
            ("GET", "uploadId"): "ListParts",
            ("DELETE", "uploadId"): "AbortMultipartUpload",
        }
        sub = "uploads" if "uploads" in query else "uploadId" if "uploadId" in query else None
        raise _unsupported(name.get((method, sub), "multipart upload (partNumber)"))
    for sub, name in _OBJECT_SUBRESOURCES.items():
        if sub in query:
            raise _unsupported(name if sub in ("restore", "select", "renameObject") else _VERB.get(method, "") + name)
    if method == "PUT":
        if "x-amz-copy-source" in headers:
            raise _unsupported("CopyObject")
        return Operation.PutObject
    table = {"GET": Operation.GetObject, "HEAD": Operation.HeadObject, "DELETE": Operation.DeleteObject}
    if method in table:
        return table[method]
    if method == "POST":
        raise _unsupported("PostObject")
    raise S3Error(ErrorCode.MethodNotAllowed, fields={"Method": method, "ResourceType": "OBJECT"})


def route(method: str, address: Address, query: dict[str, str], headers: dict[str, str]) -> Operation:
    """The operation a request names; raises NotImplemented (501) for everything the service does not offer."""
    if address.bucket is None:
        # s3cmd's connection test sends `GET /?delimiter=%2F`: still ListBuckets (client-wire-facts.md).
        if method == "GET":
            return Operation.ListBuckets
        raise S3Error(ErrorCode.MethodNotAllowed, fields={"Method": method, "ResourceType": "SERVICE"})
    if address.key is None:
        return _bucket_operation(method, query)
    return _object_operation(method, query, headers)
