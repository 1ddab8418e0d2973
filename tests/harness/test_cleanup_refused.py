"""Cleanup and keys the server refused to create: a key whose every PUT was refused (the 1025-byte key probe, a
wrong-secret PUT) was never written, so it is neither deleted nor reported as "could NOT delete"; keys in messages
are printed shortened."""

from __future__ import annotations

import pytest

from harness.model import BucketModel, Expected
from harness.safety import KeyState, KeyTracker, shorten
from harness.steps import Put, WrongSecret
from tests.harness.conftest import make_target

PREFIX = "s3-conformance/run/"


def test_a_refused_put_is_not_a_leftover():
    t = KeyTracker(PREFIX)
    t.track("b", PREFIX + "long")
    t.outcome("b", PREFIX + "long", 400)
    assert t.keys() == [] and t.refused() == [("b", PREFIX + "long")]


@pytest.mark.parametrize("answers,state", [
    ((200,), KeyState.CREATED), ((200, 400), KeyState.CREATED),  # created once: deleted even if refused later
    ((400, 200), KeyState.CREATED), ((403,), KeyState.REFUSED),
    ((None,), KeyState.SENT), ((503,), KeyState.SENT), ((), KeyState.SENT),  # no answer / server error: unknown
])
def test_what_cleanup_deletes(answers, state):
    t = KeyTracker(PREFIX)
    t.track("b", PREFIX + "k")
    for status in answers:
        t.outcome("b", PREFIX + "k", status)
    assert (("b", PREFIX + "k") in t.keys()) == (state is not KeyState.REFUSED)
    assert (("b", PREFIX + "k") in t.refused()) == (state is KeyState.REFUSED)


def test_an_untracked_key_stays_untracked():
    t = KeyTracker(PREFIX)
    t.outcome("b", PREFIX + "never-tracked", 200)
    assert t.keys() == [] and t.refused() == []


def test_keys_are_printed_shortened():
    key = PREFIX + "probe/" + "é" * 1019
    short = shorten(key)
    assert len(short) <= 72 and "é×1019" in short and short.startswith(PREFIX)
    assert shorten("s3-conformance/run/a.txt") == "s3-conformance/run/a.txt"
    assert len(shorten("x/" + "".join(chr(65 + i % 26) for i in range(500)))) == 71


def test_the_1025_byte_key_probe_is_not_reported_as_undeletable(ctx, emulator, creds):
    target = make_target(emulator.endpoint_url, creds, ctx.run_id)
    model = BucketModel.for_target(target)
    too_long = "k" * (1025 - len(target.run_prefix))
    with ctx.check(group="safety", scenario="refused", driver=ctx.driver("boto3", target)) as chk:
        chk.step(Put(too_long, b"x"), model=model)  # 400 KeyTooLongError on S3 and the emulator
        chk.step(WrongSecret(Put("wrong-secret", b"x")), expected=Expected(403, "SignatureDoesNotMatch"))
        chk.step(Put("kept", b"x"), model=model)
    ctx.cleanup()
    assert ctx.store.cleanup["failed"] == []
    assert ctx.store.cleanup["refused"] == 2 and ctx.store.cleanup["deleted"] == 1
