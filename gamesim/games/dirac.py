"""The Dirac-GAN of Mescheder, Geiger and Nowozin (2018).

Data is a point mass at 0, the generator a point mass at ``theta`` and the
discriminator ``D(x) = sigmoid(psi x)`` the probability that ``x`` is real.
The joint vector is ``z = (theta, psi)``.

Reference: L. Mescheder, A. Geiger, S. Nowozin (2018), "Which Training
Methods for GANs do actually Converge?", ICML.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from gamesim.errors import ConfigError
from gamesim.games.base import Game
from gamesim.numerics import softplus
from gamesim.registry import register_game
from gamesim.rules.base import check_number, check_positive

_LOSSES = ("standard", "nonsaturating", "wgan")


@register_game("dirac")
class DiracGAN(Game):
    """Dirac-GAN: data at 0, generator at theta, discriminator sigmoid(psi x).

    Parameters
    ----------
    loss : {"standard", "nonsaturating", "wgan"}
        ``standard``: the minimax value
        ``V = log D(0) + log(1 - D(theta)) = -log 2 - softplus(psi theta)``
        (generator minimises, discriminator maximises). ``nonsaturating``:
        the generator minimises ``-log D(theta) = softplus(-psi theta)``
        instead. ``wgan``: linear critic, ``V = psi * 0 - psi theta``.
    r1, r2 : float
        Weights ``gamma`` of the penalties ``(gamma/2) E||grad_x logit||^2``
        on real (R1) and fake (R2) samples; both equal ``gamma psi^2 / 2``
        here.
    theta0, psi0 : float
        Default starting point (1, 1 as in reference section B).

    Notes
    -----
    Descent field, with ``s = sigmoid(psi theta)`` and ``g = r1 + r2``::

        standard       xi = (-psi s,       theta s + g psi)
        nonsaturating  xi = (-psi (1 - s), theta s + g psi)
        wgan           xi = (-psi,         theta + g psi)

    The equilibrium is ``(0, 0)``. Mescheder et al. write the update
    direction ``v = -xi``; its Jacobian at the equilibrium has eigenvalues
    ``+-i/2`` (standard), ``+-i`` (WGAN) and ``-g/2 +- sqrt(g^2/4 - 1/4)``
    with R1 (standard loss). The metrics ``d_real`` and ``d_fake`` are
    ``D(0) = 1/2`` and ``D(theta)``; for the WGAN critic they are the
    sigmoid of the critic's output.

    Examples
    --------
    >>> import numpy as np
    >>> DiracGAN().field(np.array([[1.0, 1.0]])).round(5)
    array([[-0.73106,  0.73106]])
    """

    players = ("generator", "discriminator")
    sizes = (1, 1)

    def __init__(self, loss: str = "standard", r1: float = 0.0, r2: float = 0.0,
                 theta0: float = 1.0, psi0: float = 1.0):
        if loss not in _LOSSES:
            raise ConfigError(
                f"dirac: unknown loss {loss!r} (known: {', '.join(_LOSSES)})"
            )
        for key, value in (("r1", r1), ("r2", r2)):
            check_positive("dirac", key, value, allow_zero=True)
        theta0 = check_number("dirac", "theta0", theta0)
        psi0 = check_number("dirac", "psi0", psi0)
        self.loss = loss
        self.r1, self.r2 = float(r1), float(r2)
        self.gamma = self.r1 + self.r2
        self.zero_sum = loss != "nonsaturating"
        self.name = f"dirac:loss={loss}" + (f",r1={r1}" if r1 else "") + (
            f",r2={r2}" if r2 else ""
        )
        self._z0 = np.array([theta0, psi0], dtype=float)

    def initial_point(self):
        return self._z0.copy()

    def equilibria(self):
        return np.zeros((1, 2))

    def field(self, z, noise=None):
        theta, psi = z[:, 0], z[:, 1]
        out = np.empty_like(z)
        if self.loss == "wgan":
            out[:, 0] = -psi
            out[:, 1] = theta + self.gamma * psi
            return out
        s = expit(psi * theta)
        if self.loss == "standard":
            out[:, 0] = -psi * s
        else:
            out[:, 0] = -psi * expit(-psi * theta)
        out[:, 1] = theta * s + self.gamma * psi
        return out

    def jacobian(self, z, noise=None):
        """Analytic Jacobian of the field."""
        theta, psi = z[:, 0], z[:, 1]
        J = np.empty((z.shape[0], 2, 2))
        if self.loss == "wgan":
            J[:] = [[0.0, -1.0], [1.0, self.gamma]]
            return J
        s = expit(psi * theta)
        ds = s * (1.0 - s)
        if self.loss == "standard":
            J[:, 0, 0] = -psi * psi * ds
            J[:, 0, 1] = -s - psi * theta * ds
        else:
            J[:, 0, 0] = psi * psi * ds
            J[:, 0, 1] = -(1.0 - s) + psi * theta * ds
        J[:, 1, 0] = s + theta * psi * ds
        J[:, 1, 1] = theta * theta * ds + self.gamma
        return J

    def value(self, z):
        theta, psi = z[:, 0], z[:, 1]
        if self.loss == "wgan":
            return -psi * theta
        return -math.log(2.0) - softplus(psi * theta)

    def metric_names(self):
        return super().metric_names() + ["d_real", "d_fake", "discriminator_gap"]

    def metrics(self, z, noise=None):
        out = super().metrics(z, noise)
        d_fake = expit(z[:, 0] * z[:, 1])
        out["d_real"] = np.full(z.shape[0], 0.5)
        out["d_fake"] = d_fake
        # mean |D(x) - 1/2| over the real sample (0) and the fake one (theta)
        out["discriminator_gap"] = 0.5 * np.abs(d_fake - 0.5)
        return out
