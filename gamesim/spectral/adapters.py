"""Differentiable stand-ins for rules whose step cannot be linearised as is.

Adam near a fixed point
-----------------------
Adam's step ``m_hat / (sqrt(v_hat) + eps)`` has no useful linearisation at a
fixed point: there the gradients, hence ``v``, tend to 0, the derivative of
the step with respect to ``m`` is ``1 / eps`` (``1e8`` by default) and
``sqrt(v)`` is not differentiable at ``v = 0``. In practice Adam behaves
like a sign method near an equilibrium and does not converge linearly, so
no spectral radius describes it.

What can be analysed is the *frozen-preconditioner* linearisation: hold the
denominator ``D = sqrt(v_hat) + eps`` fixed at a value taken from a run
(Adam's second moment changes slowly when ``beta2`` is close to 1) and drop
the bias corrections (``t -> infinity``). The step is then linear:

    m_{t+1} = beta1 m_t + (1 - beta1) xi(z_t)
    z_{t+1} = z_t - eta m_{t+1} / D

on the state ``(z, m)``; optimistic Adam adds ``+ eta d_{t-1} - eta d_t``
with ``d = m / D``. :func:`frozen_rule` builds these rules; the analysis
raises ``NotImplementedError`` for Adam unless the denominator is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from gamesim.errors import ConfigError
from gamesim.rules.base import UpdateRule


class FrozenMomentState(NamedTuple):
    """Adam's first moment (the second is frozen into the preconditioner)."""

    m: np.ndarray


class FrozenOptimisticState(NamedTuple):
    """First moment and the previous direction ``d_{t-1} = m_{t-1} / D``."""

    m: np.ndarray
    previous: np.ndarray | None


@dataclass(frozen=True)
class FrozenAdam(UpdateRule):
    """Adam with a fixed denominator ``D`` and no bias correction.

    Parameters
    ----------
    lr : float
        Step size.
    beta1 : float
        Decay of the first moment.
    denominator : tuple of float
        ``sqrt(v_hat) + eps`` per coordinate of the player's block.
    optimistic : bool
        Optimistic Adam: ``z - eta (2 d_t - d_{t-1})``.
    player : int
        The player (0 or 1) whose block ``denominator`` describes; it keeps
        the two players' stand-ins distinct, so that the engine applies each
        to its own block.
    """

    lr: float = 0.01
    beta1: float = 0.9
    denominator: tuple = (1.0,)
    optimistic: bool = False
    player: int = 0

    name: ClassVar[str] = "frozen_adam"

    def init(self, z):
        if self.optimistic:
            return FrozenOptimisticState(np.zeros_like(z), None)
        return FrozenMomentState(np.zeros_like(z))

    def update(self, g, z, state, lr):
        m = self.beta1 * state.m + (1.0 - self.beta1) * g
        d = m / np.asarray(self.denominator)
        if not self.optimistic:
            return z - lr * d, FrozenMomentState(m)
        previous = d if state.previous is None else state.previous
        return z - lr * (2.0 * d - previous), FrozenOptimisticState(m, d)


def frozen_rule(rule, denominator, size: int, player: int) -> FrozenAdam:
    """The frozen-preconditioner stand-in of an ``adam`` or ``oadam`` rule.

    Parameters
    ----------
    rule : UpdateRule
        The Adam-type rule.
    denominator : float or array_like, shape (size,)
        ``sqrt(v_hat) + eps`` for the player's coordinates (positive).
    size : int
        The player's number of parameters.
    player : int
        The player's index (0 or 1).
    """
    d = np.broadcast_to(np.asarray(denominator, dtype=float), (size,))
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise ConfigError(
            f"{rule.name}: the preconditioner sqrt(v_hat) + eps must be finite "
            f"and > 0, got {np.asarray(denominator).tolist()}"
        )
    return FrozenAdam(lr=rule.lr, beta1=rule.beta1, denominator=tuple(d.tolist()),
                      optimistic=rule.name == "oadam", player=player)
