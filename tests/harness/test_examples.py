"""One Hypothesis example database per target (issue 10): a failing example saved against one target is never
replayed against another, and a run lists what it replayed."""

from __future__ import annotations

from harness.examples import RecordingDatabase, database_dir


def test_each_target_has_its_own_directory_and_off_means_none():
    dirs = {database_dir(t) for t in ("emulator", "moto", "rgw", "seaweedfs")}
    assert len(dirs) == 4
    assert database_dir("live", "https://a.example", "b1") != database_dir("live", "https://a.example", "b2")
    assert database_dir("emulator", option="off") is None
    assert database_dir("emulator", option="/x") == "/x"


def test_consecutive_runs_against_different_targets_share_no_replayed_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = RecordingDatabase(database_dir("emulator"))
    first.save(b"stateful-test-key", b"a failing example")
    assert list(first.fetch(b"stateful-test-key")) == [b"a failing example"]
    assert len(first.summary()["replayed"]) == 1  # the same target replays it, and says so
    other = RecordingDatabase(database_dir("moto"))
    assert list(other.fetch(b"stateful-test-key")) == []
    assert other.summary()["replayed"] == []
