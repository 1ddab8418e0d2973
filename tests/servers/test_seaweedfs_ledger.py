"""One test per seaweedfs ledger entry (harness/ledgers/seaweedfs.py), against a real seaweedfs started by the harness; each FAILS
when seaweedfs stops deviating from S3 (then delete the entry and its test). Run with S3_SERVER_TESTS=seaweedfs
(tox -e seaweedfs)."""

from __future__ import annotations

from harness.ledgers import seaweedfs as ledger  # noqa: F401 - the entries the tests below name
from tests.servers.conftest import s3_client  # noqa: F401

SERVER = "seaweedfs"
