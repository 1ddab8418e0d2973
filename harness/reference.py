"""moto as the second, independent reference: the same (adapted) step is run on moto's server in-process
with boto3, and its observation is compared with the model's expectation. Where they disagree the
moto ledger must explain it; otherwise the check cannot be judged (verdict "error")."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

from harness.drivers.boto3.driver import Boto3Driver
from harness.observation import Observation
from harness.steps import Step
from harness.targets import Credentials, Target, create_moto_bucket, moto_servers

REFERENCE_BUCKET = "reference"


class MotoReference:
    def __init__(self, endpoint_url: str, creds: Credentials):
        self.endpoint_url = endpoint_url
        self.creds = creds
        self._driver: Boto3Driver | None = None

    def target_for(self, target: Target) -> Target:
        # the same run prefix (same length: the 1024-byte key limit depends on it), moto's own bucket
        return Target(name="moto-reference", scheme="http", endpoint_url=self.endpoint_url, addressing_style="path",
                      bucket=REFERENCE_BUCKET, credentials=self.creds, run_prefix=target.run_prefix)

    def run(self, target: Target, step: Step) -> Observation:
        t = self.target_for(target)
        if self._driver is None:
            self._driver = Boto3Driver(t, "when_required")
        d = self._driver
        d.target = t  # clients depend on endpoint and credentials only, which never change
        if getattr(step, "bucket", None):
            step = replace(step, bucket=None)
        return d.run(step)

    def close(self):
        if self._driver is not None:
            self._driver.close()


@contextlib.contextmanager
def moto_reference() -> Iterator[MotoReference]:
    creds = Credentials("AKIAREFERENCE0000000", "reference-secret")
    with moto_servers() as (plain, _tls):
        create_moto_bucket(plain.endpoint_url, creds, REFERENCE_BUCKET)
        ref = MotoReference(plain.endpoint_url, creds)
        try:
            yield ref
        finally:
            ref.close()
