"""Every place where moto (5.2.x, server mode) is known to differ from S3 for the seven operations.

Each entry has a reason, a link (moto issue or source) and a test in tests/harness/test_moto_ledger.py that
FAILS when moto stops differing (then remove the entry). ``explain`` is used when moto runs as the reference:
a disagreement between moto and the model is excused only if an entry covers every differing field.
When moto is the *target*, the ledger excuses nothing: a deviation is a gap, and the record names the entry.
"""

from __future__ import annotations

from harness.ledgers.entry import Ledger, LedgerEntry
from harness.steps import (
    Get,
    Head,
    ListObjects,
    Presigned,
    Put,
    SigV2,
    UnknownAccessKey,
    Unsupported,
    WrongSecret,
)


def _kinds(*types):
    return lambda step, diff: isinstance(step, types)


LEDGER: tuple[LedgerEntry, ...] = (
    LedgerEntry(
        id="moto-no-signature-check",
        title="moto's server accepts any signature and any access key",
        reason="Auth is only enforced when INITIAL_NO_AUTH_ACTION_COUNT is set (IAM emulation); by default a wrong "
               "secret, an unknown access key or a SigV2 signature are all accepted with 200.",
        link="https://github.com/getmoto/moto/blob/master/moto/core/responses.py (ActionAuthenticatorMixin, "
             "INITIAL_NO_AUTH_ACTION_COUNT)",
        applies=_kinds(WrongSecret, UnknownAccessKey, SigV2),
    ),
    LedgerEntry(
        id="moto-presign-not-verified",
        title="moto does not verify presigned URLs (expiry, SigV2 vs SigV4)",
        reason="Query-string auth is parsed but neither the signature nor X-Amz-Expires is checked in server mode, "
               "so an expired or a SigV2 presigned URL is served with 200.",
        link="https://github.com/getmoto/moto/blob/master/moto/s3/responses.py (_authenticate_and_authorize_s3_action)",
        applies=_kinds(Presigned),
    ),
    LedgerEntry(
        id="moto-supports-everything",
        title="moto implements S3 operations this service refuses",
        reason="Not a deviation from S3: moto is a full S3 emulator, so ListObjectsV2, multipart, ?location, ?acl, "
               "CopyObject, DeleteObjects, CreateBucket and DeleteBucket succeed (verdict extra against this "
               "service's documentation).",
        link="https://docs.getmoto.org/en/latest/docs/services/s3.html",
        # only the 'extra' difference of the service profile (moto accepted it): under the full-S3 profile moto is
        # judged by (harness/kinds/moto.py) there is no such difference, and a real refusal is never excused
        applies=lambda step, diff: isinstance(step, Unsupported) and getattr(diff, "field", None) == "status"
        and "unsupported by the service" in str(getattr(diff, "expected", "")),
    ),
    LedgerEntry(
        id="moto-key-too-long-accepted",
        title="moto stores and serves keys longer than 1024 bytes",
        reason="S3 refuses a key over 1024 UTF-8 bytes with 400 KeyTooLongError (rules key.too-long, "
               "key.too-long-read); moto's server stores it (200) and answers GET/HEAD of one with 404 or 200.",
        link="https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html ; moto/s3/models.py put_object "
             "has no key-length check",
        applies=lambda step, diff: isinstance(step, (Put, Get, Head)) and len(step.key.encode()) > 900,
    ),
    LedgerEntry(
        id="moto-if-match-does-not-override-if-unmodified-since",
        title="moto fails If-Match + If-Unmodified-Since with 412 when If-Match matches",
        reason="S3: when If-Match is true and If-Unmodified-Since is false, the object is returned (200); moto "
               "evaluates If-Unmodified-Since independently and answers 412 PreconditionFailed.",
        link="https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (conditional requests) ; "
             "moto/s3/responses.py (_get_key / conditional headers)",
        applies=lambda step, diff: isinstance(step, (Get, Head)) and step.conditions.if_match is not None
        and step.conditions.if_unmodified_since is not None,
    ),
    LedgerEntry(
        id="moto-common-prefixes-not-counted-in-max-keys",
        title="moto does not count CommonPrefixes toward MaxKeys",
        reason="S3 counts keys and CommonPrefixes together against max-keys and truncates there; moto returns up to "
               "max-keys keys plus any number of CommonPrefixes (so pages are longer and IsTruncated differs).",
        link="https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html (MaxKeys) ; "
             "moto/s3/models.py (list_objects / _set_delimiter_size_limit)",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is not None
        and step.max_keys is not None,
    ),
    LedgerEntry(
        id="moto-marker-repeats-common-prefix",
        title="moto returns a CommonPrefix again when the marker is that prefix",
        reason="With marker='boo/' and delimiter '/', S3 continues after every key under boo/ (ceph s3-tests "
               "test_bucket_list_delimiter_prefix; riak_cs#1099); moto lists 'boo/' again, so paging by NextMarker "
               "repeats prefixes.",
        link="https://github.com/basho/riak_cs/issues/1099 ; moto/s3/models.py (list_objects)",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is not None
        and (step.marker is not None or step.all_pages),
    ),
    LedgerEntry(
        id="moto-next-marker-without-delimiter",
        title="moto sends an opaque NextMarker without a delimiter",
        reason="S3 returns NextMarker only when a delimiter was given (clients then page by the last key); moto "
               "returns a hash-like NextMarker on every truncated page.",
        link="https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html (NextMarker)",
        applies=lambda step, diff: isinstance(step, ListObjects) and step.delimiter is None
        and diff.field == "NextMarker",
    ),
)

MOTO = Ledger("moto", "moto 5.2.x (server mode)", LEDGER)
BY_ID = MOTO.by_id
explain = MOTO.explain
