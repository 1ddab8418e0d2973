"""Ceph RGW (Debian bookworm's radosgw 16.2.15) as a one-host cluster on 127.0.0.1, no systemd, no containers.

One monitor, one OSD keeping its data in memory (``osd objectstore = memstore``) and radosgw with the beast
frontend; every daemon runs in the foreground (``-f``) so the PID the harness holds is the daemon's own. The settings
below were needed on this machine (docs/../shared notes; issue 9): without ``ms mon client mode = crc`` and
``ms client mode = crc`` radosgw loops on ``get_initial_auth_request returned -13``; pool size 1 needs
``mon allow pool size one``; one host needs ``osd crush chooseleaf type = 0``. Ceph's daemons have no telemetry
unless the mgr telemetry module is enabled, and no mgr runs here. Data is lost when the daemons stop.

Two users (``radosgw-admin user create``): the run's account with bucket ``<bucket>``, and a second account owning
``<bucket>-other`` for the "bucket of another account" check; both buckets are made with a signed PUT.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from harness.servers.ports import free_ports, port_open
from harness.servers.process import OwnedProcess, ServerError, run_tool, wait_until

PROGRAMS = ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph-authtool", "ceph")
READY_TIMEOUT = 120.0


@dataclass(frozen=True)
class Account:
    uid: str
    access_key: str
    secret_key: str
    bucket: str


@dataclass(frozen=True)
class RunningRgw:
    endpoint_url: str
    version: str
    log_dir: str


def missing_programs() -> list[str]:
    return [p for p in PROGRAMS if shutil.which(p) is None]


def ceph_conf(work: str, fsid: str, mon_port: int, rgw_port: int, log_dir: str) -> str:
    return f"""[global]
fsid = {fsid}
mon host = v2:127.0.0.1:{mon_port}
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.0/8
cluster network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
run dir = {work}/run
admin socket = {work}/run/$name.asok
log file = {log_dir}/$name.log
mon data = {work}/mon/$cluster-$id
osd data = {work}/osd/$cluster-$id
keyring = {work}/keyring
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw thread pool size = 16
"""


class _Cluster:
    def __init__(self, work: str, log_dir: str):
        self.work = work
        self.log_dir = log_dir
        self.tool_log = os.path.join(log_dir, "rgw-setup.log")
        self.mon_port, self.rgw_port = free_ports(2)
        self.conf = os.path.join(work, "ceph.conf")
        self.procs: list[OwnedProcess] = []
        for sub in ("run", "mon", "osd"):
            os.makedirs(os.path.join(work, sub), exist_ok=True)
        fsid = str(uuid.uuid4())
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(ceph_conf(work, fsid, self.mon_port, self.rgw_port, log_dir))
        self.fsid = fsid

    def tool(self, *argv: str, timeout: float = 60.0) -> str:
        return run_tool(list(argv), self.tool_log, timeout=timeout)

    def daemon(self, name: str, *argv: str) -> OwnedProcess:
        p = OwnedProcess(name, list(argv), os.path.join(self.log_dir, f"{name}.out"), cwd=self.work)
        self.procs.append(p)
        return p

    def start_mon(self) -> None:
        monmap, keyring = os.path.join(self.work, "monmap"), os.path.join(self.work, "keyring")
        self.tool("monmaptool", "--create", "--addv", "a", f"[v2:127.0.0.1:{self.mon_port}]", "--fsid", self.fsid,
                  monmap)
        self.tool("ceph-authtool", "--create-keyring", keyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
        self.tool("ceph-mon", "--mkfs", "-i", "a", "-c", self.conf, "--monmap", monmap, "--keyring", keyring)
        mon = self.daemon("ceph-mon", "ceph-mon", "-f", "-i", "a", "-c", self.conf)
        wait_until(lambda: port_open(self.mon_port), timeout=READY_TIMEOUT, what="the monitor", proc=mon)

    def start_osd(self) -> None:
        osd_uuid = str(uuid.uuid4())
        osd_id = self.tool("ceph", "-c", self.conf, "--connect-timeout", "30", "osd", "new", osd_uuid).strip()
        os.makedirs(os.path.join(self.work, "osd", f"ceph-{osd_id}"), exist_ok=True)
        self.tool("ceph-osd", "-c", self.conf, "-i", osd_id, "--mkfs", "--osd-uuid", osd_uuid)
        self.daemon("ceph-osd", "ceph-osd", "-f", "-c", self.conf, "-i", osd_id)

    def start_rgw(self) -> str:
        rgw = self.daemon("radosgw", "radosgw", "-f", "-c", self.conf, "-n", "client.rgw.a")
        wait_until(lambda: port_open(self.rgw_port), timeout=READY_TIMEOUT, what="radosgw's port", proc=rgw)
        return f"http://127.0.0.1:{self.rgw_port}"

    def create_user(self, acct: Account) -> None:
        self.tool("radosgw-admin", "-c", self.conf, "-n", "client.rgw.a", "user", "create", f"--uid={acct.uid}",
                  f"--display-name={acct.uid}", f"--access-key={acct.access_key}", f"--secret-key={acct.secret_key}")

    def stop(self) -> None:
        for p in reversed(self.procs):  # radosgw, then the OSD, then the monitor
            p.stop()


def create_bucket(url: str, acct: Account) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=acct.access_key,
        aws_secret_access_key=acct.secret_key, config=Config(retries={"total_max_attempts": 3}))
    try:
        client.create_bucket(Bucket=acct.bucket)
    finally:
        client.close()


@contextlib.contextmanager
def rgw_server(main: Account, other: Account, log_dir: str) -> Iterator[RunningRgw]:
    missing = missing_programs()
    if missing:
        raise ServerError(f"Ceph RGW is not installed ({', '.join(missing)} missing): run scripts/install-rgw.sh")
    log_dir = os.path.abspath(os.path.join(log_dir, "rgw"))
    os.makedirs(log_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="harness-rgw-") as work:
        cluster = _Cluster(work, log_dir)
        try:
            started = time.monotonic()
            cluster.start_mon()
            cluster.start_osd()
            url = cluster.start_rgw()
            for acct in (main, other):
                cluster.create_user(acct)
                create_bucket(url, acct)
            with open(cluster.tool_log, "a", encoding="utf-8") as log:
                log.write(f"# harness: RGW ready after {time.monotonic() - started:.1f} s at {url}\n")
            yield RunningRgw(url, _version(), log_dir)
        finally:
            cluster.stop()


def _version() -> str:
    import subprocess

    try:
        out = subprocess.run(["radosgw", "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.strip().split(" (")[0] or "unknown"
