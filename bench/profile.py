#!/usr/bin/env python3
"""Profile the standalone emulator with py-spy under load, and say where the time goes.

    python bench/profile.py [--seconds 10] [--out bench/results/profile] [--only get,put,bigput,list]

Scenarios: presigned 1 KiB GET and PUT under wrk -c16 -t2 (the small-request path), 256 MiB streaming PUTs,
and ListObjects pages at 10k keys. py-spy (root, or ptrace allowed) samples the server process at 250 Hz; idle
samples (the loop waiting in epoll) are left out, so percentages are of the time the server was busy.
Writes the collapsed stacks (*.txt, for flamegraph.pl or speedscope) and a summary (profile.md) to --out.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from clients import Responses, _connect, fill_bucket, now, run_wrk, signed, stream_put, write_put_script  # noqa: E402
from peers import BUCKET, REGION, BenchError, Peers  # noqa: E402

from emulator.sigv4 import presign_url  # noqa: E402

RATE = 250
SCENARIOS = ("get", "put", "bigput", "list")
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not os.path.exists(found):
        raise BenchError("py-spy not found: run bench/setup.sh (pip install py-spy)")
    return found


def record(pid: int, seconds: float, out: Path, load) -> dict:
    """Run ``load()`` while py-spy samples ``pid`` for ``seconds``; return what the load returned."""
    argv = [
        py_spy(),
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(RATE),
        "--duration",
        str(int(seconds)),
        "--format",
        "raw",
        "--function",
        "--output",
        str(out),
    ]
    spy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)  # py-spy attaches
        result = load()
    finally:
        try:
            _, err = spy.communicate(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            spy.kill()
            _, err = spy.communicate()
    if spy.returncode != 0 or not out.exists():
        raise BenchError(f"py-spy failed ({spy.returncode}): {err.strip()[-300:]}")
    return result


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/lib/python3."):
        if marker in file:
            tail = file.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3." else tail
    if "/emulator/" in file:
        return "emulator/" + file.split("/emulator/", 1)[1]
    return file


def _area(file: str, func: str) -> str:
    """A coarse bucket for a leaf frame: which layer burnt the CPU."""
    f = _short(file)
    if f.startswith("emulator/"):
        return f
    if f.startswith("aiohttp/"):
        return "aiohttp (" + f.split("/", 1)[1].removesuffix(".py") + ")"
    if f.startswith(("asyncio/", "selectors.py")):
        return "asyncio (event loop, transports)"
    if f.startswith(("urllib/", "hashlib", "hmac.py")):
        return "stdlib: " + f
    if f.startswith(("multidict", "yarl", "h11", "sortedcontainers")):
        return f.split("/", 1)[0]
    return "other: " + f


def summarise(raw: Path, top: int = 25) -> dict:
    """Self and inclusive shares per function, and self share per layer, from py-spy's collapsed stacks."""
    self_count: collections.Counter = collections.Counter()
    incl_count: collections.Counter = collections.Counter()
    area_count: collections.Counter = collections.Counter()
    own_incl: collections.Counter = collections.Counter()
    edge_count: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n = int(n)
        frames = []
        for frame in stack.split(";"):
            m = _FRAME.match(frame)
            func, file = (m.group("func"), m.group("file")) if m else (frame, "?")
            frames.append((func, file))
        # The thread name py-spy puts first ("process 123:..." / "Thread ...") is not a frame.
        frames = [f for f in frames if f[1] != "?"] or frames
        total += n
        leaf = frames[-1]
        self_count[f"{leaf[0]} ({_short(leaf[1])})"] += n
        area_count[_area(leaf[1], leaf[0])] += n
        for name in {f"{func} ({_short(file)})" for func, file in frames}:
            incl_count[name] += n
        own = [
            (f, file) for f, file in frames if _short(file).startswith("emulator/") and not file.endswith("__main__.py")
        ]
        for name in {f"{func} ({_short(file)})" for func, file in own if not file.endswith("cli.py")}:
            own_incl[name] += n
        # The leaf, charged to the deepest frame of the emulator's own code above it: what our code asked for.
        if own and own[-1] != leaf:
            edge_count[f"{own[-1][0]} -> {leaf[0]} ({_short(leaf[1])})"] += n
        elif own:
            edge_count[f"{leaf[0]} (own code, self)"] += n
        else:
            edge_count[f"outside any emulator frame -> {leaf[0]} ({_short(leaf[1])})"] += n

    def pct(counter):
        return [(name, round(100 * c / total, 1)) for name, c in counter.most_common(top)]

    return {
        "samples": total,
        "self": pct(self_count),
        "inclusive": pct(incl_count),
        "areas": pct(area_count),
        "own_inclusive": pct(own_incl),
        "charged": pct(edge_count),
    }


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # so `finally` ends every server this script started


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds of load per scenario (default 10)")
    ap.add_argument("--out", default=str(HERE / "results" / "profile"), help="where to write stacks and summary")
    ap.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios: " + ",".join(SCENARIOS))
    ap.add_argument("--summarise", metavar="STACKS", nargs="+", help="only summarise collapsed stacks already recorded")
    args = ap.parse_args(argv)
    if args.summarise:
        for path in args.summarise:
            print(json.dumps({path: summarise(Path(path))}, indent=1))
        return 0
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="s3prof-"))
    peers = Peers(work)
    summaries: dict[str, dict] = {}
    loads: dict[str, object] = {}
    try:
        emu = peers.emulator("emulator")
        seed = presign_url("PUT", f"{emu.endpoint}/{BUCKET}/small", emu.access_key, emu.secret_key, REGION, now(), 3600)
        req = urllib.request.Request(
            seed, data=b"s" * 1024, method="PUT", headers={"Content-Type": "application/octet-stream"}
        )
        urllib.request.urlopen(req, timeout=30).close()
        get_url = presign_url(
            "GET", f"{emu.endpoint}/{BUCKET}/small", emu.access_key, emu.secret_key, REGION, now(), 3600
        )
        put_url = presign_url(
            "PUT", f"{emu.endpoint}/{BUCKET}/small-put", emu.access_key, emu.secret_key, REGION, now(), 3600
        )
        script = write_put_script(work / "put.lua", 1024)
        big = work / "big.bin"
        if "bigput" in chosen:
            with open(big, "wb") as fh:
                for _ in range(256):
                    fh.write(os.urandom(1 << 20))
        for name in chosen:
            raw = out / f"{name}.txt"
            print(f"profiling {name} for {args.seconds:g} s ...", flush=True)
            if name == "get":
                loads[name] = record(emu.pid, args.seconds, raw, lambda: run_wrk(get_url, args.seconds - 1))
            elif name == "put":
                loads[name] = record(emu.pid, args.seconds, raw, lambda: run_wrk(put_url, args.seconds - 1, script))
            elif name == "bigput":

                def bigput():
                    rates, deadline = [], time.monotonic() + args.seconds - 1
                    while time.monotonic() < deadline and len(rates) < 50:
                        rates.append(round(stream_put(emu, f"/{BUCKET}/big", big)["mb_s"]))
                    return {"mb_s": rates}

                loads[name] = record(emu.pid, args.seconds, raw, bigput)
            elif name == "list":
                fill_bucket(emu, BUCKET, 10_000, lambda i: f"key-{i:08d}")

                def pages():
                    times, deadline = [], time.monotonic() + args.seconds - 1
                    with _connect(emu.port) as sock:
                        reader = Responses(sock)
                        while time.monotonic() < deadline and len(times) < 2000:
                            target = f"/{BUCKET}?marker=key-00005000&max-keys=1000"
                            head = "".join(
                                [f"GET {target} HTTP/1.1\r\n"]
                                + [f"{k}: {v}\r\n" for k, v in signed(emu, "GET", target).items()]
                                + ["\r\n"]
                            ).encode()
                            t = time.perf_counter()
                            sock.sendall(head)
                            status, _, _ = reader.response()
                            times.append((time.perf_counter() - t) * 1000)
                            if status != 200:
                                raise BenchError(f"list answered {status}")
                    return {"pages": len(times), "ms_median": sorted(times)[len(times) // 2]}

                loads[name] = record(emu.pid, args.seconds, raw, pages)
            else:
                raise BenchError(f"unknown scenario {name}")
            summaries[name] = summarise(raw)
    except BenchError as exc:
        print(f"profile: {exc}", file=sys.stderr)
        return 1
    finally:
        peers.close()
        shutil.rmtree(work, ignore_errors=True)
    try:
        commit = subprocess.run(
            ["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = "?"
    lines = [
        f"# Profile of the emulator at commit {commit} ({time.strftime('%Y-%m-%d %H:%M')}, py-spy {RATE} Hz, "
        "idle samples left out)",
        "",
        f"Command: python bench/profile.py {' '.join(sys.argv[1:] if argv is None else argv)}",
        "",
    ]
    for name, s in summaries.items():
        load = loads.get(name)
        shown = (
            {k: v for k, v in load.items() if k in ("rps", "non_2xx", "mb_s", "pages", "ms_median")}
            if isinstance(load, dict)
            else load
        )
        lines += [
            f"## {name}: {s['samples']} busy samples; load {shown}",
            "",
            "By layer (self time of the leaf frame):",
            "",
        ]
        lines += [f"- {pct:5.1f}%  {area}" for area, pct in s["areas"][:12]]
        lines += ["", "Top functions, self time:", ""]
        lines += [f"- {pct:5.1f}%  {fn}" for fn, pct in s["self"][:20]]
        lines += ["", "The emulator's own functions, inclusive (on the stack):", ""]
        lines += [f"- {pct:5.1f}%  {fn}" for fn, pct in s["own_inclusive"][:20]]
        lines += ["", "Leaf frames charged to the deepest emulator function calling them:", ""]
        lines += [f"- {pct:5.1f}%  {fn}" for fn, pct in s["charged"][:25]]
        lines += ["", "Top functions, inclusive (on the stack):", ""]
        lines += [f"- {pct:5.1f}%  {fn}" for fn, pct in s["inclusive"][:25]]
        lines.append("")
    (out / "profile.md").write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"stacks and summary in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
