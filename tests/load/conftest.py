"""Short, bounded load runs against the in-process emulator (directly, or behind a faulty CDN of ours)."""

from __future__ import annotations

import secrets

import pytest

from harness.load.run import Distribution, campaign
from harness.load.workload import Workload

# Reads, writes and listings on a few hot keys: what makes a stale answer likely to be seen.
HOT_MIX = {"PutObject": 30, "GetObject": 30, "HeadObject": 10, "DeleteObject": 15, "ListObjects": 15}
SMALL_SIZES = {0: 1, 100: 3, 4096: 3, 300 * 1024: 1}


@pytest.fixture
def emulator():
    from emulator import Emulator

    creds = ("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(24))
    with Emulator(buckets=["load"], credentials=[creds]) as emu:
        emu.load_credentials = creds
        yield emu


def live_env(endpoint_url: str, creds: tuple[str, str]) -> dict[str, str]:
    """The variables of `tox -e live`, pointing at a local endpoint."""
    return {"S3_ENDPOINT_URL": endpoint_url, "S3_BUCKET": "load", "AWS_ACCESS_KEY_ID": creds[0],
            "AWS_SECRET_ACCESS_KEY": creds[1], "S3_ADDRESSING_STYLE": "path", "AWS_REGION": "us-east-1"}


def short(users: int = 8, duration: float = 2.5, keys: int = 4, hot_keys: int = 2, **kw) -> Workload:
    return Workload(mix=dict(HOT_MIX), sizes=dict(SMALL_SIZES), keys=keys, hot_keys=hot_keys, hot_share=0.7,
                    users=users, spawn_rate=float(users), think_time=(0.0, 0.01), duration=duration,
                    max_requests=kw.pop("max_requests", 20000), seed=kw.pop("seed", 7), **kw)


def run_live(endpoint_url: str, creds, workload: Workload, tmp_path, dist: Distribution | None = None):
    return campaign("live", workload, dist or Distribution(), env=live_env(endpoint_url, creds),
                    workdir=str(tmp_path), say=lambda *_: None)
