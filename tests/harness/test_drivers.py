"""The driver layer: the client registry, the exchange classifier, the recording proxy, the environment a client
gets, and each new client's round trip against the real emulator."""

from __future__ import annotations

import http.client
import os

import pytest

from harness.drivers import make_driver
from harness.drivers.base import clean_env
from harness.drivers.registry import CLIENTS, NAMES, stateful_variants
from harness.observation import Exchange
from harness.steps import Get, ListBuckets, ListObjects, Put
from harness.wire.classify import operation_of
from harness.wire.recorder import Recorder
from tests.harness.conftest import make_target

NEW_CLIENTS = ("rclone", "awsjs", "awsgo", "minio", "curl")


def test_registry_is_consistent():
    assert NAMES[:3] == ("boto3", "s3cmd", "awscli") and set(NEW_CLIENTS) <= set(NAMES) and "http" not in NAMES
    for spec in CLIENTS.values():
        names = [v.name for v in spec.variants]
        assert spec.default_variant in names and len(set(names)) == len(names), spec.name
        assert all(v in names for v in spec.stateful + (spec.matrix or ())), spec.name
        assert spec.internal or (spec.stdcdn_config and "stdcdn.com" in spec.stdcdn_config), spec.name
        assert spec.load().name == spec.name
    assert ("awsjs", "when_required") in stateful_variants()


def test_unknown_client_or_variant_is_refused_by_name():
    t = make_target("http://127.0.0.1:1", _creds())
    with pytest.raises(ValueError, match="unknown client 'nope'"):
        make_driver("nope", t)
    with pytest.raises(KeyError, match="rclone has no variant 'x'"):
        make_driver("rclone", t, "x")


@pytest.mark.parametrize("method,url,headers,op", [
    ("GET", "http://h:1/", {}, "ListBuckets"),
    ("GET", "http://h:1/?x-id=ListBuckets", {}, "ListBuckets"),
    ("HEAD", "http://h:1/b", {}, "HeadBucket"),
    ("GET", "http://h:1/b?prefix=a&marker=z", {}, "ListObjects"),
    ("GET", "http://h:1/b?list-type=2", {}, "ListObjectsV2"),
    ("PUT", "http://h:1/b/k?x-id=PutObject", {}, "PutObject"),
    ("PUT", "http://h:1/b/k", {"X-Amz-Copy-Source": "/b/j"}, "CopyObject"),
    ("GET", "https://b.stdcdn.test/k?x-id=GetObject", {}, "GetObject"),
    ("GET", "https://b.stdcdn.test/?delimiter=%2F", {}, "ListObjects"),
    ("GET", "https://b.stdcdn.test/?location=", {}, "GetBucketLocation"),
    ("POST", "http://h:1/b/k?uploads=", {}, "CreateMultipartUpload"),
    ("PUT", "http://h:1/b/k?partNumber=1&uploadId=u", {}, "UploadPart"),
    ("PUT", "http://h:1/b", {}, "CreateBucket"),
])
def test_classifier(method, url, headers, op):
    host = "stdcdn.test" if "stdcdn" in url else "h"
    assert operation_of(Exchange(method, url, headers), host) == op


def test_clean_env_drops_what_configures_a_client(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")  # rclone: LoadCustomCABundleError
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    monkeypatch.setenv("HTTPS_PROXY", "http://elsewhere:1")
    monkeypatch.setenv("https_proxy", "http://elsewhere:1")
    env = clean_env(str(tmp_path), {"X": "1"})
    assert not {"AWS_CA_BUNDLE", "AWS_SECRET_ACCESS_KEY", "HTTPS_PROXY", "https_proxy"} & set(env)
    assert env["HOME"] == str(tmp_path) and env["X"] == "1" and "PATH" in env


def test_recorder_forwards_unchanged_and_redacts(emulator, creds):
    """A chunked upload through the recorder (reverse mode) reaches the emulator with its signature intact; the
    record keeps the SignedHeaders list, never the credential or signature."""
    rec = Recorder(emulator.endpoint_url)
    try:
        t = make_target(rec.endpoint_url, creds)
        import boto3

        c = boto3.client("s3", endpoint_url=rec.endpoint_url, region_name="us-east-1",
                         aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key)
        c.put_object(Bucket=t.bucket, Key=t.key("rec/a"), Body=b"x" * 70_000)
        assert c.get_object(Bucket=t.bucket, Key=t.key("rec/a"))["Body"].read() == b"x" * 70_000
        c.delete_object(Bucket=t.bucket, Key=t.key("rec/a"))
        wire = rec.take()
        assert [x.method for x in wire] == ["PUT", "GET", "DELETE"] and [x.status for x in wire] == [200, 200, 204]
        auth = wire[0].request_headers["Authorization"]
        assert auth.startswith("AWS4-HMAC-SHA256 REDACTED SignedHeaders=") and creds.access_key not in auth
        assert rec.take() == []
        conn = http.client.HTTPConnection("127.0.0.1", int(rec.proxy_url.rsplit(":", 1)[1]), timeout=30)
        conn.putrequest("PUT", "/" + t.bucket + "/" + t.key("rec/chunked"))
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        conn.send(b"3\r\nabc\r\n0\r\n\r\n")
        assert conn.getresponse().status == 403  # unsigned: the emulator saw the request and refused it
        assert rec.take()[0].request_headers.get("Transfer-Encoding") == "chunked"
    finally:
        rec.close()


@pytest.mark.parametrize("client", NEW_CLIENTS)
def test_new_client_round_trip(ctx, emulator, creds, client):
    """Each new client writes, reads, lists and lists buckets through its real executable or SDK; its requests
    are on the record, classified as the step's own operation."""
    from harness.model import BucketModel

    target = make_target(emulator.endpoint_url, creds).with_prefix(f"rt-{client}/")
    driver = ctx.driver(client, target)
    model = BucketModel.for_target(target)
    with ctx.check(group="drivers", scenario="round-trip", driver=driver) as chk:
        for step in (Put("dir/a.txt", b"hello", "text/plain", (("k", "v"),)), Get("dir/a.txt"),
                     ListObjects("dir/", None, None, None, True), ListBuckets()):
            res = chk.step(step, model=model)
            assert res.verdict == "pass", res.describe()
            ops = {operation_of(x, "127.0.0.1") for x in res.obs.wire}
            assert res.adapted.operations[0] in ops, (ops, res.obs.note)
    assert driver.version() and "not installed" not in driver.version()
    assert os.stat(driver.dir).st_mode & 0o777 == 0o700


def _creds():
    from harness.targets import Credentials

    return Credentials("AKIAEXAMPLE000000000", "s" * 40)
