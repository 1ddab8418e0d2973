"""rclone driver: Debian's ``rclone`` executable, one process per command, configured by flags only
(``--config /dev/null``: never a user's rclone.conf) on an on-the-fly ``:s3:`` remote.

Variants:
  tuned     the settings that keep rclone inside the seven operations (README / docs/clients.md):
            ``--s3-provider Other --s3-list-version 1 --s3-no-check-bucket --s3-upload-cutoff 5G``
  defaults  rclone's out-of-the-box S3 remote (provider Other, endpoint, keys, region): before an upload it
            creates the bucket (CreateBucket, ``--s3-no-check-bucket`` avoids it)

rclone adds ``x-amz-meta-mtime`` (the source file's modification time, seconds) to every upload: the upload file's
mtime is fixed, so ``adapt`` adds the same metadata the model must expect. It HEADs an object before reading,
deleting or after writing it; the step is judged on its own operation's exchange.
rclone s3 backend: https://github.com/rclone/rclone/blob/master/backend/s3/s3.go
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace

from harness.drivers.base import Plan, ProcessDriver, Route, inner_of, listing_of, observe, shell, upload_line
from harness.observation import Observation
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
    Put,
    Step,
    Unsupported,
    auth_variant,
)
from harness.wire.classify import operation_at

RCLONE = shutil.which("rclone") or "rclone"
MTIME = 1700000000  # the upload file's mtime: rclone sends it as x-amz-meta-mtime
TUNED = ("--s3-provider", "Other", "--s3-list-version", "1", "--s3-no-check-bucket", "--s3-upload-cutoff", "5G")
UNSUPPORTED = {  # operation -> rclone arguments after the remote flags (None: no rclone command sends it)
    "ListObjectsV2": lambda d, b, k: ["--s3-list-version", "2", "lsjson", f":s3:{b}/{d.target.run_prefix}"],
    "CreateMultipartUpload": lambda d, b, k: ["--s3-upload-cutoff", "0", "copyto", "upload.bin", f":s3:{b}/{k}"],
    "CopyObject": lambda d, b, k: ["copyto", f":s3:{b}/{k}", f":s3:{b}/{k}.copy"],
    "CreateBucket": lambda d, b, k: ["--s3-no-check-bucket=false", "mkdir", f":s3:{b}-created-by-harness"],
    "DeleteBucket": lambda d, b, k: ["rmdir", f":s3:{b}-created-by-harness"],
}


class RcloneDriver(ProcessDriver):
    name = "rclone"
    returns_response_fields = False  # copyto/cat/deletefile print no response fields

    def version(self) -> str:
        return self.version_of([RCLONE, "version"])

    def client_settings(self) -> dict:
        return {"flags": shell(self.flags(Route(self.target.endpoint_url, self.target.proxy_url,
                                                     self.target.ca_bundle), "ok", display=True))}

    def flags(self, route: Route, kind: str, display: bool = False) -> list[str]:
        t = self.target
        key, secret = t.credentials.access_key, t.credentials.secret_key
        if display:
            key, secret = "$AWS_ACCESS_KEY_ID", "$AWS_SECRET_ACCESS_KEY"
        if kind == "wrong-secret":
            secret = REPRO_WRONG_SECRET if display else secret[::-1] + "x"
        elif kind == "unknown-key":
            key, secret = UNKNOWN_ACCESS_KEY, UNKNOWN_SECRET
        f = ["--config", "/dev/null", "--retries", "1", "--low-level-retries", "1",
             "--s3-provider", "Other", "--s3-endpoint", route.endpoint, "--s3-region", t.region,
             "--s3-access-key-id", key, "--s3-secret-access-key", secret,
             "--s3-force-path-style=" + ("false" if t.addressing_style == "virtual" else "true")]
        if route.ca_bundle:
            f += ["--ca-cert", route.ca_bundle]
        return f + (list(TUNED[2:]) if self.variant == "tuned" else [])

    def env(self, work: str, route: Route) -> dict:
        env = super().env(work, route)  # no AWS_CA_BUNDLE: rclone refuses it (LoadCustomCABundleError)
        if route.proxy:  # rclone honours the standard proxy variables (not for 127.0.0.1: the recorder is the endpoint)
            env["HTTP_PROXY"] = env["HTTPS_PROXY"] = route.proxy
        return env

    # ------------------------------------------------------------ steps
    def adapt_client(self, step: Step) -> Step | str:
        inner = inner_of(step)
        if isinstance(inner, HeadBucket):
            return "rclone has no command that sends HeadBucket"
        if isinstance(step, Unsupported) and step.operation not in UNSUPPORTED:
            return f"rclone has no command that sends {step.operation}"
        if isinstance(inner, ListObjects):
            if inner.marker is not None or inner.max_keys is not None:
                return "rclone lists whole directories: it cannot send a marker or max-keys"
            if inner.delimiter not in (None, "/") or (inner.prefix and not inner.prefix.endswith("/")):
                return "rclone lists directories: a prefix must end in '/' and the delimiter be '/' or none"
            new = replace(inner, all_pages=True)
            step = replace(step, inner=new) if step is not inner else new
        if isinstance(inner, (Put, Get, Head, Delete)):
            k = inner.key
            if k.endswith("/") or "//" in k or k.startswith("/") or any(s in (".", "..") for s in k.split("/")):
                return "rclone maps keys to file paths: no empty, '.' or '..' path segment"
        if isinstance(inner, Get) and (inner.range or inner.conditions.any()):
            return "rclone cannot send a Range or conditional header (cat --offset/--count makes its own ranges)"
        if isinstance(inner, Head) and inner.conditions.any():
            return "rclone cannot send conditional headers"
        if isinstance(inner, Put):
            if any(h not in ("cache-control", "content-disposition", "content-language", "content-encoding")
                   for h, _ in inner.headers):
                return "header not expressible with --header-upload"
            # rclone always stores the source's mtime (x-amz-meta-mtime) and always sends a Content-Type (guessed
            # from the file name when none is given): the model stores what rclone sends, the type named explicitly
            new = replace(inner, metadata=tuple(inner.metadata) + (("mtime", str(MTIME)),),
                          content_type=inner.content_type or "application/octet-stream")
            step = replace(step, inner=new) if step is not inner else new
        return step

    def plan(self, step: Step, route: Route, work: str, display: bool = False) -> Plan:
        kind, step = auth_variant(step)
        bucket, t = self.bucket_of(step), self.target
        step = inner_of(step)
        base = ["rclone" if display else RCLONE, *self.flags(route, kind, display)]
        if isinstance(step, ListBuckets):
            return Plan("ListBuckets", (*base, "lsjson", ":s3:"), buckets=True)
        if isinstance(step, ListObjects):
            # --no-modtime --no-mimetype: rclone otherwise HEADs every listed object to read its x-amz-meta-mtime and
            # Content-Type (1000 HEADs a page); the MD5 comes from the listing's ETag
            args = ["lsjson", "--no-modtime", "--no-mimetype", "--hash", "--hash-type", "MD5",
                    f":s3:{bucket}/{t.key(step.prefix)}"]
            if step.delimiter is None:
                args.insert(1, "-R")
                args.insert(2, "--files-only")
            return Plan("ListObjects", (*base, *args), listing=step)
        remote = f":s3:{bucket}/{t.key(getattr(step, 'key', ''))}"
        if isinstance(step, Put):
            # --no-check-dest: no HEAD of the key before the PUT, so the PUT itself is judged (rclone otherwise gives
            # up when that HEAD fails, e.g. S3's 400 for a key over 1024 bytes)
            args = ["copyto", "--no-check-dest", "upload.bin", remote]
            if step.content_type is not None:
                args[1:1] = ["--header-upload", f"Content-Type: {step.content_type}"]
            # user metadata as headers: --metadata-set needs -M, which also uploads atime/btime/mode/uid/gid
            for name, value in step.metadata:
                if name != "mtime":
                    args[1:1] = ["--header-upload", f"x-amz-meta-{name}: {value}"]
            for name, value in step.headers:
                args[1:1] = ["--header-upload", f"{name}: {value}"]
            return Plan("PutObject", (*base, *args), upload=step.body)
        if isinstance(step, Get):
            return Plan("GetObject", (*base, "copyto", remote, "download.bin"), download=True)
        if isinstance(step, Head):
            return Plan("HeadObject", (*base, "lsjson", "--stat", remote))
        if isinstance(step, Delete):
            return Plan("DeleteObject", (*base, "deletefile", remote))
        if isinstance(step, Unsupported):
            args = UNSUPPORTED[step.operation](self, bucket, t.key(step.key))
            return Plan(step.operation, (*base, *args), upload=b"x" * 16)
        raise TypeError(f"rclone driver cannot run {step!r}")

    def prepare(self, work: str, plan: Plan) -> None:
        if plan.upload is not None:
            os.utime(os.path.join(work, "upload.bin"), (MTIME, MTIME))

    def parse(self, plan: Plan, rc: int, out: bytes, err: bytes, wire, work: str) -> Observation:
        text = err.decode("utf-8", "replace").strip()
        note = f"exit {rc}" + (f"; stderr: {text[-600:]}" if text else "")
        if plan.operation == "DeleteObject" and rc != 0 and not any(x.method == "DELETE" for x in wire):
            return Observation.not_applicable("rclone deletefile sends no DELETE for a key its HEAD did not find")
        op = plan.operation
        if op == "GetObject" and not any(operation_at(x, self.target.endpoint_url) == op for x in wire):
            op = "HeadObject"  # rclone HEADs first and sends no GET for an object that is not there
            note += "; rclone sent no GET (its HEAD decided)"
        code = _error_code(text)
        obs = observe(self.target, wire, op, failed=rc != 0, error_code=code, note=note)
        if obs.outcome != "ok":
            return obs
        if plan.listing is not None:
            obs.metadata = None
            obs.listing = listing_of(self.target, _lsjson(out, plan, self.target), True)
        elif plan.buckets:
            obs.metadata = None
            obs.buckets = tuple(e["Name"] for e in json.loads(out or b"[]"))
        return obs

    def reproduction(self, step: Step) -> str:
        plan = self.plan(step, self.route(display=True), ".", display=True)
        lines = ["# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: your keys (rclone does not read them: the flags do)"]
        if plan.upload is not None:
            lines += [upload_line(len(plan.upload)), f"touch -d @{MTIME} upload.bin"]
        if self.target.proxy_url:
            lines.append(f"export HTTPS_PROXY={self.target.proxy_url} HTTP_PROXY={self.target.proxy_url}")
        lines.append("unset AWS_CA_BUNDLE  # rclone refuses it: LoadCustomCABundleError")
        return "\n".join(lines + [shell(plan.argv)])


def _error_code(stderr: str) -> str | None:
    """The S3 code in rclone's error line ('Failed to lsjson: error in ListJSON: SignatureDoesNotMatch: The request
    signature...' followed by a 'status code: 403' line): the last CamelCase word before ': ' on that line."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if "status code:" in line and i > 0:
            words = [w.strip().split()[-1] for w in lines[i - 1].split(": ")[:-1] if w.strip()]
            codes = [w for w in words if w[:1].isupper() and w.isalnum()]
            return codes[-1] if codes else None
    return None


def _lsjson(out: bytes, plan: Plan, target) -> dict:
    base = target.key(plan.listing.prefix)
    entries, prefixes = [], []
    for e in json.loads(out or b"[]"):
        key = base + e["Path"]
        if e.get("IsDir"):
            prefixes.append(key + "/")
        else:
            md5 = (e.get("Hashes") or {}).get("md5")
            entries.append([key, e.get("Size"), f'"{md5}"' if md5 else None])
    return {"entries": sorted(entries), "prefixes": sorted(prefixes)}
