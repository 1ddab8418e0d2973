"""The session's state: targets (started lazily), drivers, the moto reference, key trackers, results."""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import replace

from harness.check import Check
from harness.kinds import kind
from harness.ledgers import Ledger, ledger_for
from harness.profile import Profile
from harness.results import ResultStore
from harness.safety import KeyTracker, cleanup_on_interrupt, delete_keys
from harness.targets import Target


class HarnessContext:
    def __init__(self, target_name: str, run_id: str, drivers, groups, report_dir: str, seed, schemes=("http", "https"),
                 use_reference: bool = True):
        self.target_name = target_name
        self.run_id = run_id
        self.drivers = list(drivers)
        self.groups = list(groups)
        self.report_dir = report_dir
        self.seed = seed
        self.schemes = list(schemes)
        self.kind = kind(target_name)
        self.store = ResultStore(run_id, seed, target_name, profile=self.kind.profile.value)
        self.nodeid = ""
        self.item_records: list = []
        self.item_na: list[str] = []
        self._stack = contextlib.ExitStack()
        self._targets: dict[str, Target] | None = None
        self._drivers: dict = {}
        self._trackers: dict[str, KeyTracker] = {}
        self._lock = threading.RLock()
        self._use_reference = use_reference
        self._reference = None
        self._closed = False
        self._shared: dict = {}

    # ------------------------------------------------------------ targets
    def _start(self) -> dict[str, Target]:
        if self._targets is None:
            # each process (an xdist worker too) starts its own servers: their logs go to a directory of its own
            log_dir = os.path.join(self.report_dir, "servers", os.environ.get("PYTEST_XDIST_WORKER", "main"))
            ts = self._stack.enter_context(self.kind.start(self.run_id, log_dir))
            self._targets = {("live" if t.live else t.label): t for t in ts}
            # entered after the targets so that it runs before they stop (ExitStack is LIFO)
            self._stack.enter_context(cleanup_on_interrupt(self.cleanup))
            for label, t in self._targets.items():
                self.store.targets[label] = t.public_dict()
        return self._targets

    @property
    def profile(self) -> Profile:
        return self.kind.profile

    @property
    def ledger(self) -> Ledger:
        """The target's own ledger: its deviations are gaps that the record names (never excused)."""
        return ledger_for(self.kind.ledger)

    def target(self, label: str) -> Target:
        with self._lock:
            return self._start()[label]

    @property
    def reference(self):
        with self._lock:
            if self._reference is None and self._use_reference:
                from harness.reference import moto_reference

                self._reference = self._stack.enter_context(moto_reference())
            return self._reference

    def tracker_for(self, target: Target) -> KeyTracker:
        with self._lock:
            key = target.endpoint_url + "|" + (target.proxy_url or "")
            if key not in self._trackers:
                parts = target.run_prefix.split("/")
                base = "/".join(parts[:2]) + "/"
                self._trackers[key] = (KeyTracker(base), replace(target, run_prefix=base))
            return self._trackers[key][0]

    # ------------------------------------------------------------ drivers and checks
    def driver(self, client: str, target: Target, variant: str | None = None):
        from harness.drivers import make_driver

        key = (client, variant, target)
        with self._lock:
            if key not in self._drivers:
                self._drivers[key] = make_driver(client, target, variant)
            return self._drivers[key]

    def check(self, *, group: str, scenario: str, driver, operations=(), notes: str = "", client=None,
              rule: str = "") -> Check:
        return Check(self, group=group, scenario=scenario, driver=driver, operations=tuple(operations), notes=notes,
                     client=client, rule=rule)

    def shared(self, key, factory):
        """Session-wide memo (e.g. 1000+ keys seeded once for every client)."""
        with self._lock:
            if key not in self._shared:
                self._shared[key] = factory()
            return self._shared[key]

    # ------------------------------------------------------------ end
    def cleanup(self) -> None:
        for tracker, target in list(self._trackers.values()):
            keys = tracker.keys()
            # keys the server refused to create (every PUT of them 4xx) are no leftovers: counted, not deleted
            self.store.cleanup["refused"] = self.store.cleanup.get("refused", 0) + len(tracker.refused())
            self.store.cleanup["attempted"] += len(keys)
            deleted, failed = delete_keys(target, keys)
            self.store.cleanup["deleted"] += deleted
            self.store.cleanup["failed"] += failed
            for bucket, key in keys + tracker.refused():
                if not any(f["key"] == key for f in failed):
                    tracker.forget(bucket, key)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for d in self._drivers.values():
            with contextlib.suppress(Exception):
                d.close()
        self._stack.close()
