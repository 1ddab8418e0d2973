"""s3-load: a Locust load and consistency campaign against a target.

    s3-load [--target emulator|moto|live] [--data-dir DIR] [workload options]
            [--processes N | --master --expect-workers N [--master-bind-host IP] [--master-bind-port P]]
    s3-load --worker --master-host HOST [--master-port P]        (on each load host; target from the environment)

Exit codes: 0 consistent, 1 anomalies (or a history incomplete), 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading

from harness.load.run import Distribution, campaign, private_workdir, worker_command
from harness.load.targets import TargetOptions, child_environment, select_target
from harness.load.workload import (
    DEFAULT_MIX,
    DEFAULT_SIZES,
    Workload,
    WorkloadError,
    parse_size,
    parse_weights,
)
from harness.targets import ConfigError

# A cautious engineer's defaults against a production endpoint: few users, a short run, a hard request cap.
LIVE_DEFAULTS = {"users": 4, "spawn_rate": 1.0, "duration": 60.0, "max_requests": 3000, "think": "0.05,0.2",
                 "sizes": "0=5,1K=60,64K=30,1M=5"}
LOCAL_DEFAULTS = {"users": 32, "spawn_rate": 32.0, "duration": 20.0, "max_requests": 200000, "think": "0,0.02",
                  "sizes": ",".join(f"{k}={v}" for k, v in DEFAULT_SIZES.items())}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="s3-load", description=__doc__.split("\n\n")[0],
                                epilog="exit codes: 0 consistent, 1 anomalies or incomplete, 2 bad input")
    p.add_argument("--target", default="emulator", help="emulator (default, in-process), moto, live (environment)")
    p.add_argument("--data-dir", help="emulator: keep objects on disk in DIR (the disk store) instead of memory")
    w = p.add_argument_group("workload (defaults: 32 users for 20 s locally; 4 users, 60 s, 3000 requests live)")
    w.add_argument("--users", type=int)
    w.add_argument("--spawn-rate", type=float)
    w.add_argument("--duration", type=float, help="seconds")
    w.add_argument("--max-requests", type=int, help="hard cap on requests over all workers")
    w.add_argument("--think-time", help="MIN,MAX seconds a user waits between requests")
    w.add_argument("--keys", type=int, default=64, help="key-space size (1..1000)")
    w.add_argument("--hot-keys", type=int, default=4, help="keys that --hot-share of operations go to")
    w.add_argument("--hot-share", type=float, default=0.5)
    w.add_argument("--mix", default=",".join(f"{k}={v}" for k, v in DEFAULT_MIX.items()),
                   help="operation weights, e.g. PutObject=3,GetObject=5")
    w.add_argument("--sizes", help="body sizes and weights, e.g. 0=1,1K=5,3M=1 (0 B .. 8 MiB)")
    w.add_argument("--seed", type=int, default=0, help="every random draw of the users derives from it")
    d = p.add_argument_group("distribution (Locust's own)")
    d.add_argument("--processes", type=int, default=0, help="N worker processes on this host")
    d.add_argument("--master", action="store_true", help="be the master; workers start with --worker elsewhere")
    d.add_argument("--expect-workers", type=int, default=1)
    d.add_argument("--master-bind-host", default="127.0.0.1", help="master: address to listen on (default local)")
    d.add_argument("--master-bind-port", type=int, default=5557)
    d.add_argument("--worker", action="store_true", help="be a worker of a master at --master-host")
    d.add_argument("--master-host", default="127.0.0.1")
    d.add_argument("--master-port", type=int, default=5557)
    o = p.add_argument_group("output")
    o.add_argument("--report-dir", help="default reports/load/<target>")
    o.add_argument("--keep-history", metavar="DIR", help="keep the raw history and Locust's log in DIR")
    return p


def workload_from(args) -> Workload:
    defaults = LIVE_DEFAULTS if args.target == "live" else LOCAL_DEFAULTS
    think = (args.think_time or defaults["think"]).split(",")
    if len(think) != 2:
        raise WorkloadError("--think-time must be MIN,MAX")
    try:
        think_time = (float(think[0]), float(think[1]))
    except ValueError:
        raise WorkloadError(f"--think-time: cannot read {args.think_time!r}") from None
    return Workload(
        mix=parse_weights(args.mix, "--mix"), sizes=parse_weights(args.sizes or defaults["sizes"], "--sizes",
                                                                  parse_size),
        keys=args.keys, hot_keys=args.hot_keys, hot_share=args.hot_share,
        users=args.users or defaults["users"], spawn_rate=args.spawn_rate or defaults["spawn_rate"],
        think_time=think_time, duration=args.duration or defaults["duration"],
        max_requests=args.max_requests or defaults["max_requests"], seed=args.seed)


def distribution_from(args) -> Distribution:
    if sum(map(bool, (args.processes, args.master, args.worker))) > 1:
        raise ConfigError("choose one of --processes, --master and --worker")
    if args.processes:
        if args.processes < 1:
            raise ConfigError("--processes must be at least 1")
        return Distribution(mode="processes", processes=args.processes)
    if args.master:
        return Distribution(mode="master", expect_workers=args.expect_workers, bind_host=args.master_bind_host,
                            bind_port=args.master_bind_port)
    return Distribution()


def run_worker(args) -> int:
    """A worker host: the target comes from this host's environment (the live variables); the master sends the
    run prefix and the workload."""
    with select_target("live", TargetOptions(run_id="worker")) as target:  # validates the variables up front
        env = child_environment(target)
    print(f"s3-load: worker of {args.master_host}:{args.master_port}, target {target.endpoint_url}", flush=True)
    return subprocess.call(worker_command(args.master_host, args.master_port), env=env)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM takes Ctrl-C's path: stop Locust, delete the keys


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        return _main(args)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _main(args) -> int:
    try:
        if args.worker:
            return run_worker(args)
        workload = workload_from(args)
        dist = distribution_from(args)
        if args.data_dir and args.target == "emulator":
            os.makedirs(args.data_dir, exist_ok=True)
        report_dir = args.report_dir or os.path.join("reports", "load", args.target)
        with private_workdir(args.keep_history) as workdir:
            outcome = campaign(args.target, workload, dist, data_dir=args.data_dir, workdir=workdir)
            return finish(outcome, workload, dist, report_dir)
    except (ConfigError, WorkloadError) as e:
        print(f"s3-load: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("s3-load: interrupted; the keys of the run were deleted", file=sys.stderr)
        return 130


def finish(outcome, workload: Workload, dist: Distribution, report_dir: str) -> int:
    from importlib.metadata import version  # never `import locust` here: it monkey-patches this process (gevent)

    from harness.load import report

    t = outcome.target
    target = {"name": t.name, "endpoint_url": t.endpoint_url, "bucket": t.bucket,
              "addressing_style": t.addressing_style, "region": t.region, "run_prefix": t.run_prefix,
              "access_key": t.credentials.access_key}
    warnings = []
    if outcome.exit_code not in (0, 1):
        warnings.append(f"Locust exited with code {outcome.exit_code}")
    r = report.build(outcome.history, workload, run_id=outcome.run_id, target=target,
                     distribution={"mode": dist.mode, "workers": len(outcome.history.workers)},
                     cleanup=outcome.cleanup, locust_version=version("locust"), exit_code=outcome.exit_code,
                     warnings=warnings)
    paths = report.write(r, report_dir)
    c = r["load"]["consistency"]
    g = r["load"]["generator"]
    print(f"s3-load: {r['load']['totals']['requests']} requests in {r['run']['duration']:.1f} s "
          f"({r['load']['totals']['throughput']:.0f}/s), generator capacity {g['capacity_requests_per_second']:.0f} "
          f"signed requests per CPU-second, bottleneck: {g['bottleneck']}")
    print(f"s3-load: consistency: {c['verdict']} ({len(c['anomalies'])} anomalies); reports: {paths['html']}")
    return 0 if c["verdict"] == "consistent" else 1


if __name__ == "__main__":
    sys.exit(main())
