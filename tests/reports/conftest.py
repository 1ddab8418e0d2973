"""Fixtures of the report and gate tests: synthetic runs, built and written."""

from __future__ import annotations

import json
import os

import pytest

from harness.report import build_report, write_reports
from tests.reports import synthetic


@pytest.fixture(autouse=True)
def _no_secret_env(monkeypatch):
    # tests decide themselves which secrets are in the environment
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def realistic() -> dict:
    return synthetic.realistic()


@pytest.fixture
def hostile() -> dict:
    return synthetic.hostile()


@pytest.fixture
def realistic_report(realistic) -> dict:
    return build_report(realistic)


def dump(path, data) -> str:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
    return str(path)


@pytest.fixture
def written(tmp_path, realistic) -> dict[str, str]:
    return write_reports(dump(tmp_path / "results.json", realistic), tmp_path)
