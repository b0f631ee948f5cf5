"""Side-by-side timing for the speed benchmarks.

Every comparison is measured side by side in one run: the two contenders
are timed in alternation, round after round, and the best round of each is
kept (the least disturbed by other processes on the machine). The ratio is
stored in the benchmark's ``extra_info``, listed in a table at the end of
the session, and asserted where issue 8 sets a target: a benchmark that
misses its target fails with the measured ratio in the message.

The summary table is printed by ``benchmarks/conftest.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

#: every comparison made in this session, in order (for the summary table)
COMPARISONS: list["Comparison"] = []


@dataclass
class Comparison:
    """Two measurements of the same work and what was expected of their ratio.

    ``engine`` and ``baseline`` are in ``unit``: seconds per step for single
    runs (lower is better), a rate such as run-steps per second otherwise
    (higher is better). ``meaning`` says how ``ratio`` was formed, for
    example ``engine time / plain time per step``; ``target`` is the
    condition issue 8 sets on it (empty when it sets none) and ``met``
    whether it held.
    """

    name: str
    engine: float
    baseline: float
    ratio: float
    meaning: str
    target: str = ""
    met: bool | None = None
    unit: str = "s/step"


def best_of(fn, rounds: int) -> float:
    """The shortest of ``rounds`` timed calls of ``fn`` (seconds)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def side_by_side(benchmark, engine, baseline, *, rounds: int = 5):
    """Time ``engine`` with pytest-benchmark and ``baseline`` in alternation.

    The baseline runs as the ``setup`` of each benchmark round, so both are
    measured under the same conditions. Returns the best time of each, in
    seconds per call. One warm-up round of each is not counted.
    """
    engine_times: list[float] = []
    baseline_times: list[float] = []

    def timed_baseline():
        start = time.perf_counter()
        baseline()
        baseline_times.append(time.perf_counter() - start)

    def timed_engine():
        start = time.perf_counter()
        out = engine()
        engine_times.append(time.perf_counter() - start)
        return out

    benchmark.pedantic(timed_engine, setup=timed_baseline, rounds=rounds,
                       warmup_rounds=1, iterations=1)
    if len(engine_times) > 1:  # drop the warm-up round
        engine_times, baseline_times = engine_times[1:], baseline_times[1:]
    return min(engine_times), min(baseline_times)


def report(benchmark, comparison: Comparison) -> Comparison:
    """Record a comparison in the benchmark's JSON and the summary table."""
    benchmark.extra_info.update({
        "engine": comparison.engine,
        "baseline": comparison.baseline,
        "ratio": comparison.ratio,
        "meaning": comparison.meaning,
        "target": comparison.target,
        "unit": comparison.unit,
    })
    COMPARISONS.append(comparison)
    return comparison


def check(comparison: Comparison, ok: bool, benchmark=None):
    """Mark a comparison against its target and fail loudly if it missed."""
    comparison.met = bool(ok)
    if benchmark is not None:
        benchmark.extra_info["met"] = comparison.met
    if not ok:
        pytest.fail(
            f"{comparison.name}: target missed: {comparison.meaning} = "
            f"{comparison.ratio:.3g}, target {comparison.target} "
            f"(engine {comparison.engine:.3g}, baseline {comparison.baseline:.3g} "
            f"{comparison.unit})",
            pytrace=False,
        )
