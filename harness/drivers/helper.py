"""SDKs in another runtime (node, Go): one long-lived helper process per run (per pytest worker) and a small
JSON-lines protocol, so a step does not pay a process start.

Protocol (one JSON object per line each way; the helper answers every request, in order):

    request  {"op": "PutObject" | ... | "Presign" | <an unsupported operation>,
              "client": {"endpoint", "region", "access_key", "secret_key", "path_style", "proxy", "ca_file",
                         + client-specific settings such as "checksums"},
              "bucket", "key", "prefix", "delimiter", "marker", "max_keys", "body_file", "content_type",
              "metadata": {...}, "headers": {...}, "range", "conditions": {...}, "expired": bool}
    answer   {"ok": bool, "code": S3 error code, "status": int, "message": str, "body_sha256", "body_size",
              "page": {"entries": [[key, size, etag]...], "prefixes": [...], "truncated", "next_marker"},
              "buckets": [...], "url": presigned URL}

Secrets travel only through the pipe, never through a file or the command line. The helper's stderr goes to a
0600 file in a private directory and its last lines are shown when it dies.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import subprocess
import tempfile
import threading
import time
from dataclasses import replace

from harness.drivers.base import (
    TIMEOUT,
    Plan,
    RecordedDriver,
    Route,
    clean_env,
    inner_of,
    listing_of,
    observe,
    page_through,
    with_inner,
)
from harness.observation import Observation
from harness.steps import (
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


class HelperError(RuntimeError):
    pass


class Helper:
    def __init__(self, name: str, argv: list[str], env: dict):
        self.name = name
        self._dir = tempfile.mkdtemp(prefix=f"harness-{name}-helper-")
        os.chmod(self._dir, 0o700)
        self._err_path = os.path.join(self._dir, "stderr.log")
        err = os.open(self._err_path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                         env=clean_env(self._dir, env), cwd=self._dir)
        finally:
            os.close(err)
        self._lock = threading.Lock()
        self._buf = b""

    def call(self, request: dict, timeout: float = TIMEOUT) -> dict:
        with self._lock:
            if self.proc.poll() is not None:
                raise HelperError(f"the {self.name} helper exited ({self.proc.returncode}): {self._stderr()}")
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            return json.loads(self._readline(timeout))

    def _readline(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    raise HelperError(f"the {self.name} helper did not answer within {timeout:.0f}s")
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise HelperError(f"the {self.name} helper exited: {self._stderr()}")
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def _stderr(self) -> str:
        try:
            with open(self._err_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-800:].strip()
        except OSError:
            return ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        import shutil

        shutil.rmtree(self._dir, ignore_errors=True)


_helpers: dict[str, Helper] = {}
_helpers_lock = threading.Lock()


def helper(name: str, argv_env) -> Helper:
    """The run's one helper for ``name``, started on first use (``argv_env()`` -> (argv, extra environment))."""
    with _helpers_lock:
        h = _helpers.get(name)
        if h is None or h.proc.poll() is not None:
            argv, env = argv_env()
            h = _helpers[name] = Helper(name, argv, env)
        return h


@atexit.register
def close_helpers() -> None:
    with _helpers_lock:
        for h in _helpers.values():
            h.close()
        _helpers.clear()


class HelperDriver(RecordedDriver):
    """A driver whose SDK runs in a helper process; the subclass names the helper and its client settings."""

    default_content_type: str | None = None  # the type the SDK sends for an upload without one

    def helper_command(self) -> tuple[list[str], dict]:
        raise NotImplementedError

    def adapt_client(self, step: Step) -> Step | str:
        inner = inner_of(step)
        if isinstance(inner, Put) and inner.content_type is None and self.default_content_type:
            # the model stores what the SDK really sends
            return with_inner(step, replace(inner, content_type=self.default_content_type))
        return step

    def client_config(self, route: Route, kind: str) -> dict:
        t = self.target
        key, secret = t.credentials.access_key, t.credentials.secret_key
        if kind == "wrong-secret":
            secret = secret[::-1] + "x"
        elif kind == "unknown-key":
            from harness.steps import UNKNOWN_ACCESS_KEY, UNKNOWN_SECRET

            key, secret = UNKNOWN_ACCESS_KEY, UNKNOWN_SECRET
        return {"endpoint": route.endpoint, "region": t.region, "access_key": key, "secret_key": secret,
                "path_style": t.addressing_style == "path", "proxy": route.proxy, "ca_file": route.ca_bundle}

    def plan(self, step: Step, route: Route, work: str) -> Plan:
        kind, step = auth_variant(step)
        bucket, t = self.bucket_of(step), self.target
        step = inner_of(step)
        req: dict = {"client": self.client_config(route, kind), "bucket": bucket}
        if isinstance(step, ListBuckets):
            return Plan("ListBuckets", request={**req, "op": "ListBuckets"}, buckets=True)
        if isinstance(step, HeadBucket):
            return Plan("HeadBucket", request={**req, "op": "HeadBucket"})
        if isinstance(step, ListObjects):
            req.update(op="ListObjects", prefix=t.key(step.prefix), delimiter=step.delimiter,
                       max_keys=step.max_keys)
            return Plan("ListObjects", request=req, listing=step)
        if isinstance(step, Presigned):
            return Plan("GetObject", request={**req, "op": "Presign", "key": t.key(step.key),
                                              "expired": step.expired}, presign=True)
        if isinstance(step, Unsupported):
            return Plan(step.operation, request={**req, "op": step.operation, "key": t.key(step.key),
                                                 "prefix": t.run_prefix})
        req["key"] = t.key(step.key)
        if isinstance(step, Put):
            req.update(op="PutObject", body_file=os.path.join(work, "upload.bin"), content_type=step.content_type,
                       metadata=dict(step.metadata), headers=dict(step.headers))
            return Plan("PutObject", request=req, upload=step.body)
        if isinstance(step, (Get, Head)):
            c = step.conditions
            req["conditions"] = {k: getattr(c, k) for k in ("if_match", "if_none_match", "if_modified_since",
                                                             "if_unmodified_since") if getattr(c, k)}
            if isinstance(step, Get):
                return Plan("GetObject", request={**req, "op": "GetObject", "range": step.range}, download=True)
            return Plan("HeadObject", request={**req, "op": "HeadObject"})
        if isinstance(step, Delete):
            return Plan("DeleteObject", request={**req, "op": "DeleteObject"})
        raise TypeError(f"{self.name} driver cannot run {step!r}")

    def call(self, request: dict) -> dict:
        try:
            return helper(self.name, self.helper_command).call(request)
        except HelperError as e:
            return {"ok": False, "message": str(e), "harness_error": True}

    def run(self, step: Step) -> Observation:
        started = time.time()
        with tempfile.TemporaryDirectory(prefix="step-", dir=self.dir) as work:
            plan = self.plan(step, self.route(), work)
            if plan.upload is not None:
                with open(os.path.join(work, "upload.bin"), "wb") as f:
                    f.write(plan.upload)
            self.recorder.take()
            if plan.listing is not None:
                return self.finish(plan, self._list(plan), step, started)
            ans = self.call(plan.request)
            wire = self.recorder.take()
        if plan.presign and ans.get("ok"):
            return self.finish(plan, self.fetch_presigned(ans["url"]), step, started)
        obs = observe(self.target, wire, plan.operation, failed=not ans.get("ok"), error_code=ans.get("code"),
                      note=(ans.get("message") or "")[:600])
        if obs.outcome == "ok":
            if plan.download and ans.get("body_sha256"):
                obs.body_sha256, obs.body_size = ans["body_sha256"], ans.get("body_size")
            if plan.buckets:
                obs.metadata, obs.buckets = None, tuple(ans.get("buckets") or ())
        return self.finish(plan, obs, step, started)

    def _list(self, plan: Plan) -> Observation:
        step, answers = plan.listing, []

        def one_page(marker):
            ans = self.call({**plan.request, "marker": marker})
            answers.append(ans)
            if not ans.get("ok"):
                raise _Stop
            return ans.get("page") or {}

        raw = None
        try:
            raw, pages = page_through(one_page, step, self.target.key(step.marker) if step.marker else None)
        except _Stop:
            pages = len(answers)
        ans = answers[-1]
        obs = observe(self.target, self.recorder.take(), "ListObjects", failed=not ans.get("ok"),
                      error_code=ans.get("code"), note=f"{pages} page(s); " + (ans.get("message") or "")[:500])
        if obs.outcome == "ok" and raw is not None:
            obs.metadata, obs.listing = None, listing_of(self.target, raw, step.all_pages)
        return obs


class _Stop(Exception):
    pass


def helper_reproduction(driver: HelperDriver, step: Step, runner: str) -> str:
    """Copy-paste shell: the helper's request for this step against the target itself (keys from the
    environment), fed to the same helper program the run used."""
    plan = driver.plan(step, driver.route(display=True), ".")
    req = dict(plan.request or {})
    kind = auth_variant(step)[0]
    client = dict(req.get("client", {}))
    client["access_key"] = "@KEY@" if kind != "unknown-key" else client["access_key"]
    client["secret_key"] = {"ok": "@SECRET@", "wrong-secret": "wrong-secret"}.get(kind, client["secret_key"])
    req["client"] = client
    if "body_file" in req:
        req["body_file"] = "upload.bin"
    text = json.dumps(req).replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    text = text.replace("@KEY@", "$AWS_ACCESS_KEY_ID").replace("@SECRET@", "$AWS_SECRET_ACCESS_KEY")
    lines = ["cat > request.json <<EOF", text, "EOF"]
    if plan.upload is not None:
        lines.append(f"head -c {len(plan.upload)} /dev/urandom > upload.bin")
    return "\n".join(lines + [f"{runner} < request.json"])
