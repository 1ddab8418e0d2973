"""boto3 driver: in-process botocore client pinned per target and variant.

Variants: ``when_supported`` (botocore's default: over HTTPS uploads are aws-chunked with a CRC32 trailer),
``when_required`` (signed payload, no trailer), ``when_supported+signed`` (payload_signing_enabled=True),
``default`` (botocore's defaults except endpoint/credentials: presigned URLs are SigV2 there).
Retries are off (total_max_attempts=1): a retry would hide a gap. Wire exchanges come from botocore's
``before-send`` / ``response-received`` events (https://github.com/boto/botocore/blob/develop/botocore/endpoint.py).
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
import uuid
from dataclasses import replace

import boto3
import botocore
import botocore.auth
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from harness.drivers.boto3 import repro
from harness.http import fetch
from harness.observation import (
    OBSERVABLE,
    Exchange,
    ListEntry,
    Listing,
    Observation,
    digest,
    outcome_for_status,
    pick_headers,
    pick_metadata,
)
from harness.steps import (
    UNKNOWN_ACCESS_KEY,
    UNKNOWN_SECRET,
    Delete,
    Download,
    Get,
    GetOverrides,
    Head,
    HeadBucket,
    ListBuckets,
    ListObjects,
    MissingBucket,
    Presigned,
    Put,
    SigV2,
    Step,
    UnknownAccessKey,
    Unsupported,
    Upload,
    WrongSecret,
)
from harness.targets import Credentials, Target

HEADER_PARAMS = {"cache-control": "CacheControl", "content-disposition": "ContentDisposition",
                 "content-language": "ContentLanguage", "content-encoding": "ContentEncoding", "expires": "Expires"}
MAX_PAGES = 5000


def missing_bucket_name() -> str:
    return "nonexistent-" + uuid.uuid4().hex[:20]


class Boto3Driver:
    name = "boto3"
    # what it can show the judge (judge.not_judged); an SDK returns the response's fields to its caller
    observes = OBSERVABLE
    returns_response_fields = True
    expresses = frozenset({"response-overrides"})

    def __init__(self, target: Target, variant: str = "when_supported"):
        self.target = target
        self.variant = variant
        self._clients: dict = {}
        self._wire: list[Exchange] = []
        self._pending: dict = {}  # thread id -> request being sent (s3transfer uses threads)

    # ------------------------------------------------------------ setup
    def version(self) -> str:
        return f"boto3 {boto3.__version__} / botocore {botocore.__version__}"

    def config_kwargs(self, signature: str | None = None) -> dict:
        t = self.target
        s3cfg: dict = {"addressing_style": t.addressing_style}
        kw: dict = {"retries": {"total_max_attempts": 1}, "s3": s3cfg}
        if self.variant not in ("default", "doc"):
            mode = "when_required" if "when_required" in self.variant else "when_supported"
            kw["request_checksum_calculation"] = mode
        if "signed" in self.variant:
            s3cfg["payload_signing_enabled"] = True
        if t.proxy_url:
            kw["proxies"] = {"http": t.proxy_url, "https": t.proxy_url}
        if signature:
            kw["signature_version"] = signature
        return kw

    def settings(self) -> dict:
        kw = self.config_kwargs()
        return {"endpoint_url": self.target.endpoint_url, "region": self.target.region,
                "verify": self.target.ca_bundle or True, "config": kw,
                "multipart": "never: put_object only (upload_file would switch at 8 MiB)"}

    def client(self, creds: Credentials | None = None, signature: str | None = None):
        creds = creds or self.target.credentials
        cache_key = (creds.access_key, creds.secret_key, signature)
        if cache_key not in self._clients:
            c = boto3.session.Session().client(
                "s3", endpoint_url=self.target.endpoint_url, region_name=self.target.region,
                aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
                verify=self.target.ca_bundle or True, config=Config(**self.config_kwargs(signature)))
            c.meta.events.register("before-send.s3", self._before_send)
            c.meta.events.register("response-received.s3", self._response_received)
            self._clients[cache_key] = c
        return self._clients[cache_key]

    def _before_send(self, request, **_):
        self._pending[threading.get_ident()] = {"method": request.method, "url": request.url,
                         "headers": {k: (v.decode() if isinstance(v, bytes) else str(v))
                                     for k, v in request.headers.items()}, "t": time.time()}

    def _response_received(self, response_dict=None, exception=None, **_):
        p = self._pending.pop(threading.get_ident(), None)
        p = p or {"method": "?", "url": "?", "headers": {}, "t": time.time()}
        if response_dict:
            self._wire.append(Exchange(p["method"], p["url"], p["headers"], response_dict["status_code"],
                                       dict(response_dict["headers"]), p["t"], time.time() - p["t"]))
        else:
            self._wire.append(Exchange(p["method"], p["url"], p["headers"], None, {}, p["t"], time.time() - p["t"],
                                       repr(exception)[:300]))

    def close(self) -> None:
        for c in self._clients.values():
            c.close()
        self._clients.clear()

    # ------------------------------------------------------------ steps
    def adapt(self, step: Step) -> Step | str:
        if isinstance(step, Unsupported) and step.operation in ("CreateBucket", "DeleteBucket") and self.target.live:
            return "destructive bucket operations are never sent to a live target"
        if isinstance(step, Presigned) and step.expired and step.signature != "s3v4":
            return "an expired presigned URL is made with SigV4 only"
        return step

    def reproduction(self, step: Step) -> str:
        return repro.snippet(self, step)

    def run(self, step: Step) -> Observation:
        self._wire = []
        started = time.time()
        try:
            obs = self._dispatch(step, self.client())
        except ClientError as e:
            meta = e.response.get("ResponseMetadata", {})
            status = meta.get("HTTPStatusCode")
            code = e.response.get("Error", {}).get("Code")
            obs = Observation(outcome_for_status(status), status=status, error_code=code,
                              headers=pick_headers(meta.get("HTTPHeaders", {})))
        except BotoCoreError as e:
            status = self._wire[-1].status if self._wire else None
            obs = Observation("client_failure" if status else "transport_error", status=status,
                              note=f"{type(e).__name__}: {e}"[:500])
        obs.wire = list(self._wire) + list(obs.wire)
        obs.duration = time.time() - started
        obs.command = self.reproduction(step)
        return obs

    def _bucket(self, step) -> str:
        return getattr(step, "bucket", None) or self.target.bucket

    def _dispatch(self, step: Step, c) -> Observation:
        t = self.target
        if isinstance(step, ListBuckets):
            r = c.list_buckets()
            return self._ok(r, buckets=tuple(b["Name"] for b in r.get("Buckets", [])))
        if isinstance(step, HeadBucket):
            return self._ok(c.head_bucket(Bucket=self._bucket(step)))
        if isinstance(step, ListObjects):
            return self._list(step, c)
        if isinstance(step, Put):
            kw = {"Bucket": self._bucket(step), "Key": t.key(step.key), "Body": step.body}
            if step.content_type is not None:
                kw["ContentType"] = step.content_type
            if step.metadata:
                kw["Metadata"] = dict(step.metadata)
            for h, v in step.headers:
                kw[HEADER_PARAMS[h]] = v
            return self._ok(c.put_object(**kw))
        if isinstance(step, (Get, Head)):
            kw = {"Bucket": self._bucket(step), "Key": t.key(step.key)}
            cond = step.conditions
            for attr, param in (("if_match", "IfMatch"), ("if_none_match", "IfNoneMatch"),
                                ("if_modified_since", "IfModifiedSince"),
                                ("if_unmodified_since", "IfUnmodifiedSince")):
                if getattr(cond, attr):
                    kw[param] = getattr(cond, attr)
            if isinstance(step, Head):
                return self._ok(c.head_object(**kw))
            if step.range:
                kw["Range"] = step.range
            r = c.get_object(**kw)
            body = r["Body"].read()
            return self._ok(r, body=body)
        if isinstance(step, Delete):
            return self._ok(c.delete_object(Bucket=self._bucket(step), Key=t.key(step.key)))
        if isinstance(step, GetOverrides):  # response-content-type -> ResponseContentType
            kw = {"Response" + p[len("response-"):].title().replace("-", ""): v for p, v in step.overrides}
            r = c.get_object(Bucket=t.bucket, Key=t.key(step.key), **kw)
            return self._ok(r, body=r["Body"].read())
        if isinstance(step, WrongSecret):
            bad = Credentials(t.credentials.access_key, t.credentials.secret_key[::-1] + "x")
            return self._dispatch(step.inner, self.client(bad))
        if isinstance(step, UnknownAccessKey):
            return self._dispatch(step.inner, self.client(Credentials(UNKNOWN_ACCESS_KEY, UNKNOWN_SECRET)))
        if isinstance(step, MissingBucket):
            return self._dispatch(replace(step.inner, bucket=missing_bucket_name()), c)
        if isinstance(step, SigV2):
            return self._dispatch(step.inner, self.client(signature="s3"))
        if isinstance(step, Presigned):
            return self._presigned(step)
        if isinstance(step, Upload):
            from boto3.s3.transfer import TransferConfig

            cfg = TransferConfig(multipart_threshold=5 * 1024**3) if step.tuned else TransferConfig()
            c.upload_fileobj(io.BytesIO(step.body), self.target.bucket, t.key(step.key), Config=cfg)
            put = [x for x in self._wire if x.method == "PUT"]
            return self._from_exchange(put[-1] if put else self._wire[-1])
        if isinstance(step, Download):
            buf = io.BytesIO()
            c.download_fileobj(self.target.bucket, t.key(step.key), buf)
            head = [x for x in self._wire if x.method == "HEAD"]
            obs = self._from_exchange(head[-1] if head else self._wire[-1])
            obs.status = 200 if obs.status in (200, 206) else obs.status
            obs.body_sha256, obs.body_size = digest(buf.getvalue()), len(buf.getvalue())
            obs.note = f"{len(self._wire)} request(s): " + ", ".join(f"{x.method} {x.status}" for x in self._wire[:6])
            return obs
        if isinstance(step, Unsupported):
            return self._unsupported(step, c)
        raise TypeError(f"boto3 driver cannot run {step!r}")

    def _ok(self, r: dict, body: bytes | None = None, **extra) -> Observation:
        meta = r.get("ResponseMetadata", {})
        hdrs = meta.get("HTTPHeaders", {})
        status = meta.get("HTTPStatusCode")
        obs = Observation(outcome_for_status(status), status=status, headers=pick_headers(hdrs),
                          metadata=pick_metadata(hdrs), **extra)
        if body is not None:
            obs.body_sha256, obs.body_size = digest(body), len(body)
        return obs

    def _from_exchange(self, x: Exchange) -> Observation:
        return Observation(outcome_for_status(x.status), status=x.status, headers=pick_headers(x.response_headers),
                           metadata=pick_metadata(x.response_headers))

    def _list(self, step: ListObjects, c) -> Observation:
        t = self.target
        kw: dict = {"Bucket": self._bucket(step), "Prefix": t.key(step.prefix)}
        if step.delimiter is not None:
            kw["Delimiter"] = step.delimiter
        if step.marker is not None:
            kw["Marker"] = t.key(step.marker)
        if step.max_keys is not None:
            kw["MaxKeys"] = step.max_keys
        entries, prefixes, pages = [], [], 0
        while True:
            r = c.list_objects(**kw)
            pages += 1
            entries += [ListEntry(strip(t, o["Key"]), o.get("Size"), o.get("ETag")) for o in r.get("Contents", [])]
            prefixes += [strip(t, p["Prefix"]) for p in r.get("CommonPrefixes", [])]
            truncated = r.get("IsTruncated")
            next_marker = r.get("NextMarker")
            if not (step.all_pages and truncated) or pages >= MAX_PAGES:
                break
            # S3: NextMarker only with a delimiter; otherwise the last key is the next marker
            nm = next_marker or (r["Contents"][-1]["Key"] if r.get("Contents") else None)
            if nm is None or nm == kw.get("Marker"):
                break
            kw["Marker"] = nm
        obs = self._ok(r)
        obs.metadata = None
        obs.listing = Listing(tuple(entries), tuple(prefixes),
                              None if step.all_pages else truncated,
                              None if step.all_pages or next_marker is None else strip(t, next_marker))
        obs.note = f"{pages} page(s)"
        return obs

    def _presigned(self, step: Presigned) -> Observation:
        c = self.client(signature="s3v4") if step.signature == "s3v4" else self.client_default()
        params = {"Bucket": self.target.bucket, "Key": self.target.key(step.key)}
        if step.expired:
            real = botocore.auth.get_current_datetime

            def an_hour_ago(*a, **k):
                return real(*a, **k) - __import__("datetime").timedelta(hours=1)

            # botocore signs with awscrt when it is installed (botocore/crt/auth.py): patch both signers
            import botocore.crt.auth as crt_auth

            with _patched(botocore.auth, "get_current_datetime", an_hour_ago), \
                    _patched(crt_auth, "get_current_datetime", an_hour_ago):
                url = c.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
        else:
            url = c.generate_presigned_url("get_object", Params=params, ExpiresIn=600)
        return fetch(self.target, url)

    def client_default(self):
        """A client with botocore's default signature for presigning (SigV2 query auth for S3)."""
        key = ("default-presign",)
        if key not in self._clients:
            t = self.target
            kw = {"s3": {"addressing_style": t.addressing_style}}
            if t.proxy_url:
                kw["proxies"] = {"http": t.proxy_url, "https": t.proxy_url}
            self._clients[key] = boto3.session.Session().client(
                "s3", endpoint_url=t.endpoint_url, region_name=t.region, aws_access_key_id=t.credentials.access_key,
                aws_secret_access_key=t.credentials.secret_key, verify=t.ca_bundle or True, config=Config(**kw))
        return self._clients[key]

    def _unsupported(self, step: Unsupported, c) -> Observation:
        t, b, k = self.target, self.target.bucket, self.target.key(step.key)
        op = step.operation
        if op == "ListObjectsV2":
            return self._ok(c.list_objects_v2(Bucket=b, Prefix=t.run_prefix))
        if op == "CreateMultipartUpload":
            r = c.create_multipart_upload(Bucket=b, Key=k)
            with contextlib.suppress(ClientError, BotoCoreError):
                c.abort_multipart_upload(Bucket=b, Key=k, UploadId=r["UploadId"])
            return self._ok(r)
        if op == "GetBucketLocation":
            return self._ok(c.get_bucket_location(Bucket=b))
        if op == "GetObjectAcl":
            return self._ok(c.get_object_acl(Bucket=b, Key=k))
        if op == "CopyObject":
            return self._ok(c.copy_object(Bucket=b, Key=k + ".copy", CopySource={"Bucket": b, "Key": k}))
        if op == "DeleteObjects":
            return self._ok(c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k + ".absent"}]}))
        if op == "CreateBucket":
            return self._ok(c.create_bucket(Bucket=b + "-created-by-harness"))
        if op == "DeleteBucket":
            return self._ok(c.delete_bucket(Bucket=b + "-created-by-harness"))
        raise ValueError(op)


def strip(target: Target, key: str) -> str:
    return key[len(target.run_prefix):] if key.startswith(target.run_prefix) else "!outside-prefix!" + key


@contextlib.contextmanager
def _patched(obj, attr, value):
    old = getattr(obj, attr)
    setattr(obj, attr, value)
    try:
        yield
    finally:
        setattr(obj, attr, old)
