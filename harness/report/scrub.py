"""Make results safe to publish: no secret, no string that a UTF-8 or XML writer would choke on.

The harness already redacts what it records; this is the second line of defence, applied to everything a
report contains:

- values of secret headers (Authorization, X-Amz-Security-Token, Proxy-Authorization) -> REDACTED (the
  signature scheme and the SignedHeaders list are kept, as the harness keeps them);
- signature / credential query parameters of URLs (presigned URLs) -> REDACTED;
- user:password@ in URLs -> removed;
- any literal secret value passed in (and the values of AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN from the
  environment) -> the variable name, e.g. ``$AWS_SECRET_ACCESS_KEY``;
- lone UTF-16 surrogates (json.loads accepts "\\udc80") -> the text ``\\udc80``, so every writer can encode.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token", "proxy-authorization", "cookie"})
SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_SIG_QUERY = re.compile(
    r"((?:X-Amz-Signature|Signature|X-Amz-Credential|AWSAccessKeyId|X-Amz-Security-Token)=)[^&\s\"'<>]*",
    re.IGNORECASE)
_USERINFO = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^/@\s\"'<>]+@", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Scrubber:
    def __init__(self, secrets: Iterable[str] = (), *, use_env: bool = True):
        pairs: dict[str, str] = {}
        for s in secrets:
            if s and len(s) >= 6:
                pairs[s] = "$SECRET"
        if use_env:
            for name in SECRET_ENV:
                value = os.environ.get(name, "")
                if len(value) >= 6:
                    pairs[value] = "$" + name
        # longest first, so that a secret containing another is replaced whole
        self._secrets = sorted(pairs.items(), key=lambda kv: -len(kv[0]))

    def text(self, s: str) -> str:
        if _SURROGATE.search(s):
            s = _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", s)
        for value, name in self._secrets:
            if value in s:
                s = s.replace(value, name)
        if "=" in s:
            s = _SIG_QUERY.sub(r"\1REDACTED", s)
        if "@" in s:
            s = _USERINFO.sub(r"\1", s)
        return s

    def header_value(self, v: object) -> str:
        v = str(v)
        if "REDACTED" in v:
            return self.text(v)
        m = re.match(r"(AWS4-HMAC-SHA256|AWS)\s", v)
        signed = re.search(r"SignedHeaders=([^,\s]+)", v)
        return (m.group(1) + " " if m else "") + "REDACTED" + (f" SignedHeaders={signed.group(1)}" if signed else "")

    def __call__(self, obj: object, key: str = "") -> object:
        """A scrubbed deep copy of a JSON-like value."""
        if isinstance(obj, str):
            if key.lower() in SECRET_HEADERS:
                return self.header_value(obj)
            return self.text(obj)
        if isinstance(obj, dict):
            return {self.text(str(k)): self(v, str(k)) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self(v) for v in obj]
        return obj


def xml_text(s: object) -> str:
    """Text that XML 1.0 accepts: control characters become visible escapes (\\x01)."""
    s = str(s)
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s) if _XML_ILLEGAL.search(s) else s
