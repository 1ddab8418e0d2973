"""Check records and ``<report-dir>/results.json``.

One record per check. The file is the input of the report builder (issue 4); its shape is documented in
docs/harness.md and by RESULTS_SCHEMA_VERSION. Record fields:

  id            stable across runs: "<group>/<scenario>/<client>[<variant>]/<scheme>-<addressing>"
  group         scenario group (doc-examples, stateful, cross-client, negative, config-matrix, probes)
  scenario      scenario name inside the group
  operations    S3 operations exercised (the report's matrix rows)
  client        boto3 | s3cmd | awscli | http (a plain urllib fetch of a presigned URL)
  variant       the client's configuration variant (e.g. when_required, disable-multipart, s3api)
  scheme, addressing, target
  verdict       pass | gap | limitation | extra | error
  expected, observed          of the deciding step (the first failing one, else the last)
  differences   [{field, expected, observed}]
  wire          exchanges of the deciding step (Authorization and signatures redacted)
  reproduction  {"boto3": snippet, "command": s3cmd/aws command line}; secrets as $AWS_ACCESS_KEY_ID /
                $AWS_SECRET_ACCESS_KEY
  hypothesis    {"minimal_sequence": [...], "seed": ...} or null
  reference     {"moto": "agrees" | "known deviation <ids>" | "disagrees: ..."} or null
  duration      seconds for the whole check
  timings       [{"operation", "method", "status", "duration"}] one per HTTP request the check made
  steps         number of steps run
  nodeid        the pytest test that produced it
  notes         free text (e.g. which settings avoid an unsupported operation)
  rule          the id of the rule (harness/rules.py) behind the deciding step's expectation
  visibility    for gap/extra: "client-visible" (an exception, exit code, bytes, listing or returned field
                differed) or "wire-only" (every client behaved as on S3); "" otherwise
  not_judged    fields S3 defines that this client could not observe (never counted as passed)
  rules         every rule a judged step of the check came from (the coverage table)

Not-applicable combinations (a client that cannot express a step) are listed separately under
"not_applicable" with the reason; they are not checks and carry no verdict.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field

RESULTS_SCHEMA_VERSION = 1
VERDICTS = ("pass", "gap", "limitation", "extra", "error")
FAILING_VERDICTS = ("gap", "extra", "error")


@dataclass
class CheckRecord:
    id: str
    group: str
    scenario: str
    operations: list[str]
    client: str
    variant: str
    scheme: str
    addressing: str
    target: str
    verdict: str
    expected: dict | None = None
    observed: dict | None = None
    differences: list[dict] = field(default_factory=list)
    wire: list[dict] = field(default_factory=list)
    reproduction: dict = field(default_factory=dict)
    hypothesis: dict | None = None
    reference: dict | None = None
    duration: float = 0.0
    timings: list[dict] = field(default_factory=list)
    steps: int = 0
    nodeid: str = ""
    notes: str = ""
    rule: str = ""  # the rule (harness/rules.py) behind the deciding step's expectation
    visibility: str = ""  # gap/extra: "client-visible" or "wire-only" (judge.visibility)
    not_judged: list[str] = field(default_factory=list)  # fields this client could not observe, in any step
    rules: list[str] = field(default_factory=list)  # every rule a judged step of this check came from

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    @property
    def failing(self) -> bool:
        return self.verdict in FAILING_VERDICTS

    def summary(self) -> str:
        lines = [f"[{self.verdict.upper()}] {self.id}"]
        for d in self.differences[:8]:
            lines.append(f"  {d['field']}: expected {_short(d['expected'])}, observed {_short(d['observed'])}")
        if self.notes:
            lines.append(f"  note: {self.notes}")
        if self.reference:
            lines.append(f"  reference: {_short(self.reference, 600)}")
        for w in self.wire[-3:]:
            answer = w["status"] if w["status"] is not None else w["error"]
            lines.append(squeeze(f"  wire: {w['method']} {w['url']} -> {answer}"))
        if self.hypothesis and self.hypothesis.get("minimal_sequence"):
            lines.append("  minimal failing sequence:")
            lines += [f"    {squeeze(s)}" for s in self.hypothesis["minimal_sequence"]]
        for kind, text in self.reproduction.items():
            if text:
                lines.append(f"  reproduce ({kind}):")
                lines += [f"    {x}" for x in text.splitlines()]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def squeeze(s: str) -> str:
    """Long runs of one character (1024-byte keys) as 'L×1000' so that summaries stay readable."""
    return re.sub(r"(.)\1{39,}", lambda m: f"{m.group(1)}×{len(m.group(0))}", s)


def _short(v, limit: int = 400) -> str:
    s = squeeze(repr(v))
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"


@dataclass
class NotApplicable:
    id: str
    group: str
    scenario: str
    operations: list[str]
    client: str
    variant: str
    scheme: str
    addressing: str
    reason: str
    rules: list[str] = field(default_factory=list)  # the behaviour(s) the check would have judged


class ResultStore:
    """Collects records for the session and writes results.json (also from xdist workers, merged)."""

    def __init__(self, run_id: str, seed, target_name: str, profile: str = "service"):
        self.run_id = run_id
        self.profile = profile  # harness/profile.py: what the run is judged against
        self.seed = seed
        self.target_name = target_name
        self.started = time.time()
        self.records: list[CheckRecord] = []
        self.not_applicable: list[NotApplicable] = []
        self.targets: dict[str, dict] = {}
        self.clients: dict[str, dict] = {}
        # refused: tracked keys the server refused to create (never written, so neither deleted nor leftovers)
        self.cleanup: dict = {"deleted": 0, "failed": [], "attempted": 0, "refused": 0}
        self.hypothesis_db: dict = {"path": None, "replayed": []}
        self._lock = threading.Lock()

    def add(self, record: CheckRecord) -> None:
        with self._lock:
            if any(r.id == record.id for r in self.records):
                raise ValueError(f"duplicate check id {record.id!r}: ids must be unique and stable")
            self.records.append(record)

    def add_na(self, na: NotApplicable) -> None:
        with self._lock:
            if not any(x.id == na.id for x in self.not_applicable):
                self.not_applicable.append(na)

    def note_client(self, key: str, version: str, settings: dict) -> None:
        with self._lock:
            self.clients.setdefault(key, {"version": version, "settings": settings})

    def note_database(self, summary: dict) -> None:
        """The example database of this run and the saved examples it replayed (harness/examples.py)."""
        with self._lock:
            self._add_database(summary)

    def _add_database(self, summary: dict) -> None:
        """(the caller holds the lock) One database per run: the first path named, every replayed example."""
        self.hypothesis_db["path"] = self.hypothesis_db["path"] or summary.get("path")
        self.hypothesis_db["replayed"] = sorted(set(self.hypothesis_db["replayed"]) | set(summary.get("replayed", [])))

    def to_dict(self) -> dict:
        return {
            "schema_version": RESULTS_SCHEMA_VERSION,
            "run_id": self.run_id,
            "seed": self.seed,
            "target": self.target_name,
            "profile": self.profile,
            "targets": self.targets,
            "clients": self.clients,
            "started": self.started,
            "finished": time.time(),
            "totals": {v: sum(r.verdict == v for r in self.records) for v in VERDICTS},
            "records": [r.to_dict() for r in sorted(self.records, key=lambda r: r.id)],
            "not_applicable": [na.__dict__ for na in sorted(self.not_applicable, key=lambda n: n.id)],
            "cleanup": self.cleanup,
            "hypothesis_db": self.hypothesis_db,
        }

    def merge(self, data: dict) -> None:
        """Merge a worker's partial results (pytest-xdist)."""
        with self._lock:
            self.records += [CheckRecord(**r) for r in data.get("records", [])]
            for na in data.get("not_applicable", []):
                self.not_applicable.append(NotApplicable(**na))
            self.targets.update(data.get("targets", {}))
            for k, v in data.get("clients", {}).items():
                self.clients.setdefault(k, v)
            c = data.get("cleanup", {})
            self.cleanup["deleted"] += c.get("deleted", 0)
            self.cleanup["attempted"] += c.get("attempted", 0)
            self.cleanup["refused"] = self.cleanup.get("refused", 0) + c.get("refused", 0)
            self.cleanup["failed"] += c.get("failed", [])
            self._add_database(data.get("hypothesis_db") or {})

    def write(self, report_dir: str) -> str:
        os.makedirs(report_dir, exist_ok=True)
        path = os.path.join(report_dir, "results.json")
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, indent=1, sort_keys=False, default=str)
        os.replace(tmp, path)
        return path
