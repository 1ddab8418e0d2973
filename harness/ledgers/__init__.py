"""One ledger per S3 implementation: its known, evidenced deviations from AWS S3 (harness/ledgers/entry.py).

``LEDGERS`` is the one registry (adding an implementation = one module + one entry here). A target kind names its
ledger (harness/kinds); when that kind is the *target*, a deviation stays a gap and the record names the entry
("known <name> deviation: <id>"); only moto, when it runs as the *reference*, has its entries excused.
"""

from __future__ import annotations

from harness.ledgers import moto, rgw, seaweedfs
from harness.ledgers.entry import Ledger, LedgerEntry

LEDGERS: dict[str, Ledger] = {ledger.name: ledger for ledger in (moto.MOTO, rgw.RGW, seaweedfs.SEAWEEDFS)}
EMPTY = Ledger("none", "an implementation without a ledger")


def ledger_for(name: str | None) -> Ledger:
    return LEDGERS.get(name or "", EMPTY)


__all__ = ["LEDGERS", "Ledger", "LedgerEntry", "ledger_for"]
