"""Shared fixtures: running emulators (HTTP and HTTPS), credentials, real clients."""

from __future__ import annotations

import os
import shutil
import sys

import boto3
import pytest
from botocore.config import Config

from emulator import Emulator

ACCESS_KEY = "AKIAEMULATORTEST0001"
SECRET_KEY = "emulator/secret+key/for/tests/only0001"
OTHER_ACCESS_KEY = "AKIAEMULATORTEST0002"
OTHER_SECRET_KEY = "second-account-secret-key-000000000002"
BUCKET = "bucket-one"
OTHER_BUCKET = "bucket-of-another-account"
DOMAIN = "stdcdn.test"
BIN = os.path.dirname(sys.executable)


def tool(name: str) -> str:
    """The executable installed beside this Python (tox's env), else on PATH."""
    path = os.path.join(BIN, name)
    found = path if os.access(path, os.X_OK) else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install the project with its 'test' extra")
    return found


def new_emulator(tls: bool, **kw) -> Emulator:
    return Emulator(
        buckets=[BUCKET, (OTHER_BUCKET, OTHER_ACCESS_KEY)],
        credentials=[(ACCESS_KEY, SECRET_KEY), (OTHER_ACCESS_KEY, OTHER_SECRET_KEY)],
        tls=tls,
        domains=("localhost", "stdcdn.com", DOMAIN),
        **kw,
    )


@pytest.fixture(scope="session")
def emu_http():
    with new_emulator(tls=False) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def emu_https():
    with new_emulator(tls=True) as emulator:
        yield emulator


@pytest.fixture(params=["http", "https"])
def emu(request):
    """The emulator over HTTP and over HTTPS: botocore changes the request shape by scheme."""
    emulator = request.getfixturevalue(f"emu_{request.param}")
    yield emulator
    emulator.check()


def client(emulator: Emulator, *, access_key=ACCESS_KEY, secret_key=SECRET_KEY, **config) -> object:
    """boto3 with its default configuration except for no retries (retries hide failures)."""
    config.setdefault("retries", {"total_max_attempts": 1})
    return boto3.client(
        "s3",
        endpoint_url=emulator.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        verify=emulator.ca_file or True,
        config=Config(**config),
    )


@pytest.fixture
def s3(emu):
    c = client(emu)
    yield c
    c.close()


@pytest.fixture
def key(request) -> str:
    """A key unique to the test, so tests sharing an emulator never collide."""
    return f"t/{request.node.name}/obj"
