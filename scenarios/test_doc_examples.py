"""The service doc's own examples, verbatim (docs: /work/shared/service-doc/s3-compatible-api.md).

Only what is needed to reach the target is added (endpoint, CA bundle, proxy for virtual-host style
without DNS); the listing commands are confined to the run prefix."""

from __future__ import annotations

import time

import boto3
import pytest

from harness.model import BucketModel, Expected
from harness.observation import Observation
from harness.steps import Delete, Get, ListBuckets, ListObjects, Put
from harness.strategies import pattern_body

pytestmark = pytest.mark.group("doc-examples")


def test_boto3_resource_buckets_all(harness, target):
    """`s3 = boto3.resource('s3', ..., region_name='us-east-1', endpoint_url=...); for b in s3.buckets.all()`"""
    if "boto3" not in harness.drivers:
        pytest.skip("--driver excludes boto3")
    driver = harness.driver("boto3", target, "doc")
    with harness.check(group="doc-examples", scenario="boto3-resource-buckets-all", driver=driver) as chk:
        from botocore.config import Config

        extra = {}
        if target.proxy_url:
            extra["config"] = Config(proxies={"http": target.proxy_url, "https": target.proxy_url},
                                     s3={"addressing_style": target.addressing_style})
        s3 = boto3.resource("s3", aws_access_key_id=target.credentials.access_key,
                            aws_secret_access_key=target.credentials.secret_key, region_name="us-east-1",
                            endpoint_url=target.endpoint_url, verify=target.ca_bundle or True, **extra)
        driver._wire = []
        s3.meta.client.meta.events.register("before-send.s3", driver._before_send)
        s3.meta.client.meta.events.register("response-received.s3", driver._response_received)
        started = time.time()
        names, note = None, ""
        try:
            names = tuple(b.name for b in s3.buckets.all())
        except Exception as e:  # noqa: BLE001 - judged below from the wire
            note = f"{type(e).__name__}: {e}"[:300]
        wire = list(driver._wire)
        status = wire[-1].status if wire else None
        obs = Observation("ok" if names is not None else ("client_error" if status else "transport_error"),
                          status=status, buckets=names, wire=wire, note=note, duration=time.time() - started,
                          command="for bucket in s3.buckets.all(): print(bucket.name)")
        chk.judge(ListBuckets(), obs, expected=Expected(200, bucket_listed=target.bucket))


def test_s3cmd_configure_connection_test(harness, target):
    """`s3cmd --configure` answered as the doc says; its connection test is `GET /?delimiter=%2F` (ListBuckets)."""
    if "s3cmd" not in harness.drivers:
        pytest.skip("--driver excludes s3cmd")
    driver = harness.driver("s3cmd", target, "doc")
    with harness.check(group="doc-examples", scenario="s3cmd-configure-test", driver=driver) as chk:
        obs = driver.run_configure()
        chk.judge(ListBuckets(), obs, expected=Expected(200))


S3CMD_DOC = [
    ("s3cmd-ls", "s3cmd ls", lambda: ListBuckets()),
    ("s3cmd-ls-bucket", "s3cmd ls s3://mybucket/", lambda: ListObjects("doc/", "/")),
    ("s3cmd-recursive-ls", "s3cmd --recursive ls s3://mybucket/", lambda: ListObjects("doc/")),
]


@pytest.mark.parametrize("scenario,doc,make", S3CMD_DOC, ids=[s[0] for s in S3CMD_DOC])
def test_s3cmd_doc_listing(harness, target, scenario, doc, make):
    if "s3cmd" not in harness.drivers:
        pytest.skip("--driver excludes s3cmd")
    driver = harness.driver("s3cmd", target.with_prefix(f"doc-{scenario}/"), "doc")
    model = BucketModel.for_target(driver.target)
    with harness.check(group="doc-examples", scenario=scenario, driver=driver, notes=f"doc: {doc}") as chk:
        for k in ("doc/demo.png", "doc/sub/a.txt", "doc/sub/b.txt", "docs-not-this"):
            chk.step(Put(k, pattern_body(100, 1)), model=model)
        chk.step(make(), model=model)


def test_s3cmd_doc_put_get_rm(harness, target):
    """`s3cmd --disable-multipart put demo.png s3://b/path/to/demo.png`, `s3cmd get ...`, `s3cmd rm ...`."""
    if "s3cmd" not in harness.drivers:
        pytest.skip("--driver excludes s3cmd")
    driver = harness.driver("s3cmd", target.with_prefix("doc-put-get-rm/"), "doc")
    model = BucketModel.for_target(driver.target)
    body = pattern_body(300_000, 7)
    for scenario, step in (("s3cmd-put", Put("path/to/demo.png", body)), ("s3cmd-get", Get("path/to/demo.png")),
                           ("s3cmd-rm", Delete("path/to/demo.png")), ("s3cmd-get-after-rm", Get("path/to/demo.png"))):
        with harness.check(group="doc-examples", scenario=scenario, driver=driver) as chk:
            chk.step(step, model=model)
