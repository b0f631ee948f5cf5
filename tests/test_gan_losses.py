"""GAN losses: values at D = 1/2 and stability for large logits.

Expected values are closed forms: at D = 1/2 (logit 0) each binary
cross-entropy term is ln 2, the discriminator's loss 2 ln 2, the value
-log 4 and the non-saturating generator loss ln 2 (Goodfellow et al. 2014;
issue 4). The large-logit references are softplus(t) = t + log1p(exp(-t))
evaluated with Python's math module in double precision.
"""

import math

import numpy as np
import pytest

from gamesim.errors import ConfigError
from gamesim.gan.losses import (
    LOSS_NAMES,
    get_loss,
    gradient_penalty_weights,
    log_sigmoid,
    softplus,
)

LN2 = math.log(2.0)
EPS64 = np.finfo(np.float64).eps


def reference_softplus(t: float) -> float:
    """softplus for t > 0, written so that it cannot overflow."""
    return t + math.log1p(math.exp(-t))


# -- values at D = 1/2 -------------------------------------------------------------
def test_each_cross_entropy_term_is_ln2_at_half():
    # closed form: -log(1/2) = ln 2 for the real and for the fake term
    loss = get_loss("standard")
    real, _ = loss.real(np.zeros(3))
    fake, _ = loss.fake(np.zeros(3))
    np.testing.assert_allclose(real, LN2, rtol=0, atol=4 * EPS64)
    np.testing.assert_allclose(fake, LN2, rtol=0, atol=4 * EPS64)


def test_summed_discriminator_loss_is_2ln2_and_value_minus_log4():
    # closed form: L_D = 2 ln 2 and V = -L_D = -log 4 at D = 1/2
    loss = get_loss("standard")
    f = np.zeros((2, 5))
    real, _ = loss.real(f)
    fake, _ = loss.fake(f)
    np.testing.assert_allclose(real.mean(1) + fake.mean(1), 2 * LN2,
                               rtol=0, atol=8 * EPS64)
    np.testing.assert_allclose(loss.value(f, f), -math.log(4.0), rtol=0,
                               atol=8 * EPS64)


def test_nonsaturating_generator_loss_is_ln2_at_half():
    # closed form: -log D(G(z)) = -log(1/2) = ln 2
    gen, _ = get_loss("nonsaturating").generator(np.zeros(4))
    np.testing.assert_allclose(gen, LN2, rtol=0, atol=4 * EPS64)


def test_minimax_generator_loss_is_minus_ln2_at_half():
    # closed form: log(1 - D(G(z))) = log(1/2)
    gen, _ = get_loss("standard").generator(np.zeros(2))
    np.testing.assert_allclose(gen, -LN2, rtol=0, atol=4 * EPS64)


def test_least_squares_value_at_half_is_minus_quarter():
    # closed form: -(1/2)(1/2 - 1)^2 - (1/2)(1/2)^2 = -1/4 at f = 1/2
    loss = get_loss("least_squares")
    f = np.full((1, 3), 0.5)
    np.testing.assert_allclose(loss.value(f, f), -0.25, rtol=0, atol=4 * EPS64)
    assert loss.equilibrium_output == 0.5
    np.testing.assert_allclose(loss.probability(f), 0.5, rtol=0, atol=0)


def test_wasserstein_value_is_mean_difference():
    # closed form: E f(x) - E f(G(z))
    loss = get_loss("wasserstein")
    val = loss.value(np.array([[1.0, 3.0]]), np.array([[0.5, 0.5, 2.0]]))
    np.testing.assert_allclose(val, [2.0 - 1.0], rtol=0, atol=4 * EPS64)


# -- large logits -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("logit", [20.0, 40.0, 90.0, 800.0])
def test_fake_sample_loss_equals_softplus_to_type_precision(dtype, logit):
    # reference: t + log1p(exp(-t)) in double precision (math module)
    f = np.array([logit], dtype=dtype)
    for name in ("standard", "nonsaturating"):
        loss, grad = get_loss(name).fake(f)
        assert loss.dtype == dtype
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(grad))
        expected = reference_softplus(logit)
        eps = np.finfo(dtype).eps
        assert abs(float(loss[0]) - expected) <= eps * expected


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("logit", [20.0, 40.0, 90.0, 800.0])
def test_real_sample_loss_for_large_negative_logit_is_finite(dtype, logit):
    # reference: -log sigmoid(-t) = softplus(t), same closed form as above
    loss, grad = get_loss("standard").real(np.array([-logit], dtype=dtype))
    expected = reference_softplus(logit)
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(grad))
    assert abs(float(loss[0]) - expected) <= np.finfo(dtype).eps * expected


def test_naive_formula_would_overflow_where_softplus_does_not():
    # the contrast that motivates softplus: log(1 - sigmoid(800)) is -inf
    with np.errstate(divide="ignore", over="ignore"):
        naive = -np.log(1.0 - 1.0 / (1.0 + np.exp(-800.0)))
    assert np.isinf(naive)
    assert float(softplus(800.0)) == 800.0


def test_log_sigmoid_is_stable_both_ways():
    # closed forms: log sigmoid(t) -> 0 as t -> inf and -> t as t -> -inf
    out = log_sigmoid(np.array([-800.0, 0.0, 800.0]))
    np.testing.assert_allclose(out, [-800.0, -LN2, 0.0], rtol=EPS64, atol=EPS64)


# -- names and penalties ---------------------------------------------------------------
def test_loss_aliases_and_unknown_name():
    assert get_loss("minimax").name == "standard"
    assert get_loss("ns").name == "nonsaturating"
    assert get_loss("wasserstein").name == "wgan"
    assert set(LOSS_NAMES) == {"standard", "nonsaturating", "wgan", "lsgan"}
    with pytest.raises(ConfigError, match="unknown GAN loss 'hinge'"):
        get_loss("hinge")


def test_penalty_values():
    # closed forms: (gamma/2) mean ||g||^2 and lam mean (||g|| - 1)^2
    g = np.array([[[3.0, 4.0], [0.0, 0.0]]])  # norms 5 and 0
    r1, _ = gradient_penalty_weights(g, 2.0, "r1")
    gp, dg = gradient_penalty_weights(g, 2.0, "gp")
    np.testing.assert_allclose(r1, [0.5 * 2.0 * 25.0 / 2], rtol=1e-15)
    np.testing.assert_allclose(gp, [2.0 * (16.0 + 1.0) / 2], rtol=1e-15)
    assert np.all(np.isfinite(dg))
