"""A Gaussian location GAN whose densities are known exactly.

Data ``x ~ N(m, 1)``; the generator shifts unit Gaussian noise,
``G(eps) = theta + eps`` so ``p_g = N(theta, 1)``; the discriminator is
logistic, ``D(x) = sigmoid(a + b x)``. The joint vector is
``z = (theta, a, b)``.

Because ``log p_data(x) - log p_g(x) = (m - theta) x + (theta^2 - m^2) / 2``
is affine in ``x``, the optimal discriminator of Goodfellow et al. (2014),
``D* = p_data / (p_data + p_g)``, lies in the logistic family:

    a* = (theta^2 - m^2) / 2,    b* = m - theta,

and the value against it is ``C(theta) = -log 4 + 2 JSD(p_data || p_g)``.
The unique equilibrium is ``(theta, a, b) = (m, 0, 0)``, where
``D = 1/2``.

Every expectation over a Gaussian is computed by Gauss-Legendre quadrature
on ``mu +- 12`` (the tails beyond carry less than ``1e-32``), split at the
points where the integrand has a kink or its sharpest bend (where
``a + b x = 0`` and, for ``|D - D*|``, where ``D = D*``). It is
deterministic and accurate to about ``1e-13`` for moderate ``|b|``.

Reference: I. Goodfellow et al. (2014), "Generative Adversarial Nets",
NeurIPS (proposition 1 and theorem 1).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from gamesim.errors import ConfigError
from gamesim.games.base import Game, as_batch
from gamesim.numerics import softplus
from gamesim.registry import register_game

__all__ = ["GaussianGame"]

_HALF_WIDTH = 12.0
_LEG_X, _LEG_W = np.polynomial.legendre.leggauss(64)
_LN4 = math.log(4.0)


def _nodes(mu: np.ndarray, kinks: list[np.ndarray]):
    """Quadrature nodes and weights for ``E f(X)``, ``X ~ N(mu, 1)``, per run.

    The interval ``[mu - 12, mu + 12]`` is cut at the given points (those
    outside are ignored) and each piece gets 64 Gauss-Legendre nodes.

    Returns
    -------
    x, w : ndarray, shape (B, pieces * 64)
    """
    lo, hi = mu - _HALF_WIDTH, mu + _HALF_WIDTH
    cuts = [np.clip(np.where(np.isfinite(k), k, lo), lo, hi) for k in kinks]
    edges = np.sort(np.stack([lo] + cuts + [hi], axis=1), axis=1)  # (B, p+1)
    left, right = edges[:, :-1, None], edges[:, 1:, None]
    half = 0.5 * (right - left)
    x = left + half * (_LEG_X + 1.0)
    dens = np.exp(-0.5 * (x - mu[:, None, None]) ** 2) / math.sqrt(2 * math.pi)
    w = half * _LEG_W * dens
    return x.reshape(len(mu), -1), w.reshape(len(mu), -1)


def _kink(a, b):
    """Where ``a + b x = 0`` (``nan`` when ``b = 0``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != 0, -a / np.where(b != 0, b, 1.0), np.nan)


@register_game("gaussian")
class GaussianGame(Game):
    """Gaussian location GAN: N(m, 1) data, N(theta, 1) generator, logistic D.

    Parameters
    ----------
    mean : float
        Mean ``m`` of the data distribution.
    loss : {"standard", "nonsaturating"}
        ``standard``: the generator minimises
        ``V = E_data log D(x) + E_g log(1 - D(x))``; ``nonsaturating``: it
        minimises ``-E_g log D(x)`` instead. The discriminator maximises
        ``V`` in both.
    theta0, a0, b0 : float
        Default starting point (``theta0 = m + 1``, ``a0 = b0 = 0`` unless
        given).

    Notes
    -----
    Descent field, ``s_x = sigmoid(a + b x)``::

        d/dtheta  standard: -b E_g s_x;  nonsaturating: -b E_g (1 - s_x)
        d/da      -E_data (1 - s_x) + E_g s_x
        d/db      -E_data (1 - s_x) x + E_g s_x x

    Examples
    --------
    >>> g = GaussianGame()
    >>> round(float(g.optimal_value(np.array([0.0]))[0]), 6)
    -1.386294
    """

    players = ("generator", "discriminator")
    sizes = (1, 2)

    def __init__(self, mean: float = 0.0, loss: str = "standard",
                 theta0: float | None = None, a0: float = 0.0, b0: float = 0.0):
        if loss in ("minimax",):
            loss = "standard"
        if loss in ("ns", "non_saturating"):
            loss = "nonsaturating"
        if loss not in ("standard", "nonsaturating"):
            raise ConfigError(
                f"gaussian: unknown loss {loss!r} (known: standard, nonsaturating)"
            )
        values = {"mean": mean, "a0": a0, "b0": b0}
        if theta0 is not None:
            values["theta0"] = theta0
        for key, v in values.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or \
                    not math.isfinite(v):
                raise ConfigError(f"gaussian: {key} must be a finite number, got {v!r}")
        self.mean = float(mean)
        self.loss = loss
        self.zero_sum = loss == "standard"
        theta0 = self.mean + 1.0 if theta0 is None else float(theta0)
        self._z0 = np.array([theta0, float(a0), float(b0)])
        self.name = f"gaussian:mean={self.mean:g},loss={loss}"

    # -- the game ------------------------------------------------------------
    def initial_point(self) -> np.ndarray:
        return self._z0.copy()

    def equilibria(self) -> np.ndarray:
        """The unique equilibrium ``(m, 0, 0)``."""
        return np.array([[self.mean, 0.0, 0.0]])

    def _expect(self, z, funs):
        """``[E_data f(x), E_g f(x)]`` for each ``f`` in ``funs``."""
        theta, a, b = z[:, 0], z[:, 1], z[:, 2]
        out = []
        for mu in (np.full_like(theta, self.mean), theta):
            x, w = _nodes(mu, [_kink(a, b)])
            t = a[:, None] + b[:, None] * x
            out.append([np.sum(w * f(t, x), axis=1) for f in funs])
        return out

    def expected_losses(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each player's expected loss ``(L_G, L_D)`` per run.

        ``L_D = -V`` (binary cross-entropy); ``L_G = V`` (standard) or
        ``E_g softplus(-(a + b x))`` (non-saturating).
        """
        z = as_batch(z, 3)
        real, fake = self._expect(z, [lambda t, x: softplus(-t),
                                      lambda t, x: softplus(t)])
        value = -real[0] - fake[1]
        gen = value if self.loss == "standard" else fake[0]
        return gen, -value

    def value(self, z: np.ndarray) -> np.ndarray:
        """``V = E_data log D(x) + E_g log(1 - D(x))`` (``-log 4`` at D = 1/2)."""
        return -self.expected_losses(z)[1]

    def field(self, z: np.ndarray, noise=None) -> np.ndarray:
        z = as_batch(z, 3)
        b = z[:, 2]
        real, fake = self._expect(z, [
            lambda t, x: expit(-t), lambda t, x: expit(-t) * x,
            lambda t, x: expit(t), lambda t, x: expit(t) * x,
        ])
        out = np.empty_like(z)
        out[:, 0] = -b * (fake[2] if self.loss == "standard" else fake[0])
        out[:, 1] = -real[0] + fake[2]
        out[:, 2] = -real[1] + fake[3]
        return out

    # -- exact references ---------------------------------------------------------
    def optimal_discriminator(self, theta) -> np.ndarray:
        """``(a*, b*)`` of ``D* = p_data / (p_data + p_g)``, shape ``(B, 2)``."""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        m = self.mean
        return np.stack([(theta**2 - m**2) / 2, m - theta], axis=1)

    def optimal_value(self, theta) -> np.ndarray:
        """``C(theta) = max_D V = V(theta, D*) = -log 4 + 2 JSD``."""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        return self.value(np.column_stack([theta, self.optimal_discriminator(theta)]))

    def jsd(self, theta) -> np.ndarray:
        """``JSD(N(m, 1) || N(theta, 1))`` in nats, ``(C(theta) + log 4) / 2``.

        Rounding below zero (about ``1e-15`` at ``theta = m``) is cut to 0.
        """
        return np.maximum(0.5 * (self.optimal_value(theta) + _LN4), 0.0)

    def mean_abs_gap(self, z: np.ndarray, under: str = "both") -> np.ndarray:
        """``E |D(x) - 1/2|`` under the data, the generator, or both (mean).

        Uses ``|sigmoid(t) - 1/2| = tanh(|t| / 2) / 2``, split at ``t = 0``.
        """
        z = as_batch(z, 3)
        real, fake = self._expect(z, [lambda t, x: 0.5 * np.tanh(np.abs(t) / 2)])
        if under == "data":
            return real[0]
        if under == "generator":
            return fake[0]
        return 0.5 * (real[0] + fake[0])

    def optimal_discriminator_gap(self, z: np.ndarray) -> np.ndarray:
        """Mean ``|D - D*|`` under data and generator (each weighted 1/2)."""
        z = as_batch(z, 3)
        theta, a, b = z[:, 0], z[:, 1], z[:, 2]
        star = self.optimal_discriminator(theta)
        cross = _kink(a - star[:, 0], b - star[:, 1])
        total = 0.0
        for mu in (np.full_like(theta, self.mean), theta):
            x, w = _nodes(mu, [_kink(a, b), _kink(star[:, 0], star[:, 1]), cross])
            d = expit(a[:, None] + b[:, None] * x)
            d_star = expit(star[:, :1] + star[:, 1:] * x)
            total = total + 0.5 * np.sum(w * np.abs(d - d_star), axis=1)
        return total

    # -- measures -----------------------------------------------------------------
    def metric_names(self) -> list[str]:
        return super().metric_names() + [
            "d_real", "d_fake", "discriminator_gap", "optimal_discriminator_gap",
            "jsd"]

    def metrics(self, z: np.ndarray, noise=None) -> dict[str, np.ndarray]:
        z = as_batch(z, 3)
        out = super().metrics(z, noise)
        real, fake = self._expect(z, [lambda t, x: expit(t)])
        out["d_real"] = real[0]
        out["d_fake"] = fake[0]
        out["discriminator_gap"] = self.mean_abs_gap(z)
        out["optimal_discriminator_gap"] = self.optimal_discriminator_gap(z)
        out["jsd"] = self.jsd(z[:, 0])
        return out
