"""Peak memory of a large batch (issue 8 target: under 2 GB).

A batch of 10,000 runs of a 100 x 100 bilinear game (200 parameters per
run) recording every 100 steps for 10,000 steps. The run happens in a
fresh Python process, which reports its peak resident set size
(``resource.getrusage``: the whole process, interpreter and libraries
included) and the peak of the numpy and Python allocations seen by
``tracemalloc``.

Memory depends on the batch, the game and the *number of records*, not on
the number of steps: the engine keeps a fixed set of (runs x n) arrays and
one row per run and record. So by default the benchmark runs 1,000 steps
recording every 10 steps: the same 101 records per run, the same arrays,
ten times fewer steps (about a minute instead of ten on a 2-core machine).
Set ``GAMESIM_BENCH_FULL_MEMORY=1`` to run the literal 10,000 steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from side_by_side import Comparison, check, report

LIMIT_BYTES = 2_000_000_000  # 2 GB
FULL = os.environ.get("GAMESIM_BENCH_FULL_MEMORY", "") not in ("", "0")
STEPS, RECORD_EVERY = (10_000, 100) if FULL else (1_000, 10)

SCRIPT = textwrap.dedent("""
    import json, resource, sys, time, tracemalloc
    import numpy as np
    from gamesim import make_game, make_rule, simulate

    steps, record_every, runs = (int(a) for a in sys.argv[1:4])
    game = make_game("bilinear:n=100")
    rule = make_rule("gda:lr=0.01")
    z0 = np.random.default_rng(0).uniform(0.5, 1.5, size=(runs, game.n))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    start = time.perf_counter()
    res = simulate(game, rule, steps=steps, z0=z0, batch=runs,
                   record_every=record_every)
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "rss_before": before,
        "traced_peak": traced_peak,
        "seconds": seconds,
        "history_rows": len(res.history),
        "history_bytes": int(res.history.memory_usage(deep=True).sum()),
    }))
""")


def test_memory_of_a_large_batch(benchmark):
    runs = 10_000

    def measure():
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(STEPS), str(RECORD_EVERY), str(runs)],
            capture_output=True, text=True, check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    info = benchmark.pedantic(measure, rounds=1, iterations=1)
    assert info["history_rows"] == runs * (STEPS // RECORD_EVERY + 1)
    benchmark.extra_info.update(info)
    gb = 1e9
    c = report(benchmark, Comparison(
        f"memory, {runs} runs of bilinear 100x100, {STEPS} steps, "
        f"record every {RECORD_EVERY}", info["peak_rss"] / gb,
        LIMIT_BYTES / gb, info["peak_rss"] / LIMIT_BYTES,
        f"peak RSS / 2 GB (numpy+Python peak {info['traced_peak'] / gb:.2f} GB,"
        f" {info['seconds']:.0f} s)", "< 1", unit="GB"))
    check(c, info["peak_rss"] < LIMIT_BYTES, benchmark)
