"""Tying ledger tests to ledger entries: ``@deviation(ledger, "entry-id")`` marks a test as THE test of that entry
(it must fail once the implementation stops deviating). tests/harness/test_ledgers.py checks that every entry of
every ledger has such a test, by the marks (not by counting test functions)."""

from __future__ import annotations

from collections.abc import Callable

from harness.ledgers import Ledger

ATTRIBUTE = "ledger_entries"


def deviation(ledger: Ledger, *entry_ids: str) -> Callable:
    for entry_id in entry_ids:
        assert entry_id in ledger.by_id, f"no entry {entry_id!r} in the {ledger.name} ledger"

    def mark(fn: Callable) -> Callable:
        setattr(fn, ATTRIBUTE, tuple(getattr(fn, ATTRIBUTE, ())) + tuple(f"{ledger.name}:{e}" for e in entry_ids))
        return fn

    return mark


def entries_tested_in(module) -> set[str]:
    return {e for name in dir(module) if name.startswith("test_")
            for e in getattr(getattr(module, name), ATTRIBUTE, ())}
