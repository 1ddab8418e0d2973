"""The workload model: what the Locust users do, configurable and recorded in the report as it ran.

- ``mix``: relative weights of the seven operations (names from the S3 API reference);
- ``sizes``: object body sizes and their weights, 0 bytes to a few MiB (bodies above ``sign_payload_limit`` are sent
  with UNSIGNED-PAYLOAD and a Content-MD5, so a body is made once and never copied to be hashed twice);
- ``keys``: the key-space size; ``hot_keys`` / ``hot_share``: the few keys that share of operations goes to, so users
  overlap on purpose (every user draws from the same key space);
- users, spawn rate, think time, duration, and the request bound: what Locust is told.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import asdict, dataclass, field

OPERATIONS = ("ListBuckets", "HeadBucket", "ListObjects", "PutObject", "GetObject", "HeadObject", "DeleteObject")
WRITES = frozenset({"PutObject", "DeleteObject"})
MiB = 1024 * 1024
MAX_KEYS = 1000  # one ListObjects page covers the whole key space, so each listing is one atomic observation
MAX_SIZE = 8 * MiB

DEFAULT_MIX = {"PutObject": 30, "GetObject": 30, "HeadObject": 10, "DeleteObject": 10, "ListObjects": 15,
               "HeadBucket": 3, "ListBuckets": 2}
DEFAULT_SIZES = {0: 5, 1024: 50, 64 * 1024: 30, 1 * MiB: 10, 3 * MiB: 5}


class WorkloadError(ValueError):
    """A bad workload option; the message is the one line s3-load prints."""


def parse_weights(text: str, what: str, parse_key=str) -> dict:
    """'PutObject=3,GetObject=5' -> {'PutObject': 3, 'GetObject': 5}; sizes accept K/M suffixes."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, weight = part.partition("=")
        try:
            key = parse_key(name.strip())
            w = float(weight) if sep else 1.0
        except ValueError:
            raise WorkloadError(f"{what}: cannot read {part!r} (expected NAME=WEIGHT)") from None
        if w < 0:
            raise WorkloadError(f"{what}: weight of {name!r} is negative")
        out[key] = w
    if not out or not any(out.values()):
        raise WorkloadError(f"{what}: no positive weight in {text!r}")
    return out


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MiB}
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    n = int(float(t[:-1]) * units[t[-1]]) if t and t[-1] in units else int(t)
    if not 0 <= n <= MAX_SIZE:
        raise ValueError(text)
    return n


@dataclass(frozen=True)
class Workload:
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    sizes: dict[int, float] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    keys: int = 64
    hot_keys: int = 4
    hot_share: float = 0.5
    users: int = 8
    spawn_rate: float = 8.0
    think_time: tuple[float, float] = (0.0, 0.05)
    duration: float = 20.0
    max_requests: int = 20000
    sign_payload_limit: int = 256 * 1024
    seed: int = 0

    def __post_init__(self) -> None:
        bad = sorted(set(self.mix) - set(OPERATIONS))
        if bad:
            raise WorkloadError(f"--mix: unknown operation {bad[0]!r} (one of {', '.join(OPERATIONS)})")
        if not 1 <= self.keys <= MAX_KEYS:
            raise WorkloadError(f"--keys must be 1..{MAX_KEYS} (one listing page holds the key space)")
        if not 0 <= self.hot_keys <= self.keys or not 0 <= self.hot_share <= 1:
            raise WorkloadError("--hot-keys must be 0..--keys and --hot-share 0..1")
        if self.users < 1 or self.spawn_rate <= 0 or self.duration <= 0 or self.max_requests < 1:
            raise WorkloadError("--users, --spawn-rate, --duration and --max-requests must be positive")
        lo, hi = self.think_time
        if not 0 <= lo <= hi:
            raise WorkloadError("--think-time must be MIN,MAX with 0 <= MIN <= MAX")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["sizes"] = {str(k): v for k, v in self.sizes.items()}
        d["think_time"] = list(self.think_time)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Workload:
        d = dict(d)
        d["sizes"] = {int(k): v for k, v in d["sizes"].items()}
        d["think_time"] = tuple(d["think_time"])
        return cls(**d)


def key_name(index: int) -> str:
    """The relative key of slot ``index``; the run prefix + 'load/' goes in front."""
    return f"k{index:04d}"


class Draw:
    """The random choices of one user, reproducible from (seed, worker, user)."""

    def __init__(self, workload: Workload, stream: str):
        self.w = workload
        self.rng = random.Random(f"{workload.seed}/{stream}")
        self._ops, self._op_w = zip(*[(k, v) for k, v in workload.mix.items() if v > 0], strict=True)
        self._sizes, self._size_w = zip(*[(k, v) for k, v in workload.sizes.items() if v > 0], strict=True)

    def operation(self) -> str:
        return self.rng.choices(self._ops, self._op_w)[0]

    def key_index(self) -> int:
        if self.w.hot_keys and self.rng.random() < self.w.hot_share:
            return self.rng.randrange(self.w.hot_keys)
        return self.rng.randrange(self.w.keys)

    def size(self) -> int:
        return self.rng.choices(self._sizes, self._size_w)[0]

    def think(self) -> float:
        lo, hi = self.w.think_time
        return self.rng.uniform(lo, hi) if hi else 0.0


def make_body(token: str, size: int) -> bytes:
    """A body of exactly ``size`` bytes that depends on ``token`` (the write's id). Bodies of a few bytes can repeat,
    so a write is identified by its token (sent as x-amz-meta-load-token and read back), and the body's MD5 is
    recorded to check that a read returned that write's bytes."""
    if size == 0:
        return b""
    head = (token + "\n").encode()
    if size <= len(head):
        return hashlib.sha256(head).hexdigest().encode()[:size]
    fill = size - len(head)
    block = hashlib.sha256(head).digest() * 2048  # 64 KiB of token-dependent bytes
    reps, rest = divmod(fill, len(block))
    return head + block * reps + block[:rest]
