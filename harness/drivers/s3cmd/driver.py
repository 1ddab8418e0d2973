"""s3cmd driver: the real ``s3cmd`` executable as a subprocess, with a generated config file.

The config (mode 0600, in a private 0700 temp dir, deleted at close) carries the service doc's settings:
region us-east-1, host_base / host_bucket (the virtual-host template), use_https, ca_certs_file, and, for
virtual style without DNS, proxy_host / proxy_port. ``bucket_location = us-east-1`` avoids s3cmd's
``GET /b/?location`` probe (variant ``location-unset`` leaves it empty to exercise it).
Every command gets ``--no-preserve`` (no ``x-amz-meta-s3cmd-attrs`` header: variant ``preserve`` keeps it
and the observation drops it) and, except in variant ``multipart``, ``--disable-multipart`` as the doc says.
The wire exchange comes from harness/wire (http.client instrumented in the child via sitecustomize).
s3cmd source: https://github.com/s3tools/s3cmd/blob/master/s3cmd (cmd_info, cmd_object_get, cmd_ls)
"""

from __future__ import annotations

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
    ListBuckets,
    ListObjects,
    MissingBucket,
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

S3CMD = shutil.which("s3cmd", path=os.path.dirname(sys.executable)) or shutil.which("s3cmd") or "s3cmd"
TIMEOUT = 120
ERROR_RE = re.compile(r"ERROR: S3 error: (\d{3})(?: \(([^)]*)\))?")

# s3cmd exit codes: https://github.com/s3tools/s3cmd/blob/master/S3/ExitCodes.py
EXIT_CODES = {0: "EX_OK", 1: "EX_GENERAL", 2: "EX_PARTIAL", 12: "EX_NOTFOUND", 13: "EX_OSFILE", 64: "EX_USAGE",
              65: "EX_DATAERR", 71: "EX_SOFTWARE", 74: "EX_IOERR", 75: "EX_TEMPFAIL", 77: "EX_NOPERM",
              78: "EX_CONFIG", 10: "EX_SERVERMOVED", 11: "EX_SERVERERROR", 70: "EX_CONNECTIONREFUSED"}


class S3cmdDriver:
    name = "s3cmd"
    # what it can show the judge (judge.not_judged: headers/metadata come from the recorded wire); s3cmd get/put print
    # no response fields, so only an exit code, the bytes or a listing is noticed by its user
    observes = OBSERVABLE
    returns_response_fields = False
    # S3._http_400_handler: on 400 InvalidRequest "... Please use AWS4-HMAC-SHA256." s3cmd retries with SigV4
    # (https://github.com/s3tools/s3cmd/blob/master/S3/S3.py); the negative group expects that retry to succeed
    retries_sigv2_with_sigv4 = True

    def __init__(self, target: Target, variant: str = "doc"):
        self.target = target
        self.variant = variant  # doc | multipart | location-unset | preserve
        self._dir_cm = private_dir("harness-s3cmd-")
        self.dir = self._dir_cm.__enter__()
        self._configs: dict = {}
        self._version: str | None = None

    # ------------------------------------------------------------ config
    def config_text(self, access_key: str, secret_key: str, signature_v2: bool = False) -> str:
        t = self.target
        lines = {
            "access_key": access_key, "secret_key": secret_key, "host_base": t.host_base,
            "host_bucket": t.host_bucket, "use_https": str(t.scheme == "https"),
            "bucket_location": "" if self.variant == "location-unset" else "us-east-1",
            "signature_v2": str(signature_v2), "check_ssl_certificate": "True", "check_ssl_hostname": "True",
            "ca_certs_file": t.ca_bundle or "", "progress_meter": "False",
            "preserve_attrs": str(self.variant == "preserve"),
            "enable_multipart": str(self.variant == "multipart"), "guess_mime_type": "False",
            "default_mime_type": "binary/octet-stream", "socket_timeout": "60", "max_retries": "1",
            "proxy_host": "", "proxy_port": "0",
        }
        if t.proxy_url:
            p = urlsplit(t.proxy_url)
            lines["proxy_host"], lines["proxy_port"] = p.hostname, str(p.port or 80)
        if self.variant == "location-unset":
            del lines["bucket_location"]  # s3cmd's default ("US"): it then probes GET /b/?location first
        return "[default]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items())

    def _config_for(self, kind: str, access_key: str, secret_key: str) -> str:
        """The config for a kind of request: the negative kinds change the credentials or the signature."""
        if kind == "wrong-secret":
            return self.config_text(access_key, REPRO_WRONG_SECRET)
        if kind == "unknown-key":
            return self.config_text(UNKNOWN_ACCESS_KEY, UNKNOWN_SECRET)
        return self.config_text(access_key, secret_key, signature_v2=kind == "sigv2")

    def _config(self, kind: str = "ok") -> str:
        if kind not in self._configs:
            c = self.target.credentials
            text = self._config_for(kind, c.access_key, c.secret_key)
            self._configs[kind] = write_private(os.path.join(self.dir, f"s3cfg-{kind}"), text)
        return self._configs[kind]

    def version(self) -> str:
        if self._version is None:
            out = subprocess.run([S3CMD, "--version"], capture_output=True, text=True, timeout=30)
            self._version = (out.stdout or out.stderr).strip()
        return self._version

    def settings(self) -> dict:
        text = self.config_text("$AWS_ACCESS_KEY_ID", "$AWS_SECRET_ACCESS_KEY")
        return {"config": text, "flags": self._flags(), "variant": self.variant}

    def _flags(self) -> list[str]:
        flags = [] if self.variant == "preserve" else ["--no-preserve"]
        if self.variant != "multipart":
            flags.append("--disable-multipart")
        return flags

    def close(self) -> None:
        self._dir_cm.__exit__(None, None, None)

    # ------------------------------------------------------------ steps
    def uri(self, key: str | None = None, bucket: str | None = None) -> str:
        b = bucket or self.target.bucket
        return f"s3://{b}/" + (self.target.key(key) if key is not None else "")

    def adapt(self, step: Step) -> Step | str:
        from dataclasses import replace

        if isinstance(step, Upload):
            step = Put(step.key, step.body)  # the variant decides single PUT or multipart
        elif isinstance(step, Download):
            step = Get(step.key)
        inner = step.inner if isinstance(step, (WrongSecret, UnknownAccessKey, SigV2, MissingBucket)) else step
        if isinstance(inner, ListObjects):
            if inner.marker is not None or inner.max_keys is not None:
                return "s3cmd ls cannot send a marker or max-keys (it pages through everything itself)"
            if inner.delimiter not in (None, "/"):
                return "s3cmd ls knows only delimiter '/' (ls) or none (--recursive ls)"
            if step is not inner:
                return replace(step, inner=replace(inner, all_pages=True))
            return replace(step, all_pages=True)
        if isinstance(inner, (Put, Get, Head, Delete)):
            key = inner.key
            if key.endswith("/") or "//" in key or key.startswith("/"):
                return "s3cmd treats a trailing or doubled '/' in an S3 URI as a directory path"
            if any(seg in (".", "..") for seg in key.split("/")):
                return "s3cmd normalises '.' and '..' path segments in local and remote paths"
        if isinstance(inner, Get) and (inner.range or inner.conditions.any()):
            return "s3cmd get cannot send Range or conditional headers"
        if isinstance(inner, Head) and inner.conditions.any():
            return "s3cmd info cannot send conditional headers"
        if isinstance(inner, Put) and any(h not in ("cache-control", "content-disposition", "content-language")
                                          for h, _ in inner.headers):
            return "header not expressible with --add-header"
        if isinstance(step, Unsupported):
            if step.operation not in UNSUPPORTED_COMMANDS:
                return f"s3cmd has no command that sends {step.operation}"
            if step.operation in ("CreateBucket", "DeleteBucket") and self.target.live:
                return "destructive bucket operations are never sent to a live target"
        if type(inner).__name__ in ("HeadBucket", "Presigned"):
            return f"s3cmd has no command that sends exactly {type(inner).__name__}"
        if isinstance(step, Put) and self.variant != "preserve":
            # s3cmd always sends x-amz-meta-s3cmd-attrs: md5:<hex> (even with --no-preserve: 'md5' is in
            # preserve_attrs_list, s3cmd _build_attr_header); the model stores what s3cmd really sends
            import hashlib

            attrs = ("s3cmd-attrs", "md5:" + hashlib.md5(step.body).hexdigest())
            return replace(step, metadata=tuple(step.metadata) + (attrs,))
        return step

    def reproduction(self, step: Step) -> str:
        """Copy-paste shell: the config (secrets from the environment), the upload file, the exact command."""
        argv, info = self.command(step, for_display=True)
        config = self._config_for(auth_variant(step)[0], "$AWS_ACCESS_KEY_ID", "$AWS_SECRET_ACCESS_KEY")
        lines = ["cat > s3cfg <<EOF", config.strip(), "EOF", "chmod 600 s3cfg"]
        if info.get("body") is not None:
            lines.append(f"head -c {len(info['body'])} /dev/urandom > upload.bin")
        return "\n".join(lines + [" ".join(shlex.quote(a) for a in argv)])

    def command(self, step: Step, workdir: str = "", for_display: bool = False) -> tuple[list[str], dict]:
        """argv and an info dict (which exchange decides, output file...)."""
        kind, step = auth_variant(step)
        bucket = None
        if isinstance(step, MissingBucket):
            from harness.drivers.boto3.driver import missing_bucket_name

            bucket, step = missing_bucket_name(), step.inner
        cfg = "s3cfg" if for_display else self._config(kind)
        base = [S3CMD if not for_display else "s3cmd", "-c", cfg, *self._flags()]
        info: dict = {"kind": type(step).__name__}
        if isinstance(step, ListBuckets):
            return base + ["ls"], {"match": ("GET", None), "kind": "ListBuckets"}
        if isinstance(step, ListObjects):
            uri = self.uri(step.prefix, bucket)
            args = ["ls", uri] if step.delimiter == "/" else ["--recursive", "ls", uri]
            return base + args, {"match": ("GET", None), "listing": True, "bucket": bucket or self.target.bucket}
        if isinstance(step, Put):
            src = os.path.join(workdir, "upload.bin") if workdir else "upload.bin"
            args = ["put", src, self.uri(step.key, bucket)]
            if step.content_type is not None:
                args[1:1] = ["--mime-type=" + step.content_type]
            for name, value in step.metadata:
                args[1:1] = [f"--add-header=x-amz-meta-{name}:{value}"]
            for name, value in step.headers:
                args[1:1] = [f"--add-header={name}:{value}"]
            info.update(match=("PUT", None), upload=src, body=step.body)
            return base + args, info
        if isinstance(step, Get):
            out = os.path.join(workdir, "download.bin") if workdir else "download.bin"
            return base + ["--force", "get", self.uri(step.key, bucket), out], {"match": ("GET", None), "download": out}
        if isinstance(step, Head):
            return base + ["info", self.uri(step.key, bucket)], {"match": ("HEAD", None)}
        if isinstance(step, Delete):
            return base + ["rm", self.uri(step.key, bucket)], {"match": ("DELETE", None)}
        if isinstance(step, Unsupported):
            argv, match = UNSUPPORTED_COMMANDS[step.operation](self, step, workdir)
            return base + argv, {"match": match, "upload": os.path.join(workdir, "upload.bin"),
                                 "body": b"x" * 16}
        raise TypeError(f"s3cmd driver cannot run {step!r}")

    def run(self, step: Step) -> Observation:
        started = time.time()
        with tempfile.TemporaryDirectory(prefix="step-", dir=self.dir) as work:
            argv, info = self.command(step, work)
            if "upload" in info:
                with open(info["upload"], "wb") as f:
                    f.write(info["body"])
            log = os.path.join(work, "wire.jsonl")
            env = _child_env(log)
            try:
                proc = subprocess.run(argv, capture_output=True, timeout=TIMEOUT, env=env, cwd=work)
            except subprocess.TimeoutExpired:
                return Observation("transport_error", note=f"s3cmd timed out after {TIMEOUT}s",
                                   wire=read_log(log), duration=time.time() - started)
            wire = read_log(log)
            stdout = proc.stdout.decode("utf-8", "replace")
            stderr = proc.stderr.decode("utf-8", "replace")
            obs = self._observe(proc.returncode, stdout, stderr, wire, info)
            if "download" in info and obs.outcome == "ok" and os.path.exists(info["download"]):
                with open(info["download"], "rb") as f:
                    data = f.read()
                obs.body_sha256, obs.body_size = digest(data), len(data)
        obs.duration = time.time() - started
        obs.command = self.reproduction(step)
        return obs

    def run_configure(self) -> Observation:
        """``s3cmd --configure`` answered like the service doc (Enter keeps the pre-seeded value: the CA bundle and,
        for virtual style without DNS, the proxy); the observation is its connection test request."""
        t, c = self.target, self.target.credentials
        started = time.time()
        with tempfile.TemporaryDirectory(prefix="configure-", dir=self.dir) as work:
            cfg = write_private(os.path.join(work, "s3cfg"), self.config_text(c.access_key, c.secret_key))
            answers = [c.access_key, c.secret_key, "us-east-1", t.host_base, t.host_bucket, "", "",
                       "Yes" if t.scheme == "https" else "No", "", "", "Y", "y"]
            if t.proxy_url:
                answers.insert(9, "")  # proxy port prompt (kept)
            log = os.path.join(work, "wire.jsonl")
            try:
                proc = subprocess.run([S3CMD, "--configure", "-c", cfg], input="\n".join(answers + [""] * 5).encode(),
                                      capture_output=True, timeout=TIMEOUT, env=_child_env(log), cwd=work)
            except subprocess.TimeoutExpired:
                return Observation("transport_error", note="s3cmd --configure timed out")
            wire = read_log(log)
            out = proc.stdout.decode("utf-8", "replace")
        ok = "Success. Your access key and secret key worked fine" in out
        ex = wire[0] if wire else None
        # stdout echoes the secret: never stored; only whether the success line appeared
        obs = Observation("ok" if ok and ex and ex.status == 200 else ("client_error" if ex else "transport_error"),
                          status=ex.status if ex else None, wire=wire, duration=time.time() - started,
                          note=f"exit {proc.returncode}; success line {'printed' if ok else 'NOT printed'}",
                          command="s3cmd --configure  # answers as in the service doc")
        if ex is not None and ex.status == 200 and not ok:
            obs.outcome = "client_failure"
        return obs

    def _observe(self, rc: int, stdout: str, stderr: str, wire: list[Exchange], info: dict) -> Observation:
        method, pred = info["match"]
        deciding = [x for x in wire if x.method == method and (pred is None or pred(x))]
        if not deciding and method == "DELETE" and rc == 0:
            return Observation.not_applicable("s3cmd rm sent no DELETE: it lists first and skips a key that does not "
                                              "exist, so it cannot delete a missing key")
        ex = deciding[-1] if deciding else (wire[-1] if wire else None)
        note = f"exit {rc} ({EXIT_CODES.get(rc, '?')})"
        if stderr.strip():
            note += f"; stderr: {stderr.strip()[-600:]}"
        if ex is None:
            return Observation("transport_error" if rc else "client_failure", note=note or "no request", wire=wire)
        status = ex.status
        code = None
        m = ERROR_RE.search(stderr)
        if m and status and status >= 300 and ex.method != "HEAD":  # HEAD errors have no body: s3cmd invents a code
            code = m.group(2) or None
        hdrs = ex.response_headers
        obs = Observation(outcome_for_status(status), status=status, error_code=code, headers=pick_headers(hdrs),
                          metadata=pick_metadata(hdrs), wire=wire, note=note)
        if self.variant == "preserve":
            obs.metadata = _drop_s3cmd_attrs(obs.metadata)  # mtime/uid/... are not predictable
        if status is None:
            obs.outcome = "transport_error"
        elif 200 <= status < 300 and rc != 0:
            obs.outcome = "client_failure"  # the service answered 2xx but s3cmd still failed
        if info.get("listing") and obs.outcome == "ok":
            obs.listing = parse_ls(stdout, info["bucket"], self.target)
            obs.metadata = None
        if info.get("kind") == "ListBuckets" and obs.outcome == "ok":
            obs.buckets = tuple(re.findall(r"s3://([^\s/]+)", stdout))
            obs.metadata = None
        return obs


def _drop_s3cmd_attrs(meta: dict) -> dict:
    meta = dict(meta)
    meta.pop("s3cmd-attrs", None)  # s3cmd's own header (variant preserve): not user metadata
    return meta


def _child_env(log: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "HTTP_PROXY", "HTTPS_PROXY"))
           and k.lower() not in ("http_proxy", "https_proxy", "no_proxy", "pythonpath")}
    env.update(child_env(log, "http.client"))
    env["HOME"] = os.path.dirname(log)  # never read the user's ~/.s3cfg
    return env


def parse_ls(stdout: str, bucket: str, target: Target) -> Listing:
    """``s3cmd ls`` lines: '<date> <time> <size> s3://b/key' and '<spaces>DIR s3://b/prefix/'."""
    marker = f"s3://{bucket}/"
    entries, prefixes = [], []
    for line in stdout.splitlines():
        i = line.find(marker)
        if i < 0:
            continue
        key = line[i + len(marker):]
        head = line[:i].split()
        rel = key[len(target.run_prefix):] if key.startswith(target.run_prefix) else "!outside-prefix!" + key
        if head and head[-1] == "DIR":
            prefixes.append(rel)
        else:
            size = int(head[-1]) if head and head[-1].isdigit() else None
            entries.append(ListEntry(rel, size, None))
    return Listing(tuple(entries), tuple(prefixes), None, None)


def _q(substr: str):
    return lambda x: substr in x.url


UNSUPPORTED_COMMANDS = {
    # operation: (driver, step, workdir) -> (argv after the common flags, (method, predicate) of the deciding request)
    "GetBucketLocation": lambda d, s, w: (["info", d.uri()], ("GET", _q("location"))),
    "CopyObject": lambda d, s, w: (["cp", d.uri(s.key), d.uri(s.key + ".copy")],
                                   ("PUT", lambda x: any(k.lower() == "x-amz-copy-source" for k in x.request_headers))),
    "DeleteObjects": lambda d, s, w: (["del", "--recursive", "--force", d.uri(s.key)],
                                      ("POST", _q("delete"))),
    "CreateBucket": lambda d, s, w: (["mb", f"s3://{d.target.bucket}-created-by-harness"], ("PUT", None)),
    "DeleteBucket": lambda d, s, w: (["rb", f"s3://{d.target.bucket}-created-by-harness"], ("DELETE", None)),
}
