"""The compiled loops of gamesim.kernels against the rules' numpy steps.

A kernel must give the numbers of the numpy step bit for bit (same
operations in the same order), whatever the chunking and the threads; the
expected values here are the numpy path's own, computed in the same test
with the kernels switched off, so every comparison is exact (tolerance 0).
"""

from __future__ import annotations

import numpy as np
import pytest

from gamesim import kernels, make_game, make_rule, simulate
from gamesim.engine.core import (
    CHECK_EVERY,
    CHECK_EVERY_ON_SIMPLICES,
    _default_check_every,
)
from gamesim.games.matrix import MatrixGame
from gamesim.rules.learning import _lowest_best

pytest.importorskip("numba", reason="the compiled loops need numba")
hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")


@pytest.fixture(autouse=True)
def _restore_switches():
    saved = kernels._ENABLED, kernels._THREADS
    yield
    kernels._ENABLED, kernels._THREADS = saved


def _pure_starts(m: int, n: int, runs: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z0 = np.zeros((runs, m + n))
    z0[np.arange(runs), rng.integers(0, m, runs)] = 1.0
    z0[np.arange(runs), m + rng.integers(0, n, runs)] = 1.0
    return z0


class _Counted:
    """Wraps :func:`kernels.split_runs` to count the compiled calls."""

    def __init__(self):
        self.calls = 0
        self._split = kernels.split_runs

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self._split(*args, **kwargs)


def _both_paths(game, z0, steps, **kw):
    """The run with the numpy steps, then with the compiled loop (which must
    then have run: otherwise the comparison would be numpy with numpy)."""
    out = []
    for flag in (False, True):
        kernels.set_enabled(flag)
        counted = _Counted()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(kernels, "split_runs", counted)
            out.append(simulate(game, make_rule("fp"), steps=steps, z0=z0,
                                batch=len(z0), **kw))
        assert (counted.calls > 0) == flag, (flag, counted.calls)
    return out


def _assert_identical(a, b):
    np.testing.assert_array_equal(a.z, b.z)
    np.testing.assert_array_equal(a.average, b.average)
    assert a.history.equals(b.history)
    assert a.final.equals(b.final)


GAMES = {
    "rps": lambda: make_game("matrix:name=rps"),
    "shapley": lambda: make_game("matrix:name=shapley"),
    "random 20 x 20": lambda: MatrixGame(
        np.random.default_rng(20).standard_normal((20, 20))),
    "random 4 x 7 bimatrix": lambda: MatrixGame(
        np.random.default_rng(7).standard_normal((4, 7)),
        np.random.default_rng(8).standard_normal((4, 7))),
    "constant (all ties)": lambda: MatrixGame(np.zeros((3, 5))),
    "duplicated rows": lambda: MatrixGame(np.array(
        [[1.0, -2.0, 0.5], [1.0, -2.0, 0.5], [-1.0, 3.0, 0.25]])),
}


@pytest.mark.parametrize("name", sorted(GAMES))
@pytest.mark.parametrize("record_every", [1, 37, 500])
def test_kernel_equals_numpy_steps_from_pure_starts(name, record_every):
    game = GAMES[name]()
    m, n = game.sizes
    z0 = _pure_starts(m, n, 12, seed=len(name))
    numpy_run, kernel_run = _both_paths(game, z0, 500, record_every=record_every)
    _assert_identical(numpy_run, kernel_run)


@pytest.mark.parametrize("name", sorted(GAMES))
def test_kernel_equals_numpy_steps_from_mixed_starts(name):
    # a mixed start takes one numpy round, then the loop from its answer
    game = GAMES[name]()
    m, n = game.sizes
    rng = np.random.default_rng(3)
    z0 = np.hstack([rng.dirichlet(np.ones(m), 6), rng.dirichlet(np.ones(n), 6)])
    numpy_run, kernel_run = _both_paths(game, z0, 300, record_every=50)
    _assert_identical(numpy_run, kernel_run)


def test_kernel_with_a_tolerance_stops_at_the_same_steps():
    game = GAMES["random 20 x 20"]()
    z0 = _pure_starts(20, 20, 16, seed=5)
    numpy_run, kernel_run = _both_paths(game, z0, 3000, tol=0.075,
                                        stop_metric="nash_conv_avg")
    # NashConv of the frequencies is 0.066 - 0.079 after 3000 rounds here:
    # some runs stop, some do not
    assert (numpy_run.status == "converged").any()
    assert (numpy_run.status == "max_steps").any()
    _assert_identical(numpy_run, kernel_run)
    np.testing.assert_array_equal(numpy_run.steps, kernel_run.steps)


def test_fictitious_play_reference_d_through_the_kernel():
    # Reference D (shared/reference-cases.md): matching pennies, both start on
    # action 0; after T = 1000 rounds the counts are (483, 517) and (505, 495)
    # and the NashConv of the empirical frequencies is 0.044 (table digits).
    game = make_game("matrix:name=matching_pennies")
    T = 1000
    for flag in (False, True):
        kernels.set_enabled(flag)
        res = simulate(game, make_rule("fp"), steps=T - 1, z0=[1, 0, 1, 0],
                       record_every=T)
        np.testing.assert_allclose(res.average[0] * T, [483, 517, 505, 495],
                                   atol=1e-9)
        assert res.final["nash_conv_avg"][0] == pytest.approx(0.044, abs=1e-12)


def test_threads_do_not_change_the_numbers(monkeypatch):
    game = GAMES["random 20 x 20"]()
    z0 = _pure_starts(20, 20, 33, seed=9)
    monkeypatch.setattr(kernels, "MIN_WORK_PER_THREAD", 1)  # always split
    runs = []
    for count in (1, 2, 3):
        kernels.set_threads(count)
        runs.append(simulate(game, make_rule("fp"), steps=400, z0=z0, batch=33,
                             record_every=100))
    for other in runs[1:]:
        _assert_identical(runs[0], other)


def test_a_larger_thread_count_gets_a_larger_pool(monkeypatch):
    monkeypatch.setattr(kernels, "MIN_WORK_PER_THREAD", 1)
    seen = []

    def kernel(values):
        seen.append(__import__("threading").current_thread().name)

    kernels.set_threads(2)
    kernels.split_runs(kernel, (), (np.zeros(8),), (), work=100)
    kernels.set_threads(4)
    kernels.split_runs(kernel, (), (np.zeros(8),), (), work=100)
    assert kernels._POOL._max_workers >= 4
    assert len(seen) == 6


def test_split_runs_covers_every_run_once(monkeypatch):
    calls = []

    def kernel(scale, values, steps):
        calls.append(len(values))
        values += scale * steps

    monkeypatch.setattr(kernels, "MIN_WORK_PER_THREAD", 1)
    kernels.set_threads(3)
    values = np.zeros(10)
    kernels.split_runs(kernel, (2.0,), (values,), (5,), work=100)
    np.testing.assert_array_equal(values, np.full(10, 10.0))
    assert sorted(calls) == [3, 3, 4]


def test_split_runs_raises_the_kernels_error(monkeypatch):
    def kernel(values):
        raise FloatingPointError("broken block")

    monkeypatch.setattr(kernels, "MIN_WORK_PER_THREAD", 1)
    kernels.set_threads(2)
    with pytest.raises(FloatingPointError, match="broken block"):
        kernels.split_runs(kernel, (), (np.zeros(4),), (), work=100)


def test_random_tie_break_keeps_the_numpy_steps(monkeypatch):
    def refuse():
        raise AssertionError("the compiled loop serves only tie_break='lowest'")

    monkeypatch.setattr(kernels, "fictitious_play", refuse)
    game = make_game("matrix:name=rps")
    res = simulate(game, make_rule("fp:tie_break=random,seed=3"), steps=50,
                   z0=[1, 0, 0, 1, 0, 0], seed=1)
    assert res.status[0] == "max_steps"
    np.testing.assert_allclose(res.average.sum(axis=1), 2.0, rtol=1e-12)


def _kernel_answer(payoff, row):
    """The compiled loop's index after one round: payoff + row, then argmax."""
    kernels.set_enabled(True)  # whatever GAMESIM_JIT says (restored after)
    k = len(payoff)
    at = np.tile(row, (k, 1))  # every column gives the same payoff row
    b = np.zeros((k, k))
    state = np.concatenate([payoff, np.zeros(k)])[None, :].copy()
    choice = np.zeros((1, 2), dtype=np.int64)
    kernels.fictitious_play()(at, b, np.abs(at).max(axis=1),
                              np.zeros(k), state, choice,
                              np.zeros((1, 2 * k)), 1)
    return int(choice[0, 0])


@pytest.mark.parametrize("offset,expected", [
    (0.5e-9, 1),   # within 1e-12 of the largest magnitude (1000): tied
    (2.0e-9, 4),   # outside it: the best entry alone
    (0.0, 1),      # an exact tie
])
def test_near_ties_are_judged_by_the_largest_magnitude(offset, expected):
    # best 1.0 at index 4; index 1 is 1 - offset; the largest magnitude is
    # 1000 (index 0), so the tie band is 1e-9 wide, wider than 1e-12 |best|:
    # the loop must compute the exact threshold for entry 1.
    payoff = np.array([-1000.0, 1.0 - offset, 0.0, 0.5, 1.0])
    row = np.zeros(5)
    assert _kernel_answer(payoff, row) == expected
    assert int(_lowest_best((payoff + row)[None, :])[0]) == expected


@hypothesis.given(
    A=st.lists(st.lists(st.integers(-2, 2), min_size=3, max_size=3),
               min_size=2, max_size=4),
    scale=st.sampled_from([1.0, 1e-13, 1e12]),
    start=st.integers(0, 10**6),
)
def test_integer_games_with_many_ties_agree(A, scale, start):
    # small integer payoffs tie often; scaled, ties sit at the tolerance's edge
    game = MatrixGame(np.array(A, dtype=float) * scale)
    m, n = game.sizes
    z0 = _pure_starts(m, n, 3, seed=start)
    numpy_run, kernel_run = _both_paths(game, z0, 60, record_every=60)
    np.testing.assert_array_equal(numpy_run.z, kernel_run.z)
    np.testing.assert_array_equal(numpy_run.average, kernel_run.average)


def test_without_numba_the_rules_take_numpy_steps(monkeypatch):
    # an import of numba that fails (as where it is not installed): asking
    # for the loop is harmless and fictitious play runs its numpy steps
    monkeypatch.setitem(__import__("sys").modules, "numba", None)
    kernels.set_enabled(True)
    assert kernels.enabled() is False and kernels.fictitious_play() is None
    monkeypatch.setattr(kernels, "_ENABLED", None)
    assert kernels.enabled() is False
    game = make_game("matrix:name=matching_pennies")
    res = simulate(game, make_rule("fp"), steps=999, z0=[1, 0, 1, 0],
                   record_every=1000)
    # reference D at T = 1000 (shared/reference-cases.md)
    np.testing.assert_allclose(res.average[0] * 1000, [483, 517, 505, 495],
                               atol=1e-9)


def test_switches_and_their_errors(monkeypatch):
    kernels.set_enabled(False)
    assert kernels.fictitious_play() is None
    kernels.set_enabled(True)
    assert callable(kernels.fictitious_play())
    monkeypatch.setattr(kernels, "_ENABLED", None)
    monkeypatch.setenv("GAMESIM_JIT", "0")
    assert kernels.enabled() is False
    monkeypatch.setenv("GAMESIM_THREADS", "3")
    kernels.set_threads(None)
    assert kernels.threads() == 3
    kernels.set_threads(2)
    assert kernels.threads() == 2
    for bad in (0, -1, 1.5, 2.0, "2", True):
        with pytest.raises(ValueError, match="threads must be an integer"):
            kernels.set_threads(bad)


def test_checks_are_rarer_on_simplices_without_a_tolerance():
    matrix, bilinear = make_game("matrix:name=rps"), make_game("bilinear")
    assert _default_check_every(matrix, None) == CHECK_EVERY_ON_SIMPLICES
    assert _default_check_every(matrix, 1e-3) == CHECK_EVERY
    assert _default_check_every(bilinear, None) == CHECK_EVERY
