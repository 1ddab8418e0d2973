"""Ledger tests that replay one catalogue check (harness/catalogue.py) against a real server through the harness
itself, and assert that its gap is still there and explained by the entry under test: the test fails once the
server stops deviating (no gap, or a gap the entry no longer explains)."""

from __future__ import annotations

import pytest

from harness.catalogue import BODY, ENTRIES, OBJ, Ctx, http_date
from harness.context import HarnessContext
from harness.model import BucketModel
from harness.steps import Put, Unsupported
from harness.targets import new_run_id
from tests.harness.ledger_support import deviation

BY_ID = {e.id: e for e in ENTRIES}


@pytest.fixture(scope="module")
def harness_ctx(request, tmp_path_factory):
    from tests.servers.conftest import _server_target

    name = request.module.SERVER
    _server_target(name, tmp_path_factory)  # skips unless enabled and installed
    ctx = HarnessContext(name, new_run_id(), ["boto3", "s3cmd", "awscli", "http"], [],
                         str(tmp_path_factory.mktemp(f"{name}-ctx")), "test", use_reference=False)
    try:
        yield ctx
    finally:
        ctx.cleanup()
        ctx.close()


def replay(ctx: HarnessContext, catalogue_id: str, client: str):
    entry = BY_ID[catalogue_id]
    target = ctx.target("http-path")
    base = target.with_prefix(f"ledger-{catalogue_id}-{client}/")
    driver = ctx.driver(client, base)
    seeder = ctx.driver("boto3", target, "when_required")
    model = BucketModel.for_target(base)

    def seed(key: str, body: bytes = b"", **kw) -> None:
        ctx.tracker_for(base).track(base.bucket, base.key(key))
        seeder.client().put_object(Bucket=base.bucket, Key=base.key(key), Body=body, **kw)
        model.apply(Put(key, body))

    def last_modified(key: str) -> str:
        return http_date(seeder.client().head_object(Bucket=base.bucket, Key=base.key(key))["LastModified"])

    c = Ctx(model, seed, last_modified, driver, base)
    if entry.needs_object:
        c.seed(OBJ, BODY)
    with ctx.check(group="ledger", scenario=catalogue_id, driver=driver, client=client) as chk:
        for step, expected in entry.run(c):
            if isinstance(step, Unsupported):
                chk.step(step, unsupported=True)
            elif expected is None:
                chk.step(step, model=c.model)
            else:
                chk.step(step, expected=expected)
    return chk.record


def catalogue_deviation(ledger, entry_id: str, catalogue_id: str, client: str = "boto3"):
    """A test function: the catalogue check still gaps on this server, explained by ``entry_id``."""

    @deviation(ledger, entry_id)
    def test(harness_ctx):
        rec = replay(harness_ctx, catalogue_id, client)
        assert rec is not None and rec.verdict == "gap", rec and rec.summary()
        assert f"known {ledger.name} deviation: " in rec.notes and entry_id in rec.notes, rec.summary()

    test.__name__ = "test_" + entry_id.replace("-", "_")
    return test
