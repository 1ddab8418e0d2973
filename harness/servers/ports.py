"""Free TCP ports on 127.0.0.1.

A port found free can be taken by someone else before the server binds it; the servers' readiness checks then
fail with the server's own log named, and the run stops with one line (never a silent wrong endpoint)."""

from __future__ import annotations

import contextlib
import socket

GRPC_OFFSET = 10000  # SeaweedFS: every component's gRPC port is its HTTP port + 10000


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int, *, with_grpc: bool = False, low: int = 20000, high: int = 55000) -> list[int]:
    """``count`` distinct free ports; with ``with_grpc``, each port's +10000 is free as well and no chosen port
    collides with another's +10000. Ephemeral ports are asked from the kernel, so the loop is bounded by tries."""
    chosen: list[int] = []
    taken: set[int] = set()
    for _ in range(count * 200):
        if len(chosen) == count:
            break
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if with_grpc:
            port = low + port % (high - low - GRPC_OFFSET)  # leave room for +10000 below 65535
            pair = {port, port + GRPC_OFFSET}
            if pair & taken or not all(_bindable(p) for p in pair):
                continue
        elif port in taken:
            continue
        chosen.append(port)
        taken |= {port, port + GRPC_OFFSET} if with_grpc else {port}
    if len(chosen) != count:
        raise OSError(f"could not find {count} free loopback ports")
    return chosen


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False
