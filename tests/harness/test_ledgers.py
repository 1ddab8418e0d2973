"""Every entry of every ledger (harness/ledgers) has its own test, marked with @deviation, that fails once the
implementation stops deviating; and every entry carries its evidence."""

from __future__ import annotations

import importlib

import pytest

from harness.judge import Difference
from harness.ledgers import LEDGERS, Ledger, LedgerEntry, ledger_for
from harness.steps import Get, ListObjects
from tests.harness.ledger_support import deviation, entries_tested_in

#: where each ledger's tests live (the rgw and seaweedfs ones need the servers: they run in tox -e rgw/seaweedfs)
TEST_MODULES = {"moto": "tests.harness.test_moto_ledger", "rgw": "tests.servers.test_rgw_ledger",
                "seaweedfs": "tests.servers.test_seaweedfs_ledger"}


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_every_entry_has_its_own_test(name):
    module = importlib.import_module(TEST_MODULES[name])
    tested = entries_tested_in(module)
    missing = [e.id for e in LEDGERS[name].entries if f"{name}:{e.id}" not in tested]
    assert not missing, f"{name} ledger entries without a test in {TEST_MODULES[name]}: {missing}"


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_every_entry_has_its_evidence(name):
    for e in LEDGERS[name].entries:
        assert e.reason and e.link and e.title, e.id
        if name != "moto":  # the newer ledgers name the field, AWS's source and what the server does
            assert e.fields and e.aws.startswith("https://") and e.observed, e.id


def test_an_entry_covers_only_its_field():
    entry = LedgerEntry("x-next-marker", "t", "r", "l", lambda step, diff: isinstance(step, ListObjects),
                        fields=("NextMarker",), aws="https://docs.aws.amazon.com/", observed="o")
    ledger = Ledger("x", "x 1.0", (entry,))
    assert ledger.explain(ListObjects(), [Difference("NextMarker", None, "k")]) == [entry]
    # the same step differing in another field is not excused: an entry never excuses a whole step
    assert ledger.explain(ListObjects(), [Difference("NextMarker", None, "k"), Difference("listing keys", 1, 2)]) \
        is None
    assert ledger.explain(Get("k"), [Difference("NextMarker", None, "k")]) is None


def test_a_test_marks_only_existing_entries():
    with pytest.raises(AssertionError, match="no entry"):
        deviation(ledger_for("moto"), "no-such-entry")


def test_unknown_ledger_is_empty():
    assert ledger_for(None).explain(Get("k"), [Difference("status", 200, 500)]) is None
