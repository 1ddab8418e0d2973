"""pytest plugin of the conformance harness:  pytest scenarios -p harness.plugin --target emulator

Options: --target emulator|moto|live, --driver <clients of harness.drivers.registry>, --group g1,g2,
--scheme http,https, --report-dir DIR (default reports/<target>),
and Hypothesis' own --hypothesis-profile ci|dev|deep|live
(registered here; default ci, live for the live target).

A test takes the ``harness`` fixture (a HarnessContext) plus ``target`` / ``client`` parameters and opens checks;
after the test body, every record it produced decides the outcome: gap / extra / error fail the test,
pass and limitation pass it. A test that produced no record at all fails (a silent test is a broken test),
unless every step was not applicable to the client (then it is skipped with the reason).
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from hypothesis import HealthCheck, Phase, settings

from harness.context import HarnessContext
from harness.drivers.registry import ALL_DRIVERS
from harness.drivers.registry import NAMES as CLIENT_NAMES
from harness.kinds import KINDS
from harness.safety import shorten
from harness.targets import ConfigError, new_run_id

GROUPS = ("doc-examples", "catalogue", "stateful", "cross-client", "negative", "config-matrix", "probes")
TARGETS = tuple(KINDS)

_common = dict(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
settings.register_profile("ci", max_examples=6, derandomize=True, stateful_step_count=12,
                          phases=[Phase.explicit, Phase.generate, Phase.shrink], **_common)
settings.register_profile("dev", max_examples=20, stateful_step_count=20, **_common)
settings.register_profile("deep", max_examples=200, stateful_step_count=40, **_common)
settings.register_profile("live", max_examples=3, stateful_step_count=10, derandomize=False, **_common)

_CTX_KEY = pytest.StashKey[HarnessContext]()
_DB_KEY = pytest.StashKey[object]()


def pytest_addoption(parser):
    g = parser.getgroup("harness", "S3 conformance harness")
    g.addoption("--target", default="emulator", help="endpoint under test: " + ", ".join(TARGETS))
    g.addoption("--driver", default=",".join(ALL_DRIVERS),
                help="comma-separated clients to run: " + ", ".join(ALL_DRIVERS)
                + " (http: the raw signed client of the catalogue)")
    g.addoption("--group", default=",".join(GROUPS), help="comma-separated scenario groups: " + ", ".join(GROUPS))
    g.addoption("--scheme", default="http,https", help="comma-separated schemes to run (emulator/moto)")
    g.addoption("--report-dir", default=None, help="where results.json goes (default reports/<target>)")
    g.addoption("--hypothesis-db", default=None,
                help="Hypothesis example database: a directory, or off (default .hypothesis/examples/<target>)")


def pytest_configure(config):
    config.addinivalue_line("markers", "group(name): scenario group of the harness")
    config.addinivalue_line("markers", "all_addressing: run on every scheme x addressing combination")
    target = config.getoption("--target")
    if target not in TARGETS:  # checked here, not by argparse, for the harness's one line and exit code 2
        pytest.exit(f"--target: unknown target {target!r} (choose from {', '.join(TARGETS)})", returncode=2)
    schemes = [s.strip() for s in config.getoption("--scheme").split(",") if s.strip()]
    if not schemes or set(schemes) - {"http", "https"}:
        pytest.exit(f"--scheme: expected http, https or both, got {config.getoption('--scheme')!r}", returncode=2)
    run_id = new_run_id()
    try:
        KINDS[target].validate()  # e.g. every live variable, or the server installed: before any request
    except ConfigError as e:
        pytest.exit(str(e), returncode=2)
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile(KINDS[target].hypothesis_profile)
    drivers = [d.strip() for d in config.getoption("--driver").split(",") if d.strip()]
    unknown = set(drivers) - set(ALL_DRIVERS)
    if unknown:
        pytest.exit(f"--driver: unknown client(s) {', '.join(sorted(unknown))}", returncode=2)
    groups = [x.strip() for x in config.getoption("--group").split(",") if x.strip()]
    if set(groups) - set(GROUPS):
        pytest.exit(f"--group: unknown group(s) {', '.join(sorted(set(groups) - set(GROUPS)))}", returncode=2)
    report_dir = config.getoption("--report-dir") or os.path.join("reports", target)
    seed = "derandomized" if settings.default.derandomize else config.getoption("hypothesis_seed", None)
    if isinstance(seed, str) and seed.isdigit():
        seed = int(seed)
    if seed is None:  # a random profile without --hypothesis-seed: choose one, record it and print it
        import random

        seed = random.SystemRandom().randrange(2**32)
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        run_id = worker.get("harness_run_id", run_id)
        seed = worker.get("harness_seed", seed)
    _use_target_database(config, target)
    ctx = HarnessContext(target, run_id, drivers, groups, report_dir, seed,
                         schemes=schemes)
    config.stash[_CTX_KEY] = ctx


def _use_target_database(config, target: str) -> None:
    """One example database per target (harness/examples.py): a run never replays another target's examples."""
    from harness.examples import RecordingDatabase, database_dir

    endpoint = os.environ.get("S3_ENDPOINT_URL", "https://stdcdn.com") if target == "live" else ""
    path = database_dir(target, endpoint, os.environ.get("S3_BUCKET", ""), config.getoption("--hypothesis-db"))
    current = settings.default
    db = RecordingDatabase(path) if path else None
    settings.register_profile("harness-run", parent=current, database=db)
    settings.load_profile("harness-run")
    config.stash[_DB_KEY] = db


def pytest_configure_node(node):  # pytest-xdist controller: one run id for all workers
    node.workerinput["harness_run_id"] = node.config.stash[_CTX_KEY].run_id
    node.workerinput["harness_seed"] = node.config.stash[_CTX_KEY].seed


pytest_configure_node = pytest.hookimpl(optionalhook=True)(pytest_configure_node)


def ctx_of(config) -> HarnessContext:
    return config.stash[_CTX_KEY]


def pytest_collection_modifyitems(config, items):
    ctx = ctx_of(config)
    keep, drop = [], []
    for item in items:
        m = item.get_closest_marker("group")
        group = m.args[0] if m else None
        client = getattr(item, "callspec", None) and item.callspec.params.get("client")
        if (group is not None and group not in ctx.groups) or (client and client not in ctx.drivers):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_generate_tests(metafunc):
    ctx = ctx_of(metafunc.config)
    if "target" in metafunc.fixturenames:
        all_addressing = metafunc.definition.get_closest_marker("all_addressing") is not None
        labels = ctx.kind.labels(all_addressing, ctx.schemes)
        metafunc.parametrize("target", labels, indirect=True, scope="session")
    explicit = {name.strip() for m in metafunc.definition.iter_markers("parametrize")
                for name in (m.args[0].split(",") if isinstance(m.args[0], str) else m.args[0])}
    if "client" in metafunc.fixturenames and "client" not in explicit:
        metafunc.parametrize("client", list(CLIENT_NAMES))


@pytest.fixture(scope="session")
def harness(request) -> HarnessContext:
    ctx = ctx_of(request.config)
    request.addfinalizer(ctx.close)
    return ctx


@pytest.fixture(scope="session")
def target(request, harness):
    return harness.target(request.param)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    ctx = item.config.stash.get(_CTX_KEY, None)
    uses = ctx is not None and "harness" in getattr(item, "fixturenames", ())
    if uses:
        ctx.nodeid = item.nodeid
        ctx.item_records = []
        ctx.item_na = []
    result = yield
    if not uses:
        return result
    records = ctx.item_records
    failing = [r for r in records if r.failing]
    if failing:
        pytest.fail("\n\n".join(r.summary() for r in failing), pytrace=False)
    if not records:
        if ctx.item_na:
            pytest.skip("not applicable: " + "; ".join(ctx.item_na))
        pytest.fail("the test recorded no verdict", pytrace=False)
    return result


def pytest_sessionfinish(session, exitstatus):
    ctx = session.config.stash.get(_CTX_KEY, None)
    if ctx is None:
        return
    ctx.close()
    if session.config.option.collectonly:
        return
    db = session.config.stash.get(_DB_KEY, None)
    ctx.store.note_database(db.summary() if db is not None else {"path": None, "replayed": []})
    worker = getattr(session.config, "workeroutput", None)
    if worker is not None:
        worker["harness_results"] = json.dumps(ctx.store.to_dict(), default=str)
        return
    path = ctx.store.write(ctx.report_dir)
    from harness.report import ReportInputError, ReportSchemaError, write_reports

    try:
        write_reports(path, ctx.report_dir)
        path += " (+ report.json, report.md, report.html, junit.xml)"
    except (ReportInputError, ReportSchemaError, OSError) as exc:
        path += f"; reports NOT written: {exc}"
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    totals = ctx.store.to_dict()["totals"]
    failed = ctx.store.cleanup["failed"]
    refused = ctx.store.cleanup.get("refused", 0)
    line = (f"harness: {path} ({', '.join(f'{k} {v}' for k, v in totals.items())}); seed {ctx.seed}; "
            f"cleanup deleted {ctx.store.cleanup['deleted']} key(s)"
            + (f", {refused} key(s) refused by the server were never created" if refused else "")
            + (f", could NOT delete {len(failed)}: {[shorten(f['key']) for f in failed][:10]}" if failed else ""))
    if tr is not None:
        tr.write_line(line)
    else:
        print(line, file=sys.stderr)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    ctx = node.config.stash.get(_CTX_KEY, None)
    data = getattr(node, "workeroutput", {}).get("harness_results")
    if ctx is not None and data:
        ctx.store.merge(json.loads(data))
