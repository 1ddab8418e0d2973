"""The standalone command: it serves, and bad options or a busy port give one line and exit 2."""

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

from .conftest import ACCESS_KEY, SECRET_KEY

CMD = [sys.executable, "-m", "emulator"]


def run(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=30, env=env)


@pytest.mark.parametrize(
    "args",
    [
        ["--port", "notaport"],
        ["--bogus"],
        ["--port", "0"],  # no credentials
        ["--port", "0", "--access-key", "A"],  # unpaired
        ["--port", "0", "--config", "/nonexistent.toml"],
        ["--port", "70000", "--access-key", "A", "--secret-key", "S"],
        ["--port", "0", "--access-key", "A", "--secret-key", "S", "--tls-cert", "/nonexistent.pem", "--tls-key", "/x"],
    ],
)
def test_bad_options_one_line_exit_2(args):
    result = run(*args, env={**os.environ, "S3_EMULATOR_ACCESS_KEY": "", "S3_EMULATOR_SECRET_KEY": ""})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 or lines[-1].startswith("s3-emulator: error:"), result.stderr
    assert "Traceback" not in result.stderr


def test_busy_port_one_line_exit_2():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    try:
        result = run("--port", str(sock.getsockname()[1]), "--access-key", "A", "--secret-key", "S")
    finally:
        sock.close()
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot listen" in result.stderr


def _start(tmp_path, *extra):
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen(
        [
            *CMD,
            "--port",
            "0",
            "--bucket",
            "cli-bucket",
            "--access-key",
            ACCESS_KEY,
            "--secret-key",
            SECRET_KEY,
            "--ready-file",
            str(ready),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    for _ in range(300):  # bounded wait for the readiness file, not a timing assertion
        if ready.exists() or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert ready.exists(), proc.stderr.read() if proc.poll() is not None else "not ready"
    return proc, json.loads(ready.read_text())


@pytest.mark.parametrize("tls", [False, True])
def test_serves_logs_one_line_per_request_and_never_the_secret(tmp_path, tls):
    proc, facts = _start(tmp_path, *(["--tls"] if tls else []))
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=facts["endpoint_url"],
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            verify=facts["ca_file"] or True,
            config=Config(retries={"total_max_attempts": 1}),
        )
        s3.put_object(Bucket="cli-bucket", Key="k", Body=b"v")
        assert s3.get_object(Bucket="cli-bucket", Key="k")["Body"].read() == b"v"
        if tls:
            assert facts["ca_file"] and os.path.exists(facts["ca_file"])
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "S3 emulator ready at" in out
    log = [line for line in err.splitlines() if '"PUT /cli-bucket/k"' in line or '"GET /cli-bucket/k"' in line]
    assert len(log) == 2 and "PutObject" in log[0] and "GetObject" in log[1]
    assert SECRET_KEY not in out + err


def test_config_file(tmp_path):
    config = tmp_path / "emu.toml"
    config.write_text(
        'region = "eu-west-1"\n[[credentials]]\naccess_key = "AKIAFROMFILE"\n'
        'secret_key = "file-secret"\n[[buckets]]\nname = "from-file"\nowner = "AKIAFROMFILE"\n'
    )
    proc, facts = _start(tmp_path, "--config", str(config))
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=facts["endpoint_url"],
            region_name="eu-west-1",
            aws_access_key_id="AKIAFROMFILE",
            aws_secret_access_key="file-secret",
        )
        assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {"from-file"}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
