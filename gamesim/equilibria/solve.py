"""One entry point that picks an equilibrium solver for a bimatrix game."""

from __future__ import annotations

from math import comb

from gamesim.equilibria.enumeration import (
    MAX_SYSTEMS,
    support_enumeration,
    vertex_enumeration,
)
from gamesim.equilibria.lemke_howson import lemke_howson_all
from gamesim.equilibria.linear_programming import solve_zero_sum
from gamesim.equilibria.payoffs import as_bimatrix, constant_sum
from gamesim.equilibria.records import EquilibriumSet
from gamesim.errors import ConfigError

METHODS = (
    "auto",
    "vertex_enumeration",
    "support_enumeration",
    "linprog",
    "lemke_howson",
)


def solve(A, B=None, method: str = "auto") -> EquilibriumSet:
    """Equilibria of the game ``(A, B)`` by the named method.

    Parameters
    ----------
    A, B : array_like, shape (m, n)
        Payoffs of the row and the column player (both maximise); ``B``
        omitted means ``B = -A``.
    method : str
        One of :data:`METHODS`. ``"auto"`` enumerates vertices when the game
        is small enough (every extreme equilibrium, continuum flag), else
        uses the LP for zero-sum and constant-sum games and Lemke-Howson
        from every label otherwise (some equilibria only).

    Examples
    --------
    >>> eq = solve([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    >>> eq.method, eq.profiles.round(4).tolist()
    ('vertex_enumeration', [[0.3333, 0.3333, 0.3333, 0.3333, 0.3333, 0.3333]])
    """
    A, B = as_bimatrix(A, B)
    if method not in METHODS:
        raise ConfigError(
            f"unknown equilibrium method {method!r} (known: {', '.join(METHODS)})"
        )
    m, n = A.shape
    if method == "auto":
        if comb(m + n, m) <= MAX_SYSTEMS:
            method = "vertex_enumeration"
        elif constant_sum(A, B) is not None:
            method = "linprog"
        else:
            method = "lemke_howson"
    solver = {
        "vertex_enumeration": vertex_enumeration,
        "support_enumeration": support_enumeration,
        "linprog": solve_zero_sum,
        "lemke_howson": lemke_howson_all,
    }[method]
    return solver(A, B)
