"""TLS for the emulator: a certificate made on the fly with trustme, or one the user gives."""

from __future__ import annotations

import ipaddress
import os
import ssl
from dataclasses import dataclass

import trustme


@dataclass(frozen=True)
class TlsMaterial:
    context: ssl.SSLContext
    ca_file: str | None  # the CA PEM clients should trust; None for a user-given certificate


def identities(host: str, domains: tuple[str, ...]) -> list[str]:
    names = ["localhost", "127.0.0.1", "::1"]
    for domain in domains:
        names += [domain, f"*.{domain}"]
    try:
        ipaddress.ip_address(host)
        names.append(host)
    except ValueError:
        if host not in ("", "0.0.0.0"):
            names.append(host)
    return list(dict.fromkeys(names))


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.set_alpn_protocols(["http/1.1"])
    return context


def generated(host: str, domains: tuple[str, ...], ca_file: str) -> TlsMaterial:
    """A fresh CA and a server certificate for every name a client may use; the CA PEM goes to ``ca_file``."""
    ca = trustme.CA(organization_name="S3 emulator test CA")
    cert = ca.issue_cert(*identities(host, domains))
    context = _context()
    cert.configure_cert(context)
    fd = os.open(ca_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)  # a CA certificate is public
    with os.fdopen(fd, "wb") as out:
        out.write(ca.cert_pem.bytes())
    return TlsMaterial(context, ca_file)


def given(cert_file: str, key_file: str) -> TlsMaterial:
    context = _context()
    context.load_cert_chain(cert_file, key_file)
    return TlsMaterial(context, None)
