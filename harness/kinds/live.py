"""Any endpoint described by environment variables (harness.targets.LIVE_VARIABLES): the service itself."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from harness.kinds.base import TargetKind
from harness.profile import Profile
from harness.targets import Target, live_target_from_env, new_run_id


@contextlib.contextmanager
def _live(run_id: str, log_dir: str) -> Iterator[list[Target]]:
    yield [live_target_from_env(run_id)]


KIND = TargetKind(
    name="live",
    description="a live endpoint from S3_ENDPOINT_URL, S3_BUCKET and AWS_* (judged as the service)",
    start=_live,
    main_labels=("live",),
    all_labels=("live",),
    profile=Profile.SERVICE,
    hypothesis_profile="live",
    validate=lambda: live_target_from_env(new_run_id()) and None,
)
