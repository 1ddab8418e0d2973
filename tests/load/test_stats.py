"""Figures from a history: percentiles, error codes, the generator's capacity and who the bottleneck was."""

from __future__ import annotations

from harness.load import stats
from harness.load.history import History, Op, WorkerSummary


def history(workers, ops=()) -> History:
    return History(list(ops), workers, [w.worker for w in workers], 0.0, 10.0)


def summary(name, cpu, wall=10.0, warning=False, requests=1000):
    return WorkerSummary(name, requests, wall, cpu, 40000.0, warning, 0.0, 0.0, True)


def test_a_cpu_bound_worker_makes_the_generator_the_bottleneck():
    g = stats.generator(history([summary("a", cpu=9.5), summary("b", cpu=2.0)]), {})
    assert g["bottleneck"] == "generator" and g["bottleneck_reasons"] == [
        "worker a was CPU-bound (95% of its wall time on CPU)"]
    assert g["capacity_requests_per_second"] == round(1000 / 9.5 + 1000 / 2.0, 1)


def test_locust_cpu_warnings_count_and_an_idle_generator_is_not_the_bottleneck():
    assert stats.generator(history([summary("a", cpu=1.0, warning=True)]), {})["bottleneck"] == "generator"
    assert stats.generator(history([summary("a", cpu=1.0)]), {"worker_cpu_warning": True})["bottleneck"] == \
        "generator"
    assert stats.generator(history([summary("a", cpu=1.0)]), {})["bottleneck"] == "target"


def test_errors_by_s3_code_including_throttling_and_transport_failures():
    ops = [Op(str(i), "PutObject", 0, "w", "c", i, i + 0.1, s, code=c)
           for i, (s, c) in enumerate([(200, None), (503, "SlowDown"), (503, "SlowDown"), (None, None),
                                       (None, "cut off at stop")])]
    errs = stats.errors(history([], ops))
    assert errs == [
        {"operation": "PutObject", "code": "SlowDown", "status": 503, "count": 2, "rate": 0.4},
        {"operation": "PutObject", "code": "no response", "status": None, "count": 1, "rate": 0.2}]


def test_nearest_rank_percentiles():
    assert stats.percentile([1, 2, 3, 4], 50) == 2 and stats.percentile([1, 2, 3, 4], 95) == 4
    assert stats.percentile([], 50) is None
