"""Exact equilibria of finite two-player games and the measures around them.

* :func:`solve` picks a method; :func:`vertex_enumeration` and
  :func:`support_enumeration` return every extreme equilibrium of a small
  game (degenerate games included) with a continuum flag;
  :func:`minimax` / :func:`solve_zero_sum` use the LP for zero-sum and
  constant-sum games; :func:`lemke_howson` follows one complementary path.
* :func:`pure_equilibria`, :func:`best_response_graph` and
  :func:`sink_components` describe the pure best-response dynamics.
* :mod:`gamesim.equilibria.measures` holds NashConv, exploitability, the
  duality gap, KL divergence and the independent :func:`is_nash` check.

Conventions: both players maximise; ``A`` pays the row player and ``B`` the
column player; a zero-sum game is given by ``A`` alone (``B = -A``).
Tolerances are relative to the payoff range.
"""

from gamesim.equilibria.enumeration import support_enumeration, vertex_enumeration
from gamesim.equilibria.lemke_howson import (
    LemkeHowsonPath,
    lemke_howson,
    lemke_howson_all,
)
from gamesim.equilibria.linear_programming import (
    MinimaxSolution,
    minimax,
    solve_zero_sum,
)
from gamesim.equilibria.measures import (
    Exploitability,
    distance_to_hull,
    duality_gap,
    exploitability,
    is_nash,
    kl_divergence,
    nash_conv,
)
from gamesim.equilibria.payoffs import as_bimatrix, constant_sum, payoff_matrix
from gamesim.equilibria.records import EquilibriumSet, NashSubset, SolverError
from gamesim.equilibria.response_graph import (
    best_response_graph,
    pure_equilibria,
    sink_components,
)
from gamesim.equilibria.solve import METHODS, solve

__all__ = [
    "METHODS",
    "EquilibriumSet",
    "Exploitability",
    "LemkeHowsonPath",
    "MinimaxSolution",
    "NashSubset",
    "SolverError",
    "as_bimatrix",
    "best_response_graph",
    "constant_sum",
    "distance_to_hull",
    "duality_gap",
    "exploitability",
    "is_nash",
    "kl_divergence",
    "lemke_howson",
    "lemke_howson_all",
    "minimax",
    "nash_conv",
    "payoff_matrix",
    "pure_equilibria",
    "sink_components",
    "solve",
    "solve_zero_sum",
    "support_enumeration",
    "vertex_enumeration",
]
