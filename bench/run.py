#!/usr/bin/env python3
"""Benchmark the emulator against moto's server, s3rver and nginx, interleaved, in one run.

    bash bench/setup.sh                       # once: wrk, nginx, s3rver, moto[server], py-spy
    python bench/run.py [--quick] [--json FILE] [--only small,boto3,big,datadir,list]

Prints a table of ratios against the targets of the issue and writes every raw number as JSON
(default bench/results/last-run.json). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from clients import (  # noqa: E402
    MemWatch,
    Responses,
    _connect,
    fill_bucket,
    md5_rate,
    now,
    run_wrk,
    signed,
    stream_get,
    stream_put,
    write_put_script,
)
from peers import BUCKET, REGION, REPO, S3RVER_JS, BenchError, Peers, Server  # noqa: E402

from emulator.sigv4 import presign_url  # noqa: E402

SMALL = 1024
BIG = 256 * 1024 * 1024
PHASES = ("small", "boto3", "big", "datadir", "list")


def rotate(items: list, k: int) -> list:
    k %= len(items)
    return items[k:] + items[:k]


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


LOAD: list[tuple[str, str]] = []  # (what, /proc/loadavg) at each phase: other work on the machine shows here


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def note_load(what: str) -> None:
    try:
        LOAD.append((what, " ".join(open("/proc/loadavg").read().split()[:3])))
    except OSError:
        pass


# -- phase 1: presigned 1 KiB GET and PUT with wrk ------------------------------------------------------------------
def phase_small(peers: list[Server], nginx: Server | None, work: Path, reps: int, seconds: float) -> dict:
    put_script = write_put_script(work / "put.lua", SMALL)
    urls: dict[str, dict[str, str]] = {}
    for s in peers:
        get_url = presign_url("GET", f"{s.endpoint}/{BUCKET}/small", s.access_key, s.secret_key, REGION, now(), 86400)
        put_url = presign_url(
            "PUT", f"{s.endpoint}/{BUCKET}/small-put", s.access_key, s.secret_key, REGION, now(), 86400
        )
        seed = presign_url("PUT", f"{s.endpoint}/{BUCKET}/small", s.access_key, s.secret_key, REGION, now(), 86400)
        req = urllib.request.Request(
            seed, data=b"s" * SMALL, method="PUT", headers={"Content-Type": "application/octet-stream"}
        )
        urllib.request.urlopen(req, timeout=30).close()
        with urllib.request.urlopen(get_url, timeout=30) as r:
            if len(r.read()) != SMALL:
                raise BenchError(f"{s.name}: the seeded 1 KiB object does not read back as 1 KiB")
        # One PUT to the PUT URL with wrk's headers, read back: the PUT run really stores bodies.
        req = urllib.request.Request(
            put_url, data=b"a" * SMALL, method="PUT", headers={"Content-Type": "application/octet-stream"}
        )
        urllib.request.urlopen(req, timeout=30).close()
        check = presign_url("GET", f"{s.endpoint}/{BUCKET}/small-put", s.access_key, s.secret_key, REGION, now(), 600)
        with urllib.request.urlopen(check, timeout=30) as r:
            if r.read() != b"a" * SMALL:
                raise BenchError(f"{s.name}: a presigned PUT of 1 KiB does not read back")
        urls[s.name] = {"GET": get_url, "PUT": put_url}
    runs: dict[str, dict[str, list]] = {s.name: {"GET": [], "PUT": []} for s in peers}
    if nginx is not None:
        runs["nginx"] = {"GET": []}
    order = list(peers) + ([nginx] if nginx is not None else [])
    for rep in range(reps):
        for method in ("GET", "PUT"):
            for s in rotate(order, rep):
                if s.name == "nginx":
                    if method != "GET":
                        continue
                    result = run_wrk(f"{s.endpoint}/small.bin", seconds)
                else:
                    script = put_script if method == "PUT" else None
                    result = run_wrk(urls[s.name][method], seconds, script)
                runs[s.name][method].append(result)
                flag = "" if result["non_2xx"] == 0 else f"  !! {result['non_2xx']} non-2xx"
                say(f"small {method} {s.name:<9} rep {rep + 1}/{reps}: {result['rps']:9.0f} req/s{flag}")
    # What each S3 peer holds under the PUT key after the last wrk run. wrk abandons its in-flight requests when its
    # time is up: a store that writes in place (s3rver) is then left with a torn object; the emulator must not be.
    after = {}
    for s in peers:
        get_put = presign_url("GET", f"{s.endpoint}/{BUCKET}/small-put", s.access_key, s.secret_key, REGION, now(), 600)
        with urllib.request.urlopen(get_put, timeout=30) as r:
            after[s.name] = len(r.read())
        if after[s.name] != SMALL:
            say(f"small PUT {s.name}: after wrk the object reads back as {after[s.name]} bytes, not {SMALL} (torn)")
    if after.get("emulator") != SMALL:
        raise BenchError("the emulator holds a torn object after the wrk PUT run")
    out = {}
    for name, by_method in runs.items():
        out[name] = {}
        for method, results in by_method.items():
            out[name][method] = summarise_runs(results)
        if name in after:
            out[name]["PUT"]["bytes_after_wrk"] = after[name]
    return out


def summarise_runs(results: list[dict]) -> dict:
    """Median req/s of the wrk runs that count: under 1% errors (a stray 500 from a peer under load is noted, not
    fatal); the rate of such a run is of all its answers, as wrk counts them."""
    valid = [r["rps"] for r in results if r["non_2xx"] <= 0.01 * (r["requests"] or 0)]
    return {
        "rps_median": median(valid),
        "rps_all": [r["rps"] for r in results],
        "non_2xx_total": sum(r["non_2xx"] for r in results),
        "runs": results,
        "valid": len(valid) == len(results),
    }


# -- phase 2: boto3, one client, sequential ---------------------------------------------------------------------
def phase_boto3(peers: list[Server], reps: int, count: int, time_limit: float) -> dict:
    import boto3
    from botocore.config import Config

    clients = {
        s.name: boto3.client(
            "s3",
            endpoint_url=s.endpoint,
            aws_access_key_id=s.access_key,
            aws_secret_access_key=s.secret_key,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )
        for s in peers
    }
    body = b"b" * SMALL
    ops = ("put", "get", "head", "delete")
    samples: dict[str, dict[str, list[float]]] = {s.name: {op: [] for op in ops} for s in peers}
    for rep in range(reps):
        for s in rotate(list(peers), rep):
            c = clients[s.name]
            calls = {
                "put": lambda k, c=c: c.put_object(Bucket=BUCKET, Key=k, Body=body),
                "get": lambda k, c=c: c.get_object(Bucket=BUCKET, Key=k)["Body"].read(),
                "head": lambda k, c=c: c.head_object(Bucket=BUCKET, Key=k),
                "delete": lambda k, c=c: c.delete_object(Bucket=BUCKET, Key=k),
            }
            c.head_bucket(Bucket=BUCKET)  # warm the connection
            line = []
            for op in ops:
                started = time.perf_counter()
                done = 0
                for i in range(count):
                    calls[op](f"seq/{i:06d}")
                    done += 1
                    if time.perf_counter() - started > time_limit:
                        break
                rate = done / (time.perf_counter() - started)
                samples[s.name][op].append(rate)
                line.append(f"{op} {rate:6.0f}")
            say(f"boto3 {s.name:<9} rep {rep + 1}/{reps}: " + ", ".join(line) + " ops/s")
    out = {}
    for name, by_op in samples.items():
        out[name] = {op: {"ops_median": median(v), "ops_all": v} for op, v in by_op.items()}
        # One figure per peer: the harmonic mean (all four ops done once each, per second of wall time).
        out[name]["all"] = {"ops_median": 4 / sum(1 / out[name][op]["ops_median"] for op in ops)}
    return out


# -- phase 3: 256 MiB streaming PUT and GET ------------------------------------------------------------------------
def phase_big(emu: Server, nginx: Server | None, big_file: Path, reps: int) -> dict:
    data = big_file.read_bytes()  # for the MD5 reference, from memory: MD5 alone, no file reads
    res: dict[str, list] = {
        "emulator_put": [],
        "emulator_get": [],
        "nginx_get": [],
        "nginx_get_nosendfile": [],
        "md5": [],
    }
    with MemWatch({"emulator": emu.pid}) as mem:
        for rep in range(reps):
            steps = [
                ("emulator_put", lambda: stream_put(emu, f"/{BUCKET}/big", big_file)),
                ("md5", lambda: md5_rate(data)),
                ("emulator_get", lambda: stream_get(emu, f"/{BUCKET}/big", expect=BIG)),
            ]
            if nginx is not None:
                steps.append(("nginx_get", lambda: stream_get(nginx, "/big.bin", sign=False, expect=BIG)))
                steps.append(
                    ("nginx_get_nosendfile", lambda: stream_get(nginx, "/nosendfile/big.bin", sign=False, expect=BIG))
                )
            # The PUT must precede the emulator's first GET; after that, rotate the order.
            first, rest = steps[0], steps[1:]
            for name, fn in [first] + rotate(rest, rep):
                r = fn()
                res[name].append(r)
                say(f"256 MiB {name:<21} rep {rep + 1}/{reps}: {r['mb_s']:8.0f} MB/s")
    out = {k: {"mb_s_median": median([r["mb_s"] for r in v]), "runs": v} for k, v in res.items() if v}
    out["memory"] = mem.report()["emulator"]
    return out


# -- phase 4: 1 GiB PUT/GET with --data-dir, memory ---------------------------------------------------------------
def phase_datadir(peers: Peers, work: Path, big_file: Path, repeat: int) -> dict:
    if not (REPO / "emulator" / "storage" / "disk.py").exists():
        return {"skipped": "emulator/storage/disk.py is missing (the --data-dir store is not written yet)"}
    data_dir = work / "emulator-data"
    data_dir.mkdir(exist_ok=True)
    emu = peers.emulator("emulator-disk", data_dir=data_dir)
    try:
        # Warm: one small PUT and GET, so idle RSS includes what the first request loads.
        stream_put(emu, f"/{BUCKET}/warm", big_file.parent / "small.bin")
        stream_get(emu, f"/{BUCKET}/warm")
        size = big_file.stat().st_size * repeat
        time.sleep(0.5)
        with MemWatch({"emulator-disk": emu.pid}) as mem:
            put = stream_put(emu, f"/{BUCKET}/huge", big_file, repeat=repeat)
            say(f"--data-dir {size >> 20} MiB PUT: {put['mb_s']:8.0f} MB/s")
            get = stream_get(emu, f"/{BUCKET}/huge", expect=size)
            say(f"--data-dir {size >> 20} MiB GET: {get['mb_s']:8.0f} MB/s")
        report = mem.report()["emulator-disk"]
        say(
            f"--data-dir memory: idle {report['idle_mib']} MiB, peak {report['peak_mib']} MiB "
            f"(+{report['over_idle_mib']} MiB)"
        )
        return {"bytes": size, "put": put, "get": get, "memory": report}
    finally:
        peers.stop(emu)


# -- phase 5: ListObjects page at 10k and 1M keys -----------------------------------------------------------------
def _key(i: int) -> str:
    return f"key-{i:08d}"


def _list_once(server: Server, marker: str, sock_reader: tuple) -> float:
    sock, reader = sock_reader
    target_path = f"/{BUCKET}"
    query = f"marker={marker}&max-keys=1000"
    # Signed with the library (a listing has a query), outside the timer.
    headers = signed(server, "GET", f"{target_path}?{query}")
    head = "".join(
        [f"GET {target_path}?{query} HTTP/1.1\r\n"] + [f"{k}: {v}\r\n" for k, v in headers.items()] + ["\r\n"]
    ).encode()
    started = time.perf_counter()
    sock.sendall(head)
    status, _, body = reader.response()
    seconds = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"ListObjects on {server.name} answered {status}: {body[:300]!r}")
    if body.count(b"<Key>") != 1000 or b"<IsTruncated>true</IsTruncated>" not in body:
        raise BenchError(f"ListObjects on {server.name}: not a full truncated page of 1000 keys")
    return seconds


def phase_list(peers: Peers, sizes: tuple[int, int], rounds: int, time_limit: float) -> dict:
    servers = {}
    fills = {}
    try:
        for n in sizes:
            name = f"emulator-list-{n}"
            servers[n] = peers.emulator(name)
            say(f"list: filling {n} keys into {name} (pipelined empty PUTs, 4 connections)")
            fills[n] = fill_bucket(servers[n], BUCKET, n, _key, time_limit=900.0)
            say(f"list: {n} keys in {fills[n]['seconds']:.1f} s ({fills[n]['puts_per_s']:.0f} PUT/s)")
        conns = {}
        for n, s in servers.items():
            sock = _connect(s.port)
            conns[n] = (sock, Responses(sock))
        times: dict[int, list[float]] = {n: [] for n in sizes}
        for n in sizes:  # warm-up, not counted
            for _ in range(3):
                _list_once(servers[n], _key(n // 2), conns[n])
        started = time.monotonic()
        for r in range(rounds):
            for n in rotate(list(sizes), r):
                times[n].append(_list_once(servers[n], _key(n // 2), conns[n]))
            if time.monotonic() - started > time_limit:
                break
        for sock, _ in conns.values():
            sock.close()
        out = {}
        for n in sizes:
            out[str(n)] = {
                "page_ms_median": median(times[n]) * 1000,
                "page_ms_all": [t * 1000 for t in times[n]],
                "fill": fills[n],
            }
            say(f"list page at {n} keys: median {out[str(n)]['page_ms_median']:.2f} ms over {len(times[n])} pages")
        return out
    finally:
        for s in servers.values():
            peers.stop(s)


def cpu_busy(seconds: float = 3.0) -> float:
    """The share of all CPUs busy over ``seconds`` (from /proc/stat; waiting for I/O counts as idle)."""

    def sample():
        fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_quiet(limit: float) -> None:
    """Wait, at most ``limit`` seconds, until other work uses under 15% of the CPUs: it moves every number."""
    deadline = time.monotonic() + limit
    while True:
        busy = cpu_busy()
        if busy < 0.15:
            say(f"CPUs {busy:.0%} busy: quiet enough")
            return
        if time.monotonic() > deadline:
            say(f"CPUs still {busy:.0%} busy after {limit:.0f} s: running anyway (numbers will be noisy)")
            return
        say(f"CPUs {busy:.0%} busy: waiting for the machine to be quiet")
        time.sleep(min(20.0, max(1.0, deadline - time.monotonic())))


# -- the table ----------------------------------------------------------------------------------------------------
def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def build_table(res: dict) -> list[dict]:
    rows: list[dict] = []

    def row(name, value, target, op, unit="x", note="", detail=""):
        met = None if value is None or target is None else (value >= target if op == ">=" else value <= target)
        rows.append(
            {
                "metric": name,
                "value": value,
                "target": f"{op} {target}{unit}" if target is not None else "",
                "met": met,
                "unit": unit,
                "note": note,
                "detail": detail,
            }
        )

    def pair(a, b, unit):
        return f"{a:,.0f} / {b:,.0f} {unit}" if a is not None and b is not None else ""

    small_raw = res.get("small", {})
    small = {
        name: {m: {**v, **summarise_runs(v["runs"])} for m, v in by_method.items()}
        for name, by_method in small_raw.items()
        if not name.startswith("memory")
    }
    for method in ("GET", "PUT") if small else ():
        emu = small.get("emulator", {}).get(method, {}).get("rps_median")
        for peer, target in (("moto", 10), ("s3rver", 2)):
            p = small.get(peer, {}).get(method, {})
            errors = p.get("non_2xx_total", 0)
            note = f"{peer}: {errors} non-2xx answers in all" if errors else ""
            row(
                f"small {method} req/s emulator/{peer}",
                ratio(emu, p.get("rps_median")),
                target,
                ">=",
                note=note,
                detail=pair(emu, p.get("rps_median"), "req/s"),
            )
        if method == "GET" and "nginx" in small:
            ref = small["nginx"]["GET"]["rps_median"]
            row("small GET req/s emulator/nginx (info)", ratio(emu, ref), None, "", detail=pair(emu, ref, "req/s"))
    boto = res.get("boto3", {})
    for peer in ("moto", "s3rver"):
        if "emulator" in boto and peer in boto:
            a, b = boto["emulator"]["all"]["ops_median"], boto[peer]["all"]["ops_median"]
            row(f"boto3 seq ops/s emulator/{peer} (info)", ratio(a, b), None, "", detail=pair(a, b, "ops/s"))
    big = res.get("big", {})
    if big:

        def mb(name):
            return big.get(name, {}).get("mb_s_median")

        row(
            "256 MiB GET MB/s emulator/nginx",
            ratio(mb("emulator_get"), mb("nginx_get")),
            0.7,
            ">=",
            detail=pair(mb("emulator_get"), mb("nginx_get"), "MB/s"),
        )
        if "nginx_get_nosendfile" in big:
            row(
                "256 MiB GET emulator/nginx-without-sendfile (info)",
                ratio(mb("emulator_get"), mb("nginx_get_nosendfile")),
                None,
                "",
                detail=pair(mb("emulator_get"), mb("nginx_get_nosendfile"), "MB/s"),
            )
        row(
            "256 MiB PUT MB/s emulator/single-core MD5",
            ratio(mb("emulator_put"), mb("md5")),
            0.7,
            ">=",
            detail=pair(mb("emulator_put"), mb("md5"), "MB/s"),
        )
    if "memory" in small_raw:
        m = small_raw["memory"]
        row(
            "peak RSS over idle, small-request phase (info)",
            m["over_idle_mib"],
            None,
            "",
            unit=" MiB",
            detail=f"idle {m['idle_mib']} MiB",
        )
    if "memory" in big:
        m = big["memory"]
        row(
            "peak RSS over idle, memory store, 256 MiB PUT/GET (info)",
            m["over_idle_mib"],
            None,
            "",
            unit=" MiB",
            detail=f"idle {m['idle_mib']} MiB",
        )
    dd = res.get("datadir", {})
    if "memory" in dd:
        m = dd["memory"]
        row(
            f"peak RSS over idle, --data-dir {dd['bytes'] >> 20} MiB PUT/GET",
            m["over_idle_mib"],
            64,
            "<=",
            unit=" MiB",
            detail=f"idle {m['idle_mib']} MiB; PUT {dd['put']['mb_s']:.0f}, GET {dd['get']['mb_s']:.0f} MB/s",
        )
    elif "skipped" in dd:
        row("peak RSS over idle, --data-dir 1 GiB PUT/GET", None, 64, "<=", unit=" MiB", note=dd["skipped"])
    lst = res.get("list", {})
    if len(lst) == 2:
        small_n, big_n = sorted(lst, key=int)
        a, b = lst[big_n]["page_ms_median"], lst[small_n]["page_ms_median"]
        row(
            f"list page time {int(big_n) // 1000}k keys / {int(small_n) // 1000}k keys",
            ratio(a, b),
            1.5,
            "<=",
            detail=f"{a:.1f} / {b:.1f} ms",
        )
    return rows


def print_table(rows: list[dict], markdown: bool = False) -> None:
    def shown(r):
        v = r["value"]
        if v is None:
            return "n/a"
        return f"{v:.2f}x" if r["unit"] == "x" else f"{v:.1f}{r['unit']}"

    def verdict(r):
        text = {True: "met", False: "MISSED", None: ""}[r["met"]]
        return (text + f" ({r['note']})").strip() if r["note"] else text

    if markdown:
        print("| metric | ratio | target | result | emulator / reference |")
        print("| --- | --- | --- | --- | --- |")
        for r in rows:
            print(f"| {r['metric']} | {shown(r)} | {r['target']} | {verdict(r)} | {r['detail']} |")
        return
    width = max(len(r["metric"]) for r in rows) + 2
    print()
    print(f"{'metric':<{width}}{'value':>11}  {'target':<11}  {'result':<7} emulator / reference")
    print("-" * (width + 70))
    for r in rows:
        status = {True: "met", False: "MISSED", None: ""}[r["met"]]
        note = f"  ({r['note']})" if r["note"] else ""
        print(f"{r['metric']:<{width}}{shown(r):>11}  {r['target']:<11}  {status:<7} {r['detail']}{note}")
    print()


def versions() -> dict:
    def cmd(argv):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=20)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None

    import aiohttp
    import boto3

    try:
        import moto

        moto_v = moto.__version__
    except ImportError:
        moto_v = None
    s3rver_pkg = S3RVER_JS.parent.parent / "package.json"
    commit = cmd(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    try:  # read-only: does the emulator's code differ from that commit?
        dirty = bool(
            subprocess.run(
                ["git", "-C", str(REPO), "status", "--porcelain", "--", "emulator"],
                capture_output=True,
                text=True,
                timeout=20,
            ).stdout.strip()
        )
    except (OSError, subprocess.TimeoutExpired):
        dirty = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": next(
            (ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")),
            platform.processor(),
        ),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "boto3": boto3.__version__,
        "moto": moto_v,
        "s3rver": json.loads(s3rver_pkg.read_text())["version"] if s3rver_pkg.exists() else None,
        "node": cmd(["node", "--version"]),
        "nginx": cmd([shutil.which("nginx") or "/usr/sbin/nginx", "-v"]),
        "wrk": cmd(["wrk", "-v"]),
        "commit": commit,
        "emulator_code_differs_from_commit": dirty,
    }


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # so `finally` ends every server this script started


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, shorter runs, 100k keys instead of 1M")
    ap.add_argument(
        "--only", default=",".join(PHASES), help="comma-separated phases (default: all of " + ",".join(PHASES) + ")"
    )
    ap.add_argument("--json", default=str(HERE / "results" / "last-run.json"), help="where to write the raw numbers")
    ap.add_argument("--workdir", default=None, help="scratch directory (default: a new one under $TMPDIR, removed)")
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="first wait up to this long for other work to use under 15%% of the CPUs (default: do not wait)",
    )
    ap.add_argument("--markdown", action="store_true", help="with --table-from: the table as Markdown")
    ap.add_argument("--table-from", metavar="JSON", help="print the table of an earlier run's JSON and stop")
    args = ap.parse_args(argv)
    if args.table_from:
        earlier = json.loads(Path(args.table_from).read_text())
        print_table(build_table(earlier), markdown=args.markdown)
        return 0
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        ap.error(f"unknown phase(s): {', '.join(sorted(unknown))}")
    if args.wait_quiet > 0:
        try:
            wait_quiet(args.wait_quiet)
        except KeyboardInterrupt:
            return 130
    reps = 2 if args.quick else 3
    big_reps = 3 if args.quick else 5
    wrk_seconds = 3.0 if args.quick else 5.0
    boto_count = 100 if args.quick else 300
    list_sizes = (10_000, 100_000 if args.quick else 1_000_000)
    settings = {
        "quick": args.quick,
        "reps": reps,
        "wrk_seconds": wrk_seconds,
        "wrk_connections": 16,
        "wrk_threads": 2,
        "boto3_count": boto_count,
        "big_bytes": BIG,
        "big_reps": big_reps,
        "datadir_bytes": 4 * BIG,
        "list_sizes": list_sizes,
        "phases": phases,
    }
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="s3bench-"))
    work.mkdir(parents=True, exist_ok=True)
    shown = sys.argv[1:] if argv is None else argv
    results: dict = {
        "command": " ".join(["python bench/run.py", *shown]),
        "machine": versions(),
        "settings": settings,
    }
    say(f"scratch {work}; settings {settings}")
    peers = Peers(work)
    status = 0
    started = time.monotonic()
    try:
        www = work / "www"
        www.mkdir(exist_ok=True)
        (www / "small.bin").write_bytes(os.urandom(SMALL))
        big_file = www / "big.bin"
        if {"big", "datadir"} & set(phases):
            with open(big_file, "wb") as fh:
                for _ in range(BIG >> 20):
                    fh.write(os.urandom(1 << 20))
        emu = peers.emulator("emulator")
        need_nginx = {"small", "big"} & set(phases)
        nginx = peers.nginx(www) if need_nginx else None
        if {"small", "boto3"} & set(phases):
            moto, s3rver = peers.moto(), peers.s3rver()
            import boto3

            boto3.client(
                "s3",
                endpoint_url=moto.endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                region_name=REGION,
            ).create_bucket(Bucket=BUCKET)
            s3peers = [emu, moto, s3rver]
            if "small" in phases:
                say("phase 1: presigned 1 KiB GET/PUT with wrk -c16 -t2, interleaved")
                note_load("phase 1")
                with MemWatch({s.name: s.pid for s in s3peers}) as mem:
                    results["small"] = phase_small(s3peers, nginx, work, reps, wrk_seconds)
                results["small"]["memory"] = mem.report()["emulator"]
                results["small"]["memory_all"] = mem.report()
            if "boto3" in phases:
                say("phase 2: boto3 sequential PUT/GET/HEAD/DELETE, one client, interleaved")
                note_load("phase 2")
                results["boto3"] = phase_boto3(s3peers, reps, boto_count, time_limit=20.0)
            peers.stop(moto)
            peers.stop(s3rver)
        if "big" in phases:
            say("phase 3: 256 MiB streaming PUT/GET (UNSIGNED-PAYLOAD), vs nginx and single-core MD5")
            note_load("phase 3")
            results["big"] = phase_big(emu, nginx, big_file, big_reps)
        if nginx is not None:
            peers.stop(nginx)
        peers.stop(emu)
        if "datadir" in phases:
            say("phase 4: 1 GiB PUT/GET with --data-dir, peak RSS over idle")
            note_load("phase 4")
            results["datadir"] = phase_datadir(peers, work, big_file, repeat=4)
            if "skipped" in results["datadir"]:
                say(f"phase 4 skipped: {results['datadir']['skipped']}")
        if "list" in phases:
            say(
                f"phase 5: ListObjects page (max-keys 1000, marker in the middle) at {list_sizes[0]} and "
                f"{list_sizes[1]} keys"
            )
            note_load("phase 5")
            results["list"] = phase_list(peers, list_sizes, rounds=60, time_limit=90.0)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        results["error"] = str(exc)
        status = 1
    except KeyboardInterrupt:
        results["error"] = "interrupted"
        status = 130
    except Exception as exc:
        traceback.print_exc()
        results["error"] = repr(exc)
        status = 1
    finally:
        peers.close()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    note_load("end")
    results["loadavg"] = LOAD
    results["seconds"] = round(time.monotonic() - started, 1)
    rows = build_table(results)
    results["table"] = rows
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    if rows:
        print_table(rows)
    say(f"load average (1, 5, 15 min) by phase: {'; '.join(f'{w}: {v}' for w, v in LOAD)}")
    say(f"raw numbers in {out}; {results['seconds']:.0f} s in all")
    return status


if __name__ == "__main__":
    sys.exit(main())
