"""The HTTP transport: 100-continue, keep-alive, chunked bodies, proxy forms, a given certificate."""

from __future__ import annotations

import datetime
import hashlib
import socket
import ssl
from urllib.parse import urlsplit

import trustme

from emulator import Emulator, EmulatorConfig, sigv4
from emulator.accounts import Account

from .conftest import ACCESS_KEY, BUCKET, DOMAIN, SECRET_KEY, client
from .rawhttp import sign


def _connect(url: str, timeout: float = 10) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=timeout)


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    return data


def _head_bytes(method: str, target: str, headers: dict, url: str | None = None) -> bytes:
    if url is not None and not any(k.lower() == "host" for k in headers):
        headers = {"Host": urlsplit(url).netloc, **headers}
    lines = [f"{method} {target} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_expect_100_continue_is_answered_before_the_body(emu_http):
    body = b"x" * 5000
    headers = sign(emu_http, "PUT", f"/{BUCKET}/expect", {"Expect": "100-continue"}, body)
    headers["Content-Length"] = str(len(body))
    with _connect(emu_http.endpoint_url) as sock:
        sock.sendall(_head_bytes("PUT", f"/{BUCKET}/expect", headers, emu_http.endpoint_url))
        interim = sock.recv(4096)  # bounded by the socket timeout: without 100 Continue this raises
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        assert _read_head(sock).startswith(b"HTTP/1.1 200")


def test_expect_100_continue_refused_early_without_reading_the_body(emu_http):
    headers = sign(emu_http, "PUT", f"/{BUCKET}/expect", {"Expect": "100-continue"}, b"x", secret_key="wrong")
    headers["Content-Length"] = "1"
    with _connect(emu_http.endpoint_url) as sock:
        sock.sendall(_head_bytes("PUT", f"/{BUCKET}/expect", headers, emu_http.endpoint_url))
        assert _read_head(sock).startswith(b"HTTP/1.1 403")


def test_keep_alive_serves_several_requests_on_one_connection(emu_http):
    with _connect(emu_http.endpoint_url) as sock:
        for _ in range(3):
            headers = sign(emu_http, "GET", "/")
            sock.sendall(_head_bytes("GET", "/", headers, emu_http.endpoint_url))
            head = _read_head(sock)
            assert head.startswith(b"HTTP/1.1 200")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            rest = head.split(b"\r\n\r\n", 1)[1]
            while len(rest) < length:
                rest += sock.recv(65536)


def test_plain_chunked_transfer_encoding_upload(emu_http):
    body = b"chunked body " * 1000
    url = f"{emu_http.endpoint_url}/{BUCKET}/te-chunked"
    headers = {"Host": urlsplit(url).netloc}
    now = datetime.datetime.now(datetime.timezone.utc)
    headers.update(
        sigv4.sign_headers("PUT", url, headers, "UNSIGNED-PAYLOAD", ACCESS_KEY, SECRET_KEY, "us-east-1", now)
    )
    headers["Transfer-Encoding"] = "chunked"
    framed = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:7000], body[7000:])) + b"0\r\n\r\n"
    with _connect(emu_http.endpoint_url) as sock:
        sock.sendall(_head_bytes("PUT", f"/{BUCKET}/te-chunked", headers, emu_http.endpoint_url) + framed)
        assert _read_head(sock).startswith(b"HTTP/1.1 200")
    got = client(emu_http).get_object(Bucket=BUCKET, Key="te-chunked")["Body"].read()
    assert hashlib.md5(got).digest() == hashlib.md5(body).digest()


def test_absolute_form_proxy_request_selects_the_virtual_host_bucket(emu_http):
    host = f"{BUCKET}.{DOMAIN}"
    headers = sign(emu_http, "GET", "/", host=host)
    with _connect(emu_http.proxy_url) as sock:
        sock.sendall(_head_bytes("GET", f"http://{host}/?max-keys=1", {**headers, "Host": host}))
        head = _read_head(sock)
    # The signature covered "/" without the query: a mismatch proves the target was parsed, 200 needs both.
    assert head.startswith(b"HTTP/1.1 403") or head.startswith(b"HTTP/1.1 200")
    headers = sign(emu_http, "GET", "/?max-keys=1", host=host)
    with _connect(emu_http.proxy_url) as sock:
        sock.sendall(_head_bytes("GET", f"http://{host}/?max-keys=1", {**headers, "Host": host}))
        head = _read_head(sock)
    assert head.startswith(b"HTTP/1.1 200"), head
    assert f"<Name>{BUCKET}</Name>".encode() in head


def test_connect_tunnels_into_tls_with_the_emulators_certificate(emu_https):
    host = f"{BUCKET}.{DOMAIN}"
    with _connect(emu_https.proxy_url) as raw:
        raw.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
        assert _read_head(raw).startswith(b"HTTP/1.1 200")
        context = ssl.create_default_context(cafile=emu_https.ca_file)
        with context.wrap_socket(raw, server_hostname=host) as tls:
            headers = sign(emu_https, "GET", "/", host=host)
            tls.sendall(_head_bytes("GET", "/", {**headers, "Host": host}))
            head = _read_head(tls)
    assert head.startswith(b"HTTP/1.1 200"), head
    assert f"<Name>{BUCKET}</Name>".encode() in head


def test_given_certificate_and_key(tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    config = EmulatorConfig(accounts=(Account(ACCESS_KEY, SECRET_KEY),), tls_cert=str(cert_file), tls_key=str(key_file))
    with Emulator(config=config) as emu:
        assert emu.endpoint_url.startswith("https://") and emu.ca_file is None
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=emu.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            verify=str(tmp_path / "ca.pem"),
        )
        assert s3.list_buckets()["Buckets"] == []
