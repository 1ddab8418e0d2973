"""A ledger entry: one known, evidenced deviation of one S3 implementation from AWS S3, for one field.

``applies(step, difference)`` says whether the entry covers one difference of one step; an entry names the field
that differs (``fields``), so it never excuses a whole step. ``Ledger.explain`` returns the entries that together
cover every difference of a step, or None when one is not covered.

``aws`` is the source of AWS's behaviour (an AWS S3 API reference URL or a LocalStack AWS-validated snapshot);
``observed`` is what the implementation does instead. Every entry has a test that FAILS when the implementation
stops deviating (tests/harness/test_*_ledger.py; tests/harness/test_ledgers.py checks that each entry has one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.steps import Step


@dataclass(frozen=True)
class LedgerEntry:
    id: str
    title: str
    reason: str
    link: str
    applies: Callable[[Step, object], bool]  # (step, Difference) -> covered?
    fields: tuple[str, ...] = ()  # the differing fields it covers (Difference.field); () for moto's older entries
    aws: str = ""  # source of AWS's behaviour
    observed: str = ""  # what the implementation does instead


def covers(entry: LedgerEntry, step: Step, diff) -> bool:
    if entry.fields and getattr(diff, "field", None) not in entry.fields:
        return False
    return entry.applies(step, diff)


@dataclass(frozen=True)
class Ledger:
    name: str  # the target kind it belongs to
    implementation: str  # name and version it was observed on
    entries: tuple[LedgerEntry, ...] = ()
    by_id: dict[str, LedgerEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_id", {e.id: e for e in self.entries})
        if len(self.by_id) != len(self.entries):
            raise ValueError(f"duplicate entry id in the {self.name} ledger")

    def explain(self, step: Step, diffs) -> list[LedgerEntry] | None:
        """The entries that together cover every difference, or None when one is not covered."""
        used: list[LedgerEntry] = []
        for d in diffs:
            entry = next((e for e in self.entries if covers(e, step, d)), None)
            if entry is None:
                return None
            if entry not in used:
                used.append(entry)
        return used
