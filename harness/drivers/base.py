"""What every driver of a client outside this process shares, so that a client's own module holds only what is
particular to it (its commands or requests, its output format, its settings).

- ``common_adapt``: the rules every client follows (a high-level transfer is judged as the operation it stands for;
  no destructive bucket operation on a live target; SigV2 and presigned steps only where the client can express
  them);
- ``Route``: where a client is pointed — at the recording proxy (``harness.wire.recorder``) for a run, at the
  target itself in a reproduction;
- ``Plan``: a typed description of one step as the client performs it (the command or helper request, the
  operation whose exchange decides, the body to upload...), instead of a loose dict;
- ``ProcessDriver``: a client run as one process per command (rclone, curl), as a user types it: private 0700
  work dir, 0600 config files, an exact environment (no inherited AWS_*, S3_*, proxy or CA variables: rclone refuses
  ``AWS_CA_BUNDLE`` with ``LoadCustomCABundleError``), a timeout, and the output turned into an ``Observation``;
- ``observe``: a wire log + what the client reported -> ``Observation``, judged on the exchange of the step's own
  operation (``harness.wire.classify``) among all the requests the client made.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace

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
    Download,
    ListObjects,
    MissingBucket,
    Presigned,
    SigV2,
    Step,
    UnknownAccessKey,
    Unsupported,
    Upload,
    WrongSecret,
)
from harness.targets import Target
from harness.wire.classify import operation_at

TIMEOUT = 120
MAX_PAGES = 5000
WRAPPERS = (WrongSecret, UnknownAccessKey, SigV2, MissingBucket)
#: environment variables a client never inherits: credentials, endpoints, proxies, CA overrides, Python paths
SCRUBBED_PREFIXES = ("AWS_", "S3_", "RCLONE_", "MINIO_", "NODE_", "GO", "SSL_CERT", "REQUESTS_CA", "CURL_CA")
SCRUBBED_NAMES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy", "pythonpath", "curl_home")


@dataclass(frozen=True)
class Route:
    """Where a client sends its requests: ``endpoint`` (its endpoint URL), an optional forward ``proxy`` and the CA
    bundle it must trust."""

    endpoint: str
    proxy: str | None = None
    ca_bundle: str | None = None


@dataclass(frozen=True)
class Plan:
    """One step as the client performs it."""

    operation: str  # the S3 operation whose exchange decides the verdict
    argv: tuple[str, ...] = ()  # a command-line client's command
    request: dict | None = None  # a helper's request (harness.drivers.helper)
    upload: bytes | None = None  # written to <work>/upload.bin before the command
    download: bool = False  # the body is read from <work>/download.bin afterwards
    listing: ListObjects | None = None  # the client's output is a listing of this step
    buckets: bool = False  # the client's output is a bucket list
    presign: bool = False  # the client's output is a URL, fetched with a plain HTTP client
    cleanup: tuple[tuple[str, ...], ...] = ()  # commands run afterwards (e.g. remove what a probe created)
    files: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (name, text) 0600 files in the work dir


def common_adapt(step: Step, driver) -> Step | str:
    """The adaptations every client shares; the client's own ``adapt`` runs on the result."""
    if isinstance(step, Upload):
        step = _as_put(step)
    elif isinstance(step, Download):
        from harness.steps import Get

        step = Get(step.key)
    caps = driver.spec.capabilities
    if isinstance(step, Unsupported) and step.operation in ("CreateBucket", "DeleteBucket") and driver.target.live:
        return "destructive bucket operations are never sent to a live target"
    if isinstance(step, SigV2) and "sigv2" not in caps:
        return f"{driver.spec.title} signs with SigV4 only"
    if isinstance(step, Presigned):
        if "presign" not in caps:
            return f"{driver.spec.title} cannot make a presigned URL"
        if step.signature != "s3v4" and "presign-default" not in caps:
            return f"{driver.spec.title} presigns with SigV4 only"
        if step.expired and "presign-expired" not in caps:
            return f"{driver.spec.title} cannot sign for a past time"
    return step


def _as_put(step: Upload):
    from harness.steps import Put

    return Put(step.key, step.body)


def inner_of(step: Step) -> Step:
    return step.inner if isinstance(step, WRAPPERS) else step


def with_inner(step: Step, inner: Step) -> Step:
    return replace(step, inner=inner) if isinstance(step, WRAPPERS) else inner


def relative(target: Target, key: str) -> str:
    """A key the client listed, relative to the run prefix (marked when it lies outside: never expected)."""
    return key[len(target.run_prefix):] if key.startswith(target.run_prefix) else "!outside-prefix!" + key


def listing_of(target: Target, raw: dict, paged: bool) -> Listing:
    """``raw``: {"entries": [[key, size, etag]...], "prefixes": [...], "truncated": bool, "next_marker": str|None}
    with absolute keys, as a client (or several pages of it) returned them."""
    entries = tuple(ListEntry(relative(target, k), s, e) for k, s, e in raw.get("entries", []))
    prefixes = tuple(relative(target, p) for p in raw.get("prefixes", []))
    if paged:
        return Listing(entries, prefixes, None, None)
    nm = raw.get("next_marker")
    return Listing(entries, prefixes, raw.get("truncated"), relative(target, nm) if nm else None)


def page_through(one_page, step: ListObjects, marker: str | None) -> tuple[dict, int]:
    """Follow IsTruncated as S3 documents it (NextMarker, or the last key when there is none: ListObjects,
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html); ``one_page(marker)`` returns a raw page
    (see ``listing_of``) or raises. Returns the merged raw listing and the number of pages."""
    merged: dict = {"entries": [], "prefixes": []}
    pages = 0
    while True:
        page = one_page(marker)
        pages += 1
        merged["entries"] += page.get("entries", [])
        merged["prefixes"] += page.get("prefixes", [])
        merged["truncated"], merged["next_marker"] = page.get("truncated"), page.get("next_marker")
        if not (step.all_pages and page.get("truncated")) or pages >= MAX_PAGES:
            return merged, pages
        nm = page.get("next_marker") or (page["entries"][-1][0] if page.get("entries") else None)
        if nm is None or nm == marker:
            return merged, pages
        marker = nm


def observe(target: Target, wire: list[Exchange], operation: str, *, failed: bool, error_code: str | None = None,
            note: str = "") -> Observation:
    """The observation of a step from every exchange the client made: the last exchange of the step's own operation
    decides (status, headers, metadata); a client that failed after a 2xx is a client failure; no exchange at all
    is a transport error (or a client failure when the client said it succeeded)."""
    mine = [x for x in wire if operation_at(x, target.endpoint_url) == operation]
    ex = mine[-1] if mine else (wire[-1] if wire else None)
    if ex is None:
        return Observation("transport_error" if failed else "client_failure", note=note or "no request", wire=wire)
    status = ex.status
    # HEAD errors have no body: whatever code a client prints for them it made up (the status as a word)
    code = error_code if (status is not None and status >= 300 and ex.method != "HEAD") else None
    hdrs = ex.response_headers
    obs = Observation(outcome_for_status(status), status=status, error_code=code or None, headers=pick_headers(hdrs),
                      metadata=pick_metadata(hdrs), wire=wire, note=note)
    if status is not None and 200 <= status < 300 and failed:
        obs.outcome = "client_failure"  # the service answered 2xx, the client still failed
    return obs


def clean_env(home: str, extra: dict | None = None) -> dict:
    """The process environment without anything that configures an S3 client, with HOME in the private dir."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(SCRUBBED_PREFIXES) and k.lower() not in SCRUBBED_NAMES}
    env["HOME"] = home
    env.update(extra or {})
    return env


class RecordedDriver:
    """A driver whose client is reached through a recording proxy (one per driver, started on first use)."""

    spec = None  # the registry entry (harness.drivers.registry.ClientSpec), set by the registry
    name = ""
    # what it can show the judge (judge.not_judged: status, headers and metadata come from the recorded wire) and
    # whether the client hands the response's fields to its user (an SDK does; rclone prints none)
    observes = OBSERVABLE
    returns_response_fields = True

    def __init__(self, target: Target, variant: str):
        self.target = target
        self.variant = variant
        self._dir_cm = private_dir(f"harness-{self.name}-")
        self.dir = self._dir_cm.__enter__()
        self._recorder = None
        self._version: str | None = None

    @property
    def recorder(self):
        if self._recorder is None:
            from harness.wire.recorder import shared_recorder

            t = self.target
            self._recorder = shared_recorder(t.endpoint_url, t.proxy_url, t.ca_bundle)
        return self._recorder

    def route(self, display: bool = False) -> Route:
        """The recorder for a run; the target itself for a reproduction a person pastes."""
        t = self.target
        if display:
            return Route(t.endpoint_url, t.proxy_url, t.ca_bundle)
        rec = self.recorder
        if t.proxy_url:
            return Route(t.endpoint_url, rec.proxy_url, rec.ca_bundle)
        return Route(rec.endpoint_url, None, rec.ca_bundle if t.scheme == "https" else None)

    def bucket_of(self, step: Step) -> str:
        if isinstance(step, MissingBucket):
            return self.missing_bucket
        return getattr(inner_of(step), "bucket", None) or self.target.bucket

    @property
    def missing_bucket(self) -> str:
        from harness.drivers.boto3.driver import missing_bucket_name

        if not hasattr(self, "_missing"):
            self._missing = missing_bucket_name()
        return self._missing

    def adapt(self, step: Step) -> Step | str:
        step = common_adapt(step, self)
        return step if isinstance(step, str) else self.adapt_client(step)

    def adapt_client(self, step: Step) -> Step | str:
        return step

    def settings(self) -> dict:
        return {"variant": self.variant, "endpoint_url": self.target.endpoint_url, "proxy": self.target.proxy_url,
                **self.client_settings()}

    def client_settings(self) -> dict:
        return {}

    def close(self) -> None:
        self._recorder = None  # shared by the drivers of this target: closed at exit
        self._dir_cm.__exit__(None, None, None)

    def finish(self, plan: Plan, obs: Observation, step: Step, started: float) -> Observation:
        obs.duration = time.time() - started
        obs.command = self.reproduction(step)
        return obs

    def fetch_presigned(self, url: str) -> Observation:
        """A plain HTTP client fetches the URL the client made, the way the client reaches the target (the URL may
        name the recorder, whose CA it then trusts)."""
        from harness.http import fetch

        route = self.route()
        return fetch(replace(self.target, proxy_url=route.proxy, ca_bundle=route.ca_bundle or self.target.ca_bundle),
                     url)


class ProcessDriver(RecordedDriver):
    """A command-line client: one process per step, as a user types it."""

    def plan(self, step: Step, route: Route, work: str) -> Plan:
        raise NotImplementedError

    def prepare(self, work: str, plan: Plan) -> None:
        """Anything the client needs in the work dir before the command (the upload file is written already)."""

    def env(self, work: str, route: Route) -> dict:
        """The client's exact environment (override to add what the client needs)."""
        return clean_env(work)

    def parse(self, plan: Plan, rc: int, out: bytes, err: bytes, wire: list[Exchange], work: str) -> Observation:
        """stdout/stderr/exit code -> Observation (override for listings, bucket lists, error codes)."""
        raise NotImplementedError

    def run(self, step: Step) -> Observation:
        started = time.time()
        with tempfile.TemporaryDirectory(prefix="step-", dir=self.dir) as work:
            route = self.route()
            plan = self.plan(step, route, work)
            if plan.upload is not None:
                with open(os.path.join(work, "upload.bin"), "wb") as f:
                    f.write(plan.upload)
            for name, text in plan.files:
                write_private(os.path.join(work, name), text)
            self.prepare(work, plan)
            self.recorder.take()
            try:
                proc = subprocess.run(list(plan.argv), capture_output=True, timeout=TIMEOUT,
                                      env=self.env(work, route), cwd=work)
            except subprocess.TimeoutExpired:
                obs = Observation("transport_error", note=f"{self.name} timed out after {TIMEOUT}s",
                                  wire=self.recorder.take())
                return self.finish(plan, obs, step, started)
            wire = self.recorder.take()
            obs = self.parse(plan, proc.returncode, proc.stdout, proc.stderr, wire, work)
            if plan.presign and obs.outcome == "ok":
                return self.finish(plan, self.fetch_presigned(proc.stdout.decode().strip()), step, started)
            path = os.path.join(work, "download.bin")
            if plan.download and obs.outcome == "ok" and os.path.exists(path):
                with open(path, "rb") as f:
                    data = f.read()
                obs.body_sha256, obs.body_size = digest(data), len(data)
            for argv in plan.cleanup:
                subprocess.run(list(argv), capture_output=True, timeout=TIMEOUT, env=self.env(work, route),
                               cwd=work)
            self.recorder.take()
        return self.finish(plan, obs, step, started)

    def version_of(self, argv: list[str]) -> str:
        if self._version is None:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=clean_env(self.dir))
            self._version = (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"
        return self._version


SECRET_VARIABLES = ("$AWS_ACCESS_KEY_ID", "$AWS_SECRET_ACCESS_KEY")


def shell(argv) -> str:
    """A command line to paste: every argument quoted, except that the reproduction's $AWS_ACCESS_KEY_ID and
    $AWS_SECRET_ACCESS_KEY expand (the secrets come from the environment, never from the text)."""
    return " ".join(_quote(str(a)) for a in argv)


def _quote(arg: str) -> str:
    if not any(v in arg for v in SECRET_VARIABLES):
        return shlex.quote(arg)
    text = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    for v in SECRET_VARIABLES:
        text = text.replace("\\" + v, v)
    return f'"{text}"'


def heredoc(name: str, text: str) -> list[str]:
    """Lines that write a private config file in a reproduction (secrets stay as $VARIABLES)."""
    return [f"cat > {name} <<EOF", text.strip(), "EOF", f"chmod 600 {name}"]


def upload_line(size: int) -> str:
    return f"head -c {size} /dev/urandom > upload.bin"
