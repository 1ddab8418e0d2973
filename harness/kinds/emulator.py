"""The in-process emulator over HTTP and HTTPS (path and virtual style through its own proxy)."""

from __future__ import annotations

from harness.kinds.base import TargetKind
from harness.profile import Profile
from harness.targets import emulator_targets

KIND = TargetKind(
    name="emulator",
    description="the in-process emulator of the service (HTTP + HTTPS, path + virtual style)",
    start=lambda run_id, log_dir: emulator_targets(run_id),
    main_labels=("http-path", "https-virtual"),
    all_labels=("http-path", "https-path", "http-virtual", "https-virtual"),
    profile=Profile.SERVICE,
)
