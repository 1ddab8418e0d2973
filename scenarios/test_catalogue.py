"""The catalogue group: one named, deterministic check per behaviour (harness/catalogue.py) and client.

Every rule of harness/rules.py has at least one entry (tests/harness/test_catalogue.py fails otherwise); each runs in
a fresh prefix through every client that can express it, "http" (the raw signed client of harness/drivers/wire)
included, so a gap marks one behaviour x client cell instead of hiding what a state machine would have judged
after it."""

from __future__ import annotations

import pytest

from harness.catalogue import BODY, ENTRIES, OBJ, Ctx, http_date
from harness.drivers.registry import CLIENTS as REGISTRY
from harness.model import BucketModel
from harness.steps import HeadBucket, Put, Unsupported

pytestmark = pytest.mark.group("catalogue")

CLIENTS = tuple(REGISTRY)  # every client of the registry, and the harness's own raw client ("http")


def _context(harness, target, base, driver) -> Ctx:
    model = BucketModel.for_target(base)
    seeder = harness.driver("boto3", target, "when_required")  # one client per endpoint: keys named in full below
    tracker = harness.tracker_for(base)

    def seed(key: str, body: bytes = b"", **kw) -> None:
        tracker.track(base.bucket, base.key(key))
        seeder.client().put_object(Bucket=base.bucket, Key=base.key(key), Body=body, **kw)
        model.apply(Put(key, body))

    def last_modified(key: str) -> str:
        return http_date(seeder.client().head_object(Bucket=base.bucket, Key=base.key(key))["LastModified"])

    return Ctx(model, seed, last_modified, driver, base)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_behaviour(harness, target, client, entry):
    base = target.with_prefix(f"cat-{entry.id}-{client}/")
    # one driver per client and endpoint for the whole group, pointed at each check's fresh prefix in turn (as the
    # state machines do): a new boto3 client per check would cost more than the check
    driver = harness.driver(client, target.with_prefix("catalogue/"))
    driver.target = base
    ctx = _context(harness, target, base, driver)
    if entry.needs_object:
        ctx.seed(OBJ, BODY)
    with harness.check(group="catalogue", scenario=entry.id, driver=driver, client=client, rule=entry.rule,
                       notes=f"rule {entry.rule}") as chk:
        for step, expected in entry.run(ctx):
            if isinstance(step, Unsupported):
                res = chk.step(step, unsupported=True)
            elif expected is None:
                res = chk.step(step, model=ctx.model)
            else:
                res = chk.step(step, expected=expected)
            if res.verdict is None and step.requires and not any(r.verdict for r in chk.results):
                break  # the client cannot send the request the entry is about (a tampered or aws-chunked PUT): the
                # follow-up read would judge nothing of it
        if not chk.results:
            chk.not_applicable(HeadBucket(), "the target has no bucket of another account")
