"""A gap's reproduction, pasted into Python or a shell, shows the gap.

moto has real gaps (see harness/ledgers/moto.py). For each client, a check finds one against moto's server; its
reproduction is then run as a user would run it (the boto3 snippet with `python -c`, the s3cmd / aws command line
with `bash -c`, credentials only in $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY). Against moto it succeeds — the
gap: S3 refuses — and the very same text pointed at the emulator, which refuses as S3 does, fails. So the
reproduction shows exactly the difference, and is not a command that succeeds or fails whatever the endpoint."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from emulator import Emulator
from harness.context import HarnessContext
from harness.model import BucketModel, Expected
from harness.steps import ListBuckets, Put, SigV2, UnknownAccessKey, WrongSecret
from harness.targets import moto_targets, new_run_id

CLIENTS = [("boto3", "when_required"), ("s3cmd", None), ("awscli", None), ("rclone", None), ("curl", None)]


def _key_too_long(chk, target):
    model = BucketModel.for_target(target)
    chk.step(Put("k" * (1025 - model.prefix_len), b"1025"), model=model)


def _wrong_secret(chk, target):
    chk.step(WrongSecret(ListBuckets()), expected=Expected(403, "SignatureDoesNotMatch"))


def _unknown_key(chk, target):
    chk.step(UnknownAccessKey(ListBuckets()), expected=Expected(403, "InvalidAccessKeyId"))


def _sigv2(chk, target):
    chk.step(SigV2(ListBuckets()), expected=Expected(400, "InvalidRequest", rule="auth.sigv2-header"))


CASES = {  # name: (the check's steps, the ledger entry that explains moto's gap, what S3's refusal says)
    "sigv2-header": (_sigv2, "moto-no-signature-check", "AWS4-HMAC-SHA256"),
    "wrong-secret": (_wrong_secret, "moto-no-signature-check", "SignatureDoesNotMatch"),
    "unknown-key": (_unknown_key, "moto-no-signature-check", "InvalidAccessKeyId"),
    "key-too-long": (_key_too_long, "moto-key-too-long-accepted", "KeyTooLongError"),
}


@pytest.fixture(scope="module")
def moto_and_emulator(tmp_path_factory):
    run_id = new_run_id()
    ctx = HarnessContext("moto", run_id, [c for c, _ in CLIENTS], [], str(tmp_path_factory.mktemp("rep")), "test",
                         use_reference=False)
    with moto_targets(run_id) as targets:
        moto = next(t for t in targets if t.scheme == "http")
        creds = moto.credentials
        with Emulator(buckets=[moto.bucket], credentials=[(creds.access_key, creds.secret_key)]) as emu:
            yield ctx, moto, emu
        ctx.close()


def _replay(text: str, kind: str, endpoint: str, cwd, creds) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
    env.update(AWS_ACCESS_KEY_ID=creds.access_key, AWS_SECRET_ACCESS_KEY=creds.secret_key,
               PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""))
    argv = [sys.executable, "-c", text] if kind == "boto3" else ["bash", "-c", text]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


# the AWS CLI signs with SigV4 only: it cannot send the SigV2 step (its driver says "not applicable"); s3cmd answers
# AWS's 400 InvalidRequest to SigV2 by retrying with SigV4, so its command succeeds on S3 too (rule auth.sigv2-header):
# its reproduction cannot show moto's gap by an exit code, only by the wire (test_negative judges that)
COMBINATIONS = [(c, v, case) for c, v in CLIENTS for case in sorted(CASES)
                if (c, case) not in (("awscli", "sigv2-header"), ("s3cmd", "sigv2-header"), ("rclone", "sigv2-header"),
                                     ("curl", "sigv2-header"))]  # rclone and curl sign with SigV4 only


@pytest.mark.parametrize("client,variant,case", COMBINATIONS, ids=[f"{c}-{case}" for c, _, case in COMBINATIONS])
def test_a_moto_gap_reproduction_replays_the_gap(moto_and_emulator, client, variant, case, tmp_path):
    ctx, moto, emu = moto_and_emulator
    steps, ledger_id, refusal = CASES[case]
    driver = ctx.driver(client, moto, variant)
    with ctx.check(group="repro", scenario=case, driver=driver) as chk:
        steps(chk, driver.target)
    rec = chk.record
    assert rec is not None, f"{client} recorded no verdict for {case}"
    assert rec.verdict == "gap" and ledger_id in rec.notes, rec.summary()
    kind, text = ("boto3", rec.reproduction["boto3"]) if client == "boto3" else ("command", rec.reproduction["command"])
    assert text, rec.reproduction
    assert moto.credentials.secret_key not in text and moto.credentials.access_key not in text
    moto_host, emu_host = moto.endpoint_url.split("://")[1], emu.endpoint_url.split("://")[1]
    assert moto_host in text  # the reproduction names the endpoint that showed the gap

    on_moto = _replay(text, kind, moto.endpoint_url, tmp_path, moto.credentials)
    assert on_moto.returncode == 0, f"the reproduction does not show moto's gap:\n{text}\n{on_moto.stderr[-2000:]}"
    on_emulator = _replay(text.replace(moto_host, emu_host), kind, emu.endpoint_url, tmp_path, moto.credentials)
    assert on_emulator.returncode != 0, f"the same reproduction passes where S3's answer is given:\n{text}"
    assert refusal in on_emulator.stdout + on_emulator.stderr, on_emulator.stderr[-2000:]
