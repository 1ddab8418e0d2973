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
    name: str  # a name in harness.drivers.registry.CLIENTS
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
    """A driver for client ``name`` (harness.drivers.registry) on ``target``, in ``variant`` or its default."""
    from harness.drivers.registry import spec

    s = spec(name)
    if variant is not None:
        s.variant(variant)  # an unknown variant is a harness bug: fail here, by name
    driver = s.load()(target, variant or s.default_variant)
    driver.spec = s
    return driver


def __getattr__(name: str):
    if name == "DRIVERS":  # every client's name, from the one registry
        from harness.drivers.registry import NAMES

        return NAMES
    raise AttributeError(name)
