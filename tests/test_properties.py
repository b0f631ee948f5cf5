"""Game-theoretic invariants under property-based tests (issue 9, item 1).

Hypothesis draws random matrix games (1 to 4 pure strategies per player,
zero-sum or bimatrix, integer and real payoffs, degenerate games included)
and random mixed strategies; every registered update rule is run on them.
The examples are fixed by the ``ci`` profile of ``tests/conftest.py``
(derandomised); tests run once per rule take a share of its budget.

Where the expected values come from: each property is a theorem about the
exact dynamics or the definitions (stated beside each test). Floating point
only adds rounding, about 1e-16 relative per operation, over runs of
:data:`STEPS` steps; comparisons therefore use ``RTOL`` (1e-9 relative to
the payoff scale), far above rounding and far below any real difference.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gamesim import make_game, make_rule, rule_names, simulate
from gamesim.equilibria import METHODS, solve
from gamesim.equilibria.payoffs import constant_sum
from gamesim.errors import ConfigError
from gamesim.games.matrix import MatrixGame
from gamesim.specs import Spec

#: steps of every simulated run: enough for the dynamics to move far from
#: the start, short enough that rounding stays near 1e-14
STEPS = 25
#: relative tolerance of the invariances (rounding over STEPS steps is ~1e-14)
RTOL = 1e-9
#: examples per rule for the tests run once per rule (a share of the profile)
PER_RULE = max(4, settings().max_examples // 8)

RULES = rule_names()

#: hyperparameters used on matrix games (payoffs up to 10 in size)
PARAMS = {
    "adam": {"lr": 0.05, "eps": 1e-8},
    "cgd": {"lr": 0.05},
    "consensus": {"lr": 0.05, "gamma": 0.5},
    "eg": {"lr": 0.05},
    "entropic_eg": {"lr": 0.1},
    "entropic_optimistic": {"lr": 0.1},
    "fp": {},
    "gda": {"lr": 0.05},
    "hedge": {"lr": 0.1},
    "logit_fp": {"temperature": 0.5},
    "momentum": {"lr": 0.05, "beta": 0.5},
    "oadam": {"lr": 0.05, "eps": 1e-8},
    "ogda": {"lr": 0.05},
    "optimistic_hedge": {"lr": 0.1},
    "pp": {"lr": 0.05},
    "replicator": {"lr": 0.02},
    "replicator_ode": {"lr": 0.1},
    "rm": {},
    "rm_plus": {},
    "sga": {"lr": 0.05, "lam": 0.5, "eps": 0.1},
}


def _over(key):
    return lambda p, c: {**p, key: p[key] / c}


def _times(key, power=1):
    return lambda p, c: {**p, key: p[key] * c**power}


def _chain(*maps):
    def both(p, c):
        for f in maps:
            p = f(p, c)
        return p

    return both


def _same(p, c):
    return dict(p)


#: Payoffs multiplied by c > 0: the hyperparameters that give the same
#: iterates. Derivations: a step ``lr * field`` is unchanged when lr -> lr/c
#: (gradient, mirror and replicator steps; the replicator ODE's time);
#: best responses and regret proportions do not see the scale (fp, rm,
#: rm_plus); logit responses see payoff / temperature; Adam's direction
#: m / (sqrt(v) + eps) is unchanged with eps -> eps c. Consensus adds
#: gamma J^T xi (order c^2): gamma -> gamma / c. SGA adds lam A^T xi (order
#: c^2) and picks its sign from a product of order c^7 plus eps.
SCALING = {
    "adam": _times("eps"),
    "cgd": _over("lr"),
    "consensus": _chain(_over("lr"), _over("gamma")),
    "eg": _over("lr"),
    "entropic_eg": _over("lr"),
    "entropic_optimistic": _over("lr"),
    "fp": _same,
    "gda": _over("lr"),
    "hedge": _over("lr"),
    "logit_fp": _times("temperature"),
    "momentum": _over("lr"),
    "oadam": _times("eps"),
    "ogda": _over("lr"),
    "optimistic_hedge": _over("lr"),
    "pp": _over("lr"),
    "replicator": _over("lr"),
    "replicator_ode": _over("lr"),
    "rm": _same,
    "rm_plus": _same,
    "sga": _chain(_over("lr"), _over("lam"), _times("eps", 7)),
}

#: Rules whose iterates do not change when a constant is added to a
#: player's payoffs. Adding k to every payoff adds k to every entry of the
#: payoff vector u: best responses, regrets u - <x, u>, softmax weights and
#: replicator terms u - <x, u> ignore it, and a Euclidean projection onto
#: the simplex ignores a shift along (1, ..., 1). Not invariant: Adam and
#: OAdam (per-coordinate normalisation), and the Jacobian rules (consensus,
#: SGA, CGD), whose Jacobian holds the payoffs themselves.
SHIFT_INVARIANT = {
    "eg", "entropic_eg", "entropic_optimistic", "fp", "gda", "hedge",
    "logit_fp", "momentum", "ogda", "optimistic_hedge", "pp", "replicator",
    "replicator_ode", "rm", "rm_plus",
}
NOT_SHIFT_INVARIANT = {"adam", "oadam", "consensus", "sga", "cgd"}

#: Rules whose ties go to the lowest index: permuting actions changes which
#: of two tied strategies is played, so they are checked on games without
#: ties (generic real payoffs) only.
TIE_BREAKING = {"fp"}


# -- strategies ---------------------------------------------------------------
payoffs = st.one_of(
    st.integers(-9, 9).map(float),
    st.floats(-10, 10, allow_nan=False, allow_subnormal=False),
)


@st.composite
def matrix_games(draw, max_size=4):
    """``(A, B)`` with ``B`` None (zero-sum) or a second payoff matrix."""
    m = draw(st.integers(1, max_size))
    n = draw(st.integers(1, max_size))
    A = draw(arrays(np.float64, (m, n), elements=payoffs))
    B = draw(st.one_of(st.none(), arrays(np.float64, (m, n), elements=payoffs)))
    return A, B


@st.composite
def mixed(draw, k, interior=False):
    """A mixed strategy on k actions (interior: every entry >= 0.05 / k)."""
    low = 0.05 if interior else 0.0
    w = draw(arrays(np.float64, k, elements=st.floats(low, 1.0)))
    if w.sum() <= 0:
        w[draw(st.integers(0, k - 1))] = 1.0
    return w / w.sum()


@st.composite
def game_and_start(draw, max_size=4):
    A, B = draw(matrix_games(max_size))
    m, n = A.shape
    z0 = np.concatenate([draw(mixed(m, True)), draw(mixed(n, True))])
    return A, B, z0


def rule(name, params=None):
    return make_rule(Spec(name, PARAMS.get(name, {}) if params is None else params))


def run(A, B, name, z0, params=None, **kw):
    kw.setdefault("record_every", STEPS)  # the metrics cost more than the steps
    return simulate(MatrixGame(A, B), rule(name, params), steps=STEPS, z0=z0, **kw)


@functools.cache
def applies(name) -> bool:
    """Whether rule ``name`` runs on matrix games at all."""
    try:
        simulate(make_game("matrix:name=matching_pennies"), rule(name), steps=1)
    except ConfigError:
        return False
    return True


def assert_on_simplex(z, m, atol=1e-9):
    z = np.atleast_2d(z)
    assert np.all(np.isfinite(z))
    assert np.all(z >= -atol), z.min()
    np.testing.assert_allclose(z[:, :m].sum(axis=1), 1.0, rtol=0, atol=atol)
    np.testing.assert_allclose(z[:, m:].sum(axis=1), 1.0, rtol=0, atol=atol)


def scale_of(A, B):
    B = -A if B is None else B
    return max(np.ptp(A), np.ptp(B), np.abs(A).max(), np.abs(B).max(), 1.0)


def assert_same_run(a, b, atol):
    np.testing.assert_allclose(a.z, b.z, rtol=0, atol=atol)
    if a.average is not None:
        np.testing.assert_allclose(a.average, b.average, rtol=0, atol=atol)


def independent_gains(A, B, x, y):
    """Best-response gains by checking every pure deviation in a loop."""
    B = -A if B is None else B
    now_row, now_col = x @ A @ y, x @ B @ y
    row = max(A[i] @ y for i in range(A.shape[0])) - now_row
    col = max(x @ B[:, j] for j in range(A.shape[1])) - now_col
    return row, col


def test_every_rule_has_its_invariances_stated():
    # a rule added to the registry must say how it transforms (see SCALING)
    missing = [r for r in RULES if r not in SCALING and applies(r)]
    assert not missing, f"rules without a stated scaling invariance: {missing}"
    assert SHIFT_INVARIANT | NOT_SHIFT_INVARIANT >= set(SCALING)


# -- strategies stay on the simplex -------------------------------------------
@pytest.mark.parametrize("name", RULES)
@settings(max_examples=PER_RULE)
@given(data=game_and_start(), lr=st.one_of(st.floats(1e-3, 5.0), st.floats(5, 1e15)),
       noise=st.floats(0, 1))
def test_strategies_stay_on_the_simplex(name, data, lr, noise):
    # every rule, gradient rules included (projected), with step sizes from
    # 1e-3 to 1e15 (a projected step then moves entries far beyond 2^53)
    if not applies(name):
        pytest.skip(f"{name} does not run on matrix games")
    A, B, z0 = data
    m = A.shape[0]
    params = dict(PARAMS.get(name, {}))
    if "lr" in params:
        params["lr"] = min(lr, 1.0) if name == "replicator_ode" else lr
    res = run(A, B, name, z0, params, init_noise=noise, record_every=5)
    assert set(res.status) <= {"max_steps", "converged"}
    assert_on_simplex(res.z, m)
    if res.average is not None:
        assert_on_simplex(res.average, m)
    recorded = res.history[MatrixGame(A, B).param_names()].to_numpy()
    assert_on_simplex(recorded, m)


# -- NashConv -----------------------------------------------------------------
@given(data=matrix_games(), draws=st.data())
def test_nash_conv_is_nonnegative_and_sums_the_gains(data, draws):
    # definition (Lanctot et al. 2017): NashConv = sum of best-response gains,
    # each >= 0 and at most the player's payoff range
    A, B = data
    m, n = A.shape
    x, y = draws.draw(mixed(m)), draws.draw(mixed(n))
    game = MatrixGame(A, B)
    metrics = game.metrics(np.concatenate([x, y]))
    Bm = -A if B is None else B
    tol = 1e-12 * scale_of(A, B)
    row, col = independent_gains(A, B, x, y)
    assert metrics["nash_conv"][0] >= 0
    assert metrics["exploitability_row"][0] >= 0
    assert metrics["exploitability_column"][0] >= 0
    np.testing.assert_allclose(metrics["exploitability_row"], max(row, 0), atol=tol)
    np.testing.assert_allclose(metrics["exploitability_column"], max(col, 0), atol=tol)
    assert metrics["nash_conv"][0] <= np.ptp(A) + np.ptp(Bm) + tol
    if game.zero_sum:  # the duality gap equals NashConv in (constant-)zero-sum games
        np.testing.assert_allclose(metrics["duality_gap"], metrics["nash_conv"],
                                   atol=1e-9 * scale_of(A, B))


def _methods_for(A, B):
    Bm = -A if B is None else B
    return [k for k in METHODS
            if k != "linprog" or constant_sum(A, Bm) is not None]


@given(data=matrix_games())
def test_solver_equilibria_pass_an_independent_best_response_check(data):
    # every profile a solver returns is a Nash equilibrium: no pure deviation
    # gains more than 1e-9 of the payoff scale (checked here by a plain loop),
    # and the game's NashConv metric there is 0 to the same tolerance
    A, B = data
    m = A.shape[0]
    game = MatrixGame(A, B)
    tol = 1e-9 * scale_of(A, B)
    for method in _methods_for(A, B):
        eq = solve(A, B, method=method)
        assert len(eq) >= 1, method
        for profile in eq.profiles:
            x, y = profile[:m], profile[m:]
            assert_on_simplex(profile, m)
            row, col = independent_gains(A, B, x, y)
            assert row <= tol and col <= tol, (method, row, col)
            assert game.metrics(profile)["nash_conv"][0] <= tol, method


@given(data=matrix_games(max_size=3))
def test_complete_enumerations_agree(data):
    # vertex and support enumeration both list every extreme equilibrium
    A, B = data
    v = solve(A, B, method="vertex_enumeration")
    s = solve(A, B, method="support_enumeration")
    assert v.continuum == s.continuum
    np.testing.assert_allclose(v.profiles, s.profiles, atol=1e-8)


def _as_set(profiles):
    return sorted(tuple(np.round(p, 7) + 0.0) for p in np.atleast_2d(profiles))


@given(data=matrix_games(max_size=3), perm=st.randoms(use_true_random=False),
       c=st.floats(1e-3, 1e3), k=st.floats(-100, 100))
def test_equilibria_follow_permutations_and_affine_payoff_maps(data, perm, c, k):
    # relabelling actions relabels the equilibria; a positive affine map of
    # the payoffs (c A + k, c B + k) keeps every best response, so the set
    # of equilibria is unchanged (von Stengel 2002, section 2)
    A, B = data
    Bm = -A if B is None else B
    m, n = A.shape
    p = list(range(m))
    q = list(range(n))
    perm.shuffle(p)
    perm.shuffle(q)
    base = solve(A, Bm, method="vertex_enumeration")
    moved = solve(A[p][:, q], Bm[p][:, q], method="vertex_enumeration")
    expected = np.hstack([base.x[:, p], base.y[:, q]])
    assert _as_set(moved.profiles) == _as_set(expected)
    mapped = solve(c * A + k, c * Bm + k, method="vertex_enumeration")
    assert _as_set(mapped.profiles) == _as_set(base.profiles)


# -- invariance of the learning dynamics --------------------------------------
@pytest.mark.parametrize("name", sorted(SCALING))
@settings(max_examples=PER_RULE)
@given(data=game_and_start(), c=st.floats(0.01, 100.0))
def test_scaling_the_payoffs_with_matched_hyperparameters(name, data, c):
    # payoffs * c with the hyperparameters of SCALING: identical iterates
    A, B, z0 = data
    params = PARAMS[name]
    first = run(A, B, name, z0, params)
    second = run(c * A, None if B is None else c * B, name, z0,
                 SCALING[name](params, c))
    atol = 1e-7 if name == "replicator_ode" else RTOL
    assert_same_run(first, second, atol)
    np.testing.assert_allclose(
        first.final["nash_conv_relative"], second.final["nash_conv_relative"],
        atol=atol)


@pytest.mark.parametrize("name", sorted(SHIFT_INVARIANT))
@settings(max_examples=PER_RULE)
@given(data=game_and_start(), k=st.floats(-50, 50), k_col=st.floats(-50, 50))
def test_adding_a_constant_to_the_payoffs(name, data, k, k_col):
    # each player's payoffs plus a constant: identical iterates
    A, B, z0 = data
    first = run(A, B, name, z0)
    second = run(A + k, None if B is None else B + k_col, name, z0)
    atol = 1e-7 if name == "replicator_ode" else RTOL
    assert_same_run(first, second, atol)


@pytest.mark.parametrize("name", sorted(set(SCALING) - TIE_BREAKING))
@settings(max_examples=PER_RULE)
@given(data=game_and_start(), perm=st.randoms(use_true_random=False))
def test_permuting_actions_permutes_the_run(name, data, perm):
    # relabelling the pure strategies relabels every iterate
    A, B, z0 = data
    m, n = A.shape
    p, q = list(range(m)), list(range(n))
    perm.shuffle(p)
    perm.shuffle(q)
    order = np.array(p + [m + j for j in q])
    first = run(A, B, name, z0)
    second = run(A[p][:, q], None if B is None else B[p][:, q], name, z0[order])
    atol = 1e-7 if name == "replicator_ode" else RTOL
    np.testing.assert_allclose(second.z, first.z[:, order], rtol=0, atol=atol)
    if first.average is not None:
        np.testing.assert_allclose(second.average, first.average[:, order],
                                   rtol=0, atol=atol)


@pytest.mark.parametrize("name", sorted(TIE_BREAKING))
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 4), n=st.integers(1, 4),
       perm=st.randoms(use_true_random=False))
def test_permuting_actions_permutes_the_run_without_ties(name, seed, m, n, perm):
    # generic real payoffs (standard normal): best responses are never tied,
    # so the tie-breaking rule plays no part
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((m, n)), rng.standard_normal((m, n))
    z0 = np.concatenate([rng.dirichlet(np.ones(m)), rng.dirichlet(np.ones(n))])
    p, q = list(range(m)), list(range(n))
    perm.shuffle(p)
    perm.shuffle(q)
    order = np.array(p + [m + j for j in q])
    first = run(A, B, name, z0)
    second = run(A[p][:, q], B[p][:, q], name, z0[order])
    np.testing.assert_array_equal(second.z, first.z[:, order])
    np.testing.assert_allclose(second.average, first.average[:, order],
                               rtol=0, atol=RTOL)


# -- seeds and batches --------------------------------------------------------
#: rules with their own random draws, as the user turns them on
RANDOMISED = {"fp": {"tie_break": "random", "seed": 3},
              "logit_fp": {"temperature": 0.5, "sample": True, "seed": 3}}


def _randomised(name):
    return RANDOMISED.get(name, PARAMS.get(name, {}))


@pytest.mark.parametrize("name", RULES)
@settings(max_examples=PER_RULE)
@given(data=matrix_games(), seed=st.integers(0, 2**31), noise=st.floats(0, 1))
def test_the_same_seed_gives_the_same_run(name, data, seed, noise):
    # reproducibility: bit for bit, history included
    if not applies(name):
        pytest.skip(f"{name} does not run on matrix games")
    A, B = data
    game = MatrixGame(A, B)
    runs = [simulate(game, rule(name, _randomised(name)), steps=STEPS, seed=seed,
                     batch=2, init_noise=noise, record_every=5) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].z, runs[1].z)
    assert runs[0].history.equals(runs[1].history)


def _agree_batch_and_alone(game, name, params, seed, noise, atol):
    batch = simulate(game, rule(name, params), steps=STEPS, seed=seed, batch=3,
                     init_noise=noise, record_every=STEPS)
    for i in range(3):
        alone = simulate(game, rule(name, params), steps=STEPS, seed=seed + i,
                         init_noise=noise, record_every=STEPS)
        np.testing.assert_allclose(batch.z[i], alone.z[0], rtol=0, atol=atol)
        assert batch.status[i] == alone.status[0]
        assert batch.steps[i] == alone.steps[0]
        if batch.average is not None:
            np.testing.assert_allclose(batch.average[i], alone.average[0],
                                       rtol=0, atol=atol)


@pytest.mark.parametrize("name", RULES)
@settings(max_examples=PER_RULE)
@given(data=matrix_games(), seed=st.integers(0, 2**31), noise=st.floats(0, 1))
def test_a_batch_agrees_with_its_runs_one_by_one(name, data, seed, noise):
    # run i of a batch uses seed + i (engine contract): same numbers alone
    if not applies(name):
        pytest.skip(f"{name} does not run on matrix games")
    A, B = data
    atol = (1e-7 if name == "replicator_ode" else RTOL) * scale_of(A, B)
    _agree_batch_and_alone(MatrixGame(A, B), name, PARAMS.get(name, {}), seed,
                           noise, atol)


@pytest.mark.parametrize("name", sorted(RANDOMISED))
def test_a_batch_agrees_with_its_runs_one_by_one_with_random_draws(name):
    # matching pennies from the uniform start: fp ties at once
    game = make_game("matrix:name=matching_pennies")
    _agree_batch_and_alone(game, name, RANDOMISED[name], 0, 0.0, 0.0)


# -- differentiable games -----------------------------------------------------
GRADIENT_RULES = [r for r in RULES if not getattr(
    type(make_rule(r)), "needs_simplex", False)]
SMOOTH_GAMES = ["bilinear:n=3,seed=1", "quadratic:n=2,seed=2", "dirac:r1=0.5"]


@pytest.mark.parametrize("name", GRADIENT_RULES)
@settings(max_examples=PER_RULE)
@given(spec=st.sampled_from(SMOOTH_GAMES), seed=st.integers(0, 2**31),
       noise=st.floats(0, 1), lr=st.floats(0.001, 0.2))
def test_smooth_games_seed_and_batch(name, spec, seed, noise, lr):
    # same seed, same run; a batch agrees with its runs one by one
    game = make_game(spec)
    params = {"lr": lr}
    first = simulate(game, rule(name, params), steps=STEPS, seed=seed, batch=3,
                     init_noise=noise)
    again = simulate(game, rule(name, params), steps=STEPS, seed=seed, batch=3,
                     init_noise=noise)
    np.testing.assert_array_equal(first.z, again.z)
    scale = 1e-12 * max(1.0, float(np.abs(first.z).max()))
    _agree_batch_and_alone(game, name, params, seed, noise, scale)


#: games with exact best responses on a box (gamesim.games.bounded)
BOUNDED = ["bilinear_bounded", "quadratic_bounded", "dirac_bounded",
           "gaussian_bounded"]


@settings(max_examples=PER_RULE)
@given(spec=st.sampled_from(BOUNDED), seed=st.integers(0, 2**31),
       noise=st.floats(0, 1))
def test_fictitious_play_on_bounded_games_seed_and_batch(spec, seed, noise):
    # fp hands over to its differentiable variant (gamesim.rules.fictitious):
    # same seed, same run; a batch agrees with its runs one by one. The
    # Gaussian game's best responses come from bisection, whose last digits
    # (about 1e-9 of the interval) may differ with the batch's rounding
    game = make_game(spec)
    first = simulate(game, rule("fp"), steps=STEPS, seed=seed, batch=3,
                     init_noise=noise, record_every=STEPS)
    again = simulate(game, rule("fp"), steps=STEPS, seed=seed, batch=3,
                     init_noise=noise, record_every=STEPS)
    np.testing.assert_array_equal(first.z, again.z)
    _agree_batch_and_alone(game, "fp", {}, seed, noise, 1e-7)


@given(spec=st.sampled_from(BOUNDED), draws=st.data())
def test_bounded_games_nash_conv_is_nonnegative_and_zero_at_equilibrium(spec, draws):
    # NashConv and the duality gap from exact best responses: >= 0 at every
    # feasible profile (a best response gains at least nothing), 0 at the
    # game's equilibrium (closed forms, gamesim.games.bounded)
    game = make_game(spec)
    raw = draws.draw(arrays(np.float64, (4, game.n), elements=st.floats(-3, 3)))
    z = game.project(raw)
    metrics = game.metrics(z)
    assert np.all(metrics["nash_conv"] >= 0) and np.all(metrics["duality_gap"] >= 0)
    gains = [metrics[k] for k in metrics if k.startswith("exploitability")]
    if gains:  # each player's gain is >= 0 and they sum to NashConv
        assert all(np.all(g >= 0) for g in gains)
    at_eq = game.metrics(game.equilibria())
    assert at_eq["nash_conv"][0] <= 1e-9 and at_eq["duality_gap"][0] <= 1e-9


#: a GAN on real data with minibatches: the game draws from the run's noise
MINIBATCH_GAN = "gan:data=old_faithful,column=eruptions,batch_size=32"


@pytest.mark.parametrize("name", ["gda", "ogda", "adam"])
@settings(max_examples=max(3, PER_RULE // 3))
@given(seed=st.integers(0, 2**31), noise=st.floats(0, 0.5))
def test_minibatch_gan_seed_and_batch(name, seed, noise):
    # stochastic game: each run's minibatches come from its own seed, so the
    # same seed repeats the run and a batch agrees with its runs one by one
    game = make_game(MINIBATCH_GAN)
    params = {"lr": 0.01}
    first = simulate(game, rule(name, params), steps=STEPS, seed=seed, batch=3,
                     init_noise=noise, record_every=STEPS)
    again = simulate(game, rule(name, params), steps=STEPS, seed=seed, batch=3,
                     init_noise=noise, record_every=STEPS)
    np.testing.assert_array_equal(first.z, again.z)
    _agree_batch_and_alone(game, name, params, seed, noise, 1e-10)


def _grid(bounds, points):
    """Every point of a regular grid on a box, shape (points ** d, d)."""
    axes = [np.linspace(lo, hi, points) for lo, hi in bounds]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(axes))


@pytest.mark.parametrize("spec", ["bilinear_bounded", "quadratic_bounded",
                                  "dirac_bounded", "dirac_bounded:loss=wgan"])
@settings(max_examples=PER_RULE)
@given(draws=st.data())
def test_bounded_games_nash_conv_passes_a_grid_best_response_check(spec, draws):
    # independent check of the closed-form best responses of zero-sum games
    # on a box: NashConv = max_y' f(x, y') - min_x' f(x', y). A grid of
    # feasible deviations can never beat the exact best response (first
    # inequality, to rounding), and comes within the grid's resolution of it
    # (second: spacing 1e-3 in 1-D and 0.02 in 2-D, error 5e-3 at most for
    # these Lipschitz constants)
    game = make_game(spec)
    assert game.zero_sum
    raw = draws.draw(arrays(np.float64, (3, game.n), elements=st.floats(-3, 3)))
    z = game.project(raw)
    exact = game.metrics(z)["nash_conv"]
    sx, sy = game.slices
    points = 4001 if max(game.sizes) == 1 else 201
    xs, ys = _grid(game.bounds(0), points), _grid(game.bounds(1), points)
    for run, profile in enumerate(z):
        with_x = np.hstack([xs, np.tile(profile[sy], (len(xs), 1))])
        with_y = np.hstack([np.tile(profile[sx], (len(ys), 1)), ys])
        grid = game.value(with_y).max() - game.value(with_x).min()
        assert grid <= exact[run] + 1e-9 * max(1.0, abs(grid))
        assert exact[run] <= grid + 5e-3
