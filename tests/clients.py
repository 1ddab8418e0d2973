"""Run the real `s3cmd` and `aws` executables against an emulator, with private (0600) config files."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .conftest import ACCESS_KEY, DOMAIN, SECRET_KEY, tool


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def _private(path: Path, text: str) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return path


def s3cmd_config(emu, tmp: Path, *, virtual: bool = False, bucket_location: str | None = "us-east-1") -> Path:
    parts = urlsplit(emu.endpoint_url)
    lines = [
        "[default]",
        f"access_key = {ACCESS_KEY}",
        f"secret_key = {SECRET_KEY}",
        f"use_https = {parts.scheme == 'https'}",
        "signature_v2 = False",
        "check_ssl_certificate = True",
    ]
    if bucket_location:
        lines.append(f"bucket_location = {bucket_location}")
    if emu.ca_file:
        lines.append(f"ca_certs_file = {emu.ca_file}")
    if virtual:
        # The service doc's DNS-style template; no DNS here, so the emulator is also the proxy.
        proxy = urlsplit(emu.proxy_url)
        lines += [
            f"host_base = {DOMAIN}",
            f"host_bucket = %(bucket)s.{DOMAIN}",
            f"proxy_host = {proxy.hostname}",
            f"proxy_port = {proxy.port}",
        ]
    else:
        lines += [f"host_base = {parts.netloc}", f"host_bucket = {parts.netloc}"]
    return _private(tmp / "s3cfg", "\n".join(lines) + "\n")


def s3cmd(config: Path, *args: str, stdin: str | None = None, timeout: float = 120) -> Result:
    proc = subprocess.run(
        [tool("s3cmd"), "-c", str(config), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        env={**os.environ, "HOME": str(config.parent)},
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def aws(emu, tmp: Path, *args: str, virtual: bool = False, timeout: float = 120) -> Result:
    config = ["[default]", "region = us-east-1"]
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
    }
    endpoint = emu.endpoint_url
    if virtual:
        config += ["s3 =", "  addressing_style = virtual"]
        scheme = urlsplit(emu.endpoint_url).scheme
        endpoint = f"{scheme}://{DOMAIN}"
        env["HTTPS_PROXY" if scheme == "https" else "HTTP_PROXY"] = emu.proxy_url
        env["NO_PROXY"] = ""
    env["AWS_CONFIG_FILE"] = str(_private(tmp / "aws-config", "\n".join(config) + "\n"))
    cmd = [tool("aws"), "--endpoint-url", endpoint, *args]
    if emu.ca_file:
        cmd[1:1] = ["--ca-bundle", emu.ca_file]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    return Result(proc.returncode, proc.stdout, proc.stderr)
