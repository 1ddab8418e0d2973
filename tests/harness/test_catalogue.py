"""The catalogue is the floor: every rule of the model has a named check of its own (issue 10)."""

from __future__ import annotations

from harness import catalogue, rules


def test_every_rule_has_a_catalogue_entry():
    covered = {e.rule for e in catalogue.ENTRIES}
    missing = [r.id for r in rules.RULES if r.id not in covered]
    assert not missing, f"rules without a catalogue check: {missing}"


def test_every_entry_judges_an_existing_rule_and_ids_are_unique():
    assert all(e.rule in rules.BY_ID for e in catalogue.ENTRIES)
    assert len(catalogue.BY_ID) == len(catalogue.ENTRIES)
