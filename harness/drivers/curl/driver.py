"""curl driver: Debian's ``curl`` with ``--aws-sigv4``, one process per request, the raw baseline.

Variants:
  unsigned-payload  ``-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD'`` on every request: S3 requires the header on
                    every SigV4 request (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html)
  defaults          ``--aws-sigv4`` alone: curl sends no x-amz-content-sha256 header

curl writes the body to a file (``-o``), the response head to another (``-D``) and the status with ``-w``; the error
code is the ``<Code>`` of the S3 XML error body. A listing with ``all_pages`` is one curl per page, following
IsTruncated as a user's script would. Keys are percent-encoded as the AWS SDKs do (RFC 3986 unreserved kept).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from urllib.parse import quote, urlencode, urlsplit
from xml.etree import ElementTree

from harness.drivers.base import (
    TIMEOUT,
    Plan,
    ProcessDriver,
    Route,
    clean_env,
    inner_of,
    listing_of,
    observe,
    page_through,
    shell,
    upload_line,
)
from harness.observation import Observation, digest
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

CURL = shutil.which("curl") or "curl"
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_DELETE_BODY = '<Delete><Object><Key>{}</Key></Object></Delete>'


def _delete_request(k: str) -> tuple[str, str, list[str], bytes]:
    body = _DELETE_BODY.format(k + ".absent").encode()
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    return "POST", "?delete=", [f"Content-MD5: {md5}"], body


# Sub-resources go as "?location=" (an explicit empty value, which S3 reads as "?location="): curl 7.88's
# --aws-sigv4 signs a value-less "?location=" as "location" where SigV4 wants "location=" (canonical query string,
# https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), and every server refuses it
UNSUPPORTED = {  # operation -> (method, path after the bucket: "" or "/key", query, headers, body) from (bucket, key)
    "ListObjectsV2": lambda b, k, p: ("GET", "", "?list-type=2&prefix=" + quote(p, safe=""), [], None),
    "CreateMultipartUpload": lambda b, k, p: ("POST", "/" + quote(k, safe="/~"), "?uploads=", [], None),
    "GetBucketLocation": lambda b, k, p: ("GET", "", "?location=", [], None),
    "GetObjectAcl": lambda b, k, p: ("GET", "/" + quote(k, safe="/~"), "?acl=", [], None),
    "CopyObject": lambda b, k, p: ("PUT", "/" + quote(k + ".copy", safe="/~"), "",
                                   [f"x-amz-copy-source: /{b}/{quote(k, safe='/~')}"], None),
    "DeleteObjects": lambda b, k, p: (_delete_request(k)[0], "", "?delete=", _delete_request(k)[2],
                                      _delete_request(k)[3]),
    "CreateBucket": lambda b, k, p: ("PUT", "", "", [], None),  # on <bucket>-created-by-harness (OTHER_BUCKET)
    "DeleteBucket": lambda b, k, p: ("DELETE", "", "", [], None),
}


class CurlDriver(ProcessDriver):
    name = "curl"

    def version(self) -> str:
        return self.version_of([CURL, "--version"])

    def client_settings(self) -> dict:
        return {"flags": shell(self._auth("ok", True) + self._extra_headers())}

    def _auth(self, kind: str, display: bool) -> list[str]:
        t = self.target
        key, secret = t.credentials.access_key, t.credentials.secret_key
        if display:
            key, secret = "$AWS_ACCESS_KEY_ID", "$AWS_SECRET_ACCESS_KEY"
        if kind == "wrong-secret":
            secret = REPRO_WRONG_SECRET if display else secret[::-1] + "x"
        elif kind == "unknown-key":
            key, secret = UNKNOWN_ACCESS_KEY, UNKNOWN_SECRET
        return ["--aws-sigv4", f"aws:amz:{t.region}:s3", "--user", f"{key}:{secret}"]

    def _extra_headers(self) -> list[str]:
        return ["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"] if self.variant == "unsigned-payload" else []

    def _url(self, route: Route, bucket: str | None, rest: str = "", query: str = "") -> str:
        u = urlsplit(route.endpoint)
        if bucket is None:
            return f"{u.scheme}://{u.netloc}/{query}"
        if self.target.addressing_style == "virtual":
            return f"{u.scheme}://{bucket}.{u.netloc}{rest or '/'}{query}"
        return f"{u.scheme}://{u.netloc}/{bucket}{rest}{query}"

    # ------------------------------------------------------------ steps
    def adapt_client(self, step: Step) -> Step | str:
        return step

    def plan(self, step: Step, route: Route, work: str, display: bool = False, marker: str | None = None) -> Plan:
        kind, step = auth_variant(step)
        bucket, t = self.bucket_of(step), self.target
        step = inner_of(step)
        # --path-as-is: curl otherwise removes '.' and '..' segments (RFC 3986), and a key such as 'a/../b' would be
        # written somewhere else than asked
        base = ["curl" if display else CURL, "-sS", "--path-as-is", "-o", "body.bin", "-D", "head.txt",
                "-w", "%{http_code}", *self._auth(kind, display), *self._extra_headers()]
        if route.proxy:
            base += ["-x", route.proxy]
        if route.ca_bundle:
            base += ["--cacert", route.ca_bundle]
        if isinstance(step, ListBuckets):
            return Plan("ListBuckets", (*base, self._url(route, None)), buckets=True)
        if isinstance(step, HeadBucket):
            return Plan("HeadBucket", (*base, "-I", self._url(route, bucket)))
        if isinstance(step, ListObjects):
            q = [("prefix", t.key(step.prefix))]
            if step.delimiter is not None:
                q.append(("delimiter", step.delimiter))
            if marker is not None:
                q.append(("marker", marker))
            if step.max_keys is not None:
                q.append(("max-keys", str(step.max_keys)))
            query = "?" + urlencode(sorted(q), quote_via=quote, safe="")
            return Plan("ListObjects", (*base, self._url(route, bucket, "", query)), listing=step)
        if isinstance(step, Unsupported):
            method, rest, query, headers, body = UNSUPPORTED[step.operation](bucket, t.key(step.key), t.run_prefix)
            if step.operation in ("CreateBucket", "DeleteBucket"):
                bucket += "-created-by-harness"
            argv = [*base, "-X", method]
            for h in headers:
                argv += ["-H", h]
            if body is not None:
                argv += ["--data-binary", "@upload.bin", "-H", "Content-Type: application/xml"]
            return Plan(step.operation, (*argv, self._url(route, bucket, rest, query)), upload=body)
        url = self._url(route, bucket, "/" + quote(t.key(step.key), safe="/~"))
        if isinstance(step, Put):
            # -X PUT --data-binary, not -T: -T appends the file's name to a URL whose last segment is empty, '.' or
            # '..' (so 'a/..' would be written as 'upload.bin'); an empty Content-Type header stops curl adding
            # its form type
            argv = [*base, "-X", "PUT", "--data-binary", "@upload.bin",
                    "-H", f"Content-Type: {step.content_type or ''}"]
            for name, value in step.metadata:
                argv += ["-H", f"x-amz-meta-{name}: {value}"]
            for name, value in step.headers:
                argv += ["-H", f"{name}: {value}"]
            return Plan("PutObject", (*argv, url), upload=step.body)
        if isinstance(step, (Get, Head)):
            argv = list(base) + (["-I"] if isinstance(step, Head) else [])
            c = step.conditions
            for attr, name in (("if_match", "If-Match"), ("if_none_match", "If-None-Match"),
                               ("if_modified_since", "If-Modified-Since"),
                               ("if_unmodified_since", "If-Unmodified-Since")):
                if getattr(c, attr):
                    argv += ["-H", f"{name}: {getattr(c, attr)}"]
            if isinstance(step, Get) and step.range:
                argv += ["-H", f"Range: {step.range}"]
            op = "GetObject" if isinstance(step, Get) else "HeadObject"
            return Plan(op, (*argv, url), download=isinstance(step, Get))
        if isinstance(step, Delete):
            return Plan("DeleteObject", (*base, "-X", "DELETE", url))
        raise TypeError(f"curl driver cannot run {step!r}")

    def run(self, step: Step) -> Observation:
        inner = inner_of(step)
        if not isinstance(inner, ListObjects):
            return super().run(step)
        started = time.time()
        wire, pages = [], []

        def one_page(marker):
            obs = self._run_once(step, marker)
            wire.extend(obs.wire)
            pages.append(obs)
            if obs.outcome != "ok":
                raise _Stop
            return obs.raw_listing

        try:
            raw, n = page_through(one_page, inner, self.target.key(inner.marker) if inner.marker else None)
        except _Stop:
            obs = pages[-1]
        else:
            obs = pages[-1]
            obs.listing = listing_of(self.target, raw, inner.all_pages)
            obs.note += f"; {n} page(s)"
        obs.wire = wire
        return self.finish(Plan("ListObjects"), obs, step, started)

    def _run_once(self, step: Step, marker: str | None) -> Observation:
        with tempfile.TemporaryDirectory(prefix="page-", dir=self.dir) as work:
            route = self.route()
            plan = self.plan(step, route, work, marker=marker)
            self.recorder.take()
            try:
                proc = subprocess.run(list(plan.argv), capture_output=True, timeout=TIMEOUT, env=self.env(work, route),
                                      cwd=work)
            except subprocess.TimeoutExpired:
                return Observation("transport_error", note=f"curl timed out after {TIMEOUT}s",
                                   wire=self.recorder.take())
            return self.parse(plan, proc.returncode, proc.stdout, proc.stderr, self.recorder.take(), work)

    def env(self, work: str, route: Route) -> dict:
        return clean_env(work, {"CURL_HOME": work})  # never a user's .curlrc

    def parse(self, plan: Plan, rc: int, out: bytes, err: bytes, wire, work: str) -> Observation:
        body_path = os.path.join(work, "body.bin")
        body = open(body_path, "rb").read() if os.path.exists(body_path) else b""
        text = err.decode("utf-8", "replace").strip()
        note = f"exit {rc}; http {out.decode(errors='replace')}" + (f"; stderr: {text[-400:]}" if text else "")
        code = _xml_code(body)
        obs = observe(self.target, wire, plan.operation, failed=rc != 0, error_code=code, note=note)
        if obs.outcome != "ok":
            return obs
        if plan.download:
            obs.body_sha256, obs.body_size = digest(body), len(body)
            if os.path.exists(body_path):
                os.replace(body_path, os.path.join(work, "download.bin"))
        if plan.listing is not None:
            obs.metadata = None
            obs.raw_listing = _list_page(body)
        if plan.buckets:
            obs.metadata = None
            root = ElementTree.fromstring(body)
            obs.buckets = tuple(e.text or "" for e in root.iter(f"{NS}Name"))
        return obs

    def reproduction(self, step: Step) -> str:
        inner = inner_of(step)
        marker = self.target.key(inner.marker) if isinstance(inner, ListObjects) and inner.marker else None
        plan = self.plan(step, self.route(display=True), ".", display=True, marker=marker)
        lines = ["# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: your keys"]
        if plan.upload is not None:
            lines.append(upload_line(len(plan.upload)) if plan.operation == "PutObject" else
                         f"printf %s {shell([plan.upload.decode()])} > upload.bin")
        # --fail-with-body: the command's exit code says whether S3 refused it; the answer is shown either way
        return "\n".join(lines + [shell([*plan.argv[:2], "--fail-with-body", *plan.argv[2:]]) + "; status=$?",
                                   "cat head.txt body.bin; exit $status"])


class _Stop(Exception):
    pass


def _xml_code(body: bytes) -> str | None:
    m = re.search(rb"<Code>([^<]+)</Code>", body[:4096])
    return m.group(1).decode() if m else None


def _list_page(body: bytes) -> dict:
    root = ElementTree.fromstring(body)

    def text(el, name):
        x = el.find(f"{NS}{name}")
        return x.text if x is not None else None

    entries = [[text(c, "Key") or "", int(text(c, "Size") or 0), text(c, "ETag")] for c in root.iter(f"{NS}Contents")]
    prefixes = [text(p, "Prefix") or "" for p in root.iter(f"{NS}CommonPrefixes")]
    truncated = (text(root, "IsTruncated") or "false").lower() == "true"
    return {"entries": entries, "prefixes": prefixes, "truncated": truncated, "next_marker": text(root, "NextMarker")}
