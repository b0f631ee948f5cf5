"""How far a mixed-strategy profile is from a Nash equilibrium.

Definitions (both players maximise; ``A`` pays the row player, ``B`` the
column player; ``x`` and ``y`` are mixed strategies):

* best-response gain (exploitability) of the row player:
  ``max_i (A y)_i - x^T A y``; of the column player:
  ``max_j (B^T x)_j - x^T B y``. Both are >= 0 on the simplices.
* NashConv: the sum of the two gains (Lanctot et al. 2017, "A Unified
  Game-Theoretic Approach to Multiagent Reinforcement Learning"). It is 0
  exactly at the Nash equilibria.
* duality gap of a zero-sum game: ``max_i (A y)_i - min_j (x^T A)_j``;
  it equals NashConv when ``B = -A`` (or ``A + B`` is constant).
* KL divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)`` with
  ``0 log 0 = 0``.

Every function takes a leading run axis: ``x`` of shape ``(B, m)`` or
``(m,)``, and returns one number per run. This module is the only place
where these measures are computed: the matrix game's metrics, the solvers'
checks and the command line all call it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import nnls
from scipy.special import xlogy

from gamesim.equilibria.payoffs import RTOL, as_bimatrix, tolerance


class Exploitability(NamedTuple):
    """Best-response gains of the two players, one entry per run."""

    row: np.ndarray
    column: np.ndarray

    @property
    def nash_conv(self) -> np.ndarray:
        """The sum of the two gains."""
        return self.row + self.column


def exploitability(A, B, x, y) -> Exploitability:
    """Each player's best-response gain at the profile ``(x, y)``.

    Gains below zero can only come from rounding when ``x`` and ``y`` lie on
    their simplices; they are reported as 0.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> exploitability(A, -A, [1.0, 0.0], [0.5, 0.5]).column
    array([1.])
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.atleast_2d(np.asarray(y, dtype=float))

    # Payoff of every pure strategy against the opponent's mixed strategy.
    row_payoffs = y @ A.T  # (runs, m): (A y)_i
    column_payoffs = x @ B  # (runs, n): (B^T x)_j
    return gains_from_payoffs(row_payoffs, column_payoffs, x, y)


def gains_from_payoffs(row_payoffs, column_payoffs, x, y) -> Exploitability:
    """:func:`exploitability` from the pure strategies' payoff vectors.

    ``row_payoffs = y A^T`` (``(A y)_i`` per run) and ``column_payoffs =
    x B``, for callers that have them already (a game's metrics share them
    with the gradient field and the duality gap).
    """
    row_gain = row_payoffs.max(axis=1) - np.sum(x * row_payoffs, axis=1)
    column_gain = column_payoffs.max(axis=1) - np.sum(y * column_payoffs, axis=1)
    return Exploitability(np.maximum(row_gain, 0.0), np.maximum(column_gain, 0.0))


def nash_conv(A, B, x, y) -> np.ndarray:
    """NashConv: the sum over both players of the best-response gain.

    Examples
    --------
    Rock-paper-scissors, both players on rock (reference D gives 2):

    >>> import numpy as np
    >>> A = np.array([[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    >>> nash_conv(A, -A, [1.0, 0, 0], [1.0, 0, 0])
    array([2.])
    """
    return exploitability(A, B, x, y).nash_conv


def duality_gap(A, x, y) -> np.ndarray:
    """``max_i (A y)_i - min_j (x^T A)_j`` for the zero-sum game ``A``."""
    A = np.asarray(A, dtype=float)
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.atleast_2d(np.asarray(y, dtype=float))
    return gap_from_payoffs(y @ A.T, x @ A)


def gap_from_payoffs(row_payoffs, column_losses) -> np.ndarray:
    """:func:`duality_gap` from ``row_payoffs = y A^T`` and ``column_losses =
    x A`` (each run's ``A y`` and ``x^T A``)."""
    gap = row_payoffs.max(axis=1) - column_losses.min(axis=1)
    return np.maximum(gap, 0.0)


def kl_divergence(p, q) -> np.ndarray:
    """``KL(p || q)`` along the last axis, with ``0 log 0 = 0``.

    ``q`` is floored at the smallest normal float (about ``2.2e-308``), so
    where ``q_i = 0 < p_i`` the divergence is large (up to about 709) but
    finite, and histories stay finite when a strategy becomes pure.
    Rounding below 0 is reported as 0.
    """
    p = np.asarray(p, dtype=float)
    q = np.maximum(np.asarray(q, dtype=float), np.finfo(float).tiny)
    terms = xlogy(p, p) - xlogy(p, q)  # xlogy(0, .) = 0
    return np.maximum(np.sum(terms, axis=-1), 0.0)


def is_nash(A, B, x, y, rtol: float = RTOL) -> bool:
    """Check a profile by best responses, independently of every solver.

    ``(x, y)`` passes when both are finite probability vectors (entries
    >= 0, summing to 1 within ``1e-9``) and no pure strategy gains more
    than ``rtol`` times the payoff range over the strategy played.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> is_nash(A, -A, [0.5, 0.5], [0.5, 0.5]), is_nash(A, -A, [1, 0], [1, 0])
    (True, False)
    """
    A, B = as_bimatrix(A, B)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != (A.shape[0],) or y.shape != (A.shape[1],):
        return False
    if not (on_simplex(x) and on_simplex(y)):
        return False

    # Every pure deviation of each player, one at a time.
    tol = tolerance(A, B, rtol)
    current_row = float(x @ A @ y)
    current_column = float(x @ B @ y)
    for i in range(A.shape[0]):
        if float(A[i] @ y) > current_row + tol:
            return False
    for j in range(A.shape[1]):
        if float(x @ B[:, j]) > current_column + tol:
            return False
    return True


def on_simplex(p, atol: float = 1e-9) -> bool:
    """Whether ``p`` is a finite probability vector (within ``atol``)."""
    p = np.asarray(p, dtype=float)
    return bool(
        p.size > 0
        and np.all(np.isfinite(p))
        and np.all(p >= -atol)
        and abs(float(np.sum(p)) - 1.0) <= atol
    )


def distance_to_hull(points, vertices) -> np.ndarray:
    """Euclidean distance of each point to the convex hull of ``vertices``.

    Parameters
    ----------
    points : ndarray, shape (runs, d)
    vertices : ndarray, shape (k, d)

    Notes
    -----
    One vertex and segments have closed forms; larger hulls solve the
    non-negative least-squares problem ``min ||V^T w - p||`` with the
    constraint ``sum w = 1`` appended as a heavily weighted row, which is
    accurate to about ``1e-9`` relative for the small hulls of matrix games.
    """
    points = np.atleast_2d(np.asarray(points, dtype=float))
    vertices = np.atleast_2d(np.asarray(vertices, dtype=float))
    if len(vertices) == 1:
        return np.linalg.norm(points - vertices[0], axis=1)
    if len(vertices) == 2:
        a, b = vertices
        d = b - a
        t = np.clip((points - a) @ d / max(float(d @ d), 1e-300), 0.0, 1.0)
        return np.linalg.norm(points - (a + t[:, None] * d), axis=1)

    weight = 1e6
    matrix = np.vstack([vertices.T, weight * np.ones(len(vertices))])
    out = np.empty(len(points))
    for r, p in enumerate(points):
        w, _ = nnls(matrix, np.append(p, weight))
        out[r] = np.linalg.norm(vertices.T @ (w / np.sum(w)) - p)
    return out
