"""A target kind: everything the harness needs to know about one kind of endpoint, in one place.

``start(run_id, log_dir)`` is a context manager yielding the kind's targets (it owns whatever it starts and stops it
on exit, which a Ctrl-C also reaches); ``main_labels`` are the scheme-addressing labels every scenario group runs on,
``all_labels`` those of the ``all_addressing`` config-matrix checks; ``profile`` is what it is judged against
(harness/profile.py); ``ledger`` names its ledger (harness/ledgers); ``validate()`` raises ConfigError (one line,
exit 2) before any request when the kind cannot run here (a missing variable, a server not installed).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from harness.profile import Profile
from harness.targets import Target


def _nothing_to_validate() -> None:
    return None


@dataclass(frozen=True)
class TargetKind:
    name: str
    description: str
    start: Callable[[str, str], contextlib.AbstractContextManager[list[Target]]]  # (run_id, log_dir)
    main_labels: tuple[str, ...]
    all_labels: tuple[str, ...]
    profile: Profile
    ledger: str | None = None
    hypothesis_profile: str = "ci"
    validate: Callable[[], None] = _nothing_to_validate
    #: schemes the kind can serve (the --scheme option filters labels by these)
    schemes: tuple[str, ...] = ("http", "https")

    def labels(self, all_addressing: bool, schemes: list[str]) -> list[str]:
        labels = self.all_labels if all_addressing else self.main_labels
        return [lab for lab in labels if lab == "live" or lab.split("-")[0] in schemes]
