"""Numerical care (issue 9, item 5): no overflow, one bad run stops alone,
no division by an empty sum, stable log-sigmoids.

Every test here turns warnings into errors; the direct-update loops also run
under ``np.errstate(**RAISE)``, because the engine silences floating
point warnings inside its loop and an overflow there would otherwise go
unseen. Expected values come from closed forms named beside each check and,
for the log-sigmoids, from mpmath at 50 digits (an independent library).
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest

from gamesim import make_game, make_rule, simulate
from gamesim.equilibria import (
    exploitability,
    kl_divergence,
    minimax,
    solve,
)
from gamesim.equilibria.measures import distance_to_hull
from gamesim.equilibria.payoffs import normalised
from gamesim.games import CustomGame, DiracGAN
from gamesim.games.matrix import MatrixGame, project_to_simplex
from gamesim.rules.base import Oracle
from gamesim.rules.learning import softmax

pytestmark = pytest.mark.filterwarnings("error")

RPS = np.array([[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]])
#: floating point events that must not happen; underflow to 0 is the correct
#: result of a stable formula (exp(-1e4) = 0) and is allowed
RAISE = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
#: an off-centre start, so that the dynamics move at once
START = np.array([0.5, 0.25, 0.25, 0.25, 0.5, 0.25])


def on_simplex(z, m, atol=1e-12):
    z = np.atleast_2d(z)
    return bool(
        np.all(np.isfinite(z))
        and np.all(z >= 0)
        and np.all(np.abs(z[:, :m].sum(axis=1) - 1) <= atol)
        and np.all(np.abs(z[:, m:].sum(axis=1) - 1) <= atol)
    )


# -- multiplicative weights: no overflow --------------------------------------
def test_hedge_step_one_payoffs_1e3_for_1e4_steps():
    # issue 9 done-when: Hedge with step 1 on payoffs of size 1e3 for 10^4
    # steps; a naive exp(eta * cumulative payoff) would need exp(1e7)
    game = MatrixGame(1e3 * RPS)
    res = simulate(game, make_rule("hedge:lr=1"), steps=10_000, z0=START,
                   record_every=500)
    assert res.status[0] == "max_steps" and res.steps[0] == 10_000
    assert on_simplex(res.z, 3) and on_simplex(res.average, 3)
    recorded = res.history[game.param_names()].to_numpy()
    assert len(recorded) == 21 and on_simplex(recorded, 3)
    metrics = res.history.drop(columns=["run", "seed", "step"]).to_numpy(float)
    assert np.all(np.isfinite(metrics))


@pytest.mark.parametrize("name", ["hedge", "optimistic_hedge", "entropic_eg",
                                  "entropic_optimistic", "logit_fp"])
def test_log_domain_rules_never_overflow_even_silently(name):
    # the same game, stepped by hand under np.errstate(**RAISE): an
    # overflow or an invalid operation anywhere raises FloatingPointError
    game = MatrixGame(1e3 * RPS)
    params = "temperature=0.001" if name == "logit_fp" else "lr=1"
    rule = make_rule(f"{name}:{params}")
    oracle = Oracle(game)
    z = START[None, :].copy()
    state = rule.init(z)
    with np.errstate(**RAISE):
        for _ in range(10_000):
            z, state = rule.step(z, state, oracle, rule.lr)
    assert on_simplex(z, 3)


def test_hedge_tiny_probabilities_stay_in_the_log_domain():
    # after 10^4 steps of step 1 on payoffs 1e3 the losing strategy has log
    # weight of order -1e6: the state keeps it finite (exp would give 0)
    rule = make_rule("hedge:lr=1")
    z = np.full((1, 2), 0.5)
    state = rule.init(z)
    g = np.array([[-1e3, 1e3]])  # payoff vector u = (1e3, -1e3)
    with np.errstate(**RAISE):
        for _ in range(10_000):
            z, state = rule.update(g, z, state, 1.0)
    # closed form: log-weights shifted to max 0 are (0, -2e3 * 10^4)
    np.testing.assert_allclose(state.logits, [[0.0, -2e7]], rtol=1e-12)
    assert z[0, 0] == 1.0 and z[0, 1] == 0.0


# -- one bad run stops alone --------------------------------------------------
def test_batch_of_100_with_10_diverging_keeps_the_90_converged_intact():
    # issue 9 done-when. Extragradient on f = x y contracts by
    # rho = sqrt(1 - h^2 + h^4) (reference A): 0.9014 at h = 0.5, and 1.953
    # at h = 1.5, where it diverges. Ten runs at random places of the batch
    # get h = 1.5, the others h = 0.5 and stop at tol = 1e-8.
    game = make_game("bilinear")
    rng = np.random.default_rng(7)
    bad = np.sort(rng.choice(100, size=10, replace=False))
    lr = np.full(100, 0.5)
    lr[bad] = 1.5
    res = simulate(game, make_rule("eg"), steps=5_000, batch=100, lr=lr,
                   init_noise=0.5, tol=1e-8, seed=100)

    diverged = np.flatnonzero(res.status == "diverged")
    np.testing.assert_array_equal(diverged, bad)
    good = np.setdiff1d(np.arange(100), bad)
    assert np.all(res.status[good] == "converged")
    assert np.all(res.final["distance_to_equilibrium"][good] <= 1e-8)

    # every value reported is finite, the diverged runs' included
    numbers = res.history.drop(columns=["run", "seed", "step"]).to_numpy(float)
    assert np.all(np.isfinite(numbers)) and np.all(np.isfinite(res.z))

    # the converged runs are intact: each equals the same run on its own
    for i in good[::9]:
        alone = simulate(game, make_rule("eg:lr=0.5"), steps=5_000, seed=100 + i,
                         init_noise=0.5, tol=1e-8)
        assert alone.status[0] == "converged" and res.steps[i] == alone.steps[0]
        np.testing.assert_allclose(res.z[i], alone.z[0], rtol=1e-12, atol=1e-15)
        ours = res.history[res.history.run == i].drop(columns=["run", "seed"])
        theirs = alone.history.drop(columns=["run", "seed"])
        np.testing.assert_allclose(ours.to_numpy(float), theirs.to_numpy(float),
                                   rtol=1e-12, atol=1e-15)


def test_nonfinite_runs_stop_alone_with_their_last_finite_state():
    # a game whose field is NaN left of x = -10 (log of a negative number):
    # f = x y + 0.1 (x^2 - y^2) / 2 spirals into the origin from near (1, 1),
    # so the runs started at x = -20 are the only ones that meet a NaN
    def grad_x(x, y):
        return 0.1 * x + y + 0.0 * np.log(x + 10.0)

    game = CustomGame(lambda x, y: float(x @ y), sizes=(1, 1), grad_x=grad_x,
                      grad_y=lambda x, y: 0.1 * y - x, equilibria=[[0.0, 0.0]])
    z0 = np.tile([1.0, 1.0], (20, 1))
    z0[[3, 11], 0] = -20.0
    res = simulate(game, make_rule("gda:lr=0.1"), steps=300, z0=z0, batch=20)
    assert list(np.flatnonzero(res.status == "nonfinite")) == [3, 11]
    np.testing.assert_array_equal(res.z[[3, 11]], z0[[3, 11]])
    assert np.all(res.steps[[3, 11]] == 0)
    others = np.setdiff1d(np.arange(20), [3, 11])
    assert np.all(res.status[others] == "max_steps")
    assert np.all(res.steps[others] == 300)
    # GDA with lr 0.1 on this quadratic game contracts by
    # |1 - 0.1 (0.1 +- i)| = 0.9950 per step: 300 steps give < 0.3 sqrt 2
    assert np.all(res.final["distance_to_equilibrium"][others] < 0.3 * math.sqrt(2))
    # the history is finite, except the gradient norm at the two kept states,
    # where the field itself is NaN (the truthful value)
    finite = res.history.drop(columns=["run", "seed", "step", "grad_norm"])
    assert np.all(np.isfinite(finite.to_numpy(float)))
    healthy = res.history[~res.history.run.isin([3, 11])]
    assert np.all(np.isfinite(healthy["grad_norm"]))


# -- divisions by empty sums ---------------------------------------------------
def test_regret_matching_without_positive_regret_plays_uniform():
    # Hart and Mas-Colell 2000: with no positive regret, play uniformly
    # (0 / 0 must not appear)
    z = np.array([[1.0, 0.0, 0.0]])
    g = np.zeros((1, 3))  # every pure strategy earns the same
    for name in ("rm", "rm_plus"):
        rule = make_rule(name)
        with np.errstate(**RAISE):
            out, state = rule.update(g, z, rule.init(z), 1.0)
        np.testing.assert_array_equal(out, np.full((1, 3), 1 / 3))
        np.testing.assert_array_equal(state.regret, np.zeros((1, 3)))


def test_constant_game_measures_without_division_by_zero():
    # payoffs all equal: range 0. Every profile is an equilibrium, NashConv
    # is 0, and the scale-free NashConv divides by the size of the entries
    # (payoff_scale) instead of by the range 0
    game = MatrixGame(np.full((2, 3), 5.0), np.full((2, 3), 5.0))
    z = np.array([[1.0, 0.0, 0.2, 0.3, 0.5]])
    with np.errstate(**RAISE):
        metrics = game.metrics(z)
        eq = solve(game.A, game.B)
    assert metrics["nash_conv"][0] == 0.0 and metrics["nash_conv_relative"][0] == 0.0
    assert all(np.isfinite(v).all() for v in metrics.values())
    assert eq.continuum is True and len(eq) == 6  # 2 x 3 pure corners

    zero = MatrixGame(np.zeros((2, 2)))
    with np.errstate(**RAISE):
        assert zero.metrics(zero.initial_point())["nash_conv_relative"][0] == 0.0
        np.testing.assert_array_equal(normalised(np.zeros((2, 2))), 2.0)
        sol = minimax(np.zeros((2, 2)))
    assert sol.value == 0.0


def test_simplex_helpers_with_zeros_and_extremes():
    with np.errstate(**RAISE):
        # projection of the zero vector: uniform (closed form theta = -1/k)
        np.testing.assert_allclose(project_to_simplex(np.zeros((1, 4))), 0.25,
                                   rtol=1e-15)
        # entries beyond 2^53 (a projected step with a huge step size): the
        # largest wins outright, as in exact arithmetic; the "- 1" of the
        # sort-based formula must not be lost to rounding (it was: all 0)
        for v in ([[1e300, -1e300, 0.0]], [[1e17, 3.0, 1e17 - 4e3]]):
            p = project_to_simplex(np.array(v))
            assert np.all(p >= 0) and abs(p.sum() - 1.0) <= 1e-15
        np.testing.assert_array_equal(
            project_to_simplex(np.array([[1e300, -1e300, 0.0]])), [[1.0, 0.0, 0.0]])
        # softmax with unplayed strategies (log 0 = -inf): they stay at 0
        out = softmax(np.array([[0.0, -np.inf, -1e308]]))
        np.testing.assert_array_equal(out, [[1.0, 0.0, 0.0]])
        # KL with zeros: 0 log 0 = 0, and q = 0 < p is large but finite
        assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
        assert 700 < kl_divergence([1.0, 0.0], [0.0, 1.0]) < 710
        # a hull of two equal vertices (segment of length 0)
        d = distance_to_hull([[3.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]])
        np.testing.assert_allclose(d, [5.0], rtol=1e-15)
        # a 1 x 1 game: nothing to deviate to
        gains = exploitability([[2.0]], [[-2.0]], [1.0], [1.0])
        assert gains.nash_conv[0] == 0.0


def test_uniform_average_of_a_one_step_run():
    # the time average divides by the number of iterates (t + 1 >= 1)
    game = make_game("matrix:name=matching_pennies")
    res = simulate(game, make_rule("hedge:lr=0.5"), steps=1, z0=[0.9, 0.1, 0.2, 0.8])
    np.testing.assert_allclose(res.average, (res.z0 + res.z) / 2, rtol=1e-15)


# -- stable log-sigmoids -------------------------------------------------------
def _softplus_reference(t: float) -> float:
    with mpmath.workdps(50):
        return float(mpmath.log1p(mpmath.exp(mpmath.mpf(t))))


def _sigmoid_reference(t: float) -> float:
    with mpmath.workdps(50):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(t))))


@pytest.mark.parametrize("t", [-1e4, -800.0, -40.0, -1e-9, 0.0, 3.5, 40.0, 800.0,
                               1e4])
def test_dirac_gan_log_sigmoid_losses_are_stable(t):
    # Mescheder et al. 2018 (reference B): V = -log 2 - softplus(psi theta),
    # field (psi s, theta s)-terms with s = sigmoid(psi theta); evaluated at
    # theta = 1, psi = t where exp(t) overflows for t > 709
    z = np.array([[1.0, t]])
    with np.errstate(**RAISE):
        std = DiracGAN()
        value = std.value(z)[0]
        field = std.field(z)[0]
        ns = DiracGAN(loss="nonsaturating").field(z)[0]
        metrics = std.metrics(z)
    s = _sigmoid_reference(t)
    expected_value = -math.log(2.0) - _softplus_reference(t)
    assert value == pytest.approx(expected_value, rel=1e-15, abs=1e-300)
    assert field[0] == pytest.approx(-t * s, rel=1e-14, abs=1e-300)
    assert field[1] == pytest.approx(s, rel=1e-14, abs=1e-300)
    # 1 - sigmoid(t) = sigmoid(-t), taken from the reference, not from 1 - s
    assert ns[0] == pytest.approx(-t * _sigmoid_reference(-t), rel=1e-14, abs=1e-300)
    assert all(np.isfinite(v).all() for v in metrics.values())


def test_dirac_gan_far_from_equilibrium_runs_without_warnings():
    # a run started where psi theta = 1e4: the first steps see saturated
    # sigmoids; the run must end with a status and a finite history
    res = simulate(DiracGAN(r1=1.0), make_rule("gda:lr=0.01"), steps=200,
                   z0=[100.0, 100.0])
    assert res.status[0] in ("max_steps", "diverged")
    numbers = res.history.drop(columns=["run", "seed", "step"]).to_numpy(float)
    assert np.all(np.isfinite(numbers))


def test_warnings_are_errors_here():
    # guard: this module's filter really turns warnings into errors
    with pytest.raises(RuntimeWarning):
        warnings.warn("probe", RuntimeWarning)


LOGITS = [-1e4, -800.0, -40.0, -1.0, 0.0, 1e-9, 2.0, 40.0, 800.0, 1e4]


def test_gan_losses_are_stable_log_sigmoids():
    # gamesim.gan.losses: the cross-entropy terms are softplus of the logit
    # f (Goodfellow et al. 2014: -log D = softplus(-f), -log(1 - D) =
    # softplus(f)), with derivatives -sigmoid(-f) and sigmoid(f); each term
    # against mpmath at 50 digits, for logits where exp(|f|) overflows
    from gamesim.gan.losses import get_loss, log_sigmoid

    f = np.array(LOGITS)
    with np.errstate(**RAISE):
        real, d_real = get_loss("standard").real(f)
        fake, d_fake = get_loss("standard").fake(f)
        ns, d_ns = get_loss("nonsaturating").generator(f)
        logs = log_sigmoid(f)
        prob = get_loss("standard").probability(f)
    for k, t in enumerate(LOGITS):
        assert real[k] == pytest.approx(_softplus_reference(-t), rel=1e-14, abs=1e-300)
        assert fake[k] == pytest.approx(_softplus_reference(t), rel=1e-14, abs=1e-300)
        assert ns[k] == pytest.approx(_softplus_reference(-t), rel=1e-14, abs=1e-300)
        assert logs[k] == pytest.approx(-_softplus_reference(-t), rel=1e-14,
                                        abs=1e-300)
        assert d_real[k] == pytest.approx(-_sigmoid_reference(-t), rel=1e-14,
                                          abs=1e-300)
        assert d_fake[k] == pytest.approx(_sigmoid_reference(t), rel=1e-14,
                                          abs=1e-300)
        assert d_ns[k] == pytest.approx(-_sigmoid_reference(-t), rel=1e-14,
                                        abs=1e-300)
        assert prob[k] == pytest.approx(_sigmoid_reference(t), rel=1e-14, abs=1e-300)
    # the value at D = 1/2 everywhere is -log 4 (Goodfellow et al. 2014)
    value = get_loss("standard").value(np.zeros((1, 5)), np.zeros((1, 5)))
    assert value[0] == pytest.approx(-math.log(4.0), rel=1e-15)


def test_gan_data_without_rows_is_refused_not_divided_by_zero(tmp_path):
    # every row misses the chosen column: dropping them leaves nothing to
    # average, which must be a named error, not a NaN mean or a warning
    from gamesim.errors import DataError
    from gamesim.gan.data import load_csv

    path = tmp_path / "holes.csv"
    path.write_text("a,b\n1,\n3,NA\n")
    with pytest.raises(DataError, match="no complete rows in b"):
        load_csv(path, "b", standardize=True)
