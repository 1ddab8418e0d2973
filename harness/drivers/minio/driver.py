"""minio-py driver: the MinIO Python SDK (PyPI ``minio``) in-process, its urllib3 pool pointed at the recording proxy.

Variants:
  v1-region  ``Minio(host, ..., region="us-east-1")``, ``list_objects(..., use_api_v1=True)``,
             ``put_object(..., part_size=5 GiB)``: inside the seven operations
  defaults   ``Minio(host, access_key, secret_key)``: GetBucketLocation before the first request to a bucket,
             ``list_objects`` with ListObjectsV2, ``put_object`` multipart above 5 MiB
Virtual-hosted style needs ``enable_virtual_style_endpoint()`` (minio-py uses path style for other hosts).
minio-py strips the quotes of ETags in listings; the driver puts them back (S3 answers them quoted).
Retries are off (urllib3 ``retries=False``). SDK: https://github.com/minio/minio-py/blob/master/minio/api.py
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from harness.drivers.base import Plan, RecordedDriver, Route, inner_of, observe, relative, with_inner
from harness.observation import ListEntry, Listing, Observation, digest
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
    Presigned,
    Put,
    Step,
    Unsupported,
    auth_variant,
)

MAX_PART = 5 * 1024**3  # the largest part S3 allows: one part, so one PutObject, for anything smaller
HEADERS = ("cache-control", "content-disposition", "content-language", "content-encoding")
UNSUPPORTED = ("ListObjectsV2", "CreateMultipartUpload", "GetBucketLocation", "CopyObject", "DeleteObjects",
               "CreateBucket", "DeleteBucket")


class MinioDriver(RecordedDriver):
    name = "minio"

    def __init__(self, target, variant):
        super().__init__(target, variant)
        self._clients: dict = {}

    def version(self) -> str:
        import minio

        return f"minio {minio.__version__}"

    def client_settings(self) -> dict:
        return {"constructor": self._constructor_text()}

    def _constructor_text(self) -> str:
        u = urlsplit(self.target.endpoint_url)
        region = ', region="us-east-1"' if self.variant == "v1-region" else ""
        text = f'Minio("{u.netloc}", access_key, secret_key, secure={u.scheme == "https"}{region})'
        return text + (".enable_virtual_style_endpoint()" if self.target.addressing_style == "virtual" else "")

    def client(self, kind: str = "ok", region: bool | None = None):
        region = self.variant == "v1-region" if region is None else region
        key = (kind, region)
        if key not in self._clients:
            import urllib3
            from minio import Minio

            route: Route = self.route()
            t = self.target
            ak, sk = t.credentials.access_key, t.credentials.secret_key
            if kind == "wrong-secret":
                sk = sk[::-1] + "x"
            elif kind == "unknown-key":
                ak, sk = UNKNOWN_ACCESS_KEY, UNKNOWN_SECRET
            kw = {"retries": False, "timeout": urllib3.Timeout(connect=30, read=120)}
            if route.ca_bundle:
                kw.update(cert_reqs="CERT_REQUIRED", ca_certs=route.ca_bundle)
            pool = urllib3.ProxyManager(route.proxy, **kw) if route.proxy else urllib3.PoolManager(**kw)
            u = urlsplit(route.endpoint)
            c = Minio(u.netloc, access_key=ak, secret_key=sk, secure=u.scheme == "https",
                      region=t.region if region else None, http_client=pool)
            if t.addressing_style == "virtual":
                c.enable_virtual_style_endpoint()
            self._clients[key] = c
        return self._clients[key]

    # ------------------------------------------------------------ steps
    def adapt_client(self, step: Step) -> Step | str:
        from dataclasses import replace

        inner = inner_of(step)
        if isinstance(step, Unsupported) and step.operation not in UNSUPPORTED:
            return f"minio-py has no call that sends {step.operation}"
        if isinstance(inner, ListObjects):
            if inner.max_keys is not None:
                return "minio-py list_objects pages through everything itself: it cannot send max-keys"
            if inner.delimiter not in (None, "/"):
                return "minio-py lists with delimiter '/' (recursive=False) or none (recursive=True) only"
            return with_inner(step, replace(inner, all_pages=True))
        key = getattr(inner, "key", "")
        if isinstance(inner, (Put, Get, Head, Delete)) and any(s in (".", "..") for s in key.split("/")):
            return "urllib3 (minio-py's HTTP library) removes '.' and '..' path segments from the URL"
        if isinstance(inner, Put):
            if any(h not in HEADERS for h, _ in inner.headers):
                return "minio-py put_object sends only standard headers and x-amz-meta-* from its metadata"
            if inner.content_type is None:  # put_object's content_type defaults to application/octet-stream
                return with_inner(step, replace(inner, content_type="application/octet-stream"))
        return step

    def run(self, step: Step) -> Observation:
        from minio.error import MinioException, S3Error

        started = time.time()
        self.recorder.take()
        kind, inner = auth_variant(step)
        inner = inner_of(inner)
        op = _operation(inner)
        failed, code, note, extra = False, None, "", {}
        try:
            extra = self._call(inner, self.client(kind), self.bucket_of(step)) or {}
        except S3Error as e:
            failed, code, note = True, e.code, f"S3Error {e.code}: {e.message}"[:500]
        except ValueError as e:  # minio-py checks names itself (e.g. a bucket name under 3 characters)
            if not self.recorder.take():
                return self._done(Observation.not_applicable(f"minio-py refuses it before sending: {e}"[:300]), step,
                                  started)
            failed, note = True, f"ValueError: {e}"[:500]
        except (MinioException, OSError) as e:
            failed, note = True, f"{type(e).__name__}: {e}"[:500]
        if "url" in extra:
            return self._done(self.fetch_presigned(extra["url"]), step, started)
        if extra.get("op"):
            op = extra["op"]
        obs = observe(self.target, self.recorder.take(), op, failed=failed, error_code=code, note=note)
        if obs.outcome == "ok":
            if "body" in extra:
                obs.body_sha256, obs.body_size = digest(extra["body"]), len(extra["body"])
            if "listing" in extra:
                obs.metadata, obs.listing = None, extra["listing"]
            if "buckets" in extra:
                obs.metadata, obs.buckets = None, extra["buckets"]
        return self._done(obs, step, started)

    def _done(self, obs: Observation, step: Step, started: float) -> Observation:
        return self.finish(Plan(""), obs, step, started)

    def _call(self, step: Step, c, bucket: str) -> dict | None:
        t = self.target
        if isinstance(step, ListBuckets):
            return {"buckets": tuple(b.name for b in c.list_buckets())}
        if isinstance(step, HeadBucket):
            c.bucket_exists(bucket)  # False on 404: the exchange decides
            return None
        if isinstance(step, ListObjects):
            return {"listing": self._list(c, bucket, step, self.variant == "v1-region")}
        if isinstance(step, Presigned):
            if step.expired:
                past = datetime.now(timezone.utc) - timedelta(hours=1)
                return {"url": c.presigned_get_object(bucket, t.key(step.key), timedelta(seconds=60),
                                                      request_date=past)}
            return {"url": c.presigned_get_object(bucket, t.key(step.key), timedelta(minutes=10))}
        if isinstance(step, Unsupported):
            return self._unsupported(step, c, bucket)
        key = t.key(step.key)
        if isinstance(step, Put):
            meta = {f"x-amz-meta-{k}": v for k, v in step.metadata} | dict(step.headers)
            part = MAX_PART if self.variant == "v1-region" else 0
            c.put_object(bucket, key, io.BytesIO(step.body), len(step.body), content_type=step.content_type,
                         metadata=meta or None, part_size=part)
            return None
        headers = _conditions(step) if isinstance(step, (Get, Head)) else {}
        if isinstance(step, Get):
            if step.range:
                headers["Range"] = step.range
            resp = c.get_object(bucket, key, request_headers=headers or None)
            try:
                return {"body": resp.read()}
            finally:
                resp.close()
                resp.release_conn()
        if isinstance(step, Head):
            c.stat_object(bucket, key, extra_headers=headers or None)
            return None
        if isinstance(step, Delete):
            c.remove_object(bucket, key)
            return None
        raise TypeError(f"minio driver cannot run {step!r}")

    def _list(self, c, bucket: str, step: ListObjects, v1: bool) -> Listing:
        t = self.target
        entries, prefixes = [], []
        for o in c.list_objects(bucket, prefix=t.key(step.prefix), recursive=step.delimiter is None,
                                start_after=t.key(step.marker) if step.marker else None, use_api_v1=v1):
            if o.is_dir:
                prefixes.append(relative(t, o.object_name))
            else:
                etag = o.etag if (o.etag or '"').startswith('"') else f'"{o.etag}"'
                entries.append(ListEntry(relative(t, o.object_name), o.size, etag))
        return Listing(tuple(entries), tuple(prefixes), None, None)

    def _unsupported(self, step: Unsupported, c, bucket: str) -> dict:
        from minio.commonconfig import CopySource
        from minio.deleteobjects import DeleteObject

        t, k, op = self.target, self.target.key(step.key), step.operation
        if op == "ListObjectsV2":
            list(c.list_objects(bucket, prefix=t.run_prefix))
        elif op == "CreateMultipartUpload":  # an upload of one byte more than a 5 MiB part
            body = b"x" * (5 * 1024**2 + 1)
            c.put_object(bucket, k, io.BytesIO(body), len(body), part_size=5 * 1024**2)
        elif op == "GetBucketLocation":  # a client without a region asks for the bucket's first
            self.client(region=False).stat_object(bucket, k)
        elif op == "CopyObject":
            c.copy_object(bucket, k + ".copy", CopySource(bucket, k))
        elif op == "DeleteObjects":
            errors = list(c.remove_objects(bucket, [DeleteObject(k + ".absent")]))
            if errors:
                from minio.error import S3Error

                raise S3Error(errors[0].code, errors[0].message, None, None, None, None)
        elif op == "CreateBucket":
            c.make_bucket(bucket + "-created-by-harness")
        elif op == "DeleteBucket":
            c.remove_bucket(bucket + "-created-by-harness")
        return {"op": op}

    def reproduction(self, step: Step) -> str:
        kind, inner = auth_variant(step)
        keys = {"ok": ("os.environ['AWS_ACCESS_KEY_ID']", "os.environ['AWS_SECRET_ACCESS_KEY']"),
                "wrong-secret": ("os.environ['AWS_ACCESS_KEY_ID']", repr(REPRO_WRONG_SECRET)),
                "unknown-key": (repr(UNKNOWN_ACCESS_KEY), repr(UNKNOWN_SECRET))}[kind]
        t = self.target
        u = urlsplit(t.endpoint_url)
        lines = ["import io, os, urllib3", "from minio import Minio"]
        pool = []
        if t.proxy_url:
            pool.append(f"urllib3.ProxyManager({t.proxy_url!r}" + (f", ca_certs={t.ca_bundle!r})" if t.ca_bundle
                                                                     else ")"))
        elif t.ca_bundle:
            pool.append(f"urllib3.PoolManager(ca_certs={t.ca_bundle!r})")
        region = ", region='us-east-1'" if self.variant == "v1-region" else ""
        lines.append(f"c = Minio({u.netloc!r}, {keys[0]}, {keys[1]}, secure={u.scheme == 'https'}{region}"
                     + (f", http_client={pool[0]})" if pool else ")"))
        if t.addressing_style == "virtual":
            lines.append("c.enable_virtual_style_endpoint()")
        lines.append(_call_text(inner_of(inner), self.bucket_of(step), t, self.variant))
        return "\n".join(lines)


def _call_text(step: Step, bucket: str, t, variant: str) -> str:
    """The minio-py call a user types for this step (the reproduction's last line)."""
    b = repr(bucket)
    k = repr(t.key(step.key)) if hasattr(step, "key") else ""
    if isinstance(step, ListBuckets):
        return "print([b.name for b in c.list_buckets()])"
    if isinstance(step, HeadBucket):
        return f"print(c.bucket_exists({b}))"
    if isinstance(step, ListObjects):
        v1 = ", use_api_v1=True" if variant == "v1-region" else ""
        return (f"print([(o.object_name, o.size, o.etag) for o in c.list_objects({b}, prefix={t.key(step.prefix)!r}, "
                f"recursive={step.delimiter is None}{v1})])")
    if isinstance(step, Put):
        meta = {f"x-amz-meta-{n}": v for n, v in step.metadata} | dict(step.headers)
        part = ", part_size=5 * 1024**3" if variant == "v1-region" else ""
        return (f"c.put_object({b}, {k}, io.BytesIO(os.urandom({len(step.body)})), {len(step.body)}, "
                f"content_type={step.content_type!r}, metadata={meta or None!r}{part})")
    if isinstance(step, Get):
        h = _conditions(step) | ({"Range": step.range} if step.range else {})
        return f"print(c.get_object({b}, {k}, request_headers={h or None!r}).read()[:100])"
    if isinstance(step, Head):
        return f"print(c.stat_object({b}, {k}, extra_headers={_conditions(step) or None!r}))"
    if isinstance(step, Delete):
        return f"c.remove_object({b}, {k})"
    if isinstance(step, Presigned):
        return f"print(c.presigned_get_object({b}, {k}))"
    return f"# {step!r} (see harness/drivers/minio/driver.py: _unsupported)"


def _operation(step: Step) -> str:
    if isinstance(step, Unsupported):
        return step.operation
    return {ListBuckets: "ListBuckets", HeadBucket: "HeadBucket", ListObjects: "ListObjects", Put: "PutObject",
            Get: "GetObject", Head: "HeadObject", Delete: "DeleteObject", Presigned: "GetObject"}[type(step)]


def _conditions(step) -> dict:
    c = step.conditions
    return {name: getattr(c, attr) for attr, name in (
        ("if_match", "If-Match"), ("if_none_match", "If-None-Match"), ("if_modified_since", "If-Modified-Since"),
        ("if_unmodified_since", "If-Unmodified-Since")) if getattr(c, attr)}
