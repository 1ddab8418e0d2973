"""The target registry: one entry per kind of endpoint (``--target NAME``).

Adding a kind = one module here defining ``KIND`` (harness/kinds/base.py: how to start it, its scheme/addressing
labels, its profile, its ledger, how to validate it) + one entry in ``KINDS``. The plugin, the session context and
the checks ask the registry; none of them branches on a target's name.
"""

from __future__ import annotations

from harness.kinds import emulator, live, moto, rgw, seaweedfs
from harness.kinds.base import TargetKind

KINDS: dict[str, TargetKind] = {k.name: k for k in (emulator.KIND, moto.KIND, live.KIND, rgw.KIND, seaweedfs.KIND)}


def kind(name: str) -> TargetKind:
    return KINDS[name]


__all__ = ["KINDS", "TargetKind", "kind"]
