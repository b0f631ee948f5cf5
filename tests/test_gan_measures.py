"""Measures of a GAN: the optimal discriminator, the Jensen-Shannon
divergence, distances between samples, mode coverage; and the Gaussian
location game whose densities are known.

Sources of expected values are named in each test: reference case C of
shared/reference-cases.md (Goodfellow et al. 2014), the two-point case of
issue 4, closed forms, scipy.
"""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import expit

from gamesim.errors import DataError
from gamesim.gan.gaussian import GaussianGame
from gamesim.gan.measures import (
    ModeModel,
    discriminator_gap,
    energy_distance,
    gaussian_kde_logpdf,
    jsd_discrete,
    jsd_from_log_densities,
    kde_log_densities,
    mode_coverage,
    optimal_discriminator,
    optimal_discriminator_from_log,
    wasserstein_1d,
)

LN2 = math.log(2.0)

# reference C: p_data = N(0, 1), p_g = N(mu, 1); values given to 6 digits
REFERENCE_C = [
    # mu, C(G), JSD (nats), mean |D* - 1/2| under p_data
    (0.0, -1.38629, 0.0, 0.0),
    (0.5, -1.32567, 0.0303113, 0.0987063),
    (1.0, -1.16345, 0.111421, 0.191462),
]


# -- reference C -----------------------------------------------------------------
@pytest.mark.parametrize("mu, c_of_g, jsd, gap", REFERENCE_C)
def test_reference_C_gaussian_location_game(mu, c_of_g, jsd, gap):
    # reference C (shared/reference-cases.md); the table has 6 significant
    # digits, so the tolerance is half a unit in the last digit
    game = GaussianGame(mean=0.0)
    theta = np.array([mu])
    star = game.optimal_discriminator(theta)
    np.testing.assert_allclose(star, [[mu**2 / 2, -mu]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(game.optimal_value(theta), [c_of_g], rtol=0, atol=5e-6)
    np.testing.assert_allclose(game.jsd(theta), [jsd], rtol=0, atol=5e-7)
    z = np.column_stack([theta, star])
    np.testing.assert_allclose(game.mean_abs_gap(z, under="data"), [gap],
                               rtol=0, atol=5e-7)
    # closed forms of the same case: C = -log 4 + 2 JSD and
    # mean |D* - 1/2| = Phi(mu / 2) - 1/2
    np.testing.assert_allclose(game.optimal_value(theta),
                               -math.log(4) + 2 * game.jsd(theta), rtol=0, atol=1e-12)
    np.testing.assert_allclose(game.mean_abs_gap(z, under="data"),
                               [stats.norm.cdf(mu / 2) - 0.5], rtol=0, atol=1e-12)


def test_gaussian_game_jsd_agrees_with_adaptive_quadrature():
    # independent computation: scipy.integrate.quad of the JSD integrand
    mu = 0.8
    p, q = stats.norm(0, 1), stats.norm(mu, 1)

    def integrand(x):
        m = 0.5 * (p.pdf(x) + q.pdf(x))
        px, qx = p.pdf(x), q.pdf(x)
        return 0.5 * (px * math.log(px / m) + qx * math.log(qx / m))

    expected, _ = integrate.quad(integrand, -15, 15, epsabs=1e-13)
    np.testing.assert_allclose(GaussianGame().jsd([mu]), [expected], rtol=0, atol=1e-11)


def test_gaussian_game_field_is_the_value_gradient():
    # standard loss: xi = (dV/dtheta, -dV/da, -dV/db); central differences,
    # accuracy about 1e-9 (see tests/test_gan_models.py)
    game = GaussianGame(mean=0.3)
    z = np.array([[0.7, 0.3, -1.2], [2.0, 1.0, 3.0]])
    field = game.field(z)
    for i, sign in enumerate((1.0, -1.0, -1.0)):
        step = np.zeros(3)
        step[i] = 1e-6
        fd = sign * (game.value(z + step) - game.value(z - step)) / 2e-6
        np.testing.assert_allclose(field[:, i], fd, rtol=0, atol=1e-7)


def test_gaussian_game_measures_agree_with_quadrature():
    # independent computation: scipy.integrate.quad
    game = GaussianGame()
    theta, a, b = 0.9, 0.2, -0.7
    metrics = game.metrics(np.array([[theta, a, b]]))
    def d(x):
        return expit(a + b * x)

    def expect(fun, loc, lo=-15.0, hi=15.0):
        return integrate.quad(lambda x: fun(x) * stats.norm.pdf(x, loc), lo, hi)[0]

    d_real, d_fake = expect(d, 0.0), expect(d, theta)
    kink = -a / b  # |D - 1/2| has a corner here: integrate on each side

    def off(x):
        return abs(d(x) - 0.5)

    gap = sum(0.5 * (expect(off, loc, hi=kink) + expect(off, loc, lo=kink))
              for loc in (0.0, theta))
    np.testing.assert_allclose(metrics["d_real"], [d_real], rtol=0, atol=1e-10)
    np.testing.assert_allclose(metrics["d_fake"], [d_fake], rtol=0, atol=1e-10)
    np.testing.assert_allclose(metrics["discriminator_gap"], [gap], rtol=0, atol=1e-10)


def test_gaussian_game_equilibrium():
    # closed form: at (m, 0, 0) D = 1/2 everywhere, the field vanishes and
    # the value is -log 4
    game = GaussianGame(mean=1.5)
    z = game.equilibria()
    metrics = game.metrics(z)
    np.testing.assert_allclose(game.field(z), 0.0, atol=1e-15)
    np.testing.assert_allclose(metrics["value"], -math.log(4), rtol=0, atol=1e-12)
    np.testing.assert_allclose(metrics["discriminator_gap"], 0.0, atol=1e-15)
    np.testing.assert_allclose(metrics["optimal_discriminator_gap"], 0.0, atol=1e-12)


# -- two-point and disjoint distributions (issue 4) ---------------------------
def test_two_point_optimal_discriminator_and_jsd():
    # issue 4: p_data = (0.5, 0.5), p_g = (0.9, 0.1): D* = (5/14, 5/6) and
    # JSD = 0.101749 nats (6 digits)
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    np.testing.assert_allclose(optimal_discriminator(p, q), [5 / 14, 5 / 6],
                               rtol=1e-15, atol=0)
    assert abs(jsd_discrete(p, q) - 0.101749) < 5e-7
    # the same value by hand: (1/2) KL(p||m) + (1/2) KL(q||m), m = (0.7, 0.3)
    by_hand = 0.5 * (0.5 * math.log(0.5 / 0.7) + 0.5 * math.log(0.5 / 0.3)) + 0.5 * (
        0.9 * math.log(0.9 / 0.7) + 0.1 * math.log(0.1 / 0.3))
    assert abs(jsd_discrete(p, q) - by_hand) < 1e-15


def test_disjoint_supports_give_ln2_without_nan():
    # closed form: JSD = ln 2 for disjoint supports
    assert abs(jsd_discrete([0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.3, 0.7]) - LN2) < 1e-15
    # density version: log q = -inf at p's samples and log p = -inf at q's
    lp_p, lq_p = np.log([0.2, 0.3]), np.array([-np.inf, -np.inf])
    lp_q, lq_q = np.array([-np.inf]), np.log([0.5])
    value = jsd_from_log_densities(lp_p, lq_p, lp_q, lq_q)
    assert np.isfinite(value) and abs(value - LN2) < 1e-15
    dstar = optimal_discriminator_from_log([-np.inf, 0.0, -np.inf],
                                           [0.0, -np.inf, -np.inf])
    np.testing.assert_array_equal(dstar, [0.0, 1.0, 0.5])


def test_jsd_rejects_bad_input():
    with pytest.raises(DataError, match="sums to"):
        jsd_discrete([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(DataError, match="negative"):
        jsd_discrete([1.5, -0.5], [0.5, 0.5])


# -- density estimates and distances -------------------------------------------------
@pytest.mark.parametrize("dim", [1, 2])
def test_kde_matches_scipy(dim):
    # reference: scipy.stats.gaussian_kde (Scott's rule), with and without
    # weights; agreement to rounding (1e-9 in log-density)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, dim))
    y = rng.standard_normal((30, dim)) + 1.0
    w = rng.uniform(0.2, 1.0, 40)
    np.testing.assert_allclose(gaussian_kde_logpdf(y, x),
                               stats.gaussian_kde(x.T).logpdf(y.T), rtol=0, atol=1e-9)
    np.testing.assert_allclose(gaussian_kde_logpdf(y, x, w),
                               stats.gaussian_kde(x.T, weights=w).logpdf(y.T),
                               rtol=0, atol=1e-9)


def test_kde_jsd_of_equal_samples_is_zero_and_of_far_samples_near_ln2():
    # closed forms in the limits: JSD(p, p) = 0; well separated -> ln 2
    rng = np.random.default_rng(1)
    x = rng.standard_normal((200, 1))
    assert abs(jsd_from_log_densities(*kde_log_densities(x, x))) < 1e-12
    far = jsd_from_log_densities(*kde_log_densities(x, x + 50.0))
    assert abs(far - LN2) < 1e-9


def test_sample_distances_match_scipy():
    # reference: scipy.stats.wasserstein_distance and energy_distance (1-D)
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(50), rng.standard_normal(70) + 0.5
    w = rng.uniform(0.1, 1.0, 70)
    assert abs(wasserstein_1d(x, y) - stats.wasserstein_distance(x, y)) < 1e-14
    assert abs(energy_distance(x, y, w)
               - stats.energy_distance(x, y, v_weights=w)) < 1e-12
    # closed form: the energy distance of a sample to itself is 0
    z = rng.standard_normal((30, 2))
    assert energy_distance(z, z) < 1e-7


def test_discriminator_gap_weights_the_two_sets_equally():
    # by hand: real |0|,|0.2| -> 0.1; fake |0.3| -> 0.3; mean (0.1 + 0.3) / 2
    gap = discriminator_gap(np.array([0.5, 0.7]), np.array([0.2]))
    assert abs(gap - 0.2) < 1e-15


def test_mode_coverage_counts_covered_clusters():
    # three well separated labelled clusters: samples at every centre cover
    # all of them; samples at one centre cover one of three
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    labels = np.repeat(["a", "b", "c"], 50)
    data = np.repeat(centres, 50, axis=0) + 0.3 * rng.standard_normal((150, 2))
    model = ModeModel.fit(data, labels)
    everywhere = np.repeat(centres, 20, axis=0)[None]
    one = np.repeat(centres[:1], 60, axis=0)[None]
    np.testing.assert_allclose(mode_coverage(everywhere, model), [1.0], rtol=0)
    np.testing.assert_allclose(mode_coverage(one, model), [1 / 3], rtol=1e-15)
    # far from every cluster: no mode is covered
    np.testing.assert_allclose(mode_coverage(one + 100.0, model), [0.0], rtol=0)
