"""One classifier from a recorded HTTP exchange to the S3 operation it performs, shared by every driver, the
per-request timings of ``harness.check`` and ``harness.scenario``.

The operation follows from the method, the depth of the path (service / bucket / object, counting the bucket in
the host for virtual-hosted style) and the sub-resource in the query, as the S3 API reference defines each
request (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html).
SDK hints such as ``?x-id=PutObject`` (AWS SDKs for JavaScript v3 and Go v2) are ignored: they name the
operation the client meant, not the request it sent.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from harness.observation import Exchange

# query sub-resource -> operation (checked in this order; ListObjectsV2 is list-type=2)
_QUERY_OPS = (("uploads", "CreateMultipartUpload"), ("location", "GetBucketLocation"), ("acl", "GetObjectAcl"),
              ("delete", "DeleteObjects"), ("uploadId", "MultipartPart"))
_BUCKET_OPS = {"GET": "ListObjects", "HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}
_OBJECT_OPS = {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject", "DELETE": "DeleteObject"}


def operation_of(x: Exchange, endpoint_host: str) -> str:
    """The S3 operation of a recorded request; ``endpoint_host`` is the service host (virtual style adds a bucket
    label in front of it). "?" when the request is none of the operations the harness knows."""
    u = urlsplit(x.url)
    q = parse_qs(u.query, keep_blank_values=True)
    if q.get("list-type") == ["2"]:
        return "ListObjectsV2"
    for name, op in _QUERY_OPS:
        if name in q:
            return "UploadPart" if name == "uploadId" and x.method == "PUT" else op
    host = u.hostname or ""
    virtual = bool(endpoint_host) and host != endpoint_host and host.endswith("." + endpoint_host)
    depth = len([p for p in u.path.split("/") if p]) + (1 if virtual else 0)  # 0 service, 1 bucket, 2+ object
    if depth == 0:
        return "ListBuckets"
    if depth == 1:
        return _BUCKET_OPS.get(x.method, "?")
    if x.method == "PUT" and "x-amz-copy-source" in {k.lower() for k in x.request_headers}:
        return "CopyObject"
    return _OBJECT_OPS.get(x.method, "?")


def operation_at(x: Exchange, endpoint_url: str) -> str:
    """``operation_of`` with the endpoint given as a URL."""
    return operation_of(x, urlsplit(endpoint_url).hostname or "")
