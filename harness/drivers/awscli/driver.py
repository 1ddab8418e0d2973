"""AWS CLI driver: the real ``aws`` executable (v1) as a subprocess.

Variants:
  s3api   ``aws s3api <op>`` for each of the seven operations (exactly one request each)
  s3      ``aws s3 ls/cp/rm`` as a user types them: ``ls`` always uses ListObjectsV2 and ``cp`` above 8 MiB
          uses multipart; both are outside the seven (the records say so, and which settings avoid it:
          ``aws s3api list-objects``, ``s3.multipart_threshold = 5GB``)
  s3-tuned  ``aws s3 cp`` with ``s3.multipart_threshold = 5GB``

AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE point at generated 0600 files in a private dir; the child env
has no other AWS_* variable. Proxy (virtual style without DNS): HTTP_PROXY / HTTPS_PROXY. Wire exchanges:
botocore.endpoint.Endpoint._send instrumented in the child (harness/wire).
CLI error format: https://github.com/aws/aws-cli/blob/develop/awscli/errorhandler.py
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

from harness.drivers import private_dir, write_private
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
    REPRO_WRONG_SECRET,
    UNKNOWN_ACCESS_KEY,
    UNKNOWN_SECRET,
    Delete,
    Download,
    Get,
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
    auth_variant,
)
from harness.targets import Target
from harness.wire import child_env, read_log
from harness.wire.classify import operation_of as _operation_of

AWS = shutil.which("aws", path=os.path.dirname(sys.executable)) or shutil.which("aws") or "aws"
TIMEOUT = 180
ERROR_RE = re.compile(r"An error occurred \(([^)]*)\) when calling the (\w+) operation")
HEADER_OPTS = {"cache-control": "--cache-control", "content-disposition": "--content-disposition",
               "content-language": "--content-language", "content-encoding": "--content-encoding",
               "expires": "--expires"}


class AwsCliDriver:
    name = "awscli"
    # what it can show the judge (judge.not_judged) and whether it hands response fields to its user: `aws s3api`
    # prints the response as JSON (ContentType, ETag, Metadata...), so a wrong header is noticed
    observes = OBSERVABLE
    returns_response_fields = True

    def __init__(self, target: Target, variant: str = "s3api"):
        self.target = target
        self.variant = variant  # s3api | s3 | s3-tuned
        self._dir_cm = private_dir("harness-aws-")
        self.dir = self._dir_cm.__enter__()
        c = target.credentials
        write_private(os.path.join(self.dir, "credentials"),
                      f"[default]\naws_access_key_id = {c.access_key}\naws_secret_access_key = {c.secret_key}\n"
                      f"[wrong-secret]\naws_access_key_id = {c.access_key}\n"
                      f"aws_secret_access_key = {c.secret_key[::-1]}x\n"
                      f"[unknown-key]\naws_access_key_id = {UNKNOWN_ACCESS_KEY}\n"
                      f"aws_secret_access_key = {UNKNOWN_SECRET}\n")
        write_private(os.path.join(self.dir, "config"), self.config_text())
        self._version: str | None = None

    def config_text(self, profiles=("default", "profile wrong-secret", "profile unknown-key")) -> str:
        t = self.target
        s3 = [f"    addressing_style = {t.addressing_style}"]
        if self.variant == "s3-tuned":
            s3.append("    multipart_threshold = 5GB")
        if self.variant == "presign-v4":
            s3.append("    signature_version = s3v4")
        lines = [f"region = {t.region}", "output = json", "max_attempts = 1", "retry_mode = standard",
                 "request_checksum_calculation = when_supported"]
        if t.ca_bundle:
            lines.append(f"ca_bundle = {t.ca_bundle}")
        body = "\n".join(lines) + "\ns3 =\n" + "\n".join(s3) + "\n"
        return "".join(f"[{p}]\n{body}" for p in profiles)

    def version(self) -> str:
        if self._version is None:
            out = subprocess.run([AWS, "--version"], capture_output=True, text=True, timeout=60,
                                 env=self._env(os.path.join(self.dir, "version.jsonl")))
            self._version = (out.stdout or out.stderr).strip()
        return self._version

    def settings(self) -> dict:
        return {"config": self.config_text(), "endpoint_url": self.target.endpoint_url, "variant": self.variant,
                "proxy": self.target.proxy_url}

    def close(self) -> None:
        self._dir_cm.__exit__(None, None, None)

    def _env(self, log: str) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "S3_")) and k.lower() not in ("http_proxy", "https_proxy", "no_proxy",
                                                                         "pythonpath")}
        env.update(child_env(log, "botocore"))
        env["AWS_CONFIG_FILE"] = os.path.join(self.dir, "config")
        env["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(self.dir, "credentials")
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env["HOME"] = self.dir
        if self.target.proxy_url:
            env["HTTP_PROXY"] = env["HTTPS_PROXY"] = self.target.proxy_url
        return env

    # ------------------------------------------------------------ steps
    def adapt(self, step: Step) -> Step | str:
        from dataclasses import replace

        if isinstance(step, Upload):
            step = Put(step.key, step.body)  # the variant decides single PUT or multipart
        elif isinstance(step, Download):
            step = Get(step.key)
        inner = step.inner if isinstance(step, (WrongSecret, UnknownAccessKey, SigV2, MissingBucket)) else step
        if isinstance(step, SigV2):
            return "the AWS CLI signs API calls with SigV4 only"
        if isinstance(step, Presigned):
            if step.expired:
                return "aws s3 presign cannot sign for a past time"
            return step
        if isinstance(step, Unsupported) and step.operation in ("CreateBucket", "DeleteBucket") and self.target.live:
            return "destructive bucket operations are never sent to a live target"
        if isinstance(inner, ListObjects) and inner.all_pages and inner.marker is not None and self.variant == "s3api":
            return ("aws s3api list-objects treats --marker as its pagination token: with a marker it sends a single "
                    "page (--no-paginate) and refuses --page-size")
        if self.variant.startswith("s3") and self.variant != "s3api":
            if isinstance(inner, (HeadBucket, Head)):
                return f"aws s3 has no command for {inner.kind}"
            if isinstance(inner, ListObjects):
                if inner.marker is not None or inner.max_keys is not None or inner.delimiter not in (None, "/"):
                    return "aws s3 ls cannot send a marker, max-keys or a delimiter other than '/'"
                if step is inner:
                    return replace(step, all_pages=True)
                return replace(step, inner=replace(inner, all_pages=True))
            if isinstance(inner, Get) and (inner.range or inner.conditions.any()):
                return "aws s3 cp cannot send Range or conditional headers"
            if isinstance(inner, (Put, Get, Delete)) and (inner.key.endswith("/") or "//" in inner.key):
                return "aws s3 treats a trailing '/' as a directory"
        return step

    def reproduction(self, step: Step) -> str:
        argv, info = self.command(step, ".", for_display=True)
        pre = ["cat > aws-config <<'EOF'", self.config_text(("default",)).strip(), "EOF",
               "export AWS_CONFIG_FILE=$PWD/aws-config  # credentials: $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY"]
        if info.get("body") is not None:
            pre.append(f"head -c {len(info['body'])} /dev/urandom > upload.bin")
        if self.target.proxy_url:
            pre.append(f"export HTTPS_PROXY={self.target.proxy_url} HTTP_PROXY={self.target.proxy_url}")
        return "\n".join(pre + [" ".join(shlex.quote(a) for a in argv)])

    def command(self, step: Step, work: str, for_display: bool = False) -> tuple[list[str], dict]:
        kind, step = auth_variant(step)  # SigV2 never gets here: adapt() says the CLI cannot send it
        profile = None if kind == "ok" else kind
        bucket = self.target.bucket
        if isinstance(step, MissingBucket):
            from harness.drivers.boto3.driver import missing_bucket_name

            bucket, step = missing_bucket_name(), step.inner
        bucket = getattr(step, "bucket", None) or bucket
        base = ["aws" if for_display else AWS, f"--endpoint-url={self.target.endpoint_url}"]
        if self.target.ca_bundle:
            base.append(f"--ca-bundle={self.target.ca_bundle}")
        if profile and for_display:  # a reproduction takes credentials from the environment
            env = {"wrong-secret": [f"AWS_SECRET_ACCESS_KEY={REPRO_WRONG_SECRET}"],
                   "unknown-key": [f"AWS_ACCESS_KEY_ID={UNKNOWN_ACCESS_KEY}",
                                   f"AWS_SECRET_ACCESS_KEY={UNKNOWN_SECRET}"]}[profile]
            base = ["env", *env, *base]
        elif profile:
            base.append(f"--profile={profile}")
        t = self.target
        if self.variant in ("s3", "s3-tuned") and not isinstance(step, (Unsupported, Presigned)):
            return self._s3_command(base, step, bucket, work)
        api = base + ["s3api"]
        if isinstance(step, ListBuckets):
            return api + ["list-buckets"], {"match": "ListBuckets", "json": True}
        if isinstance(step, HeadBucket):
            return api + ["head-bucket", f"--bucket={bucket}"], {"match": "HeadBucket"}
        if isinstance(step, ListObjects):
            args = ["list-objects", f"--bucket={bucket}", f"--prefix={t.key(step.prefix)}"]
            if step.delimiter is not None:
                args.append(f"--delimiter={step.delimiter}")
            if step.marker is not None:
                args.append(f"--marker={t.key(step.marker)}")
            if step.all_pages:
                if step.max_keys is not None:
                    args.append(f"--page-size={step.max_keys}")
            else:
                args.append("--no-paginate")
                if step.max_keys is not None:
                    args.append(f"--max-keys={step.max_keys}")
            return api + args, {"match": "ListObjects", "json": True, "listing": True, "paged": step.all_pages}
        if isinstance(step, Put):
            src = os.path.join(work, "upload.bin")
            args = ["put-object", f"--bucket={bucket}", f"--key={t.key(step.key)}", f"--body={src}"]
            if step.content_type is not None:
                args.append(f"--content-type={step.content_type}")
            if step.metadata:
                args.append("--metadata=" + json.dumps(dict(step.metadata)))
            for h, v in step.headers:
                args.append(f"{HEADER_OPTS[h]}={v}")
            return api + args, {"match": "PutObject", "json": True, "upload": src, "body": step.body}
        if isinstance(step, (Get, Head)):
            op = "get-object" if isinstance(step, Get) else "head-object"
            args = [op, f"--bucket={bucket}", f"--key={t.key(step.key)}"]
            c = step.conditions
            for attr, opt in (("if_match", "--if-match"), ("if_none_match", "--if-none-match"),
                              ("if_modified_since", "--if-modified-since"),
                              ("if_unmodified_since", "--if-unmodified-since")):
                if getattr(c, attr):
                    args.append(f"{opt}={getattr(c, attr)}")
            info = {"match": "GetObject" if isinstance(step, Get) else "HeadObject", "json": True}
            if isinstance(step, Get):
                if step.range:
                    args.append(f"--range={step.range}")
                out = os.path.join(work, "download.bin")
                args.append(out)
                info["download"] = out
            return api + args, info
        if isinstance(step, Delete):
            return api + ["delete-object", f"--bucket={bucket}", f"--key={t.key(step.key)}"], {"match": "DeleteObject"}
        if isinstance(step, Presigned):
            args = base + ["s3", "presign", f"s3://{bucket}/{t.key(step.key)}"]
            return args, {"presign": True}
        if isinstance(step, Unsupported):
            k = t.key(step.key)
            args = {
                "ListObjectsV2": ["list-objects-v2", f"--bucket={bucket}", f"--prefix={t.run_prefix}", "--no-paginate"],
                "CreateMultipartUpload": ["create-multipart-upload", f"--bucket={bucket}", f"--key={k}"],
                "GetBucketLocation": ["get-bucket-location", f"--bucket={bucket}"],
                "GetObjectAcl": ["get-object-acl", f"--bucket={bucket}", f"--key={k}"],
                "CopyObject": ["copy-object", f"--bucket={bucket}", f"--key={k}.copy", f"--copy-source={bucket}/{k}"],
                "DeleteObjects": ["delete-objects", f"--bucket={bucket}",
                                  "--delete=" + json.dumps({"Objects": [{"Key": k + ".absent"}]})],
                "CreateBucket": ["create-bucket", f"--bucket={bucket}-created-by-harness"],
                "DeleteBucket": ["delete-bucket", f"--bucket={bucket}-created-by-harness"],
            }[step.operation]
            return api + args, {"match": step.operation, "json": True, "abort_mpu": step.operation ==
                                "CreateMultipartUpload", "bucket": bucket, "key": k}
        raise TypeError(f"awscli driver cannot run {step!r}")

    def _s3_command(self, base, step, bucket, work):
        t = self.target
        if isinstance(step, ListBuckets):
            return base + ["s3", "ls"], {"match": "ListBuckets", "ls_buckets": True}
        if isinstance(step, ListObjects):
            args = ["s3", "ls", f"s3://{bucket}/{t.key(step.prefix)}"]
            if step.delimiter is None:
                args.insert(2, "--recursive")
            return base + args, {"match": "ListObjectsV2", "s3ls": True, "unsupported": "ListObjectsV2"}
        if isinstance(step, Put):
            src = os.path.join(work, "upload.bin")
            args = ["s3", "cp", src, f"s3://{bucket}/{t.key(step.key)}"]
            if step.content_type is not None:
                args.append(f"--content-type={step.content_type}")
            if step.metadata:
                args.append("--metadata=" + ",".join(f"{k}={v}" for k, v in step.metadata))
            for h, v in step.headers:
                args.append(f"{HEADER_OPTS[h]}={v}")
            return base + args, {"match": "PutObject", "upload": src, "body": step.body}
        if isinstance(step, Get):
            out = os.path.join(work, "download.bin")
            return base + ["s3", "cp", f"s3://{bucket}/{t.key(step.key)}", out], {"match": "GetObject",
                                                                                 "download": out}
        if isinstance(step, Delete):
            return base + ["s3", "rm", f"s3://{bucket}/{t.key(step.key)}"], {"match": "DeleteObject"}
        raise TypeError(f"aws s3 cannot run {step!r}")

    def run(self, step: Step) -> Observation:
        started = time.time()
        with tempfile.TemporaryDirectory(prefix="step-", dir=self.dir) as work:
            argv, info = self.command(step, work)
            if "upload" in info:
                with open(info["upload"], "wb") as f:
                    f.write(info["body"])
            log = os.path.join(work, "wire.jsonl")
            try:
                proc = subprocess.run(argv, capture_output=True, timeout=TIMEOUT, env=self._env(log), cwd=work)
            except subprocess.TimeoutExpired:
                return Observation("transport_error", note=f"aws timed out after {TIMEOUT}s", wire=read_log(log),
                                   duration=time.time() - started)
            wire = read_log(log)
            out = proc.stdout.decode("utf-8", "replace")
            err = proc.stderr.decode("utf-8", "replace")
            if info.get("presign"):
                obs = self._presigned(proc.returncode, out, err)
            else:
                obs = self._observe(proc.returncode, out, err, wire, info)
                if info.get("download") and obs.outcome == "ok" and os.path.exists(info["download"]):
                    with open(info["download"], "rb") as f:
                        data = f.read()
                    obs.body_sha256, obs.body_size = digest(data), len(data)
                if info.get("abort_mpu") and proc.returncode == 0:
                    self._abort(out, info)
        obs.duration = time.time() - started
        obs.command = self.reproduction(step)
        return obs

    def _presigned(self, rc, out, err) -> Observation:
        from harness.http import fetch

        if rc != 0 or not out.strip():
            return Observation("client_failure", note=f"aws s3 presign failed: exit {rc}: {err.strip()[-300:]}")
        return fetch(self.target, out.strip())

    def _abort(self, out: str, info: dict) -> None:
        try:
            upload_id = json.loads(out)["UploadId"]
        except (ValueError, KeyError):
            return
        argv = [AWS, f"--endpoint-url={self.target.endpoint_url}", "s3api", "abort-multipart-upload",
                f"--bucket={info['bucket']}", f"--key={info['key']}", f"--upload-id={upload_id}"]
        if self.target.ca_bundle:
            argv.insert(2, f"--ca-bundle={self.target.ca_bundle}")
        subprocess.run(argv, capture_output=True, timeout=TIMEOUT, env=self._env(os.path.join(self.dir, "abort.jsonl")))

    def _observe(self, rc: int, out: str, err: str, wire: list[Exchange], info: dict) -> Observation:
        want = info["match"]
        host = urlsplit(self.target.endpoint_url).hostname or ""
        ops = [x for x in wire if _operation_of(x, host) == want]
        ex = ops[-1] if ops else (wire[-1] if wire else None)
        note = f"exit {rc}" + (f"; stderr: {err.strip()[-600:]}" if err.strip() else "")
        if info.get("unsupported") and ex is not None and _operation_of(ex, host) == info["unsupported"]:
            note += f"; `aws s3 ls` sends {info['unsupported']}, outside the seven: use `aws s3api list-objects`"
        if ex is None:
            return Observation("transport_error" if rc else "client_failure", note=note, wire=wire)
        m = ERROR_RE.search(err)
        status = ex.status
        code = m.group(1) if (m and status and status >= 300 and ex.method != "HEAD") else None
        hdrs = ex.response_headers
        obs = Observation(outcome_for_status(status), status=status, error_code=code, headers=pick_headers(hdrs),
                          metadata=pick_metadata(hdrs), wire=wire, note=note)
        if status is None:
            obs.outcome = "transport_error"
        elif 200 <= status < 300 and rc != 0:
            obs.outcome = "client_failure"
        if obs.outcome != "ok":
            return obs
        if info.get("listing"):
            obs.metadata = None
            obs.listing = self._listing(out, info)
        if want == "ListBuckets":
            obs.metadata = None
            if info.get("ls_buckets"):
                obs.buckets = tuple(line.split()[-1] for line in out.splitlines() if line.strip())
            else:
                obs.buckets = tuple(b["Name"] for b in json.loads(out or "{}").get("Buckets", []))
        return obs

    def _listing(self, out: str, info: dict) -> Listing:
        data = json.loads(out) if out.strip() else {}
        t = self.target

        def rel(k):
            return k[len(t.run_prefix):] if k.startswith(t.run_prefix) else "!outside-prefix!" + k

        entries = tuple(ListEntry(rel(o["Key"]), o.get("Size"), o.get("ETag")) for o in data.get("Contents") or [])
        prefixes = tuple(rel(p["Prefix"]) for p in data.get("CommonPrefixes") or [])
        if info.get("paged"):
            return Listing(entries, prefixes, None, None)
        nm = data.get("NextMarker")
        return Listing(entries, prefixes, data.get("IsTruncated"), rel(nm) if nm else None)
