"""GAN losses and gradient penalties, computed stably.

The discriminator outputs a *logit* ``f(x)``; for the cross-entropy losses the
probability that ``x`` is real is ``D(x) = sigmoid(f(x))``. Every logarithm of
a sigmoid is written with the softplus function,

    log D(x)       = log sigmoid(f)  = -softplus(-f)
    log(1 - D(x))  = log sigmoid(-f) = -softplus(f),

and ``softplus(t) = log(1 + e^t)`` is evaluated as ``np.logaddexp(0, t)``,
which neither overflows nor rounds to ``log(0)``: for a fake-sample logit of
800 the discriminator's loss is 800, not ``inf``. No value is clamped.

The losses (per sample; the game averages them over the samples):

=============  ======================  ======================  =================
name           discriminator, real x   discriminator, fake x   generator, fake x
=============  ======================  ======================  =================
standard       softplus(-f)            softplus(f)             -softplus(f)
nonsaturating  softplus(-f)            softplus(f)             softplus(-f)
wgan           -f                      f                       -f
lsgan          (f - 1)^2 / 2           f^2 / 2                 (f - 1)^2 / 2
=============  ======================  ======================  =================

``standard`` is the minimax game of Goodfellow et al. (2014): the generator
minimises ``V = E log D(x) + E log(1 - D(G(z)))`` and the discriminator
maximises it, i.e. minimises the binary cross-entropy ``-V``. At ``D = 1/2``
each cross-entropy term is ``ln 2``, the discriminator's loss is ``2 ln 2``,
the value is ``-log 4`` and the non-saturating generator loss
``-E log D(G(z))`` is ``ln 2``. ``wgan`` is the Wasserstein critic game of
Arjovsky, Chintala and Bottou (2017) (``f`` is then a critic, not a logit)
and ``lsgan`` the least-squares game of Mao et al. (2017) with targets 0 for
fake, 1 for real and 1 for the generator; there ``f`` itself estimates
``p_data / (p_data + p_g)``, so its equilibrium output is ``1/2``.

Penalties on the discriminator (they enter its loss only):

* R1 (Mescheder, Geiger and Nowozin 2018): ``(gamma/2) E_data ||grad_x f||^2``;
* R2: the same on generated samples;
* gradient penalty (Gulrajani et al. 2017): ``lam E (||grad_x f(x_hat)|| - 1)^2``
  at random interpolates ``x_hat`` of real and generated samples.

References
----------
I. Goodfellow et al. (2014), "Generative Adversarial Nets", NeurIPS.
M. Arjovsky, S. Chintala, L. Bottou (2017), "Wasserstein GAN", ICML.
X. Mao et al. (2017), "Least Squares Generative Adversarial Networks", ICCV.
I. Gulrajani et al. (2017), "Improved Training of Wasserstein GANs", NeurIPS.
L. Mescheder, A. Geiger, S. Nowozin (2018), "Which Training Methods for GANs
do actually Converge?", ICML.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from gamesim.errors import ConfigError
from gamesim.numerics import log_sigmoid, softplus

__all__ = [
    "LOSS_NAMES",
    "GANLoss",
    "get_loss",
    "gradient_penalty_weights",
    "log_sigmoid",
    "softplus",
]


@dataclass(frozen=True)
class GANLoss:
    """A GAN loss: per-sample terms and their derivatives in the logit.

    Parameters
    ----------
    name : {"standard", "nonsaturating", "wgan", "lsgan"}
        Which game (see the module docstring for the formulas).
    """

    name: str

    # -- per-sample terms, each returning (loss, d loss / d f) ---------------
    def real(self, f):
        """The discriminator's loss on a real sample's output ``f``."""
        if self.name == "wgan":
            return -f, -np.ones_like(f)
        if self.name == "lsgan":
            return 0.5 * (f - 1) ** 2, f - 1
        return softplus(-f), -expit(-f)

    def fake(self, f):
        """The discriminator's loss on a generated sample's output ``f``."""
        if self.name == "wgan":
            return f, np.ones_like(f)
        if self.name == "lsgan":
            return 0.5 * f**2, f
        return softplus(f), expit(f)

    def generator(self, f):
        """The generator's loss on a generated sample's output ``f``."""
        if self.name == "wgan":
            return -f, -np.ones_like(f)
        if self.name == "lsgan":
            return 0.5 * (f - 1) ** 2, f - 1
        if self.name == "nonsaturating":
            return softplus(-f), -expit(-f)
        return -softplus(f), -expit(f)

    # -- summaries -------------------------------------------------------------
    def probability(self, f):
        """``D(x)``: the estimated probability that ``x`` is real.

        ``sigmoid(f)`` for the cross-entropy losses and for the Wasserstein
        critic (where it is only a monotone read-out of the critic), ``f``
        itself for the least-squares loss.
        """
        if self.name == "lsgan":
            return np.asarray(f)
        return expit(f)

    def value(self, f_real, f_fake):
        """The game value on samples, averaged over the last axis.

        ``standard``/``nonsaturating``: ``E log D(x) + E log(1 - D(G(z)))``
        (``-log 4`` at ``D = 1/2``); ``wgan``: ``E f(x) - E f(G(z))``;
        ``lsgan``: minus the discriminator's loss (``-1/4`` at ``f = 1/2``).
        """
        loss_real, _ = self.real(f_real)
        loss_fake, _ = self.fake(f_fake)
        return -(loss_real.mean(axis=-1) + loss_fake.mean(axis=-1))

    @property
    def equilibrium_output(self) -> float:
        """The discriminator's output ``f`` where ``D(x) = 1/2``."""
        return 0.5 if self.name == "lsgan" else 0.0


_ALIASES = {
    "standard": "standard",
    "minimax": "standard",
    "nonsaturating": "nonsaturating",
    "non_saturating": "nonsaturating",
    "ns": "nonsaturating",
    "wgan": "wgan",
    "wasserstein": "wgan",
    "lsgan": "lsgan",
    "least_squares": "lsgan",
}

#: canonical loss names
LOSS_NAMES = ("standard", "nonsaturating", "wgan", "lsgan")


def get_loss(name: str) -> GANLoss:
    """The loss called ``name`` (aliases: minimax, ns, wasserstein,
    least_squares).

    Raises
    ------
    ConfigError
        For an unknown name.
    """
    key = str(name).strip().lower()
    if key not in _ALIASES:
        raise ConfigError(
            f"unknown GAN loss {name!r} (known: {', '.join(sorted(_ALIASES))})"
        )
    return GANLoss(_ALIASES[key])


def gradient_penalty_weights(grad_x, lam: float, kind: str):
    """A penalty on input gradients and its derivative in those gradients.

    Parameters
    ----------
    grad_x : ndarray, shape (B, N, d)
        ``grad_x f`` at the penalised samples.
    lam : float
        The weight (``gamma`` for R1/R2, ``lambda`` for the gradient penalty).
    kind : {"r1", "gp"}
        ``"r1"`` (also used for R2): ``(lam / 2) mean ||g||^2``;
        ``"gp"``: ``lam mean (||g|| - 1)^2``.

    Returns
    -------
    penalty : ndarray, shape (B,)
        The penalty, averaged over the N samples.
    dg : ndarray, shape (B, N, d)
        Its derivative with respect to each ``g`` (already divided by N).
    """
    n = grad_x.shape[-2]
    if kind == "r1":
        penalty = 0.5 * lam * np.sum(grad_x**2, axis=(-1, -2)) / n
        return penalty, lam * grad_x / n
    norm = np.sqrt(np.sum(grad_x**2, axis=-1))
    penalty = lam * np.sum((norm - 1.0) ** 2, axis=-1) / n
    # d/dg (|g| - 1)^2 = 2 (|g| - 1) g / |g|; at g = 0 take the limit
    # direction 0 (a subgradient), which leaves the penalty's value alone.
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(norm[..., None] > 0, grad_x / norm[..., None], 0.0)
    dg = 2.0 * lam * (norm - 1.0)[..., None] * unit / n
    return penalty, dg
