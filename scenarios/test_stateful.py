"""Stateful conformance: random put/get/head/delete/list sequences over colliding keys, one machine run per
client, each step judged against the model AND the same step on moto (harness.reference)."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import Phase, seed, settings
from hypothesis.internal.conjecture import engine
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from harness import strategies as S
from harness.check import StepFailure
from harness.drivers.registry import CLIENTS, stateful_variants
from harness.model import FAR_FUTURE, FAR_PAST, BucketModel
from harness.steps import Conditions, Delete, Get, Head, ListObjects, Put

pytestmark = pytest.mark.group("stateful")

_counter = itertools.count()
# clients run as one process per command pay a process start per step (0.3-0.6 s): fewer examples, same strategies
SUBPROCESS_SCALE = {"max_examples": 2, "stateful_step_count": 6}
# shrinking re-runs sequences hundreds of times: affordable in-process (boto3), not at ~0.7 s per subprocess step;
# subprocess clients report the (short, <= 6 steps) failing sequence unshrunk
SUBPROCESS_PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
SHRINK_SECONDS = 45
VARIANTS = stateful_variants()  # from the client registry


def gap_signature(res) -> str:
    """What a gap is, for exploring past it: the rule the expectation came from, the step kind and the differing
    fields (e.g. "cond.if-none-match Get status"). A later round tolerates exactly this, not the whole rule."""
    rule = res.expected.rule if res.expected is not None else "unsupported"
    fields = ",".join(sorted({d.field.split(" ")[0] for d in res.diffs}))
    return f"{rule or 'no-rule'} {res.step.kind} {fields}"


def make_machine(chk, driver, base_target, excluded=frozenset()):
    class BucketMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.t = base_target.with_prefix(f"sm{next(_counter)}/")
            driver.target = self.t
            chk.new_example()
            self.model = BucketModel.for_target(self.t)

        def _run(self, step):
            chk.log(step)
            res = chk.step(step, model=self.model, reference=True)
            if res.failing and gap_signature(res) not in excluded:
                chk.failing_log = chk.example_log()  # Hypothesis replays the minimal example last: keep its log
                raise StepFailure(res)
            if res.failing:  # a gap already recorded in an earlier round: judged, not stopped on
                res.verdict = "pass" if res.verdict == "gap" else res.verdict
                res.diffs = []

        def _key(self, key):
            return S.resolve_key(key, len(self.t.run_prefix.encode()))

        @initialize(key=S.keys(), body=S.bodies(large=False))
        def seed_object(self, key, body):
            self._run(Put(self._key(key), body))

        @rule(key=S.keys(), body=S.bodies(), content_type=S.content_types, metadata=S.metadata,
              headers=S.extra_headers)
        def put(self, key, body, content_type, metadata, headers):
            self._run(Put(self._key(key), body, content_type, metadata, headers))

        def _conditions(self, key, data):
            obj = self.model.objects.get(key)
            etag = obj.etag if obj else '"0123456789abcdef0123456789abcdef"'
            pick = {"current": etag, "wrong": '"ffffffffffffffffffffffffffffffff"', None: None}
            im, inm, ims, ius = data
            return Conditions(if_match=pick[im], if_none_match=pick[inm], if_modified_since=ims,
                              if_unmodified_since=ius)

        @rule(key=S.keys(), rng=S.ranges(), cond=_cond_strategy())
        def get(self, key, rng, cond):
            key = self._existing_or(key)
            obj = self.model.objects.get(key)
            if obj is not None and rng and _inverted_past_end(rng, len(obj.body)):
                # an inverted Range whose first byte is past the end: undocumented by S3 (RFC 7233: ignore the
                # header -> 200; moto: 416); not judged
                rng = "bytes=0-"
            self._run(Get(key, rng, self._conditions(key, cond)))

        @rule(key=S.keys(), cond=_cond_strategy())
        def head(self, key, cond):
            key = self._existing_or(key)
            self._run(Head(key, self._conditions(key, cond)))

        @rule(key=S.keys())
        def delete(self, key):
            self._run(Delete(self._existing_or(key)))

        @rule(prefix=S.list_prefixes, delimiter=S.delimiters, marker=S.markers, max_keys=S.max_keys,
              all_pages=S.st.booleans())
        def list(self, prefix, delimiter, marker, max_keys, all_pages):
            if delimiter and marker is not None and marker.startswith(prefix):
                # a marker strictly inside a common prefix (prefix + 'x/' + more) is not documented by S3: use the
                # common prefix itself (documented: listing continues after every key under it)
                rest = marker[len(prefix):]
                i = rest.find(delimiter)
                if i >= 0:
                    marker = prefix + rest[:i + len(delimiter)]
            self._run(ListObjects(prefix, delimiter, marker, max_keys, all_pages))

        def _existing_or(self, key):
            # half of the reads hit an existing key, whatever the draw; chosen from the key's bytes, never Python's
            # hash() (randomised per process by PYTHONHASHSEED: --hypothesis-seed would not reproduce a run)
            key = self._key(key)
            existing = self.model.keys()
            pick = int.from_bytes(hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()[:4], "big")
            if existing and pick % 2 == 0:
                return existing[pick % len(existing)]
            return key

        @invariant()
        def confined(self):
            assert self.t.run_prefix.startswith(base_target.run_prefix)

    return BucketMachine


def _inverted_past_end(rng: str, size: int) -> bool:
    first, _, last = rng[len("bytes="):].partition("-")
    return bool(first and last) and int(last) < int(first) and int(first) >= size


def _cond_strategy():
    st = S.st
    return st.tuples(st.sampled_from([None, None, "current", "wrong"]),
                     st.sampled_from([None, None, "current", "wrong"]),
                     st.sampled_from([None, None, FAR_PAST]),
                     st.sampled_from([None, None, FAR_PAST, FAR_FUTURE]))


MAX_ROUNDS = 4  # one round per distinct gap, then one that finds nothing new (bounded: a run must end)


@pytest.mark.parametrize("variant", VARIANTS, ids=[f"{c}-{v}" for c, v in VARIANTS])
def test_stateful_bucket(harness, target, variant):
    """Explore, record the first gap with its minimal sequence, then explore again with that gap (its rule, step kind
    and differing fields) tolerated, until a round finds nothing new or MAX_ROUNDS: each distinct gap gets its own
    record (``bucket-machine`` for the first, ``bucket-machine+<signature>`` for the next) and reproduction."""
    client, var = variant
    if client not in harness.drivers:
        pytest.skip(f"--driver excludes {client}")
    base = target.with_prefix(f"stateful-{client}-{var}/")
    driver = harness.driver(client, base, var)
    excluded: list[str] = []
    for round_no in range(MAX_ROUNDS):
        scenario = "bucket-machine" if not excluded else "bucket-machine+" + _slug(excluded[-1])
        with harness.check(group="stateful", scenario=scenario, driver=driver,
                           notes=f"round {round_no + 1}; tolerated: {excluded}" if excluded else "") as chk:
            found = _explore(harness, chk, driver, base.with_prefix(f"r{round_no}/"), frozenset(excluded))
            if not chk.results:
                pytest.fail("the state machine ran no step")
        if found is None or found in excluded:
            break
        excluded.append(found)


def _slug(signature: str) -> str:
    return signature.replace(" ", ":").replace(",", "+")


def _explore(harness, chk, driver, base, excluded) -> str | None:
    """One Hypothesis run of the machine; the signature of the gap it stopped on, or None."""
    machine = make_machine(chk, driver, base, excluded)
    current = settings.default
    kw = {}
    if not CLIENTS[driver.name].cheap_steps:
        kw = {k: min(getattr(current, k), v) for k, v in SUBPROCESS_SCALE.items()}
        kw["phases"] = [p for p in current.phases if p in SUBPROCESS_PHASES]
    # shrinking replays sequences against the target and moto: bound it (Hypothesis' default is 5 minutes)
    engine.MAX_SHRINKING_SECONDS = SHRINK_SECONDS
    if isinstance(harness.seed, int):
        machine = seed(harness.seed)(machine)  # --hypothesis-seed N replays this run
    try:
        run_state_machine_as_test(machine, settings=settings(current, **kw))
    except StepFailure as failure:
        chk.hypothesis = {"minimal_sequence": getattr(chk, "failing_log", chk.example_log()), "seed": harness.seed,
                          "profile": getattr(settings, "_current_profile", None)}
        return gap_signature(failure.result)
    return None
