"""Bounded memory for long runs (issue 9, item 4).

By default the engine records every ``k = max(1, steps // 1000)`` steps, so
a run of 10^7 steps keeps about 1,001 history rows, not 10^7, unless the
user asks for more with ``record_every``. The expected row counts follow
from that rule; the memory checks compare peaks measured with tracemalloc
(numpy reports its buffers to it) between runs of different lengths.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gamesim import make_game, make_rule, simulate
from gamesim.rules.base import UpdateRule


@dataclass(frozen=True)
class HoldStill(UpdateRule):
    """A rule whose step returns the point unchanged.

    It makes 10^7 engine steps take about a second, so that the test below
    measures the engine's bookkeeping (records, checks) and nothing else.
    """

    joint: ClassVar[bool] = True

    def step(self, z, state, oracle, lr):
        return z, state


def test_ten_million_steps_keep_a_thousand_rows():
    # checks every 10^4 steps too (the default checks every 10 steps, which
    # is what costs time here, not the records)
    res = simulate(make_game("bilinear"), HoldStill(), steps=10**7,
                   check_every=10**4)
    assert res.status[0] == "max_steps" and res.steps[0] == 10**7
    assert len(res.history) == 1001
    np.testing.assert_array_equal(res.history["step"], np.arange(0, 10**7 + 1, 10**4))


def test_ten_million_step_run_records_every_ten_thousand_steps():
    # a real rule with the default cadence: stopped by the callback after
    # three records, the history holds those records and the start
    seen = []

    def stop_after_three(progress):
        seen.append(progress.step)
        return len(seen) == 3

    res = simulate(make_game("bilinear:n=2"), make_rule("gda:lr=1e-4"),
                   steps=10**7, callback=stop_after_three)
    assert res.status[0] == "stopped" and res.steps[0] == 3 * 10**4
    assert seen == [10**4, 2 * 10**4, 3 * 10**4]
    assert list(res.history["step"]) == [0, 10**4, 2 * 10**4, 3 * 10**4]


def _peak_megabytes(steps, **kwargs):
    game = make_game("bilinear:n=2")
    rule = make_rule("gda:lr=1e-3")
    tracemalloc.start()
    try:
        res = simulate(game, rule, steps=steps, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6, len(res.history)


def test_peak_memory_does_not_grow_with_the_number_of_steps():
    short, rows_short = _peak_megabytes(5_000)
    long, rows_long = _peak_megabytes(50_000)
    every, rows_every = _peak_megabytes(5_000, record_every=1)
    assert rows_short == rows_long == 1001 and rows_every == 5001
    # ten times the steps, the same peak (allowing 25% and 0.25 MB of noise)
    assert long <= 1.25 * short + 0.25, (short, long)
    # while asking for every step costs memory in proportion to the rows
    # (5 times the rows here): the default really is what keeps it bounded
    assert every >= 2.5 * long, (every, long)


def test_averaged_runs_and_batches_are_bounded_too():
    # the uniform average takes the engine's step-by-step path; a batch of
    # ten runs keeps ten times 1,001 rows
    short, _ = _peak_megabytes(5_000, average="uniform")
    long, rows = _peak_megabytes(50_000, average="uniform")
    assert rows == 1001 and long <= 1.25 * short + 0.25, (short, long)
    res = simulate(make_game("bilinear:n=2"), make_rule("gda:lr=1e-3"),
                   steps=20_000, batch=10)
    assert len(res.history) == 10 * 1001
