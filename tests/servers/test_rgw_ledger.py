"""One test per rgw ledger entry (harness/ledgers/rgw.py), against a real rgw started by the harness; each FAILS
when rgw stops deviating from S3 (then delete the entry and its test). Run with S3_SERVER_TESTS=rgw
(tox -e rgw)."""

from __future__ import annotations

from harness.ledgers import rgw as ledger  # noqa: F401 - the entries the tests below name
from tests.servers.conftest import s3_client  # noqa: F401

SERVER = "rgw"
