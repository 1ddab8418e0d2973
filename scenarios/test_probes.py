"""Probes that catch quiet failures: listings past 1000 keys through every client (paging by NextMarker and by
last key), a 0-byte object with every client, PUT ETag == MD5, keys every client percent-encodes differently."""

from __future__ import annotations

import pytest

from harness.drivers.registry import CLIENTS
from harness.model import BucketModel
from harness.steps import Delete, Get, ListObjects, Put
from harness.strategies import pattern_body

pytestmark = pytest.mark.group("probes")

MANY = 1003  # more than one page of 1000
DIRS = 1002  # common prefixes past 1000 too


def seeded_many(harness, target):
    """1100 keys + 1010 'dir' prefixes under many/, written once per target with boto3 (in-process, fast)."""
    base = target.with_prefix("probe-many/")

    def seed():
        from concurrent.futures import ThreadPoolExecutor

        from harness.drivers.boto3.driver import Boto3Driver

        keys = [f"many/k{i:05d}" for i in range(MANY)] + [f"many/d{i:05d}/x" for i in range(DIRS)]
        tracker = harness.tracker_for(base)
        for k in keys:
            tracker.track(base.bucket, base.key(k))
        d = Boto3Driver(base, "when_required")
        c = d.client()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda k: c.put_object(Bucket=base.bucket, Key=base.key(k), Body=b"m"), keys))
        d.close()
        model = BucketModel.for_target(base)
        for k in keys:
            model.apply(Put(k, b"m"))
        return model

    return base, harness.shared(("many", target.endpoint_url, target.proxy_url), seed)


@pytest.mark.parametrize("delimiter", [None, "/"], ids=["by-last-key", "by-next-marker"])
def test_listing_past_1000(harness, target, client, delimiter):
    base, model = seeded_many(harness, target)
    driver = harness.driver(client, base)
    scenario = "list-over-1000-" + ("recursive" if delimiter is None else "delimited")
    with harness.check(group="probes", scenario=scenario, driver=driver,
                       notes="pages by the last key (no delimiter) or by NextMarker (delimiter)") as chk:
        chk.step(ListObjects("many/", delimiter, None, None, True), model=model)
        if client != "s3cmd":  # s3cmd cannot ask for one page
            chk.step(ListObjects("many/", delimiter), model=model)


def test_zero_byte_object(harness, target, client):
    driver = harness.driver(client, target.with_prefix(f"probe-zero-{client}/"))
    model = BucketModel.for_target(driver.target)
    with harness.check(group="probes", scenario="zero-byte-object", driver=driver) as chk:
        chk.step(Put("empty", b""), model=model)
        chk.step(Get("empty"), model=model)
        chk.step(Get("empty", range="bytes=0-"), model=model)  # 416 InvalidRange on a 0-byte object


def test_put_etag_is_md5(harness, target, client):
    driver = harness.driver(client, target.with_prefix(f"probe-etag-{client}/"))
    model = BucketModel.for_target(driver.target)
    with harness.check(group="probes", scenario="put-etag-md5", driver=driver) as chk:
        for size in (1, 5 * 1024 * 1024 + 1):
            chk.step(Put(f"etag-{size}", pattern_body(size, 11)), model=model)
        chk.step(ListObjects("", None, None, None, True), model=model)  # listing ETags are MD5 too


ENCODED_KEYS = [
    "enc/sp/a b+c%d~é*(1).txt", "enc/plus+plus", "enc/percent%2F", "enc/日本語/ファイル.txt", "enc/q?x=1&y=2#frag",
    "enc/semi;colon,comma", "enc/quote'apos", "enc/eq=amp&", "enc/~!$@", "enc/ü-nfc", "enc/u\u0308-nfd",
]
# subprocess clients cost ~0.5-1 s a command: the three keys most often mangled
SUBPROCESS_KEYS = [ENCODED_KEYS[0], ENCODED_KEYS[3], ENCODED_KEYS[4]]


def test_keys_encoded_differently(harness, target, client):
    driver = harness.driver(client, target.with_prefix(f"probe-enc-{client}/"))
    model = BucketModel.for_target(driver.target)
    keys = ENCODED_KEYS if CLIENTS[client].cheap_steps else SUBPROCESS_KEYS
    with harness.check(group="probes", scenario="percent-encoding-keys", driver=driver) as chk:
        for i, key in enumerate(keys):
            chk.step(Put(key, pattern_body(10 + i, i)), model=model)
        chk.step(ListObjects("enc/", None, None, None, True), model=model)
        for key in keys:
            chk.step(Get(key), model=model)
        if CLIENTS[client].cheap_steps:
            for key in keys[:3]:
                chk.step(Delete(key), model=model)
            chk.step(ListObjects("enc/", "/", None, None, True), model=model)


def test_key_length_limit(harness, target, client):
    """A key of exactly 1024 UTF-8 bytes is stored; 1025 bytes is refused with 400 KeyTooLongError."""
    driver = harness.driver(client, target.with_prefix(f"probe-keylen-{client}/"))
    model = BucketModel.for_target(driver.target)
    plen = model.prefix_len
    with harness.check(group="probes", scenario="key-length-limit", driver=driver) as chk:
        chk.step(Put("é" * ((1024 - plen) // 2) + "k" * ((1024 - plen) % 2), b"1024"), model=model)
        chk.step(Put("k" * (1025 - plen), b"1025"), model=model)
