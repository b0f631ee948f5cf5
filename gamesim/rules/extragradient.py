"""Extragradient (Korpelevich 1976), projected on constrained games."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gamesim.registry import register_rule
from gamesim.rules.base import UpdateRule


@register_rule("eg")
@dataclass(frozen=True)
class Extragradient(UpdateRule):
    """Extragradient: a look-ahead step, then a step with the look-ahead field.

    ``z_{t+1/2} = P(z_t - eta xi(z_t))``,
    ``z_{t+1} = P(z_t - eta xi(z_{t+1/2}))``, with ``P`` the projection onto
    the feasible set (the identity for unconstrained games). Two field
    evaluations per step.

    Parameters
    ----------
    lr : float
        Step size ``eta`` of both half-steps.

    References
    ----------
    G. M. Korpelevich (1976), "The extragradient method for finding saddle
    points and other problems", Ekonomika i Matematicheskie Metody 12.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> simulate(make_game("bilinear"), Extragradient(lr=0.1), steps=1).z
    array([[0.89, 1.09]])
    """

    bilinear_behaviour: ClassVar[str | None] = "converges"

    joint: ClassVar[bool] = True
    evaluations: ClassVar[int] = 2

    def step(self, z, state, oracle, lr):
        # z - lr * g computed in each field's own new array (the field
        # contract): bit for bit the same, two temporaries fewer per step
        half = oracle.field(z)
        np.multiply(half, -lr, out=half)
        half += z
        half = oracle.project(half)
        out = oracle.field(half)
        np.multiply(out, -lr, out=out)
        out += z
        return oracle.project(out), state
