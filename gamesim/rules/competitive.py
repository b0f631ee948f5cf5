"""Competitive gradient descent (Schaefer and Anandkumar 2019)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gamesim.registry import register_rule
from gamesim.rules.base import UpdateRule
from gamesim.rules.proximal import solve_linearised_step


@register_rule("cgd")
@dataclass(frozen=True)
class CompetitiveGradientDescent(UpdateRule):
    """Competitive gradient descent.

    Each player plays the Nash equilibrium of the regularised bilinear
    approximation of the game at ``z_t``. With ``J`` the Jacobian of the
    field and ``J_o`` its off-diagonal (interaction) blocks, the step solves
    ``(I + diag(eta) J_o) d = -diag(eta) xi(z_t)``; for a zero-sum game this
    is ``d_x = -eta (I + eta^2 D_xy D_yx)^{-1} (grad_x f + eta D_xy
    grad_y f)`` and its counterpart for ``y``. On bilinear games it equals
    the proximal point step.

    Parameters
    ----------
    lr : float
        Step size ``eta`` (per player under two time-scales).

    References
    ----------
    F. Schaefer, A. Anandkumar (2019), "Competitive Gradient Descent",
    NeurIPS.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> simulate(make_game("bilinear"), CompetitiveGradientDescent(lr=0.1),
    ...          steps=1).z * 101
    array([[ 90., 110.]])
    """

    bilinear_behaviour: ClassVar[str | None] = "converges"

    joint: ClassVar[bool] = True

    def step(self, z, state, oracle, lr):
        game = oracle.game
        k = game.sizes[0]
        # the constant Jacobian of affine-field games, else the local one
        J = getattr(game, "M", None)
        if J is None:
            J = oracle.jacobian(z)
        off = np.array(J, copy=True)
        off[..., :k, :k] = 0.0
        off[..., k:, k:] = 0.0
        d = solve_linearised_step(lr, off, oracle.field(z))
        return oracle.project(z + d), state
