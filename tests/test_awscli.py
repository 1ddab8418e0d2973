"""The real `aws` executable: `aws s3api` for each of the seven operations, and `aws s3 cp` refused above 8 MiB."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from .clients import aws
from .conftest import BUCKET


@pytest.mark.parametrize("virtual", [False, True], ids=["path", "virtual"])
def test_s3api_seven_operations(emu, tmp_path, virtual):
    key = f"awscli/{'v' if virtual else 'p'}/{emu.endpoint_url[:5]}/file name+1.txt"
    src = tmp_path / "src"
    src.write_bytes(b"aws cli body")

    def run(*args):
        result = aws(emu, tmp_path, "s3api", *args, virtual=virtual)
        assert result.code == 0, result.err
        return json.loads(result.out) if result.out.strip() else {}

    assert BUCKET in [b["Name"] for b in run("list-buckets")["Buckets"]]
    run("head-bucket", "--bucket", BUCKET)
    put = run(
        "put-object",
        "--bucket",
        BUCKET,
        "--key",
        key,
        "--body",
        str(src),
        "--content-type",
        "text/plain",
        "--metadata",
        "a=1",
    )
    assert put["ETag"] == f'"{hashlib.md5(b"aws cli body").hexdigest()}"'
    head = run("head-object", "--bucket", BUCKET, "--key", key)
    assert head["ContentLength"] == 12 and head["Metadata"] == {"a": "1"} and head["ContentType"] == "text/plain"
    listed = run("list-objects", "--bucket", BUCKET, "--prefix", key)
    assert [o["Key"] for o in listed["Contents"]] == [key]
    out = tmp_path / "out"
    run("get-object", "--bucket", BUCKET, "--key", key, str(out))
    assert out.read_bytes() == b"aws cli body"
    run("delete-object", "--bucket", BUCKET, "--key", key)
    missing = aws(emu, tmp_path, "s3api", "head-object", "--bucket", BUCKET, "--key", key, virtual=virtual)
    assert missing.code != 0 and "404" in missing.err


def test_s3_cp_of_20mib_is_refused_as_multipart(emu, tmp_path):
    big = tmp_path / "big"
    big.write_bytes(os.urandom(20 * 1024 * 1024))
    result = aws(emu, tmp_path, "s3", "cp", str(big), f"s3://{BUCKET}/awscli-big")
    assert result.code != 0
    assert "NotImplemented" in result.err, result.err


def test_s3_ls_needs_list_objects_v2_and_is_refused(emu, tmp_path):
    result = aws(emu, tmp_path, "s3", "ls", f"s3://{BUCKET}/")
    assert result.code != 0 and "NotImplemented" in result.err, result.err
