"""S3 response bodies, built with ElementTree (namespace and date formats as S3 writes them)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from xml.etree import ElementTree as ET

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def iso8601(epoch: float) -> str:
    """Listing dates: `2009-10-12T17:50:30.000Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


def element(tag: str, **attrs: str) -> ET.Element:
    return ET.Element(tag, attrs)


def add(parent: ET.Element, tag: str, text: str | int | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def add_all(parent: ET.Element, pairs: Iterable[tuple[str, str | int | None]]) -> None:
    for tag, text in pairs:
        add(parent, tag, text)


def serialise(root: ET.Element) -> bytes:
    return _DECLARATION + ET.tostring(root, encoding="utf-8")
