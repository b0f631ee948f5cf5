"""Analytic gradients of generators, discriminators, losses and penalties,
checked against central finite differences.

Tolerance: central differences with step h = 1e-6 have truncation error
O(h^2 |f'''|) and rounding error O(eps |f| / h), about 1e-9 for these
functions of order-one inputs; the checks allow 1e-6 (absolute), far above
that and far below any real mistake (which shows up at order 1e-2 or more).
"""

import numpy as np
import pytest

from gamesim.gan.discriminators import FeatureLogistic, MLPDiscriminator
from gamesim.gan.generators import AffineGenerator, MixtureGenerator, MLPGenerator
from gamesim.gan.losses import get_loss, gradient_penalty_weights
from gamesim.registry import make_game

H = 1e-6
TOL = 1e-6
B = 3


def central_difference(fun, p):
    """Gradient of a batched scalar function (B, P) -> (B,)."""
    grad = np.zeros_like(p)
    for i in range(p.shape[1]):
        step = np.zeros_like(p)
        step[:, i] = H
        grad[:, i] = (fun(p + step) - fun(p - step)) / (2 * H)
    return grad


GENERATORS = [
    AffineGenerator(1),
    AffineGenerator(2),
    MixtureGenerator(1, 3),
    MixtureGenerator(2, 4),
    MixtureGenerator(2, 3, weights="equal"),
    MLPGenerator(1, 6),
    MLPGenerator(2, (5, 4), latent_dim=3),
]

DISCRIMINATORS = [
    FeatureLogistic(1, "linear"),
    FeatureLogistic(2, "linear"),
    FeatureLogistic(2, "quadratic"),
    FeatureLogistic(1, "fourier", n_features=6),
    FeatureLogistic(2, "fourier", n_features=6, bandwidth=0.7, seed=3),
    FeatureLogistic(2, "quadratic+fourier", n_features=5),
    FeatureLogistic(2, "linear+fourier", n_features=5),
    MLPDiscriminator(1, 4),
    MLPDiscriminator(2, (5,)),
    MLPDiscriminator(2, (4, 3)),
]


@pytest.mark.parametrize("gen", GENERATORS, ids=lambda g: f"{type(g).__name__}")
def test_generator_vjp_matches_finite_differences(gen):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((B, gen.n_params))
    latent = rng.standard_normal((1, 7, gen.latent_dim))
    cot = rng.standard_normal((B, 7, gen.dim))
    expected = central_difference(
        lambda t: np.sum(gen.sample(t, latent) * cot, axis=(1, 2)), theta)
    np.testing.assert_allclose(gen.vjp(theta, latent, cot), expected, rtol=0, atol=TOL)


MIXTURES = [g for g in GENERATORS if isinstance(g, MixtureGenerator)]


@pytest.mark.parametrize("gen", MIXTURES, ids=lambda g: f"K{g.components}d{g.dim}")
def test_mixture_weights_average_one_and_their_vjp(gen):
    rng = np.random.default_rng(1)
    theta = rng.standard_normal((B, gen.n_params))
    m = 7  # not a multiple of K: unequal counts per component
    cot = rng.standard_normal((B, m))

    def weighted(t):
        w = gen.weights(t, m)
        return np.zeros(B) if w is None else np.sum(w * cot, axis=1)

    w = gen.weights(theta, m)
    if w is not None:
        # closed form: sum_j w_j = M sum_c pi_c = M
        np.testing.assert_allclose(w.mean(axis=1), 1.0, rtol=0, atol=1e-14)
    np.testing.assert_allclose(gen.weights_vjp(theta, m, cot),
                               central_difference(weighted, theta), rtol=0, atol=TOL)


def test_mixture_assigns_draw_j_to_component_j_mod_k():
    # closed form: x_j = m_c + L_c eps_j with c = j mod K
    gen = MixtureGenerator(1, 2, weights="equal")
    theta = np.array([[-1.0, 0.5, 2.0, 3.0]])
    eps = np.array([[[1.0], [1.0], [2.0], [2.0]]])
    out = gen.sample(theta, eps)[0, :, 0]
    np.testing.assert_allclose(out, [-0.5, 5.0, 0.0, 8.0], rtol=0, atol=1e-15)


def test_mixture_log_density_integrates_to_one():
    # reference: a normalised density integrates to 1 (trapezoid rule on a
    # fine grid; error far below 1e-8 for these smooth tails)
    gen = MixtureGenerator(1, 3)
    theta = gen.init_params()[None].copy()
    theta[0, :3] = [0.0, 1.0, -0.5]  # unequal weights
    grid = np.linspace(-12, 12, 20001)[None, :, None]
    dens = np.exp(gen.log_density(theta, grid))[0]
    np.testing.assert_allclose(np.trapezoid(dens, grid[0, :, 0]), 1.0, atol=1e-8)


def test_affine_image_maps_the_samples():
    # closed form: the image parameters sample scale * x + shift
    rng = np.random.default_rng(2)
    eps = rng.standard_normal((1, 5, 2))
    scale, shift = np.array([2.0, 0.5]), np.array([-1.0, 3.0])
    for gen in (MixtureGenerator(2, 3), MLPGenerator(2, 4)):
        theta = rng.standard_normal((1, gen.n_params))
        image = gen.affine_image(theta, scale, shift)
        np.testing.assert_allclose(gen.sample(image, eps),
                                   gen.sample(theta, eps) * scale + shift,
                                   rtol=0, atol=1e-12)


@pytest.mark.parametrize("disc", DISCRIMINATORS,
                         ids=lambda d: getattr(d, "features", "mlp"))
def test_discriminator_gradients_match_finite_differences(disc):
    rng = np.random.default_rng(3)
    phi = rng.standard_normal((B, disc.n_params))
    x = rng.standard_normal((B, 6, disc.dim))
    w = rng.standard_normal((B, 6))
    v = rng.standard_normal((B, 6, disc.dim))

    # gradient in the parameters of sum_j w_j f(x_j)
    expected = central_difference(lambda p: np.sum(disc.logit(p, x) * w, axis=1), phi)
    np.testing.assert_allclose(disc.grad_params(phi, x, w), expected, rtol=0, atol=TOL)

    # gradient in the inputs, sample by sample
    gx = np.zeros_like(x)
    for k in range(disc.dim):
        step = np.zeros_like(x)
        step[..., k] = H
        gx[..., k] = (disc.logit(phi, x + step) - disc.logit(phi, x - step)) / (2 * H)
    np.testing.assert_allclose(disc.grad_x(phi, x), gx, rtol=0, atol=TOL)

    # mixed derivative used by R1, R2 and the gradient penalty
    expected = central_difference(
        lambda p: np.sum(disc.grad_x(p, x) * v, axis=(1, 2)), phi)
    np.testing.assert_allclose(disc.penalty_grad(phi, x, v), expected, rtol=0, atol=TOL)


def test_shared_inputs_give_the_same_numbers_as_copies():
    # data shared by every run (leading axis 1) versus an explicit copy
    disc = FeatureLogistic(2, "quadratic+fourier", n_features=4)
    rng = np.random.default_rng(4)
    phi = rng.standard_normal((B, disc.n_params))
    x = rng.standard_normal((1, 5, 2))
    copies = np.repeat(x, B, axis=0)
    shared, copied = disc.at(phi, disc.prepare(x)), disc.at(phi, copies)
    np.testing.assert_allclose(shared.logit, copied.logit, rtol=1e-14)
    np.testing.assert_allclose(shared.grad_x(), copied.grad_x(), rtol=1e-14)


@pytest.mark.parametrize("name", ["standard", "nonsaturating", "wgan", "lsgan"])
def test_loss_derivatives_match_finite_differences(name):
    loss = get_loss(name)
    f = np.linspace(-3, 3, 7)
    for term in (loss.real, loss.fake, loss.generator):
        _, grad = term(f)
        fd = (term(f + H)[0] - term(f - H)[0]) / (2 * H)
        np.testing.assert_allclose(grad, fd, rtol=0, atol=TOL)


@pytest.mark.parametrize("kind", ["r1", "gp"])
def test_penalty_derivative_matches_finite_differences(kind):
    rng = np.random.default_rng(5)
    g = rng.standard_normal((2, 4, 3))
    _, dg = gradient_penalty_weights(g, 0.7, kind)
    fd = np.zeros_like(g)
    for idx in np.ndindex(g.shape):
        step = np.zeros_like(g)
        step[idx] = H
        up = gradient_penalty_weights(g + step, 0.7, kind)[0]
        down = gradient_penalty_weights(g - step, 0.7, kind)[0]
        fd[idx] = (up - down)[idx[0]] / (2 * H)
    np.testing.assert_allclose(dg, fd, rtol=0, atol=TOL)


@pytest.mark.parametrize("spec", [
    "gan:data=old_faithful,column=eruptions,loss=standard,r1=0.3,r2=0.2,samples=10",
    ("gan:data=old_faithful,column=eruptions,loss=nonsaturating,"
     "discriminator=quadratic,components=4,samples=11"),
    ("gan:data=old_faithful,columns=eruptions+waiting,loss=wgan,gp=1,features=8,"
     "samples=7"),
    ("gan:data=old_faithful,columns=eruptions+waiting,loss=lsgan,generator=mlp,"
     "discriminator=mlp,d_hidden=4+3,g_hidden=5,r1=1,samples=9"),
    ("gan:data=palmer_penguins,columns=bill_length_mm+bill_depth_mm,"
     "generator=affine,discriminator=linear+fourier,features=6,samples=8,r2=0.5"),
])
def test_game_field_is_each_players_loss_gradient(spec):
    # the descent field is (grad_theta L_G, grad_phi L_D), penalties included
    game = make_game(spec)
    rng = np.random.default_rng(6)
    z = game.initial_point()[None] + 0.3 * rng.standard_normal((2, game.n))
    field = game.field(z)
    k = game.sizes[0]
    grad_g = central_difference(lambda w: game.losses(w)[0], z)[:, :k]
    grad_d = central_difference(lambda w: game.losses(w)[1], z)[:, k:]
    np.testing.assert_allclose(field[:, :k], grad_g, rtol=0, atol=TOL)
    np.testing.assert_allclose(field[:, k:], grad_d, rtol=0, atol=TOL)
