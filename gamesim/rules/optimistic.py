"""Optimistic rules: optimistic gradient descent-ascent and optimistic Adam."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple, Optional

import numpy as np

from gamesim.errors import ConfigError
from gamesim.registry import register_rule
from gamesim.rules.base import UpdateRule
from gamesim.rules.gradient import AdamState, _check_adam, adam_direction

_FIRST_STEPS = ("gda", "zero")


class OptimisticState(NamedTuple):
    """The previous field (or direction); ``None`` before the first step."""

    previous: Optional[np.ndarray]


def _check_first_step(rule):
    if rule.first_step not in _FIRST_STEPS:
        raise ConfigError(
            f"{rule.name}: first_step must be one of {', '.join(_FIRST_STEPS)}, "
            f"got {rule.first_step!r}"
        )


@register_rule("ogda")
@dataclass(frozen=True)
class OGDA(UpdateRule):
    """Optimistic gradient descent-ascent.

    ``z_{t+1} = z_t - 2 eta xi(z_t) + eta xi(z_{t-1})``.

    Two conventions for the first step are public: ``first_step="gda"``
    (default) takes ``xi(z_{-1}) = xi(z_0)``, so the first step is a plain
    GDA step; ``first_step="zero"`` takes ``xi(z_{-1}) = 0``, a double step.

    Parameters
    ----------
    lr : float
        Step size ``eta``.
    first_step : {"gda", "zero"}
        The convention for ``xi(z_{-1})``.

    References
    ----------
    C. Daskalakis, A. Ilyas, V. Syrgkanis, H. Zeng (2018), "Training GANs
    with Optimism", ICLR. A. Rakhlin, K. Sridharan (2013), "Optimization,
    Learning, and Games with Predictable Sequences", NeurIPS.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> res = simulate(make_game("bilinear"), OGDA(lr=0.1), steps=2)
    >>> res.z.round(6)
    array([[0.78, 1.18]])
    """

    bilinear_behaviour: ClassVar[str | None] = "converges"

    first_step: str = "gda"

    def __post_init__(self):
        super().__post_init__()
        _check_first_step(self)

    def init(self, z):
        return OptimisticState(None)

    def update(self, g, z, state, lr):
        previous = state.previous
        if previous is None:
            previous = g if self.first_step == "gda" else np.zeros_like(g)
        return z - lr * (2.0 * g - previous), OptimisticState(g)


class OptimisticAdamState(NamedTuple):
    """Adam's moments and the previous Adam direction."""

    adam: AdamState
    previous: Optional[np.ndarray]


@register_rule("oadam")
@dataclass(frozen=True)
class OptimisticAdam(UpdateRule):
    """Optimistic Adam.

    With ``d_t = m_hat_t / (sqrt(v_hat_t) + eps)`` Adam's direction,
    ``z_{t+1} = z_t - 2 eta d_t + eta d_{t-1}``; the first step follows
    ``first_step`` as for :class:`OGDA`.

    Parameters
    ----------
    lr : float
        Step size ``eta``.
    beta1, beta2, eps : float
        As for Adam.
    first_step : {"gda", "zero"}
        The convention for ``d_{-1}``.

    References
    ----------
    C. Daskalakis, A. Ilyas, V. Syrgkanis, H. Zeng (2018), "Training GANs
    with Optimism", ICLR (Algorithm 1, Optimistic Adam).

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> res = simulate(make_game("dirac:r1=1"), OptimisticAdam(lr=0.01), steps=5)
    >>> str(res.status[0])
    'max_steps'
    """

    bilinear_behaviour: ClassVar[str | None] = "neighbourhood"

    lr: float = 0.01
    beta1: float = 0.5
    beta2: float = 0.9
    eps: float = 1e-8
    first_step: str = "gda"

    def __post_init__(self):
        super().__post_init__()
        _check_adam(self)
        _check_first_step(self)

    def init(self, z):
        return OptimisticAdamState(AdamState(np.zeros_like(z), np.zeros_like(z), 0),
                                   None)

    def update(self, g, z, state, lr):
        direction, adam = adam_direction(self, g, state.adam)
        previous = state.previous
        if previous is None:
            previous = direction if self.first_step == "gda" else np.zeros_like(g)
        z_new = z - lr * (2.0 * direction - previous)
        return z_new, OptimisticAdamState(adam, direction)
