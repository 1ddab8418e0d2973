"""Every place where rgw is known to differ from AWS S3 for the checks of this harness (see entry.py).

Each entry names the field that differs, the source of AWS's behaviour and what rgw does instead, and has a test
in tests/harness/test_rgw_ledger.py that fails once rgw stops deviating.
"""

from __future__ import annotations

from harness.ledgers.entry import Ledger, LedgerEntry

LEDGER: tuple[LedgerEntry, ...] = ()

RGW = Ledger("rgw", "Ceph RGW 16.2.15 (Debian bookworm)", LEDGER)
