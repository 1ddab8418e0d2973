"""Drivers: one per real client, all behind the ``Driver`` protocol.

``adapt(step)`` returns the step as the client really performs it (e.g. s3cmd always lists every page, so a
ListObjects becomes ListObjects(all_pages=True)), or a string saying why the client cannot express it
("not applicable"). The model and the reference then run the adapted step, so each client is judged on
what it actually asked for. ``run(step)`` performs it and returns an Observation with the wire exchange.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from harness.observation import Observation
from harness.steps import Step
from harness.targets import Target


@runtime_checkable
class Driver(Protocol):
    name: str  # boto3 | s3cmd | awscli
    variant: str  # e.g. "when_supported", "s3api", "disable-multipart"
    target: Target

    def version(self) -> str: ...

    def settings(self) -> dict: ...

    def adapt(self, step: Step) -> Step | str: ...

    def run(self, step: Step) -> Observation: ...

    def reproduction(self, step: Step) -> str: ...

    def close(self) -> None: ...


@contextlib.contextmanager
def private_dir(prefix: str) -> Iterator[str]:
    """A 0700 temporary directory, removed afterwards: config files with secrets live only here."""
    path = tempfile.mkdtemp(prefix=prefix)
    os.chmod(path, 0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def write_private(path: str, text: str) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def make_driver(name: str, target: Target, variant: str | None = None) -> Driver:
    if name == "boto3":
        from harness.drivers.boto3.driver import Boto3Driver

        return Boto3Driver(target, variant or "when_supported")
    if name == "s3cmd":
        from harness.drivers.s3cmd.driver import S3cmdDriver

        return S3cmdDriver(target, variant or "doc")
    if name == "awscli":
        from harness.drivers.awscli.driver import AwsCliDriver

        return AwsCliDriver(target, variant or "s3api")
    if name == "http":
        from harness.drivers.wire.driver import WireDriver

        return WireDriver(target, variant or "sigv4")
    raise ValueError(f"unknown driver {name!r}")


DRIVERS = ("boto3", "s3cmd", "awscli")
