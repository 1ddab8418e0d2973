"""ListObjects (version 1): prefix, delimiter, marker, max-keys, encoding-type.

https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
A page costs O(page) index steps plus one O(log n) seek per returned item: a run of keys rolled into one
CommonPrefix is skipped by seeking past the prefix, never by walking it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ..accounts import Account
from ..errors import ErrorCode, S3Error
from ..storage import ObjectMeta, Storage
from ..xmlbody import S3_NS, add, add_all, element, iso8601, serialise
from . import Reply

MAX_KEYS = 1000


@dataclass(frozen=True)
class ListParams:
    prefix: str = ""
    delimiter: str = ""
    marker: str = ""
    max_keys: int = MAX_KEYS
    encode: bool = False


@dataclass(frozen=True)
class ListPage:
    contents: tuple[ObjectMeta, ...]
    common_prefixes: tuple[str, ...]
    truncated: bool
    next_marker: str | None  # only with a delimiter, as S3 does


def _max_keys(raw: str) -> int:
    """400 InvalidArgument for anything but 0..2147483647 (rule list.max-keys-invalid). The two messages are AWS's as
    measured in https://github.com/brekkylab/backlot/issues/192: one for a value that is not an integer, one for an
    integer out of range (the harness judges status and code only: no AWS recording settles the text)."""
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or raw.count("-") > (1 if raw.startswith("-") else 0):
        raise S3Error(
            ErrorCode.InvalidArgument,
            message="Provided max-keys not an integer or within integer range",
            fields={"ArgumentName": "max-keys", "ArgumentValue": raw},
        )
    value = int(raw)
    if not 0 <= value <= 2**31 - 1:
        raise S3Error(
            ErrorCode.InvalidArgument,
            message="Argument maxKeys must be an integer between 0 and 2147483647",
            fields={"ArgumentName": "maxKeys", "ArgumentValue": raw},
        )
    return value


def parse_params(query: dict[str, str]) -> ListParams:
    raw = query.get("max-keys")
    max_keys = MAX_KEYS
    if raw is not None:
        max_keys = _max_keys(raw)
    encoding = query.get("encoding-type")
    if encoding is not None and encoding != "url":
        raise S3Error(
            ErrorCode.InvalidArgument,
            message="Invalid Encoding Method specified in Request",
            fields={"ArgumentName": "encoding-type", "ArgumentValue": encoding},
        )
    return ListParams(
        prefix=query.get("prefix", ""),
        delimiter=query.get("delimiter", ""),
        marker=query.get("marker", ""),
        max_keys=min(max_keys, MAX_KEYS),
        encode=encoding == "url",
    )


def _after(prefix: str) -> str:
    """The least string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if ord(prefix[-1]) < 0x10FFFF else prefix + "\U0010ffff"


def list_page(store: Storage, bucket: str, p: ListParams) -> ListPage:
    contents: list[ObjectMeta] = []
    prefixes: list[str] = []
    last: str | None = None
    start = max(p.prefix, p.marker)
    keys = store.keys_from(bucket, start)
    while True:
        key = next(keys, None)
        if key is None or not key.startswith(p.prefix):
            return ListPage(tuple(contents), tuple(prefixes), False, None)
        if key == p.marker:
            continue  # the marker is exclusive
        common = None
        if p.delimiter:
            at = key.find(p.delimiter, len(p.prefix))
            if at >= 0:
                common = key[: at + len(p.delimiter)]
        if common is not None and p.marker.startswith(common):
            # The marker lies inside this prefix: it was returned on an earlier page.
            keys = store.keys_from(bucket, _after(common))
            continue
        if len(contents) + len(prefixes) == p.max_keys:
            return ListPage(tuple(contents), tuple(prefixes), p.max_keys > 0, last if p.delimiter else None)
        if common is not None:
            prefixes.append(common)
            last = common
            keys = store.keys_from(bucket, _after(common))
            continue
        meta = store.head(bucket, key)
        if meta is not None:
            contents.append(meta)
            last = key


def list_objects_xml(bucket: str, p: ListParams, page: ListPage, owner: Account) -> Reply:
    enc = (lambda s: quote(s, safe="/")) if p.encode else (lambda s: s)  # noqa: E731
    root = element("ListBucketResult", xmlns=S3_NS)
    add_all(root, [("Name", bucket), ("Prefix", enc(p.prefix)), ("Marker", enc(p.marker))])
    if page.next_marker is not None and page.truncated:
        add(root, "NextMarker", enc(page.next_marker))
    add(root, "MaxKeys", p.max_keys)
    if p.delimiter:
        add(root, "Delimiter", enc(p.delimiter))
    add(root, "IsTruncated", "true" if page.truncated else "false")
    if p.encode:
        add(root, "EncodingType", "url")
    for meta in page.contents:
        item = add(root, "Contents")
        add_all(
            item,
            [
                ("Key", enc(meta.key)),
                ("LastModified", iso8601(meta.last_modified)),
                ("ETag", meta.etag),
                ("Size", meta.size),
            ],
        )
        who = add(item, "Owner")
        add_all(who, [("ID", owner.canonical_id), ("DisplayName", owner.owner_name)])
        add(item, "StorageClass", "STANDARD")
    for common in page.common_prefixes:
        add(add(root, "CommonPrefixes"), "Prefix", enc(common))
    return Reply(headers={"Content-Type": "application/xml"}, body=serialise(root))
