"""The five verdicts, as the reports show them and the gate counts them.

Every check ends in exactly one verdict:

- **pass** — the endpoint behaves as S3 does for this check: every compared field of the deciding step (status,
  error code, headers of interest, body digest, listing, metadata) matches the expectation, and the moto reference
  agrees (or differs only where the moto ledger says moto is known to differ).
- **gap** — the endpoint differs from S3 for an operation the service documents as supported. This is the thing
  to fix; the report shows expected vs observed, the wire exchange and a reproduction.
- **limitation** — an operation the service documents as unsupported is refused cleanly, the way S3 refuses what it
  does not implement (e.g. a multipart upload answered 501 NotImplemented). Expected and shown, never a failure.
- **extra** — an operation the service documents as unsupported is accepted. Either the documentation or the
  service is wrong; it fails like a gap until one of them is corrected.
- **error** — the harness could not judge: no response at all (network failure, timeout), a client that crashed
  without a status, or the two references (model and moto) disagreeing outside the ledger. Never counted as a pass.

Failing verdicts (a red test, a JUnit failure/error, a red cell): gap, extra, error.
"""

from __future__ import annotations

VERDICTS: tuple[str, ...] = ("pass", "gap", "limitation", "extra", "error")
FAILING: frozenset[str] = frozenset({"gap", "extra", "error"})
#: how a set of verdicts is summarised (a matrix cell's colour, the order of the check list): most urgent first
SEVERITY: tuple[str, ...] = ("gap", "extra", "error", "limitation", "pass")

SYMBOL = {"pass": "✅", "gap": "❌", "limitation": "➖", "extra": "⚠️", "error": "💥"}
LABEL = {"pass": "pass", "gap": "gap", "limitation": "limitation", "extra": "extra", "error": "error"}

#: one-line definitions (report.md legend, report.html tooltips)
DEFINITIONS = {
    "pass": "behaves as S3 does",
    "gap": "differs from S3 for a documented operation: to fix",
    "limitation": "an operation documented as unsupported is refused cleanly (e.g. 501 NotImplemented): expected",
    "extra": "an operation documented as unsupported is accepted: the documentation or the service is wrong",
    "error": "the harness could not judge (network failure, timeout, client crash): never a pass",
}


def worst(verdicts) -> str | None:
    """The most urgent verdict of an iterable (SEVERITY order), or None when it is empty."""
    seen = set(verdicts)
    for v in SEVERITY:
        if v in seen:
            return v
    return None


def severity_rank(verdict: str) -> int:
    return SEVERITY.index(verdict) if verdict in SEVERITY else len(SEVERITY)
