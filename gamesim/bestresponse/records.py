"""Typed records returned by the best-response oracles and gap estimators.

Payoff convention: a player's *payoff* is minus its loss, so a best
response maximises it (hence ``argmax``). In a zero-sum game
``min_x max_y f(x, y)`` the generator's payoff is ``-f`` and the
discriminator's is ``f``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class BestResponse(NamedTuple):
    """One player's best response to an opponent (pure or mixed), per run.

    Attributes
    ----------
    player : int
        0 for the first player (generator, minimiser), 1 for the second.
    argmax : ndarray, shape (B, k)
        The best response found (the player's parameters).
    value : ndarray, shape (B,)
        Its expected payoff against the opponent (minus the expected loss).
    error : ndarray, shape (B,)
        Stated error of ``value`` with respect to the true best payoff.
        Closed forms: 0, or the tolerance of the root finder they use.
        Estimates: the error predicted by a local quadratic model at the
        returned point (a bound when the player's loss is strongly convex;
        0 at a corner of a box where the gradient points outwards); ``inf``
        where nothing can be stated. An estimate never exceeds the true best
        payoff by more than round-off: it is a payoff actually reached.
    exact : bool
        True for closed forms and convex problems solved to a certified
        tolerance; False for estimates (inner optimisation steps).
    method : str
        How the response was computed, for reports (for example
        ``"closed form"`` or ``"20 gradient steps of 0.05 from the current
        strategy"``).
    """

    player: int
    argmax: np.ndarray
    value: np.ndarray
    error: np.ndarray
    exact: bool
    method: str


class GapEstimate(NamedTuple):
    """NashConv and duality gap of a profile, from two best responses.

    ``nash_conv = sum_i (value_i - payoff_i)``, the total gain the two
    players could get by deviating. For a zero-sum game the payoffs cancel
    and it equals the duality gap
    ``max_y' E f(X, y') - min_x' E f(x', Y)`` (Grnarova et al. 2019).

    Attributes
    ----------
    nash_conv : ndarray, shape (B,)
    duality_gap : ndarray or None
        Equal to ``nash_conv`` for zero-sum games; ``None`` otherwise.
    error : ndarray, shape (B,)
        Sum of the two responses' stated errors. An estimated gap lies in
        ``[true - error, true]`` up to round-off: each estimated response
        is a payoff actually reached, so the estimate is a lower bound.
    exact : bool
        Whether both responses are exact.
    responses : tuple of BestResponse
        The generator's and the discriminator's responses.
    """

    nash_conv: np.ndarray
    duality_gap: np.ndarray | None
    error: np.ndarray
    exact: bool
    responses: tuple

    @property
    def method(self) -> str:
        """Both responses' methods, for reports."""
        first, second = self.responses
        if first.method == second.method:
            return first.method
        return f"player 1: {first.method}; player 2: {second.method}"
