"""Every extreme equilibrium of a small bimatrix game, degenerate games included.

Both enumerations work on the positive, scale-free payoffs of
:func:`~gamesim.equilibria.payoffs.normalised` and end the same way: a
candidate strategy of each player carries its *labels* (the pure strategies
it does not play, and the opponent's pure strategies that are best responses
to it), and a pair is an equilibrium when together they carry every label
(von Stengel 2002, "Computing equilibria for two-person games", Handbook of
Game Theory 3). They differ in how candidates are produced:

* :func:`vertex_enumeration` lists the vertices of the best-response
  polytopes ``P = {x >= 0 : B^T x <= 1}`` and ``Q = {y >= 0 : A y <= 1}`` by
  solving every square system of their constraints.
* :func:`support_enumeration` lists, for every support ``I`` of one player
  and every equally large set ``T`` of the opponent's strategies, the mixed
  strategy on ``I`` that makes the opponent indifferent over ``T`` (the
  opponent's strategies outside ``T`` may tie too). Allowing ``T`` to be
  larger than the opponent's support is what finds the extreme equilibria of
  degenerate games that classical support enumeration misses.

In a degenerate game the equilibria may form segments and faces. The
extreme equilibria found here are the corners of those pieces; two of them
that share one player's strategy span a segment of equilibria, which sets
:attr:`EquilibriumSet.continuum`. The maximal Nash subsets (bicliques of the
graph that joins compatible strategies) are found with networkx cliques
(Avis, Rosenberg, Savani and von Stengel 2010, "Enumeration of Nash
equilibria for two-player games", Economic Theory 42).

Both methods solve ``C(m + n, m)`` small linear systems; games beyond
:data:`MAX_SYSTEMS` raise :class:`SolverError` (use Lemke-Howson or the LP).
"""

from __future__ import annotations

import itertools
import logging
from math import comb

import networkx as nx
import numpy as np

from gamesim.equilibria.payoffs import as_bimatrix, normalised
from gamesim.equilibria.records import (
    EquilibriumSet,
    NashSubset,
    SolverError,
    make_set,
    sorted_unique,
)

logger = logging.getLogger(__name__)

#: Largest number of linear systems an enumeration may solve.
MAX_SYSTEMS = 200_000
#: Tolerance of a tight constraint on the normalised payoffs (entries in [1, 2]).
LABEL_TOL = 1e-9
_CHUNK = 20_000


def vertex_enumeration(A, B=None) -> EquilibriumSet:
    """All extreme equilibria by enumerating the best-response polytopes.

    Parameters
    ----------
    A, B : array_like, shape (m, n)
        Payoffs of the row and the column player (both maximise); ``B``
        omitted means ``B = -A``.

    Returns
    -------
    EquilibriumSet
        ``complete=True``; ``continuum`` tells whether the set is infinite.

    Examples
    --------
    >>> vertex_enumeration([[1, -1], [-1, 1]]).profiles
    array([[0.5, 0.5, 0.5, 0.5]])
    """
    A, B = as_bimatrix(A, B)
    m, n = A.shape
    _check_size(m, n, "vertex enumeration")
    An, Bn = normalised(A), normalised(B)

    # P: x_i >= 0 (label i), (B^T x)_j <= 1 (label m + j).
    Gp = np.vstack([np.eye(m), Bn.T])
    hp = np.concatenate([np.zeros(m), np.ones(n)])
    xs = _polytope_vertices(Gp, hp, upper=np.arange(m, m + n))

    # Q: (A y)_i <= 1 (label i), y_j >= 0 (label m + j).
    Gq = np.vstack([An, np.eye(n)])
    hq = np.concatenate([np.ones(m), np.zeros(n)])
    ys = _polytope_vertices(Gq, hq, upper=np.arange(m))

    x_labels = np.abs(xs @ Gp.T - hp) <= LABEL_TOL
    y_labels = np.abs(ys @ Gq.T - hq) <= LABEL_TOL
    xs = xs / xs.sum(axis=1, keepdims=True)
    ys = ys / ys.sum(axis=1, keepdims=True)
    return _pair(A, B, xs, x_labels, ys, y_labels, "vertex_enumeration")


def _polytope_vertices(G: np.ndarray, h: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Non-zero vertices of ``{u : G u <= h}`` written with ``u >= 0`` rows.

    Rows of ``G`` whose index is in ``upper`` are ``<=`` constraints; the
    others are the sign constraints ``u_i >= 0`` (stored as ``e_i``).
    """
    k, d = G.shape
    sign = np.ones(k)
    sign[np.setdiff1d(np.arange(k), upper)] = -1.0  # e_i u >= 0  <=>  -e_i u <= 0
    found = []
    subsets = itertools.combinations(range(k), d)
    while True:
        chunk = np.array(list(itertools.islice(subsets, _CHUNK)), dtype=int)
        if chunk.size == 0:
            break

        # Square systems G[S] u = h[S]; keep the well-conditioned ones.
        systems = G[chunk]
        singular = np.linalg.svd(systems, compute_uv=False)
        ok = singular[:, -1] > 1e-10 * singular[:, 0]
        if not np.any(ok):
            continue
        u = np.linalg.solve(systems[ok], h[chunk[ok]][..., None])[..., 0]

        # Feasible points of the polytope, the origin excluded.
        slack = sign * (u @ G.T - h)
        feasible = np.all(slack <= LABEL_TOL, axis=1) & (u.sum(axis=1) > LABEL_TOL)
        found.append(np.maximum(u[feasible], 0.0))
    if not found:
        return np.empty((0, d))
    return sorted_unique(np.vstack(found), atol=1e-10)


def support_enumeration(A, B=None) -> EquilibriumSet:
    """All extreme equilibria by enumerating supports and indifference sets.

    For every support ``I`` of the row player and every set ``T`` of
    ``|I|`` columns, the mixed strategy ``x`` on ``I`` solving
    ``(B^T x)_j = v`` for ``j`` in ``T`` and ``sum x = 1`` is kept when
    ``x >= 0`` and no column pays more than ``v``; the same for the column
    player. Compatible pairs are the equilibria.

    Parameters
    ----------
    A, B : array_like, shape (m, n)
        Payoffs of the row and the column player (both maximise); ``B``
        omitted means ``B = -A``.

    Returns
    -------
    EquilibriumSet
        ``complete=True``; ``continuum`` tells whether the set is infinite.

    Examples
    --------
    >>> support_enumeration([[3, 0], [5, 1]], [[3, 5], [0, 1]]).profiles
    array([[0., 1., 0., 1.]])
    """
    A, B = as_bimatrix(A, B)
    m, n = A.shape
    _check_size(m, n, "support enumeration")
    An, Bn = normalised(A), normalised(B)

    xs = _indifferent_strategies(Bn.T)  # makes the column player indifferent
    ys = _indifferent_strategies(An)  # makes the row player indifferent

    # Labels: unplayed own strategies and the opponent's best responses.
    col_pay = xs @ Bn
    row_pay = ys @ An.T
    x_labels = np.hstack(
        [xs <= LABEL_TOL, col_pay >= col_pay.max(axis=1, keepdims=True) - LABEL_TOL]
    )
    y_labels = np.hstack(
        [row_pay >= row_pay.max(axis=1, keepdims=True) - LABEL_TOL, ys <= LABEL_TOL]
    )
    return _pair(A, B, xs, x_labels, ys, y_labels, "support_enumeration")


def _indifferent_strategies(M: np.ndarray) -> np.ndarray:
    """Mixed strategies ``p`` for which the opponent's best payoff is tied.

    ``M`` has one row per opponent strategy: ``(M p)_t`` is what the
    opponent's strategy ``t`` earns against ``p``. Returns every ``p`` of
    the form described in :func:`support_enumeration`, deduplicated.
    """
    k_opp, k_own = M.shape
    found = []
    for size in range(1, min(k_own, k_opp) + 1):
        supports = np.array(list(itertools.combinations(range(k_own), size)))
        tights = np.array(list(itertools.combinations(range(k_opp), size)))
        pairs = itertools.product(range(len(supports)), range(len(tights)))
        while True:
            chunk = np.array(list(itertools.islice(pairs, _CHUNK)), dtype=int)
            if chunk.size == 0:
                break
            own = supports[chunk[:, 0]]
            tight = tights[chunk[:, 1]]

            # Bordered system [M[T, I], -1; 1, 0] [p_I; v] = [0; 1].
            systems = np.zeros((len(chunk), size + 1, size + 1))
            systems[:, :size, :size] = M[tight[:, :, None], own[:, None, :]]
            systems[:, :size, size] = -1.0
            systems[:, size, :size] = 1.0
            rhs = np.zeros((len(chunk), size + 1))
            rhs[:, size] = 1.0
            singular = np.linalg.svd(systems, compute_uv=False)
            ok = singular[:, -1] > 1e-10 * singular[:, 0]
            if not np.any(ok):
                continue
            sol = np.linalg.solve(systems[ok], rhs[ok][..., None])[..., 0]

            # Embed, then keep non-negative p whose tied value is the best.
            p = np.zeros((len(sol), k_own))
            np.put_along_axis(p, own[ok], sol[:, :size], axis=1)
            value = sol[:, size]
            best = (p @ M.T).max(axis=1)
            keep = np.all(p >= -LABEL_TOL, axis=1) & (best <= value + LABEL_TOL)
            p = np.maximum(p[keep], 0.0)
            found.append(p / p.sum(axis=1, keepdims=True))
    if not found:
        return np.empty((0, k_own))
    return sorted_unique(np.vstack(found), atol=1e-10)


def _pair(A, B, xs, x_labels, ys, y_labels, method: str) -> EquilibriumSet:
    """Completely labelled pairs, the continuum flag and the Nash subsets."""
    m, n = A.shape
    complete = np.all(x_labels[:, None, :] | y_labels[None, :, :], axis=2)
    ix, iy = np.nonzero(complete)
    if len(ix) == 0:  # impossible for a finite game: a bug, not user input
        raise SolverError(f"{method} found no equilibrium of a {m} x {n} game")
    profiles = np.hstack([xs[ix], ys[iy]])

    # Two equilibria sharing a strategy span a segment of equilibria.
    continuum = bool(len(np.unique(ix)) < len(ix) or len(np.unique(iy)) < len(iy))
    subsets = _maximal_subsets(xs, ys, ix, iy)
    logger.debug("%s: %d extreme equilibria", method, len(profiles))
    return make_set(
        A, B, profiles, method, complete=True, continuum=continuum, subsets=subsets
    )


def _maximal_subsets(xs, ys, ix, iy) -> list[NashSubset]:
    """Maximal bicliques of the compatibility graph, as products of hulls."""
    graph = nx.Graph()
    rows = [("x", int(i)) for i in np.unique(ix)]
    cols = [("y", int(j)) for j in np.unique(iy)]
    graph.add_nodes_from(rows + cols)
    graph.add_edges_from(itertools.combinations(rows, 2))
    graph.add_edges_from(itertools.combinations(cols, 2))
    graph.add_edges_from((("x", int(i)), ("y", int(j))) for i, j in zip(ix, iy))

    subsets = []
    for clique in nx.find_cliques(graph):
        r = sorted(i for side, i in clique if side == "x")
        c = sorted(j for side, j in clique if side == "y")
        if r and c:
            subsets.append(NashSubset(xs[r], ys[c]))
    subsets.sort(key=lambda s: (tuple(s.rows[0]), tuple(s.columns[0])))
    return subsets


def _check_size(m: int, n: int, what: str) -> None:
    count = comb(m + n, m)
    if count > MAX_SYSTEMS:
        raise SolverError(
            f"{what} of a {m} x {n} game needs {count} linear solves (limit "
            f"{MAX_SYSTEMS}); use lemke_howson, or linprog for zero-sum games"
        )
