"""The Lemke-Howson algorithm with lexicographic pivoting.

Complementary pivoting on the two best-response polytopes
``P = {x >= 0 : B^T x + s = 1, s >= 0}`` and
``Q = {y >= 0 : A y + r = 1, r >= 0}`` (positive payoffs), starting at the
artificial equilibrium ``(0, 0)``. Dropping one label ``k`` lets variable
``k`` enter; the variable that leaves carries a label that is now duplicate,
and its partner enters the other polytope; the path ends when label ``k``
leaves (Lemke and Howson 1964, "Equilibrium points of bimatrix games", SIAM
J. Appl. Math. 12).

Ties in the minimum-ratio test (degenerate games) are broken by the
lexicographic rule: among the tied rows the one whose row of
``(rhs, B^-1) / pivot`` is lexicographically smallest leaves. This keeps
every basis non-degenerate in the perturbed sense, so the path never cycles
(von Stengel 2002, section 3.7). The payoffs are first mapped to
``[1, 2]`` per player (:func:`~gamesim.equilibria.payoffs.normalised`), so
the result does not depend on the payoff scale.

Every result is checked by :func:`~gamesim.equilibria.measures.is_nash`
before it is returned: a path that hits the iteration cap or ends in a
profile that fails the check raises :class:`SolverError` instead of
returning a malformed vector.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np

from gamesim.equilibria.measures import is_nash
from gamesim.equilibria.payoffs import as_bimatrix, normalised
from gamesim.equilibria.records import EquilibriumSet, SolverError, make_set
from gamesim.errors import ConfigError

logger = logging.getLogger(__name__)

_PIVOT_TOL = 1e-12
_RATIO_TOL = 1e-10


class LemkeHowsonPath(NamedTuple):
    """An equilibrium found by Lemke-Howson and how it was reached."""

    x: np.ndarray
    y: np.ndarray
    label: int
    pivots: int


class _Tableau:
    """A dictionary ``basis -> row`` of one best-response polytope."""

    def __init__(self, matrix: np.ndarray, slack_columns: np.ndarray):
        rows, _cols = matrix.shape
        self.table = np.hstack([matrix, np.ones((rows, 1))])
        self.slack_columns = slack_columns
        self.basis = [int(c) for c in slack_columns]

    def pivot(self, entering: int) -> int:
        """Bring ``entering`` into the basis; return the variable that leaves."""
        column = self.table[:, entering]
        candidates = np.flatnonzero(column > _PIVOT_TOL)
        if candidates.size == 0:  # cannot happen on a bounded polytope
            raise SolverError("lemke_howson: unbounded pivot column")

        # Lexicographic minimum ratio over (rhs, B^-1) / pivot.
        keys = np.hstack([self.table[:, [-1]], self.table[:, self.slack_columns]])
        for k in range(keys.shape[1]):
            ratios = keys[candidates, k] / column[candidates]
            candidates = candidates[ratios <= ratios.min() + _RATIO_TOL]
            if candidates.size == 1:
                break
        row = int(candidates[0])

        # Gauss-Jordan step on the chosen row.
        self.table[row] /= self.table[row, entering]
        others = np.arange(len(self.table)) != row
        self.table[others] -= np.outer(self.table[others, entering], self.table[row])
        leaving = self.basis[row]
        self.basis[row] = entering
        return leaving

    def values(self, variables: range) -> np.ndarray:
        """Values of ``variables`` (0 when non-basic)."""
        out = np.zeros(len(variables))
        for row, var in enumerate(self.basis):
            if var in variables:
                out[var - variables.start] = self.table[row, -1]
        return out


def lemke_howson(A, B=None, label: int = 0, max_iter: int = 10_000) -> LemkeHowsonPath:
    """Follow the Lemke-Howson path that drops ``label``.

    Parameters
    ----------
    A, B : array_like, shape (m, n)
        Payoffs of the row and the column player (both maximise); ``B``
        omitted means ``B = -A``.
    label : int
        The dropped label: ``0 .. m-1`` are the row player's pure
        strategies, ``m .. m+n-1`` the column player's.
    max_iter : int
        Largest number of pivots before :class:`SolverError` is raised.

    Returns
    -------
    LemkeHowsonPath
        Mixed strategies ``x`` and ``y`` (finite, on their simplices, and a
        Nash equilibrium by :func:`~gamesim.equilibria.measures.is_nash`).

    Examples
    --------
    >>> path = lemke_howson([[1, -1], [-1, 1]], label=0)
    >>> path.x, path.y
    (array([0.5, 0.5]), array([0.5, 0.5]))
    """
    A, B = as_bimatrix(A, B)
    m, n = A.shape
    if (
        isinstance(label, bool)
        or not isinstance(label, (int, np.integer))
        or not (0 <= label < m + n)
    ):
        raise ConfigError(
            f"lemke_howson: label must be an integer in [0, {m + n}), got {label!r}"
        )
    if int(max_iter) < 1:
        raise ConfigError(f"lemke_howson: max_iter must be >= 1, got {max_iter!r}")

    # Column k of each tableau is the variable carrying label k.
    x_side = _Tableau(np.hstack([normalised(B).T, np.eye(n)]), np.arange(m, m + n))
    y_side = _Tableau(np.hstack([np.eye(m), normalised(A)]), np.arange(m))

    # Complementary pivoting until the dropped label leaves.
    entering, tableau = int(label), (x_side if label < m else y_side)
    for pivots in range(1, int(max_iter) + 1):
        leaving = tableau.pivot(entering)
        if leaving == label:
            break
        entering = leaving
        tableau = y_side if tableau is x_side else x_side
    else:
        raise SolverError(
            f"lemke_howson: no equilibrium after max_iter={max_iter} pivots "
            f"(label {label}, {m} x {n} game)"
        )

    x = _to_strategy(x_side.values(range(m)))
    y = _to_strategy(y_side.values(range(m, m + n)))
    if x is None or y is None or not is_nash(A, B, x, y):
        raise SolverError(
            f"lemke_howson: the path from label {label} ended in a profile that "
            "fails the best-response check (numerical breakdown)"
        )
    logger.debug("lemke_howson: label %d, %d pivots", label, pivots)
    return LemkeHowsonPath(x, y, int(label), pivots)


def _to_strategy(v: np.ndarray) -> np.ndarray | None:
    v = np.where(np.abs(v) < 1e-13, 0.0, v)
    total = float(np.sum(v))
    if not np.all(np.isfinite(v)) or np.any(v < -1e-9) or total <= 0:
        return None
    return np.maximum(v, 0.0) / total


def lemke_howson_all(A, B=None, max_iter: int = 10_000) -> EquilibriumSet:
    """The distinct equilibria reached from every dropped label.

    Not every equilibrium is reachable this way, so the set is marked
    ``complete=False``.
    """
    A, B = as_bimatrix(A, B)
    m, n = A.shape
    found = []
    for label in range(m + n):
        path = lemke_howson(A, B, label=label, max_iter=max_iter)
        found.append(np.concatenate([path.x, path.y]))
    return make_set(
        A, B, np.array(found), "lemke_howson", complete=False, continuum=None
    )
