"""Pure equilibria and the best-response graph of a bimatrix game.

The *best-response graph* has one node per pure profile ``(i, j)`` and an
edge ``(i, j) -> (i', j)`` when ``i'`` is a best response to ``j`` that pays
the row player strictly more than ``i`` (and likewise for the column
player). Its *sink components* (strongly connected components that no edge
leaves) are where best-response dynamics end up: a sink of one node is a
pure Nash equilibrium, a larger sink is a best-response cycle such as the
six-cycle of Shapley's game (Goemans, Mirrokni and Vetta 2005, "Sink
equilibria and convergence", FOCS). "Strictly more" is judged with the
relative tolerance of :mod:`gamesim.equilibria.payoffs`.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from gamesim.equilibria.payoffs import as_bimatrix, tolerance
from gamesim.equilibria.records import EquilibriumSet, make_set


def best_response_graph(A, B=None) -> nx.DiGraph:
    """The best-response graph; nodes are pure profiles ``(i, j)``.

    Each edge has an attribute ``player`` ("row" or "column") and ``gain``,
    the deviating player's improvement.

    Examples
    --------
    >>> g = best_response_graph([[1, -1], [-1, 1]])
    >>> sorted(g.successors((0, 0)))
    [(0, 1)]
    """
    A, B = as_bimatrix(A, B)
    m, n = A.shape
    tol = tolerance(A, B)
    graph = nx.DiGraph()
    graph.add_nodes_from((i, j) for i in range(m) for j in range(n))

    # Row deviations along each column, column deviations along each row.
    for j in range(n):
        best = np.flatnonzero(A[:, j] >= A[:, j].max() - tol)
        for i in range(m):
            for b in best:
                if A[b, j] > A[i, j] + tol:
                    graph.add_edge(
                        (i, j), (int(b), j), player="row", gain=float(A[b, j] - A[i, j])
                    )
    for i in range(m):
        best = np.flatnonzero(B[i, :] >= B[i, :].max() - tol)
        for j in range(n):
            for b in best:
                if B[i, b] > B[i, j] + tol:
                    graph.add_edge(
                        (i, j),
                        (i, int(b)),
                        player="column",
                        gain=float(B[i, b] - B[i, j]),
                    )
    return graph


def sink_components(A, B=None) -> list[list[tuple[int, int]]]:
    """Strongly connected components of the best-response graph with no exit.

    Returns a list of sorted lists of pure profiles, sorted by first profile.
    """
    graph = best_response_graph(A, B)
    condensed = nx.condensation(graph)
    sinks = [
        sorted(condensed.nodes[c]["members"])
        for c in condensed.nodes
        if condensed.out_degree(c) == 0
    ]
    return sorted(sinks)


def pure_equilibria(A, B=None) -> EquilibriumSet:
    """Every pure-strategy Nash equilibrium (possibly none).

    A pure profile is an equilibrium exactly when it has no outgoing edge in
    the best-response graph. The set is marked ``complete=False`` (mixed
    equilibria are not looked for) and ``continuum=None``.

    Examples
    --------
    Prisoner's dilemma: both defect.

    >>> pure_equilibria([[3, 0], [5, 1]], [[3, 5], [0, 1]]).profiles
    array([[0., 1., 0., 1.]])
    """
    A, B = as_bimatrix(A, B)
    m, n = A.shape
    graph = best_response_graph(A, B)
    profiles = []
    for i, j in graph.nodes:
        if graph.out_degree((i, j)) == 0:
            profile = np.zeros(m + n)
            profile[i] = profile[m + j] = 1.0
            profiles.append(profile)
    return make_set(
        A,
        B,
        np.array(profiles).reshape(-1, m + n),
        "pure",
        complete=False,
        continuum=None,
    )
