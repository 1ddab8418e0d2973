"""The master's history file: merged ops, the tightest clock bound per worker, and workers whose summary is missing."""

from __future__ import annotations

from dataclasses import asdict

from harness.load.history import Op, WorkerSummary, load_history, write_lines
from harness.load.report import consistency


def test_merge_clock_and_missing_workers(tmp_path):
    path = str(tmp_path / "h.jsonl")
    op = Op("a/1", "PutObject", 0, "a", "a/u1", 10.0, 10.1, 200, value="a/1", md5="m")
    write_lines(path, [
        {"run": {"started": 9.0}}, {"hello": "a"}, {"hello": "b"},
        {"clock": {"worker": "a", "offset": 0.5, "uncertainty": 0.6}},
        {"clock": {"worker": "a", "offset": 0.01, "uncertainty": 0.002}},  # a shorter round trip: kept
        {"clock": {"worker": "a", "offset": 0.3, "uncertainty": 0.4}},
        {"ops": [op.row(), Op("a/2", "ListObjects", None, "a", "a/u1", 10.2, 10.3, 200, listed=(0,)).row()]},
        {"summary": asdict(WorkerSummary("a", 2, 1.0, 0.5, 1000.0, False, 0.0, 0.0, True))},
        {"run": {"finished": 12.0, "cpu_warning": False}},
    ])
    h = load_history(path)
    assert h.ops[0] == op and h.ops[1].listed == (0,)
    assert h.workers[0].clock_offset == 0.01 and round(h.skew, 6) == 0.012
    assert (h.started, h.finished, h.flags) == (9.0, 12.0, {"cpu_warning": False})
    assert h.missing_workers == ["b"]  # said hello, never sent its summary: its records may be lost
    c = consistency(h, [])
    assert c["verdict"] == "incomplete" and c["missing_workers"] == ["b"]
