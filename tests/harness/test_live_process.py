"""`--target live` against a separately started emulator process, as the README shows it: path and virtual style,
HTTP and HTTPS (virtual style through the emulator's forward proxy, HTTPS trusted through S3_CA_BUNDLE).

Each mode runs the doc examples and the negative group with all three clients in a child pytest, then checks what
the run says about itself (the target's scheme and addressing, every check a pass or a limitation, nothing left
behind in the bucket)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest
from botocore.config import Config

from harness.drivers.registry import NAMES

from .test_safety import PYTEST

ACCESS_KEY, SECRET_KEY, BUCKET = "AKIALIVEPROCESS", "live-process-secret/with+chars", "b1"
DOMAIN = "stdcdn.test"  # does not resolve: virtual style reaches the emulator only through its proxy


@pytest.fixture(scope="module", params=[False, True], ids=["http", "https"])
def standalone(request, tmp_path_factory):
    """`python -m emulator ...` as its own process (the README's command), ended by its PID."""
    tls = request.param
    d = tmp_path_factory.mktemp("standalone")
    ready = d / "r.json"
    cmd = [sys.executable, "-m", "emulator", "--port", "0", "--bucket", BUCKET, "--domain", DOMAIN,
           "--ready-file", str(ready), "--quiet"] + (["--tls", "--proxy-port", "0"] if tls else [])
    env = {**os.environ, "S3_EMULATOR_ACCESS_KEY": ACCESS_KEY, "S3_EMULATOR_SECRET_KEY": SECRET_KEY}
    proc = subprocess.Popen(cmd, cwd=d, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):  # bounded wait for the readiness file, not a timing assertion
            if ready.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), proc.stderr.read() if proc.poll() is not None else "the emulator never became ready"
        yield json.loads(ready.read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _bucket_keys(facts) -> list[str]:
    c = boto3.client("s3", endpoint_url=facts["endpoint_url"], region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                     aws_secret_access_key=SECRET_KEY, verify=facts["ca_file"] or True,
                     config=Config(s3={"addressing_style": "path"}))
    return [o["Key"] for o in c.list_objects(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.parametrize("addressing", ["path", "virtual"])
def test_live_target_against_a_separate_emulator_process(standalone, addressing, tmp_path):
    facts = standalone
    scheme = facts["endpoint_url"].split(":", 1)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, S3_BUCKET=BUCKET,
               S3_ADDRESSING_STYLE=addressing, PYTHONPATH=os.getcwd())
    if addressing == "path":
        env["S3_ENDPOINT_URL"] = facts["endpoint_url"]
    else:  # the README's virtual-style command: the service's own host names, reached through the proxy
        env.update(S3_ENDPOINT_URL=f"{scheme}://{DOMAIN}", S3_PROXY_URL=facts["proxy_url"],
                   S3_VHOST_TEMPLATE=f"%(bucket)s.{DOMAIN}")
    if facts["ca_file"]:
        env["S3_CA_BUNDLE"] = facts["ca_file"]
    report = tmp_path / "rep"
    proc = subprocess.run(PYTEST + ["scenarios", "--group", "doc-examples,negative", "--report-dir", str(report)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    data = json.loads((report / "results.json").read_text())
    (target,) = data["targets"].values()
    assert (target["scheme"], target["addressing_style"]) == (scheme, addressing)
    clients = {r["client"].split("[")[0] for r in data["records"]}
    assert clients == set(NAMES), clients
    verdicts = {r["verdict"] for r in data["records"]}
    assert verdicts <= {"pass", "limitation"} and "pass" in verdicts, verdicts
    assert data["cleanup"]["failed"] == [] and data["cleanup"]["deleted"] > 0
    assert _bucket_keys(facts) == []
    assert SECRET_KEY not in proc.stdout + proc.stderr + (report / "results.json").read_text()
