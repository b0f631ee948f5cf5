"""Minimax strategies of zero-sum and constant-sum games by linear programming.

For a zero-sum game the row player's maximin strategy solves

    maximise v  subject to  (x^T A)_j >= v for every column j,
                            sum_i x_i = 1,  x >= 0,

and the column player's minimax strategy solves the mirror problem
(von Neumann 1928; Dantzig 1951, "A proof of the equivalence of the
programming problem and the game problem"). A constant-sum game
``A + B = c`` has the same equilibria as the zero-sum game ``A``. Both
problems are solved by scipy's HiGHS on the payoffs scaled to ``[0, 1]``, so
the answer does not depend on the payoff scale.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog

from gamesim.equilibria.payoffs import (
    as_bimatrix,
    constant_sum,
    normalised,
    payoff_matrix,
    payoff_range,
)
from gamesim.equilibria.records import EquilibriumSet, SolverError, make_set
from gamesim.errors import PayoffError


class MinimaxSolution(NamedTuple):
    """Optimal strategies and the value (to the row player) of a zero-sum game."""

    x: np.ndarray
    y: np.ndarray
    value: float


def minimax(A) -> MinimaxSolution:
    """Solve the zero-sum game in which the row player receives ``A``.

    Examples
    --------
    >>> sol = minimax([[1, -1], [-1, 1]])
    >>> sol.x, sol.y, round(sol.value, 12)
    (array([0.5, 0.5]), array([0.5, 0.5]), 0.0)
    """
    A = payoff_matrix(A, "A")
    low, width = float(np.min(A)), payoff_range(A)
    scaled = normalised(A, offset=0.0)  # entries in [0, 1]

    x, v = _maximin(scaled)
    y, w = _maximin(-scaled.T)  # the column player maximises -A
    value = low + width * v if width > 0 else float(A[0, 0])
    gap = abs(v + w)  # the two values agree up to the solver's tolerance
    if gap > 1e-6:
        raise SolverError(f"linprog: the two players' values differ by {gap}")
    return MinimaxSolution(x, y, value)


def _maximin(M: np.ndarray) -> tuple[np.ndarray, float]:
    """Maximin strategy of the row player of ``M`` and its guaranteed payoff."""
    m, n = M.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0  # maximise v
    a_ub = np.hstack([-M.T, np.ones((n, 1))])  # v - (x^T M)_j <= 0
    a_eq = np.append(np.ones(m), 0.0)[None, :]
    bounds = [(0, None)] * m + [(None, None)]
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.zeros(n),
        A_eq=a_eq,
        b_eq=[1.0],
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        raise SolverError(f"linprog (HiGHS) failed: {res.message}")
    x = np.maximum(res.x[:m], 0.0)
    return x / x.sum(), float(res.x[-1])


def solve_zero_sum(A, B=None) -> EquilibriumSet:
    """One equilibrium of a zero-sum or constant-sum game by linear programming.

    Parameters
    ----------
    A : array_like, shape (m, n)
        Row player's payoffs.
    B : array_like, optional
        Column player's payoffs; must satisfy ``A + B = c`` for a constant
        ``c`` (within the relative tolerance). Omitted means ``B = -A``.

    Returns
    -------
    EquilibriumSet
        One profile, ``method="linprog"``, ``complete=False``.

    Raises
    ------
    PayoffError
        If ``A + B`` is not constant.
    """
    A, B = as_bimatrix(A, B)
    if constant_sum(A, B) is None:
        raise PayoffError(
            "linprog solves zero-sum and constant-sum games only: A + B is not "
            "constant; use vertex_enumeration or lemke_howson"
        )
    sol = minimax(A)
    return make_set(
        A,
        B,
        np.concatenate([sol.x, sol.y]),
        "linprog",
        complete=False,
        continuum=None,
    )
