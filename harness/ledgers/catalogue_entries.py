"""Predicates shared by the RGW and SeaweedFS ledgers for the catalogue's checks (harness/catalogue.py), and the
AWS source of each behaviour taken from the oracle's rule table (harness/rules.py), so that a ledger entry cites
exactly what the expectation cites."""

from __future__ import annotations

from harness.rules import BY_ID as RULES
from harness.steps import ChunkedPut, Framing, Get, Head, ListObjects, Put, Tamper, Tampered


def aws(rule_id: str) -> str:
    r = RULES[rule_id]
    return " ; ".join(r.sources) + f" (rule {rule_id}: {r.behaviour})"


def tampered(*hows: Tamper):
    return lambda step, diff: isinstance(step, Tampered) and step.how in hows


def unsigned_trailer(step, diff) -> bool:
    return (isinstance(step, ChunkedPut) and step.framing is Framing.UNSIGNED_TRAILER) or \
        (isinstance(step, Tampered) and step.how is Tamper.TRAILER_CHECKSUM)


def long_key(step, diff) -> bool:
    key = getattr(step, "key", None)
    return isinstance(key, str) and len(key.encode()) > 900  # run-relative: the absolute key is over 1024


def future_if_modified_since(step, diff) -> bool:
    return isinstance(step, (Get, Head)) and step.conditions.if_modified_since is not None \
        and step.conditions.if_modified_since.endswith("2100 00:00:00 GMT")


def invalid_max_keys(step, diff) -> bool:
    if isinstance(step, Tampered):
        return step.how is Tamper.MAX_KEYS_NOT_A_NUMBER
    return isinstance(step, ListObjects) and step.max_keys is not None and step.max_keys < 0


def metadata_rfc2047(step, diff) -> bool:
    return isinstance(step, (Get, Head)) and "=?" in str(diff.observed)


def metadata_too_large(step, diff) -> bool:
    return isinstance(step, Put) and sum(len(k) + len(v.encode()) for k, v in step.metadata) > 2048


def range_is(*ranges: str):
    return lambda step, diff: isinstance(step, Get) and step.range in ranges


INVALID_RANGES = ("bytes=5-2", "bytes=0-1,3-4", "0-1", "bytes=-")
