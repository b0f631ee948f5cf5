"""Fictitious play and multiplicative weights against nashpy and quantecon.

Games: rock-paper-scissors (3 x 3) and random zero-sum games with standard
normal payoffs (50 x 50, 200 x 200). Fictitious play is compared with
quantecon's ``FictitiousPlay`` and nashpy's ``Game.fictitious_play`` (both
install with the ``bench`` extra); neither library has multiplicative
weights, so Hedge is compared with the plain numpy loop of
``plain_loops.hedge``.

Targets (issue 8): a single fictitious-play run faster than quantecon's on
50 x 50 and 200 x 200; a batch over 1,000 initial points at least 100
times quantecon's iterations per second (quantecon runs one initial point
at a time, so its batched rate is its single-run rate).
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

import plain_loops
from side_by_side import Comparison, best_of, check, report, side_by_side
from gamesim import make_game, make_rule, simulate
from gamesim.games.matrix import MatrixGame

nashpy = pytest.importorskip("nashpy", reason="pip install -e .[bench]")
qe = pytest.importorskip("quantecon.game_theory", reason="pip install -e .[bench]")

SIZES = [3, 50, 200]
RUNS = 1000
#: iterations per timed call (single run, batch)
SINGLE_STEPS = {3: 2000, 50: 1000, 200: 500}
BATCH_STEPS = {3: 5000, 50: 5000, 200: 5000}
#: Hedge's rounds per batched call: fewer, as its runs spiral towards the
#: simplex's boundary and the engine and the plain loop part by rounding
HEDGE_BATCH_STEPS = {3: 200, 50: 50, 200: 20}
HEDGE_LR = 0.1

_GAMES: dict[int, MatrixGame] = {}


def _game(k: int) -> MatrixGame:
    """RPS for k = 3, else a random zero-sum game (equilibria computed once)."""
    if k not in _GAMES:
        if k == 3:
            game = make_game("matrix:name=rps")
        else:
            A = np.random.default_rng(k).standard_normal((k, k))
            game = MatrixGame(A, name=f"random {k} x {k}")
        game.metrics(game.initial_point()[None, :])  # solve the game now
        _GAMES[k] = game
    return _GAMES[k]


def _pure_starts(k: int, runs: int) -> np.ndarray:
    rng = np.random.default_rng(2)
    z0 = np.zeros((runs, 2 * k))
    z0[np.arange(runs), rng.integers(0, k, runs)] = 1.0
    z0[np.arange(runs), k + rng.integers(0, k, runs)] = 1.0
    return z0


def _quantecon_fp(A):
    return qe.FictitiousPlay(qe.NormalFormGame((qe.Player(A), qe.Player(-A.T))))


def _engine(game, rule, z0, steps):
    return simulate(game, rule, steps=steps, z0=z0, batch=len(z0),
                    record_every=steps)


@pytest.mark.parametrize("k", SIZES)
def test_fictitious_play_single_run_vs_quantecon(benchmark, k):
    game, rule = _game(k), make_rule("fp")
    A, steps = game.A, SINGLE_STEPS[k]
    z0 = _pure_starts(k, 1)
    i0, j0 = int(np.argmax(z0[0, :k])), int(np.argmax(z0[0, k:]))
    peer = _quantecon_fp(A)

    def engine():
        return _engine(game, rule, z0, steps)

    def quantecon():
        return peer.play(actions=(i0, j0), num_reps=steps)

    # same algorithm: quantecon's mixed actions are the empirical frequencies
    x, y = quantecon()
    np.testing.assert_allclose(engine().average[0], np.concatenate([x, y]),
                               atol=1e-9)  # running mean vs counts / T

    t_engine, t_peer = side_by_side(benchmark, engine, quantecon, rounds=5)
    c = report(benchmark, Comparison(
        f"fp {k}x{k}, single run vs quantecon", steps / t_engine, steps / t_peer,
        t_peer / t_engine, "engine / quantecon iterations per second",
        "> 1" if k >= 50 else "", unit="it/s"))
    if k >= 50:
        check(c, c.ratio > 1.0, benchmark)


@pytest.mark.parametrize("k", SIZES)
def test_fictitious_play_single_run_vs_nashpy(benchmark, k):
    game, rule = _game(k), make_rule("fp")
    A, steps = game.A, SINGLE_STEPS[k]
    z0 = _pure_starts(k, 1)
    peer = nashpy.Game(A)

    def engine():
        return _engine(game, rule, z0, steps)

    def nash():  # a generator of play counts; keep only the last
        return collections.deque(peer.fictitious_play(iterations=steps), maxlen=1)

    t_engine, t_peer = side_by_side(benchmark, engine, nash, rounds=3)
    report(benchmark, Comparison(
        f"fp {k}x{k}, single run vs nashpy", steps / t_engine, steps / t_peer,
        t_peer / t_engine, "engine / nashpy iterations per second", unit="it/s"))


@pytest.mark.parametrize("k", SIZES)
def test_fictitious_play_batch_vs_quantecon(benchmark, k):
    game, rule = _game(k), make_rule("fp")
    A, steps = game.A, BATCH_STEPS[k]
    z0 = _pure_starts(k, RUNS)
    peer = _quantecon_fp(A)
    peer_steps = SINGLE_STEPS[k]

    def engine():
        return _engine(game, rule, z0, steps)

    def quantecon():  # one initial point: quantecon has no batch
        return peer.play(actions=(0, 0), num_reps=peer_steps)

    # every run of the batch is the plain loop's run from the same start
    freq_x, freq_y = plain_loops.fictitious_play(A, z0[:, :k], z0[:, k:], steps)
    np.testing.assert_allclose(engine().average, np.hstack([freq_x, freq_y]),
                               atol=1e-12)

    t_engine, t_peer = side_by_side(benchmark, engine, quantecon, rounds=3)
    engine_rate = RUNS * steps / t_engine
    peer_rate = peer_steps / t_peer
    c = report(benchmark, Comparison(
        f"fp {k}x{k}, {RUNS} initial points vs quantecon", engine_rate,
        peer_rate, engine_rate / peer_rate,
        "engine run-steps/s / quantecon it/s", ">= 100", unit="it/s"))
    check(c, c.ratio >= 100.0, benchmark)


@pytest.mark.parametrize("k", SIZES)
def test_fictitious_play_batch_vs_plain_loop(benchmark, k):
    game, rule = _game(k), make_rule("fp")
    A, steps = game.A, BATCH_STEPS[k]
    z0 = _pure_starts(k, RUNS)
    x0, y0 = z0[:, :k].copy(), z0[:, k:].copy()

    def engine():
        return _engine(game, rule, z0, steps)

    def plain():
        return plain_loops.fictitious_play(A, x0, y0, steps)

    t_engine, t_plain = side_by_side(benchmark, engine, plain, rounds=3)
    report(benchmark, Comparison(
        f"fp {k}x{k}, {RUNS} runs vs plain loop", RUNS * steps / t_engine,
        RUNS * steps / t_plain, t_plain / t_engine,
        "engine / plain run-steps per second", unit="run-steps/s"))


@pytest.mark.parametrize("runs", [1, RUNS])
@pytest.mark.parametrize("k", SIZES)
def test_hedge_vs_plain_loop(benchmark, k, runs):
    game, rule = _game(k), make_rule(f"hedge:lr={HEDGE_LR}")
    A = game.A
    steps = SINGLE_STEPS[k] if runs == 1 else HEDGE_BATCH_STEPS[k]
    z0 = np.tile(game.initial_point(), (runs, 1))
    z0 = 0.5 * z0 + 0.5 * np.random.default_rng(3).dirichlet(
        np.ones(k), size=(runs, 2)).reshape(runs, 2 * k)
    x0, y0 = z0[:, :k].copy(), z0[:, k:].copy()

    def engine():
        return _engine(game, rule, z0, steps)

    def plain():
        return plain_loops.hedge(A, x0, y0, HEDGE_LR, steps)

    x, y = plain()
    np.testing.assert_allclose(engine().z, np.hstack([x, y]), rtol=1e-8,
                               atol=1e-12)

    t_engine, t_plain = side_by_side(benchmark, engine, plain, rounds=3)
    work = runs * steps
    what = "single run" if runs == 1 else f"{runs} runs"
    report(benchmark, Comparison(
        f"hedge {k}x{k}, {what} vs plain loop", work / t_engine, work / t_plain,
        t_plain / t_engine, "engine / plain run-steps per second",
        unit="run-steps/s"))


def test_quantecon_rate_is_what_the_issue_quotes(benchmark):
    """Context for the FP targets: quantecon's 50 x 50 rate on this machine.

    Issue 8 quotes about 84,000 iterations per second (and nashpy about
    37,000) on this kind of machine; the measured rate is recorded, not
    asserted, since it depends on the machine's load.
    """
    peer = _quantecon_fp(_game(50).A)
    seconds = benchmark.pedantic(
        lambda: best_of(lambda: peer.play(actions=(0, 0), num_reps=2000), 3),
        rounds=1, iterations=1)
    report(benchmark, Comparison(
        "quantecon fp 50x50 alone", 2000 / seconds, 84_000.0,
        2000 / seconds / 84_000.0, "measured / quoted it/s", unit="it/s"))
