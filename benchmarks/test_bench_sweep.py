"""Speed of sweeps: local processes against one process, batches against single runs.

Run with ``python -m pytest benchmarks/test_bench_sweep.py`` (add
``--benchmark-json FILE`` to keep the numbers). Each benchmark prints its
ratio and stores it in ``extra_info``; both also check that the faster way
gives exactly the same table, since a speed-up that changes the numbers is
worth nothing.

* ``test_process_speedup``: a CPU-bound sweep (24 tasks of about 0.4 s)
  in this process, then on 2 worker processes. The pool's forkserver is
  started once beforehand, as it is for the rest of a long sweep; the
  ratio includes starting the pool's workers and sending results back. On
  2 idle cores expect close to 2x; on a busy machine, less.
* ``test_batch_speedup``: 4 configurations x 100 seeds as 4 batches (the
  default) against 400 one-run tasks, both in this process. Batching turns
  100 small array operations into one larger one per step.
"""

import time

import pandas as pd
import pytest

from gamesim.compare import ProcessExecutor, compare
from gamesim.compare.executors import available_cores

CPU_BOUND = dict(
    games=["bilinear:n=8", "bilinear:n=16"],
    rules=["gda:lr=0.001|0.002|0.003|0.004", "ogda:lr=0.001|0.002|0.003|0.004",
           "eg:lr=0.001|0.002|0.003|0.004"],
    seeds=20, steps=60000, record_every=6000, init_noise=0.1,
)

MANY_SEEDS = dict(
    games="dirac", rules=["gda:lr=0.05|0.1", "ogda:lr=0.05|0.1"], seeds=100,
    steps=1000, record_every=100, init_noise=0.2,
)


def _same_numbers(a, b, ignore=("wall_time",)):
    pd.testing.assert_frame_equal(a.runs.drop(columns=list(ignore)),
                                  b.runs.drop(columns=list(ignore)), check_exact=True)
    pd.testing.assert_frame_equal(a.histories, b.histories, check_exact=True)


def _report(capsys, benchmark, name, ratio, slow, fast):
    benchmark.extra_info[name] = round(ratio, 3)
    benchmark.extra_info["slow_seconds"] = round(slow, 3)
    benchmark.extra_info["fast_seconds"] = round(fast, 3)
    with capsys.disabled():
        print(f"\n{name}: {ratio:.2f}x ({slow:.2f} s -> {fast:.2f} s)")


@pytest.mark.skipif(available_cores() < 2, reason="needs 2 cores")
def test_process_speedup(benchmark, capsys):
    # start the forkserver (and its imports) once, outside the timing
    compare("bilinear", "gda", seeds=1, steps=1, executor=ProcessExecutor(workers=2))

    started = time.perf_counter()
    local = compare(**CPU_BOUND, executor="local")
    local_seconds = time.perf_counter() - started

    timings = []

    def on_processes():
        t0 = time.perf_counter()
        result = compare(**CPU_BOUND, executor=ProcessExecutor(workers=2))
        timings.append(time.perf_counter() - t0)
        return result

    parallel = benchmark.pedantic(on_processes, rounds=1, iterations=1)
    _same_numbers(local, parallel)
    _report(capsys, benchmark, "process_speedup_2_cores",
            local_seconds / timings[0], local_seconds, timings[0])


def test_batch_speedup(benchmark, capsys):
    started = time.perf_counter()
    single = compare(**MANY_SEEDS, seeds_per_task=1, executor="local")
    single_seconds = time.perf_counter() - started

    timings = []

    def batched_run():
        t0 = time.perf_counter()
        result = compare(**MANY_SEEDS, executor="local")
        timings.append(time.perf_counter() - t0)
        return result

    batched = benchmark.pedantic(batched_run, rounds=1, iterations=1)
    _same_numbers(single, batched, ignore=("task", "wall_time"))
    _report(capsys, benchmark, "batch_speedup", single_seconds / timings[0],
            single_seconds, timings[0])
