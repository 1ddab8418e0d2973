"""Cross-client: what one client writes, every other client reads back identically (body, metadata, content
type, cache-control), and lists with the same size and ETag."""

from __future__ import annotations

import pytest

from harness.drivers.registry import NAMES
from harness.model import BucketModel
from harness.steps import Get, Put
from harness.strategies import pattern_body

pytestmark = pytest.mark.group("cross-client")

CLIENTS = NAMES  # every client of the registry writes, every client reads
KEY = "cross/sp/a b+c%d~é*(1).txt"


@pytest.mark.parametrize("writer", CLIENTS)
def test_written_by_one_read_by_all(harness, target, writer):
    if writer not in harness.drivers:
        pytest.skip(f"--driver excludes {writer}")
    base = target.with_prefix(f"cross-{writer}/")
    model = BucketModel.for_target(base)
    put = Put(KEY, pattern_body(70_001, 3), "text/plain; charset=utf-8", (("origin", writer), ("n1", "hello world")),
              (("cache-control", "max-age=60"),))
    wdriver = harness.driver(writer, base)
    with harness.check(group="cross-client", scenario=f"write-{writer}", driver=wdriver) as chk:
        chk.step(put, model=model)
    for reader in harness.drivers:
        rdriver = harness.driver(reader, base)
        with harness.check(group="cross-client", scenario=f"read-{writer}-written", driver=rdriver) as chk:
            chk.step(Get(KEY), model=model)
