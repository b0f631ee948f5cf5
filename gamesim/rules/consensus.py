"""Rules that use the Jacobian: consensus optimisation and SGA."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gamesim.errors import ConfigError
from gamesim.registry import register_rule
from gamesim.rules.base import UpdateRule, check_positive


def _vjp(oracle, z, v):
    """``J(z)^T v`` per run, using the game's fast product when it has one."""
    return oracle.game.vjp(z, v) if oracle.noise is None else oracle.game.vjp(
        z, v, oracle.noise)


@register_rule("consensus")
@dataclass(frozen=True)
class ConsensusOptimization(UpdateRule):
    """Consensus optimisation.

    ``z_{t+1} = z_t - eta (xi + gamma J^T xi)``, a gradient step on the
    game plus ``gamma`` times a descent step on ``H = ||xi||^2 / 2``.

    Parameters
    ----------
    lr : float
        Step size ``eta``.
    gamma : float
        Weight of the consensus term (>= 0).

    References
    ----------
    L. Mescheder, S. Nowozin, A. Geiger (2017), "The Numerics of GANs",
    NeurIPS.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> simulate(make_game("bilinear"), ConsensusOptimization(lr=0.1), steps=1).z
    array([[0.8, 1. ]])
    """

    bilinear_behaviour: ClassVar[str | None] = "converges"

    gamma: float = 1.0
    joint: ClassVar[bool] = True

    def __post_init__(self):
        super().__post_init__()
        check_positive(self.name, "gamma", self.gamma, allow_zero=True)

    def step(self, z, state, oracle, lr):
        xi = oracle.field(z)
        direction = xi + self.gamma * _vjp(oracle, z, xi)
        return oracle.project(z - lr * direction), state


@register_rule("sga")
@dataclass(frozen=True)
class SymplecticGradientAdjustment(UpdateRule):
    """Symplectic gradient adjustment with sign alignment.

    ``z_{t+1} = z_t - eta (xi + lambda A^T xi)``, where ``A = (J - J^T)/2``
    is the antisymmetric part of the Jacobian. With ``align=True`` the sign
    of ``lambda`` is chosen per run as
    ``sign(<xi, grad H> <A^T xi, grad H> / d + eps)`` with
    ``grad H = J^T xi`` and ``d`` the number of parameters. The ``eps > 0``
    matters: on an exactly bilinear game the product is 0 and without it
    SGA would silently reduce to GDA.

    Parameters
    ----------
    lr : float
        Step size ``eta``.
    lam : float
        Magnitude of ``lambda`` (>= 0).
    align : bool
        Whether to choose the sign of ``lambda`` by alignment.
    eps : float
        The alignment offset (Balduzzi et al. use 1/10).

    References
    ----------
    D. Balduzzi, S. Racaniere, J. Martens, J. Foerster, K. Tuyls, T. Graepel
    (2018), "The Mechanics of n-Player Differentiable Games", ICML,
    Algorithm 1.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> simulate(make_game("bilinear"), SymplecticGradientAdjustment(lr=0.1),
    ...          steps=1).z
    array([[0.8, 1. ]])
    """

    bilinear_behaviour: ClassVar[str | None] = "converges"

    lam: float = 1.0
    align: bool = True
    eps: float = 0.1
    joint: ClassVar[bool] = True

    def __post_init__(self):
        super().__post_init__()
        check_positive(self.name, "lam", self.lam, allow_zero=True)
        check_positive(self.name, "eps", self.eps, allow_zero=True)
        if not isinstance(self.align, (bool, np.bool_)):
            raise ConfigError(
                f"{self.name}: align must be true or false, got {self.align!r}")

    def step(self, z, state, oracle, lr):
        xi = oracle.field(z)
        jt_xi = _vjp(oracle, z, xi)  # J^T xi = grad H
        j_xi = np.einsum("bij,bj->bi", oracle.jacobian(z), xi)
        at_xi = 0.5 * (jt_xi - j_xi)  # A^T xi with A = (J - J^T) / 2
        lam = np.full((z.shape[0], 1), float(self.lam))
        if self.align:
            d = z.shape[1]
            alignment = (
                np.einsum("bi,bi->b", xi, jt_xi)
                * np.einsum("bi,bi->b", at_xi, jt_xi) / d
                + self.eps
            )
            lam = lam * np.where(alignment >= 0, 1.0, -1.0)[:, None]
        return oracle.project(z - lr * (xi + lam * at_xi)), state
