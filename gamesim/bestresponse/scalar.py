"""Exact best responses of players with one parameter on an interval.

A player whose parameter is a scalar ``t`` in ``[lo, hi]`` has an exact
best response whenever its expected loss ``h(t)`` is convex: bisection on
the non-decreasing derivative ``h'``. (When ``h`` is concave the answer is
the better end of the interval, a case of
:func:`~gamesim.bestresponse.mixtures.best_candidate`.) The games with such
players (the Dirac-GAN and the Gaussian location game with bounded
parameters) say which case applies.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: bisection halvings: the interval shrinks by 2**-64, below double precision
BISECTION_STEPS = 64


def argmin_convex(derivative: Callable[[np.ndarray], np.ndarray], lo, hi,
                  runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimiser of a convex function on ``[lo, hi]`` from its derivative.

    Parameters
    ----------
    derivative : callable
        ``t (B,) -> h'(t) (B,)``, non-decreasing in ``t`` for every run.
    lo, hi : float or ndarray
        The interval (per run or shared).
    runs : int
        ``B``.

    Returns
    -------
    t, error : ndarray, shape (B,)
        The minimiser and a bound on ``h(t) - min h``: ``|h'(t)|`` times the
        width of the final bracket (convexity gives
        ``h(t) - h(t*) <= |h'(t)| |t - t*|``).
    """
    lo = np.broadcast_to(np.asarray(lo, dtype=float), (runs,)).copy()
    hi = np.broadcast_to(np.asarray(hi, dtype=float), (runs,)).copy()
    at_lo = derivative(lo) >= 0.0
    at_hi = derivative(hi) <= 0.0
    left, right = lo.copy(), hi.copy()
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (left + right)
        up = derivative(mid) > 0.0
        right = np.where(up, mid, right)
        left = np.where(up, left, mid)
    t = 0.5 * (left + right)
    error = np.abs(derivative(t)) * (right - left)
    t = np.where(at_lo, lo, np.where(at_hi & ~at_lo, hi, t))
    error = np.where(at_lo | at_hi, 0.0, error)
    return t, error


def convex_interval_response(game, player: int, opponent, lo, hi):
    """Exact best response of a scalar player with a convex loss on ``[lo, hi]``.

    Bisection on the expected field (the derivative of the expected loss,
    non-decreasing by convexity) against the opponent's mixture, whose
    equal atoms are merged first.

    Returns
    -------
    BestResponse
    """
    from gamesim.bestresponse.mixtures import expected_gradient, expected_loss
    from gamesim.bestresponse.records import BestResponse

    opponent = opponent.merged()

    def column(t):
        return np.asarray(t, dtype=float)[:, None]

    t, error = argmin_convex(
        lambda t: expected_gradient(game, player, column(t), opponent)[:, 0],
        lo, hi, opponent.runs)
    value = -expected_loss(game, player, column(t), opponent)
    return BestResponse(player, column(t), value, error, True,
                        "closed form (bisection on the convex loss)")
