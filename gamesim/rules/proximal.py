"""Proximal point: the implicit step ``z_{t+1} = z_t - eta xi(z_{t+1})``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gamesim.registry import register_rule
from gamesim.rules.base import UpdateRule, check_integer

logger = logging.getLogger(__name__)


def solve_linearised_step(lr, K, xi):
    """Solve ``(I + diag(eta) K) d = -diag(eta) xi`` for each run.

    Parameters
    ----------
    lr : float or ndarray
        Step sizes broadcastable to ``xi`` (per run and coordinate).
    K : ndarray, shape (n, n) or (B, n, n)
        The matrix of the implicit step (the Jacobian or a part of it).
    xi : ndarray, shape (B, n)
        The field at the current point.

    Returns
    -------
    ndarray, shape (B, n)
        The step ``d``.
    """
    B, n = xi.shape
    eta = np.broadcast_to(np.asarray(lr, dtype=float), (B, n)) if np.ndim(lr) else None
    rhs = -(lr * xi)
    if K.ndim == 2 and (eta is None or np.all(eta == eta[:1])):
        row = np.full(n, float(lr)) if eta is None else eta[0]
        system = np.eye(n) + row[:, None] * K
        return np.linalg.solve(system, rhs.T).T
    K = np.broadcast_to(K, (B, n, n))
    if eta is None:
        eta = np.full((B, n), float(lr))
    systems = np.eye(n)[None] + eta[:, :, None] * K
    return np.linalg.solve(systems, rhs[:, :, None])[:, :, 0]


@register_rule("pp")
@dataclass(frozen=True)
class ProximalPoint(UpdateRule):
    """Proximal point method.

    ``z_{t+1} = z_t - eta xi(z_{t+1})``. For games with an affine field
    (bilinear, quadratic) the step is solved exactly:
    ``(I + eta J) (z_{t+1} - z_t) = -eta xi(z_t)``. For other games it is
    approximated by ``inner_steps`` fixed-point iterations
    ``w <- P(z_t - eta xi(w))`` started at ``w = z_t`` (a contraction when
    ``eta L < 1`` for an ``L``-Lipschitz field); each counts as a field
    evaluation.

    Parameters
    ----------
    lr : float
        Step size ``eta``.
    inner_steps : int
        Fixed-point iterations when the field is not affine.

    References
    ----------
    R. T. Rockafellar (1976), "Monotone operators and the proximal point
    algorithm", SIAM J. Control and Optimization 14.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> simulate(make_game("bilinear"), ProximalPoint(lr=0.1), steps=1).z * 101
    array([[ 90., 110.]])
    """

    bilinear_behaviour: ClassVar[str | None] = "converges"

    inner_steps: int = 20
    joint: ClassVar[bool] = True

    def __post_init__(self):
        super().__post_init__()
        check_integer(self.name, "inner_steps", self.inner_steps, low=1)

    def step(self, z, state, oracle, lr):
        game = oracle.game
        if game.linear_field and not game.constrained:
            d = solve_linearised_step(lr, game.M, oracle.field(z))
            return z + d, state
        w = z
        for _ in range(int(self.inner_steps)):
            w = oracle.project(z - lr * oracle.field(w))
        return w, state
