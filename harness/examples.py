"""Hypothesis's example database, one per target, and a record of what a run replayed from it (issue 10).

Hypothesis saves every failing example and replays it first in the next run (its ``reuse`` phase). With the default
database (``.hypothesis/`` in the checkout) a gap found against one target was replayed against every other target
afterwards, so runs against different targets were not independent. Here each target gets its own directory
(``.hypothesis/examples/<target>``; a live endpoint is keyed by a hash of its URL and bucket), ``--hypothesis-db off``
uses none, and the run's results.json lists the saved examples it replayed (``hypothesis_db``): the database state
plus ``--hypothesis-seed`` reproduce a run. https://hypothesis.readthedocs.io/en/latest/database.html
"""

from __future__ import annotations

import hashlib
import os
import threading

from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = os.path.join(".hypothesis", "examples")


def database_dir(target_name: str, endpoint: str = "", bucket: str = "", option: str | None = None) -> str | None:
    """Where this target's examples live; None for ``--hypothesis-db off``."""
    if option == "off":
        return None
    if option:
        return option
    if target_name == "live":
        digest = hashlib.sha256(f"{endpoint}|{bucket}".encode()).hexdigest()[:16]
        return os.path.join(ROOT, f"live-{digest}")
    return os.path.join(ROOT, target_name)


class RecordingDatabase(DirectoryBasedExampleDatabase):
    """A directory database that remembers which saved examples it handed back (i.e. were replayed)."""

    def __init__(self, path: str):
        super().__init__(path)  # keeps self.path as Hypothesis' own Path (a str there breaks every save)
        self.replayed: list[str] = []
        self._lock = threading.Lock()

    def fetch(self, key: bytes):
        for value in super().fetch(key):
            with self._lock:
                self.replayed.append(hashlib.sha256(key + b"\0" + value).hexdigest()[:16])
            yield value

    def summary(self) -> dict:
        with self._lock:
            return {"path": str(self.path), "replayed": sorted(set(self.replayed))}
