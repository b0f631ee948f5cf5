"""First-order local rules: gradient descent-ascent, momentum and Adam."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from gamesim.registry import register_rule
from gamesim.rules.base import UpdateRule, check_in_range, check_positive


@register_rule("gda")
@dataclass(frozen=True)
class GDA(UpdateRule):
    """Gradient descent-ascent.

    Each player steps against the gradient of its own loss:
    ``z_{t+1} = z_t - eta xi(z_t)``. Simultaneous or alternating according to
    the engine's schedule.

    Parameters
    ----------
    lr : float
        Step size ``eta``.

    References
    ----------
    K. J. Arrow, L. Hurwicz, H. Uzawa (1958), "Studies in Linear and
    Non-linear Programming", Stanford University Press.

    Examples
    --------
    >>> import numpy as np
    >>> z, _ = GDA(lr=0.1).update(np.array([[1.0, -1.0]]), np.ones((1, 2)), (), 0.1)
    >>> z
    array([[0.9, 1.1]])
    """

    bilinear_behaviour: ClassVar[str | None] = "diverges"

    def update(self, g, z, state, lr):
        return z - lr * g, state

    def step(self, z, state, oracle, lr):
        # the same arithmetic as update(), written into the field's own new
        # array: one temporary fewer per step on large batches
        g = oracle.field(z)
        np.multiply(g, -lr, out=g)
        g += z
        return oracle.project(g), state


class MomentumState(NamedTuple):
    """Velocity ``v_t = z_t - z_{t-1}``."""

    velocity: np.ndarray


@register_rule("momentum")
@dataclass(frozen=True)
class Momentum(UpdateRule):
    """Heavy-ball momentum, including negative momentum.

    ``v_{t+1} = beta v_t - eta xi(z_t)``, ``z_{t+1} = z_t + v_{t+1}``, that
    is ``z_{t+1} = z_t - eta xi(z_t) + beta (z_t - z_{t-1})``, with
    ``v_0 = 0``. A negative ``beta`` damps the rotation of bilinear games
    when used with alternating updates (Gidel et al. 2019).

    Parameters
    ----------
    lr : float
        Step size ``eta``.
    beta : float
        Momentum coefficient in (-1, 1).

    References
    ----------
    B. T. Polyak (1964), "Some methods of speeding up the convergence of
    iteration methods". G. Gidel, R. Askari Hemmat, M. Pezeshki, R. Le
    Priol, G. Huang, S. Lacoste-Julien, I. Mitliagkas (2019), "Negative
    Momentum for Improved Game Dynamics", AISTATS.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> res = simulate(make_game("bilinear"), Momentum(lr=0.1, beta=-0.5),
    ...                steps=3, schedule="alternating")
    >>> str(res.status[0])
    'max_steps'
    """

    bilinear_behaviour: ClassVar[str | None] = "diverges"

    beta: float = 0.9

    def __post_init__(self):
        super().__post_init__()
        check_in_range(self.name, "beta", self.beta, -1.0, 1.0)
        if self.beta <= -1.0:
            check_in_range(self.name, "beta", self.beta, -0.999999, 1.0)

    def init(self, z):
        return MomentumState(np.zeros_like(z))

    def update(self, g, z, state, lr):
        v = self.beta * state.velocity - lr * g
        return z + v, MomentumState(v)


class AdamState(NamedTuple):
    """First and second moment estimates and the step count."""

    m: np.ndarray
    v: np.ndarray
    t: int


def adam_direction(self, g, state):
    """Bias-corrected Adam direction and the new state (shared with OAdam)."""
    t = state.t + 1
    m = self.beta1 * state.m + (1.0 - self.beta1) * g
    v = self.beta2 * state.v + (1.0 - self.beta2) * g * g
    m_hat = m / (1.0 - self.beta1**t)
    v_hat = v / (1.0 - self.beta2**t)
    return m_hat / (np.sqrt(v_hat) + self.eps), AdamState(m, v, t)


def _check_adam(rule):
    check_in_range(rule.name, "beta1", rule.beta1, 0.0, 1.0)
    check_in_range(rule.name, "beta2", rule.beta2, 0.0, 1.0)
    check_positive(rule.name, "eps", rule.eps)


@register_rule("adam")
@dataclass(frozen=True)
class Adam(UpdateRule):
    """Adam on each player's own gradient.

    ``m_t = b1 m_{t-1} + (1 - b1) xi_t``, ``v_t = b2 v_{t-1} + (1 - b2)
    xi_t^2``, ``z_{t+1} = z_t - eta m_hat_t / (sqrt(v_hat_t) + eps)`` with
    the bias corrections ``m_hat = m / (1 - b1^t)``, ``v_hat = v / (1 -
    b2^t)``.

    Parameters
    ----------
    lr : float
        Step size ``eta``.
    beta1, beta2 : float
        Decay rates of the moment estimates, in [0, 1).
    eps : float
        Added to the denominator.

    References
    ----------
    D. P. Kingma, J. Ba (2015), "Adam: A Method for Stochastic
    Optimization", ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> rule = Adam(lr=0.01)
    >>> z, s = rule.update(np.array([[2.0]]), np.zeros((1, 1)),
    ...                    rule.init(np.zeros((1, 1))), 0.01)
    >>> round(float(z[0, 0]), 6)
    -0.01
    """

    bilinear_behaviour: ClassVar[str | None] = "cycles"

    lr: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        super().__post_init__()
        _check_adam(self)

    def init(self, z):
        return AdamState(np.zeros_like(z), np.zeros_like(z), 0)

    def update(self, g, z, state, lr):
        direction, state = adam_direction(self, g, state)
        return z - lr * direction, state
