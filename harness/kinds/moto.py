"""moto's server in-process (werkzeug), HTTP and HTTPS, path style.

Judged as full S3: moto implements all of S3, so its accepting ListObjectsV2, multipart or CopyObject is not a
deviation (it was counted as 'extra' against the service's seven operations before the profiles existed)."""

from __future__ import annotations

from harness.kinds.base import TargetKind
from harness.profile import Profile
from harness.targets import moto_targets

KIND = TargetKind(
    name="moto",
    description="moto's server (HTTP + HTTPS, path style), judged as full S3",
    start=lambda run_id, log_dir: moto_targets(run_id),
    main_labels=("http-path", "https-path"),
    all_labels=("http-path", "https-path"),
    profile=Profile.S3,
    ledger="moto",
)
