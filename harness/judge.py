"""Expected vs observed -> differences -> verdict.

Verdicts (the README defines them; results.VERDICTS):
  pass        behaves as S3 does
  gap         differs from S3 for a documented operation
  limitation  an operation documented as unsupported is refused cleanly (501 NotImplemented)
  extra       an operation documented as unsupported is accepted
  error       the harness could not judge (no response at all, client crash without a status, or the two
              references - model and moto - disagree outside the moto ledger)
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.model import Expected
from harness.observation import Observation
from harness.profile import Profile

NOT_JUDGED_OUTCOMES = ("transport_error",)


@dataclass(frozen=True)
class Difference:
    field: str
    expected: object
    observed: object

    def __str__(self) -> str:
        return f"{self.field}: expected {self.expected!r}, observed {self.observed!r}"

    def to_dict(self) -> dict:
        return {"field": self.field, "expected": _plain(self.expected), "observed": _plain(self.observed)}


def _plain(v):
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if hasattr(v, "__dataclass_fields__"):
        return {k: _plain(getattr(v, k)) for k in v.__dataclass_fields__}
    return v


def compare(exp: Expected, obs: Observation) -> list[Difference]:
    """Every difference between what S3 would do and what was observed, on fields both sides define."""
    diffs: list[Difference] = []
    if exp.first_attempt_status is not None and obs.wire and obs.wire[0].status != exp.first_attempt_status:
        diffs.append(Difference("first attempt", exp.first_attempt_status, obs.wire[0].status))
    if (obs.status, obs.error_code) in exp.alternatives or (obs.status, None) in exp.alternatives:
        return diffs  # an answer S3 may give where no recording settles which one (the rule says why)
    if obs.status != exp.status:
        diffs.append(Difference("status", exp.status, obs.status))
        if obs.outcome == "client_failure" and obs.note:
            diffs.append(Difference("client", "no client error", obs.note))
        return diffs  # the rest is meaningless on a different status
    if exp.error_code and obs.error_code and obs.error_code != exp.error_code:
        diffs.append(Difference("error_code", exp.error_code, obs.error_code))
    if obs.outcome == "client_failure":
        diffs.append(Difference("client", "no client error", obs.note))
    if exp.status >= 300:
        return diffs
    for name, value in exp.headers.items():
        # a client that captured no header at all is not judged on headers (not_judged says so); one that captured
        # some captured all of interest, so a missing one is a difference
        if obs.headers and not _header_equal(name, value, obs.headers.get(name)):
            diffs.append(Difference(f"header {name}", value, obs.headers.get(name)))
    if exp.metadata is not None and obs.metadata is not None and obs.metadata != exp.metadata:
        diffs.append(Difference("metadata", exp.metadata, obs.metadata))
    if exp.body_sha256 is not None and obs.body_sha256 is not None:
        if obs.body_sha256 != exp.body_sha256:
            diffs.append(Difference("body", f"{exp.body_size} bytes sha256 {exp.body_sha256[:16]}",
                                    f"{obs.body_size} bytes sha256 {obs.body_sha256[:16]}"))
    if exp.listing is not None:
        diffs += _compare_listing(exp.listing, obs.listing)
    if exp.bucket_listed is not None and obs.buckets is not None and exp.bucket_listed not in obs.buckets:
        diffs.append(Difference("buckets", f"contains {exp.bucket_listed!r}", obs.buckets))
    return diffs


def _header_equal(name: str, expected: str, observed: str | None) -> bool:
    if observed is None:
        return False
    if name == "etag":
        return expected.strip('"') == observed.strip('"') and observed.startswith('"')
    return str(expected) == str(observed)


def _compare_listing(exp, obs) -> list[Difference]:
    if obs is None:
        return [Difference("listing", "a listing", None)]
    diffs = []
    if exp.keys != obs.keys:
        diffs.append(_seq_difference("listing keys", exp.keys, obs.keys))
    else:
        for e, o in zip(exp.entries, obs.entries, strict=True):
            if o.size is not None and o.size != e.size:
                diffs.append(Difference(f"listing size of {e.key!r}", e.size, o.size))
            if o.etag is not None and o.etag.strip('"') != (e.etag or "").strip('"'):
                diffs.append(Difference(f"listing etag of {e.key!r}", e.etag, o.etag))
    if exp.common_prefixes != obs.common_prefixes:
        diffs.append(_seq_difference("common prefixes", exp.common_prefixes, obs.common_prefixes))
    if exp.is_truncated is not None and obs.is_truncated is not None and exp.is_truncated != obs.is_truncated:
        diffs.append(Difference("IsTruncated", exp.is_truncated, obs.is_truncated))
    if exp.is_truncated is not None and obs.is_truncated is not None and exp.next_marker != obs.next_marker:
        diffs.append(Difference("NextMarker", exp.next_marker, obs.next_marker))
    return diffs


def _seq_difference(name: str, exp: tuple, obs: tuple) -> Difference:
    """Short sequences verbatim; long ones as counts plus what is missing / unexpected / out of order."""
    if len(exp) + len(obs) <= 40:
        return Difference(name, exp, obs)
    es, os_ = set(exp), set(obs)
    missing = [x for x in exp if x not in os_][:10]
    unexpected = [x for x in obs if x not in es][:10]
    dups = len(obs) - len(os_)
    detail = {"count": len(obs), "missing": missing, "unexpected": unexpected}
    if dups:
        detail["duplicates"] = dups
    if not missing and not unexpected and not dups:
        first = next(i for i, (a, b) in enumerate(zip(exp, obs, strict=False)) if a != b)
        detail["first_out_of_order_at"] = first
    return Difference(name, {"count": len(exp)}, detail)


#: difference fields a client always hands to its caller: an exception or exit code, bytes, a listing, metadata
_ALWAYS_VISIBLE = ("client", "body", "listing keys", "common prefixes", "buckets", "metadata", "refusal")
#: fields only a client that returns the response's fields to its caller (an SDK's response dict, `aws s3api`'s JSON)
#: exposes; for the others (s3cmd get writes a file) they differ on the wire only
_RESPONSE_FIELDS = ("header ", "error_code", "IsTruncated", "NextMarker", "listing size", "listing etag")


def visibility(verdict: str, exp: Expected | None, obs: Observation | None, diffs: list[Difference],
               returns_response_fields: bool) -> str:
    """Issue 9 section 3: does anyone notice? "client-visible" when the client's own outcome differs from what it
    would have been on S3 (success vs an exception / non-zero exit, another error, wrong bytes, listing or
    metadata, or a response field an SDK returns to its caller); "wire-only" when only the wire differs and the
    client behaves the same; "" for verdicts that are not differences (pass, limitation, error)."""
    if verdict == "extra":
        return "client-visible"  # the client succeeds where S3's refusal would have raised
    if verdict != "gap":
        return ""
    for d in diffs:
        if d.field == "status":
            if exp is None or obs is None or obs.status is None:
                return "client-visible"
            ok_expected, ok_observed = exp.status < 300, obs.status < 300
            if ok_expected != ok_observed or not ok_expected:
                return "client-visible"  # success vs failure, or another error than S3's
            continue
        if d.field in _ALWAYS_VISIBLE:
            return "client-visible"
        if returns_response_fields and d.field.startswith(_RESPONSE_FIELDS):
            return "client-visible"
    return "wire-only"


def not_judged(exp: Expected | None, obs: Observation | None, observes: frozenset[str]) -> list[str]:
    """The fields S3 defines for this step that this client could not show us: reported as not judged, never as
    passed. ``observes`` is what the driver declares it can observe (see harness/observation.py OBSERVABLE)."""
    if exp is None or obs is None or obs.status is None or obs.status != exp.status or exp.status >= 300:
        return []
    out = []
    if exp.headers and ("headers" not in observes or not obs.headers):
        out.append("headers")
    if exp.metadata is not None and ("metadata" not in observes or obs.metadata is None):
        out.append("metadata")
    if exp.body_sha256 is not None and ("body" not in observes or obs.body_sha256 is None):
        out.append("body")
    if exp.listing is not None and "listing" not in observes:
        out.append("listing")
    return out


def verdict_for(obs: Observation, diffs: list[Difference]) -> str:
    if obs.outcome in NOT_JUDGED_OUTCOMES:
        return "error"
    return "gap" if diffs else "pass"


def unsupported_verdict(obs: Observation, profile: Profile = Profile.SERVICE) -> tuple[str, list[Difference]]:
    """An operation the service documents as unsupported: 501 NotImplemented is the clean refusal. Under the
    full-S3 profile (harness/profile.py) accepting it is what S3 does: pass, never extra."""
    if obs.outcome in NOT_JUDGED_OUTCOMES:
        return "error", [Difference("response", "501 NotImplemented", obs.note)]
    if obs.status == 501 and obs.error_code in (None, "NotImplemented"):
        return "limitation", []
    accepted = obs.status is not None and 200 <= obs.status < 300
    if profile is Profile.S3:
        if accepted and obs.outcome != "client_failure":
            return "pass", []
        return "gap", [Difference("status", "2xx (S3 implements the operation)", f"{obs.status} {obs.error_code}")]
    if accepted:
        return "extra", [Difference("status", "501 NotImplemented (unsupported by the service)", obs.status)]
    return "gap", [Difference("refusal", "501 NotImplemented", f"{obs.status} {obs.error_code}")]
