"""A check: one or more steps through one driver, judged, ending in one CheckRecord.

    with ctx.check(group="negative", scenario="wrong-secret", driver=d) as chk:
        chk.step(WrongSecret(ListBuckets()), expected=Expected(403, "SignatureDoesNotMatch"))

Each step: driver.adapt -> model (or explicit expectation) -> driver.run -> compare -> (moto reference ->
ledger) -> verdict. The record keeps the deciding step (the first that did not pass).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from harness.judge import Difference, compare, not_judged, unsupported_verdict, verdict_for, visibility
from harness.ledgers import moto as moto_ledger
from harness.model import BucketModel, Expected
from harness.observation import OBSERVABLE, Observation
from harness.profile import Profile
from harness.results import CheckRecord, NotApplicable
from harness.safety import raise_if_interrupted
from harness.steps import Delete, Put, Step, Unsupported, written_key
from harness.wire.classify import operation_at

RANK = {"pass": 0, "limitation": 1, "extra": 2, "gap": 3, "error": 4}


@dataclass
class StepResult:
    step: Step
    adapted: Step | None
    verdict: str | None  # None: not applicable
    obs: Observation | None = None
    expected: Expected | None = None
    diffs: list[Difference] = field(default_factory=list)
    reference: dict | None = None
    na_reason: str = ""
    not_judged: list[str] = field(default_factory=list)  # fields S3 defines that the client could not show

    @property
    def failing(self) -> bool:
        return self.verdict in ("gap", "extra", "error")

    def describe(self) -> str:
        head = f"{self.verdict}: {self.adapted!r}"
        return "\n".join([head] + [f"  {d}" for d in self.diffs] +
                         ([f"  reference: {self.reference}"] if self.reference else []))


class StepFailure(AssertionError):
    def __init__(self, result: StepResult):
        super().__init__(result.describe())
        self.result = result


class Check:
    def __init__(self, ctx, *, group: str, scenario: str, driver, operations: tuple[str, ...] = (), notes: str = "",
                 client: str | None = None, rule: str = ""):
        self.ctx = ctx
        self.group = group
        self.scenario = scenario
        self.driver = driver
        self.target = driver.target
        self.client = client or driver.name
        self.operations = list(operations)
        self.notes = notes
        self.rule = rule  # the behaviour this check is named after (the catalogue's), if any
        self.results: list[StepResult] = []
        self.hypothesis: dict | None = None
        self.started = time.time()
        self.record: CheckRecord | None = None
        self.example_start = 0  # Hypothesis: index of the current example's first step
        self._example_log: list[str] = []
        ctx.store.note_client(f"{driver.name}[{driver.variant}]@{driver.target.label}", driver.version(),
                               driver.settings())

    @property
    def _profile(self) -> Profile:
        return getattr(self.ctx, "profile", Profile.SERVICE)

    @property
    def id(self) -> str:
        t = self.target
        return f"{self.group}/{self.scenario}/{self.client}[{self.driver.variant}]/{t.scheme}-{t.addressing_style}"

    # ------------------------------------------------------------ steps
    def step(self, step: Step, *, model: BucketModel | None = None, expected: Expected | None = None,
             reference: bool = False, unsupported: bool = False) -> StepResult:
        need = step.requires
        if need is not None and need not in getattr(self.driver, "expresses", frozenset()):
            return self.not_applicable(step, f"{self.client} cannot send {step.kind} (needs {need!r})")
        adapted = self.driver.adapt(step)
        if isinstance(adapted, str):
            res = StepResult(step, None, None, na_reason=adapted)
            self.results.append(res)
            return res
        for op in adapted.operations:
            if op not in self.operations:
                self.operations.append(op)
        self._track(adapted)
        if not unsupported and expected is None:
            if model is None:
                raise ValueError("a step needs a model or an explicit expectation")
            expected = model.apply(adapted)
        obs = self.driver.run(adapted)
        self._note_outcome(adapted, obs)
        if obs.outcome == "not_applicable":  # the client decided not to send the request at all
            res = StepResult(step, None, None, obs=obs, na_reason=obs.note)
            self.results.append(res)
            return res
        if unsupported:
            verdict, diffs = unsupported_verdict(obs, self._profile)
        else:
            diffs = compare(expected, obs)
            verdict = verdict_for(obs, diffs)
        res = StepResult(step, adapted, verdict, obs, expected, diffs,
                         not_judged=not_judged(expected, obs, getattr(self.driver, "observes", OBSERVABLE)))
        if reference and self.ctx.reference is not None and not unsupported:
            self._judge_reference(res)
        self.results.append(res)
        return res

    def run_raw(self, step: Step) -> tuple[Step | str, Observation | None]:
        """Adapt, track and run a step without judging it (the scenario judges, e.g. a transfer that may go
        multipart)."""
        adapted = self.driver.adapt(step)
        if isinstance(adapted, str):
            self.not_applicable(step, adapted)
            return adapted, None
        self._track(adapted)
        obs = self.driver.run(adapted)
        self._note_outcome(adapted, obs)
        return adapted, obs

    def judge(self, step: Step, obs: Observation, *, expected: Expected | None = None,
              unsupported: bool = False) -> StepResult:
        """Judge an observation produced outside driver.run (doc snippets, transfers, a probe inside a command)."""
        for op in step.operations:
            if op not in self.operations:
                self.operations.append(op)
        if unsupported:
            verdict, diffs = unsupported_verdict(obs, self._profile)
        else:
            diffs = compare(expected, obs)
            verdict = verdict_for(obs, diffs)
        res = StepResult(step, step, verdict, obs, expected, diffs)
        self.results.append(res)
        return res

    def not_applicable(self, step: Step, reason: str) -> StepResult:
        res = StepResult(step, None, None, na_reason=reason)
        self.results.append(res)
        return res

    def _track(self, step: Step) -> None:
        raise_if_interrupted()  # every step passes here, before anything is sent
        rel = written_key(step)
        if rel is None:
            return
        bucket = getattr(step, "bucket", None) or self.target.bucket
        for k in (rel, rel + ".copy") if isinstance(step, Unsupported) else (rel,):
            self.ctx.tracker_for(self.driver.target).track(bucket, self.driver.target.key(k))

    def _note_outcome(self, step: Step, obs: Observation) -> None:
        """Tell the cleanup whether the server created the key a PUT named (a refused key is no leftover)."""
        rel = written_key(step)
        if rel is None or isinstance(step, Unsupported):
            return
        bucket = getattr(step, "bucket", None) or self.target.bucket
        self.ctx.tracker_for(self.driver.target).outcome(bucket, self.driver.target.key(rel), obs.status)

    def _judge_reference(self, res: StepResult) -> None:
        ref_obs = self.ctx.reference.run(self.driver.target, res.adapted)
        ref_diffs = compare(res.expected, ref_obs)
        if not ref_diffs:
            res.reference = {"moto": "agrees"}
            return
        entries = moto_ledger.explain(res.adapted, ref_diffs)
        if entries is not None:
            res.reference = {"moto": "known deviation " + ", ".join(e.id for e in entries)}
            if isinstance(res.adapted, Put) and res.expected.status >= 300 and ref_obs.status == 200:
                # moto stored what S3 refuses (e.g. a 1025-byte key): remove it so moto's state follows the model
                self.ctx.reference.run(self.driver.target, Delete(res.adapted.key))
            return
        res.reference = {"moto": "disagrees with the model: " + "; ".join(str(d) for d in ref_diffs)[:1000]}
        res.verdict = "error"
        res.diffs = list(res.diffs) + [Difference("reference", "moto agrees with the model",
                                                  "; ".join(str(d) for d in ref_diffs)[:500])]

    # ------------------------------------------------------------ hypothesis examples
    def new_example(self) -> None:
        self.example_start = len(self.results)
        self._example_log = []

    def log(self, step: Step) -> None:
        self._example_log.append(repr(step))

    def example_log(self) -> list[str]:
        return list(self._example_log)

    # ------------------------------------------------------------ record
    def deciding(self) -> StepResult | None:
        judged = [r for r in self.results if r.verdict is not None]
        if not judged:
            return None
        # the last example is Hypothesis' minimal failing one when anything failed
        failing = [r for r in self.results[self.example_start:] if r.failing] or [r for r in judged if r.failing]
        if failing:
            return failing[0]
        return max(reversed(judged), key=lambda r: RANK[r.verdict])  # the last of the worst

    def finish(self, nodeid: str = "") -> CheckRecord | None:
        if self.record is not None:
            return self.record
        d = self.deciding()
        t = self.target
        if d is None:
            reason = "; ".join(sorted({r.na_reason for r in self.results if r.na_reason})) or "no step was run"
            self.ctx.item_na.append(f"{self.client}[{self.driver.variant}]: {reason}")
            self.ctx.store.add_na(NotApplicable(self.id, self.group, self.scenario, self.operations, self.client,
                                                self.driver.variant, t.scheme, t.addressing_style, reason,
                                                [self.rule] if self.rule else []))
            return None
        # each request under the operation it really is (a client's extra HEAD or ?location probe is not the step's)
        timings = [{"operation": operation_at(x, t.endpoint_url), "method": x.method, "status": x.status,
                    "duration": round(x.duration, 6)}
                   for r in self.results if r.obs is not None for x in r.obs.wire]
        repro = {}
        text = d.obs.command if d.obs is not None else None
        if not text and d.adapted is not None:
            try:
                text = self.driver.reproduction(d.adapted)
            except Exception as e:  # noqa: BLE001 - a reproduction must never hide the verdict
                text = f"# no reproduction: {e!r}"
        if text:
            repro["boto3" if self.driver.name == "boto3" else "command"] = text
        obs_dict = d.obs.to_dict() if d.obs else None
        wire = obs_dict.pop("wire") if obs_dict else []
        notes = [self.notes, *(f"n/a: {x}" for x in dict.fromkeys(r.na_reason for r in self.results if r.na_reason))]
        ledger = getattr(self.ctx, "ledger", None)
        known = ledger.explain(d.adapted, d.diffs) if ledger and d.verdict == "gap" and d.adapted is not None else None
        if known:
            notes.append(f"known {ledger.name} deviation: " + ", ".join(e.id for e in known))
        rec = CheckRecord(
            id=self.id, group=self.group, scenario=self.scenario, operations=list(self.operations),
            client=self.client, variant=self.driver.variant, scheme=t.scheme, addressing=t.addressing_style,
            target=t.name, verdict=d.verdict, expected=_expected_dict(d.expected) if d.expected else None,
            observed=obs_dict, differences=[x.to_dict() for x in d.diffs], wire=wire, reproduction=repro,
            hypothesis=self.hypothesis, reference=d.reference, duration=round(time.time() - self.started, 4),
            timings=timings, steps=sum(r.verdict is not None for r in self.results), nodeid=nodeid,
            notes="; ".join(x for x in notes if x)[:2000],
            rule=(d.expected.rule if d.expected else "") or ("service.unsupported" if d.expected is None else ""),
            visibility=visibility(d.verdict, d.expected, d.obs, d.diffs,
                                  getattr(self.driver, "returns_response_fields", False)),
            not_judged=sorted({f for r in self.results for f in r.not_judged}),
            rules=sorted({r.expected.rule for r in self.results if r.expected is not None and r.expected.rule}
                         | ({"service.unsupported"} if any(r.verdict and r.expected is None for r in self.results)
                            else set())))
        self.record = rec
        self.ctx.store.add(rec)
        return rec

    def __enter__(self) -> Check:
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not isinstance(exc, StepFailure):
            # the harness itself failed: the check could not be judged
            self.results.append(StepResult(Step(), Step(), "error", Observation("client_failure", note=repr(exc)),
                                           None, [Difference("harness", "no exception", repr(exc)[:500])]))
        rec = self.finish(self.ctx.nodeid)
        if rec is not None:
            self.ctx.item_records.append(rec)
        return False


def _expected_dict(e: Expected) -> dict:
    d = asdict(e)
    return d
