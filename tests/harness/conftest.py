"""Fixtures for the harness's own tests: an in-process emulator (HTTP) and a throw-away harness context."""

from __future__ import annotations

import secrets

import pytest

from harness.context import HarnessContext
from harness.drivers.registry import NAMES
from harness.targets import Credentials, Target, new_run_id, run_prefix_for

BUCKET = "harness-tests"


@pytest.fixture(scope="session")
def creds():
    return Credentials("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))


@pytest.fixture(scope="session")
def emulator(creds):
    emulator_mod = pytest.importorskip("emulator")
    with emulator_mod.Emulator(buckets=[BUCKET], credentials=[(creds.access_key, creds.secret_key)]) as emu:
        yield emu


def make_target(endpoint_url: str, creds: Credentials, run_id: str | None = None, **kw) -> Target:
    return Target(name="test", scheme="http", endpoint_url=endpoint_url, addressing_style="path", bucket=BUCKET,
                  credentials=creds, run_prefix=run_prefix_for(run_id or new_run_id()), **kw)


@pytest.fixture
def ctx(tmp_path):
    c = HarnessContext("live", new_run_id(), list(NAMES), [], str(tmp_path / "reports"), "test",
                       use_reference=False)
    yield c
    c.cleanup()
    c.close()
