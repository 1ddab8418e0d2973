"""The real `s3cmd` executable runs every command of the service doc against the emulator."""

from __future__ import annotations

import hashlib
import os

import pytest

from .clients import s3cmd, s3cmd_config
from .conftest import BUCKET


@pytest.fixture(params=["path", "virtual"])
def cfg(emu, tmp_path, request):
    return s3cmd_config(emu, tmp_path, virtual=request.param == "virtual")


def test_doc_commands(cfg, tmp_path, emu):
    """ls, ls s3://b/, --recursive ls, --disable-multipart put, get, rm — as the service doc writes them."""
    prefix = f"s3cmd/{os.path.basename(str(cfg.parent))}"
    src = tmp_path / "demo.png"
    src.write_bytes(os.urandom(70_000))
    listed = s3cmd(cfg, "ls")
    assert listed.code == 0, listed.err
    assert f"s3://{BUCKET}" in listed.out
    put = s3cmd(cfg, "--disable-multipart", "put", str(src), f"s3://{BUCKET}/{prefix}/path/to/demo.png")
    assert put.code == 0, put.err
    top = s3cmd(cfg, "ls", f"s3://{BUCKET}/")
    assert top.code == 0 and "DIR" in top.out and "s3cmd/" in top.out, top.err
    rec = s3cmd(cfg, "--recursive", "ls", f"s3://{BUCKET}/")
    assert rec.code == 0 and f"{prefix}/path/to/demo.png" in rec.out, rec.err
    dest = tmp_path / "got.png"
    get = s3cmd(cfg, "get", f"s3://{BUCKET}/{prefix}/path/to/demo.png", str(dest))
    assert get.code == 0, get.err
    assert hashlib.md5(dest.read_bytes()).digest() == hashlib.md5(src.read_bytes()).digest()
    rm = s3cmd(cfg, "rm", f"s3://{BUCKET}/{prefix}/path/to/demo.png")
    assert rm.code == 0, rm.err
    assert f"{prefix}/path/to/demo.png" not in s3cmd(cfg, "--recursive", "ls", f"s3://{BUCKET}/").out


def test_configure_dialogue_connection_test(emu_https, tmp_path):
    """`s3cmd --configure` answered as the doc says (endpoint stdcdn.com, its DNS template, HTTPS), with the
    emulator as the proxy: its connection test lists buckets with `GET /?delimiter=%2F`."""
    cfg = s3cmd_config(emu_https, tmp_path, virtual=True)
    before = len(emu_https.requests)
    from .conftest import ACCESS_KEY, SECRET_KEY

    proxy = emu_https.proxy_url.rsplit(":", 1)
    answers = [
        ACCESS_KEY,
        SECRET_KEY,
        "us-east-1",
        "stdcdn.com",
        "%(bucket)s.stdcdn.com",
        "",
        "",
        "Yes",
        proxy[0].split("//")[1],
        proxy[1],
        "Y",
        "y",
    ]
    result = s3cmd(cfg, "--configure", stdin="\n".join(answers) + "\n", timeout=60)
    assert "Success. Your access key and secret key worked fine" in result.out, result.out + result.err
    assert ("GET", "/", 200, "ListBuckets") in emu_https.requests[before:]


def test_put_without_disable_multipart_above_15mib_is_refused(emu, tmp_path):
    cfg = s3cmd_config(emu, tmp_path)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (20 * 1024 * 1024))
    result = s3cmd(cfg, "put", str(big), f"s3://{BUCKET}/s3cmd-big/{emu.endpoint_url[:5]}")
    assert result.code != 0
    assert "NotImplemented" in result.err or "501" in result.err, result.err
    assert any(r[2:] == (501, "CreateMultipartUpload") for r in emu.requests)


def test_disable_multipart_put_of_20mib_works(emu, tmp_path):
    cfg = s3cmd_config(emu, tmp_path)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(20 * 1024 * 1024))
    target = f"s3://{BUCKET}/s3cmd-big-ok/{emu.endpoint_url[:5]}"
    assert s3cmd(cfg, "--disable-multipart", "put", str(big), target).code == 0
    out = tmp_path / "back.bin"
    assert s3cmd(cfg, "get", target, str(out)).code == 0
    assert out.read_bytes() == big.read_bytes()
    assert s3cmd(cfg, "rm", target).code == 0


def test_bucket_location_unset_probe_is_harmless(emu, tmp_path):
    """With bucket_location unset s3cmd first asks `?location`: a 501 it ignores, then carries on."""
    cfg = s3cmd_config(emu, tmp_path, bucket_location=None)
    result = s3cmd(cfg, "ls", f"s3://{BUCKET}/")
    assert result.code == 0, result.err
