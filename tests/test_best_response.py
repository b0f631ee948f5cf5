"""Best-response oracles, NashConv and the duality gap beyond matrix games.

Expected values come from closed forms (named in each test), from
reference sections C and D of ``reference-cases.md``, from brute force over
the vertices of a box, from ``gamesim.equilibria.measures`` (an independent
implementation on payoff arrays) and from ``scipy.optimize``.
"""

import itertools
import math

import numpy as np
import pytest
from scipy import optimize

from gamesim import make_game, simulate
from gamesim.bestresponse import (
    BestResponse,
    ClosedForm,
    InnerSteps,
    MixedStrategy,
    ScipyMinimize,
    as_mixed,
    closed_form,
    default_oracle,
    estimate_gap,
    gap_labels,
    player_losses,
)
from gamesim.bestresponse.mixtures import expected_loss
from gamesim.equilibria import measures
from gamesim.errors import ConfigError
from gamesim.games.bounded import BoundedQuadraticGame
from gamesim.registry import make_rule

RNG = np.random.default_rng(20240601)


def random_simplex(rng, runs, k):
    return rng.dirichlet(np.ones(k), size=runs)


# -- matrix games: the oracle's gap is the exact NashConv --------------------------
@pytest.mark.parametrize("x, y, expected", [
    # reference D, NashConv sanity values on rock-paper-scissors
    ([1, 0, 0], [1 / 3, 1 / 3, 1 / 3], 1.0),
    ([1, 0, 0], [1, 0, 0], 2.0),
    ([0.5, 0.25, 0.25], [0.25, 0.5, 0.25], 0.5),
    ([1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3], 0.0),
])
def test_matrix_gap_matches_reference_d_on_rps(x, y, expected):
    game = make_game("matrix:name=rps")
    gap = estimate_gap(game, np.array([x], float), np.array([y], float))
    assert gap.exact and gap.responses[0].exact
    np.testing.assert_allclose(gap.duality_gap, [expected], rtol=0, atol=1e-12)
    np.testing.assert_allclose(gap.nash_conv, [expected], rtol=0, atol=1e-12)


@pytest.mark.parametrize("spec", ["matrix:name=rps", "matrix:name=matching_pennies",
                                  "matrix:A=3 -1 2 0;-2 4 1 -3;1 0 -1 2"])
def test_matrix_gap_equals_exact_nash_conv(spec):
    # independent implementation: gamesim.equilibria.measures on the arrays
    game = make_game(spec)
    m, n = game.sizes
    x, y = random_simplex(RNG, 50, m), random_simplex(RNG, 50, n)
    gap = estimate_gap(game, x, y)
    exact = measures.nash_conv(game.A, game.B, x, y)
    np.testing.assert_allclose(gap.duality_gap, exact, rtol=0, atol=1e-12)
    np.testing.assert_allclose(gap.nash_conv, exact, rtol=0, atol=1e-12)


def test_matrix_general_sum_nash_conv_equals_exact():
    # prisoner's dilemma (bimatrix): not zero-sum, the profile's payoffs count
    game = make_game("matrix:A=3 0;5 1,B=3 5;0 1")
    x, y = random_simplex(RNG, 20, 2), random_simplex(RNG, 20, 2)
    gap = estimate_gap(game, x, y)
    assert gap.duality_gap is None
    np.testing.assert_allclose(gap.nash_conv, measures.nash_conv(game.A, game.B, x, y),
                               rtol=0, atol=1e-12)


def test_matrix_mixture_is_answered_through_its_mean():
    # payoffs are linear in each mixed strategy: a mixture of mixed
    # strategies is worth its mean (closed form)
    game = make_game("matrix:name=rps")
    atoms = random_simplex(RNG, 12, 3).reshape(4, 3, 3)
    weights = random_simplex(RNG, 4, 3)
    mix = MixedStrategy(atoms, weights)
    y = random_simplex(RNG, 4, 3)
    gap = estimate_gap(game, mix, y)
    exact = measures.nash_conv(game.A, game.B, mix.mean(), y)
    np.testing.assert_allclose(gap.nash_conv, exact, rtol=0, atol=1e-12)


# -- bilinear and quadratic games on a box or ball ----------------------------------
def brute_force_gap(game, x, y):
    """max_y' f(x, y') - min_x' f(x', y) over the vertices of the box.

    f is affine in each player, so each extreme is reached at a vertex.
    """
    R = game.bound
    m, n = game.sizes
    uppers = np.max([game.value(np.column_stack([x, np.tile(v, (len(x), 1))]))
                     for v in itertools.product((-R, R), repeat=n)], axis=0)
    lowers = np.min([game.value(np.column_stack([np.tile(v, (len(y), 1)), y]))
                     for v in itertools.product((-R, R), repeat=m)], axis=0)
    return uppers - lowers


def test_scalar_bilinear_box_gap_closed_form():
    # f = x y on [-2, 2]^2: max_y x y - min_x x y = 2|y| + 2|x| (closed form)
    game = make_game("bilinear_bounded:bound=2")
    z = np.array([[1.0, 1.0], [0.5, -1.5], [0.0, 0.0], [-2.0, 0.25]])
    expected = 2 * np.abs(z[:, 0]) + 2 * np.abs(z[:, 1])
    np.testing.assert_allclose(game.metrics(z)["duality_gap"], expected, rtol=0,
                               atol=1e-12)
    np.testing.assert_allclose(game.metrics(z)["nash_conv"], expected, rtol=0,
                               atol=1e-12)


@pytest.mark.parametrize("spec", [
    "bilinear_bounded:n=3,bound=1",
    "bilinear_bounded:n=2,m=3,seed=4,offset=0.3,bound=1.5",
])
def test_bilinear_box_gap_equals_brute_force_nash_conv(spec):
    game = make_game(spec)
    z = game.project(RNG.uniform(-2, 2, size=(40, game.n)))
    x, y = game.split(z)
    gap = estimate_gap(game, x, y)
    assert gap.exact
    np.testing.assert_allclose(gap.duality_gap, brute_force_gap(game, x, y),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gap.nash_conv, gap.duality_gap, rtol=0, atol=0)


def test_bilinear_box_mixture_gap_equals_brute_force_on_the_mean():
    # f is affine in each player: E f(X, y) = f(mean X, y), so the gap of a
    # mixture is the brute-force gap of the means
    game = make_game("bilinear_bounded:n=2,seed=1,bound=1")
    atoms = RNG.uniform(-1, 1, size=(5, 7, 2))
    weights = random_simplex(RNG, 5, 7)
    mix = MixedStrategy(atoms, weights)
    y = RNG.uniform(-1, 1, size=(5, 2))
    gap = estimate_gap(game, mix, y)
    np.testing.assert_allclose(gap.duality_gap, brute_force_gap(game, mix.mean(), y),
                               rtol=1e-12, atol=1e-12)


def test_bilinear_ball_gap_closed_form():
    # on balls of radius R: max_y x^T A y = R ||A^T x||, min_x x^T A y = -R ||A y||
    game = make_game("bilinear_bounded:n=3,seed=2,bound=1.5,domain=ball")
    z = game.project(RNG.normal(size=(20, 6)))
    x, y = game.split(z)
    expected = 1.5 * (np.linalg.norm(x @ game.A, axis=1)
                      + np.linalg.norm(y @ game.A.T, axis=1))
    np.testing.assert_allclose(estimate_gap(game, x, y).duality_gap, expected,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("domain", ["box", "ball"])
def test_quadratic_best_responses_match_scipy(domain):
    # independent numeric optimum: scipy SLSQP with the set as a constraint
    game = make_game(f"quadratic_bounded:n=3,mu=0.5,coupling=2,bound=0.7,"
                     f"domain={domain}")
    z = game.project(RNG.normal(size=(4, 6)))
    x, y = game.split(z)
    for player, opponent in ((0, y), (1, x)):
        br = game.best_response(player, opponent)
        for b in range(len(z)):
            against = as_mixed(opponent[b:b + 1])

            def loss(v, player=player, against=against):
                return expected_loss(game, player, v[None], against)[0]

            cons = ([{"type": "ineq", "fun": lambda v: 0.49 - v @ v}]
                    if domain == "ball" else [])
            res = optimize.minimize(loss, np.zeros(3), method="SLSQP",
                                    bounds=[(-0.7, 0.7)] * 3, constraints=cons,
                                    options={"ftol": 1e-14, "maxiter": 500})
            assert -br.value[b] <= res.fun + 1e-9
            assert -br.value[b] >= res.fun - 1e-7


def test_box_needs_diagonal_quadratic_terms():
    P = np.array([[1.0, 0.5], [0.5, 1.0]])
    with pytest.raises(NotImplementedError, match="diagonal P"):
        BoundedQuadraticGame(P, np.eye(2), np.eye(2), domain="box")
    BoundedQuadraticGame(P, np.eye(2), np.eye(2), domain="ball")  # fine on a ball


def test_bounded_game_projection_and_equilibria():
    game = make_game("bilinear_bounded:bound=2")
    np.testing.assert_array_equal(game.project(np.array([[3.0, -5.0]])), [[2.0, -2.0]])
    np.testing.assert_array_equal(game.equilibria(), [[0.0, 0.0]])
    # offset moves the unconstrained saddle point (-1, -1)... outside [-0.5, 0.5]
    far = make_game("bilinear_bounded:offset=1,bound=0.5")
    assert far.equilibria() is None
    assert "distance_to_equilibrium" not in far.metrics(np.zeros((1, 2)))


# -- the Dirac-GAN with bounded parameters -------------------------------------------
def test_dirac_bounded_gap_closed_form():
    # standard loss, bound R: the gap is max_theta softplus(psi theta) -
    # min_psi softplus(psi theta) = softplus(R |psi|) - softplus(-R |theta|)
    # when both are nonzero (closed form); at (1, 1), R = 2: exactly 2
    game = make_game("dirac_bounded:bound=2")
    z = np.array([[1.0, 1.0], [0.3, -1.2], [-1.7, 0.4]])
    expected = (np.logaddexp(0, 2 * np.abs(z[:, 1]))
                - np.logaddexp(0, -2 * np.abs(z[:, 0])))
    np.testing.assert_allclose(game.metrics(z)["duality_gap"], expected, rtol=1e-12)
    np.testing.assert_allclose(game.metrics(z[:1])["nash_conv"], [2.0], rtol=1e-12)


@pytest.mark.parametrize("spec", ["dirac_bounded:loss=nonsaturating",
                                  "dirac_bounded:loss=wgan,r1=0.5",
                                  "dirac_bounded:r1=0.3,bound=1.5"])
def test_dirac_bounded_nash_conv_matches_grid_search(spec):
    # brute force on a grid of 200001 points per player (spacing 2e-5 R):
    # the grid optimum is within |slope| * spacing of the true one
    game = make_game(spec)
    R = game.bound
    grid = np.linspace(-R, R, 200_001)
    z = np.array([[1.0, 1.0], [-0.4, 0.9], [1.2, -1.3]]).clip(-R, R)
    nash = game.metrics(z)["nash_conv"]
    for b, (theta, psi) in enumerate(z):
        now = np.array(player_losses(game, z[b:b + 1])).ravel()
        gen = player_losses(game, np.column_stack([grid, np.full_like(grid, psi)]))[0]
        dis = player_losses(game, np.column_stack([np.full_like(grid, theta), grid]))[1]
        expected = (now[0] - gen.min()) + (now[1] - dis.min())
        assert nash[b] == pytest.approx(expected, abs=1e-8)


def test_dirac_bounded_rejects_a_start_outside_the_bound():
    with pytest.raises(ConfigError, match="outside"):
        make_game("dirac_bounded:bound=0.5")
    with pytest.raises(ConfigError, match="bound must be"):
        make_game("dirac_bounded:bound=-1")


def test_mixture_of_generators_with_mean_zero_is_an_equilibrium():
    # closed form: psi = 0 against generators +-R with weights 1/2
    game = make_game("dirac_bounded:bound=2")
    gens = MixedStrategy(np.array([[[-2.0], [2.0]]]), np.array([[0.5, 0.5]]))
    gap = estimate_gap(game, gens, np.array([[0.0]]))
    np.testing.assert_allclose(gap.nash_conv, [0.0], atol=1e-12)


# -- the Gaussian location game -------------------------------------------------------
@pytest.mark.parametrize("theta, jsd", [(1.0, 0.111421), (0.5, 0.0303113)])
def test_gaussian_gap_against_a_half_discriminator_is_twice_the_jsd(theta, jsd):
    # reference C: max_D V = -log 4 + 2 JSD, and with D = 1/2 every generator
    # gets V = -log 4, so the gap at (theta, 0, 0) is 2 JSD
    game = make_game("gaussian_bounded")
    gap = game.metrics(np.array([[theta, 0.0, 0.0]]))["duality_gap"]
    # the reference gives 6 significant digits; 2 JSD carries twice their
    # rounding, half a unit of the last digit each: one unit in all
    last_digit = 10.0 ** (math.floor(math.log10(jsd)) - 5)
    np.testing.assert_allclose(gap, [2 * jsd], rtol=0, atol=last_digit)


def test_gaussian_optimal_discriminator_is_the_closed_form():
    # reference C: D* = sigmoid(mu^2/2 - mu x) for data N(0, 1), generator N(mu, 1)
    game = make_game("gaussian_bounded")
    br = game.best_response(1, np.array([[0.8]]))
    assert br.exact and br.method.startswith("closed form")
    np.testing.assert_allclose(br.argmax, [[0.32, -0.8]], rtol=0, atol=1e-15)


def test_gaussian_answer_to_a_mixture_matches_scipy():
    # against two generators the optimum leaves the logistic closed form;
    # independent check with scipy's Nelder-Mead on the same objective
    game = make_game("gaussian_bounded")
    mix = MixedStrategy(np.array([[[-1.0], [1.5]]]), np.array([[0.3, 0.7]]))
    br = game.best_response(1, mix)
    res = optimize.minimize(lambda v: expected_loss(game, 1, v[None], mix)[0],
                            np.zeros(2), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 4000})
    assert br.exact
    assert -br.value[0] == pytest.approx(res.fun, abs=1e-11)
    np.testing.assert_allclose(br.argmax[0], res.x, atol=1e-5)
    assert br.error[0] <= 1e-14


POINTS = np.array([[1.0, 0.0, 0.0], [0.5, 0.3, -0.5], [-1.5, 0.2, 0.8],
                   [1.8, -0.4, 0.1], [-0.3, 1.0, 2.0]])


@pytest.mark.parametrize("steps, lr", [(5, 1.0), (10, 1.0), (20, 1.0), (20, 0.3)])
def test_gaussian_estimated_gap_is_within_its_stated_error(steps, lr):
    # exact value: closed forms (optimal discriminator, interval ends)
    game = make_game("gaussian_bounded")
    x, y = game.split(POINTS)
    exact = estimate_gap(game, x, y, ClosedForm())
    estimate = estimate_gap(game, x, y, InnerSteps(steps, lr))
    assert not estimate.exact and exact.exact
    assert "gradient steps" in estimate.method
    finite = np.isfinite(estimate.error)
    assert finite.sum() >= 3
    diff = exact.duality_gap - estimate.duality_gap
    # a lower bound (a payoff actually reached), within the stated error
    assert np.all(diff >= -1e-12)
    assert np.all(diff[finite] <= estimate.error[finite] + 1e-12)


def test_estimates_approach_the_exact_gap_with_more_steps():
    game = make_game("gaussian_bounded")
    x, y = game.split(POINTS)
    exact = estimate_gap(game, x, y, ClosedForm()).duality_gap
    errors = [np.max(exact - estimate_gap(game, x, y, InnerSteps(k, 1.0)).duality_gap)
              for k in (5, 20, 80)]
    # the discriminator's problem is strongly concave: gradient steps
    # converge linearly, so 75 more steps gain several orders of magnitude
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-4 * errors[0]


# -- oracles in general ---------------------------------------------------------------
def test_default_oracle_and_labels():
    assert isinstance(default_oracle(make_game("dirac_bounded")), ClosedForm)
    estimated = default_oracle(make_game("dirac"))
    assert isinstance(estimated, InnerSteps) and not estimated.exact
    assert estimated.describe() == "20 gradient steps of 0.05 from the current strategy"
    assert closed_form(make_game("quadratic")) is None
    with pytest.raises(NotImplementedError, match="no closed-form"):
        ClosedForm().best_response(make_game("dirac"), 0, np.array([[1.0]]))


def test_scipy_oracle_finds_the_box_best_response():
    # scipy L-BFGS-B from the current strategy reaches the closed form on a
    # convex-concave quadratic game on a box
    game = make_game("quadratic_bounded:n=3,mu=0.5,bound=1")
    z = game.project(RNG.normal(size=(3, 6)))
    x, y = game.split(z)
    for player, mine, other in ((0, x, y), (1, y, x)):
        exact = game.best_response(player, other)
        found = ScipyMinimize().best_response(game, player, other, start=mine)
        assert isinstance(found, BestResponse) and not found.exact
        np.testing.assert_allclose(found.value, exact.value, rtol=0, atol=1e-8)


def test_inner_steps_never_overstate_the_best_response():
    # a huge step size overshoots; the start is kept and the error is unknown
    game = make_game("gaussian_bounded")
    x, y = game.split(POINTS)
    exact = estimate_gap(game, x, y, ClosedForm()).duality_gap
    wild = estimate_gap(game, x, y, InnerSteps(30, 40.0))
    assert np.all(wild.duality_gap <= exact + 1e-12)


def test_bad_input_is_named():
    with pytest.raises(ConfigError, match="weights must be >= 0 and sum to 1"):
        as_mixed(MixedStrategy(np.zeros((1, 2, 1)), np.array([[0.5, 0.6]])))
    with pytest.raises(ConfigError, match="this player has 2"):
        as_mixed(np.zeros((1, 3)), 2)
    with pytest.raises(ConfigError, match="inner steps must be an integer"):
        InnerSteps(steps=0)
    with pytest.raises(ConfigError, match="inner step size"):
        InnerSteps(steps=3, lr=-1.0)
    with pytest.raises(ConfigError, match="unknown domain"):
        make_game("bilinear_bounded:domain=sphere")
    with pytest.raises(ConfigError, match="needs a start"):
        InnerSteps().best_response(make_game("dirac"), 0, np.array([[1.0]]))
    with pytest.raises(NotImplementedError, match="not zero-sum"):
        player_losses(make_game("gan:data=old_faithful,column=eruptions,r1=1"),
                      np.zeros((1, 74)))


# -- in the engine's history ----------------------------------------------------------
def test_engine_records_gaps_of_last_and_averaged_iterates():
    game = make_game("bilinear_bounded:bound=2")
    res = simulate(game, make_rule("gda:lr=0.1"), steps=200, record_every=50,
                   average="uniform")
    h = res.history
    for name in ("nash_conv", "duality_gap", "nash_conv_avg", "duality_gap_avg"):
        assert name in h and np.all(np.isfinite(h[name]))
    # closed form 2|x| + 2|y| on [-2, 2]^2, at the recorded parameters
    x, y = h["generator[0]"].to_numpy(), h["discriminator[0]"].to_numpy()
    np.testing.assert_allclose(h["duality_gap"], 2 * np.abs(x) + 2 * np.abs(y),
                               rtol=1e-12)
    assert math.isclose(h["duality_gap"].iloc[0], 4.0, rel_tol=1e-12)


def test_gap_labels_say_exact_or_estimated():
    assert gap_labels(make_game("bilinear_bounded")) == {
        "nash_conv": "exact (closed form)", "duality_gap": "exact (closed form)"}
    assert gap_labels(make_game("matrix:name=rps"))["nash_conv"].startswith("exact")
    gan = gap_labels(make_game("gan:data=old_faithful,column=eruptions"))
    # the default GAN is non-saturating: a duality gap on V, no NashConv
    assert gan == {"duality_gap": "estimated: 10 gradient steps of 0.1 from the "
                                  "current strategy (a lower bound)"}
    assert gap_labels(make_game("gan:data=old_faithful,column=eruptions,"
                                "gap_steps=0")) == {}
    assert gap_labels(make_game("dirac")) == {}


def test_old_faithful_run_reports_the_estimated_duality_gap_at_every_record():
    # issue 10: the estimated duality gap next to the discriminator gap at
    # every recorded step of a run on `gan:data=old_faithful,column=eruptions`
    game = make_game("gan:data=old_faithful,column=eruptions")
    res = simulate(game, make_rule("gda:lr=0.05"), steps=60, record_every=20)
    h = res.history
    assert list(h["step"]) == [0, 20, 40, 60]
    for name in ("duality_gap", "discriminator_gap"):
        assert np.all(np.isfinite(h[name].to_numpy()))
    assert np.all(h["duality_gap"].to_numpy() >= 0)
    # it is the estimate of gamesim.bestresponse on the minimax form, at the
    # recorded parameters (the history holds the last iterate's)
    x, y = game.split(res.z)
    again = estimate_gap(game.minimax_game(), x, y, game.gap_oracle).duality_gap
    np.testing.assert_allclose(h["duality_gap"].iloc[-1], again[0], rtol=1e-12)
