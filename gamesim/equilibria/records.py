"""Typed results of the equilibrium solvers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gamesim.equilibria.measures import distance_to_hull
from gamesim.errors import GamesimError


class SolverError(GamesimError):
    """A solver stopped without a valid equilibrium (iteration cap, size limit)."""


@dataclass(frozen=True)
class NashSubset:
    """A maximal Nash subset: every profile in ``conv(rows) x conv(columns)``.

    Attributes
    ----------
    rows : ndarray, shape (kx, m)
        Extreme mixed strategies of the row player.
    columns : ndarray, shape (ky, n)
        Extreme mixed strategies of the column player.
    """

    rows: np.ndarray
    columns: np.ndarray

    def distance(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Euclidean distance of each ``(x, y)`` to this product of hulls."""
        dx = distance_to_hull(x, self.rows)
        dy = distance_to_hull(y, self.columns)
        return np.sqrt(dx**2 + dy**2)


@dataclass(frozen=True)
class EquilibriumSet:
    """Equilibria of a bimatrix game as found by one method.

    Attributes
    ----------
    profiles : ndarray, shape (k, m + n)
        Extreme equilibria ``(x, y)`` stacked as joint vectors, duplicates
        removed, in a stable order (lexicographic in ``(x, y)``).
    sizes : tuple of int
        ``(m, n)``, the numbers of pure strategies.
    method : str
        ``"vertex_enumeration"``, ``"support_enumeration"``, ``"linprog"``,
        ``"lemke_howson"`` or ``"pure"``.
    complete : bool
        Whether every extreme equilibrium is listed (the enumerations); an LP
        or a Lemke-Howson path finds one equilibrium only.
    continuum : bool or None
        Whether the set of equilibria is infinite (two extreme equilibria
        share a strategy, so the segment between them is made of equilibria
        too); ``None`` when the method cannot tell.
    subsets : tuple of NashSubset
        The maximal Nash subsets (Avis, Rosenberg, Savani and von Stengel
        2010): the set of equilibria is their union. Empty when unknown.
    payoffs : ndarray, shape (k, 2)
        Expected payoffs of the row and the column player at each profile.
    """

    profiles: np.ndarray
    sizes: tuple[int, int]
    method: str
    complete: bool
    continuum: bool | None
    subsets: tuple[NashSubset, ...] = field(default=())
    payoffs: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.profiles)

    def __iter__(self):
        return iter(zip(self.x, self.y))

    @property
    def x(self) -> np.ndarray:
        """Row strategies, shape ``(k, m)``."""
        return self.profiles[:, : self.sizes[0]]

    @property
    def y(self) -> np.ndarray:
        """Column strategies, shape ``(k, n)``."""
        return self.profiles[:, self.sizes[0] :]

    def distance(self, z: np.ndarray) -> np.ndarray:
        """Euclidean distance of each joint profile to the nearest equilibrium.

        With the maximal Nash subsets known (complete enumerations) this is
        the distance to the whole set, segments and faces included; otherwise
        the distance to the nearest listed profile.
        """
        z = np.atleast_2d(np.asarray(z, dtype=float))
        x, y = z[:, : self.sizes[0]], z[:, self.sizes[0] :]
        if self.subsets:
            return np.min([s.distance(x, y) for s in self.subsets], axis=0)
        diff = z[:, None, :] - self.profiles[None, :, :]
        return np.min(np.linalg.norm(diff, axis=-1), axis=1)

    def to_dict(self) -> dict:
        """A JSON-ready description."""
        m = self.sizes[0]
        out = {
            "method": self.method,
            "complete": self.complete,
            "continuum": self.continuum,
            "count": len(self),
            "equilibria": [
                {"row": p[:m].tolist(), "column": p[m:].tolist()} for p in self.profiles
            ],
        }
        if self.payoffs is not None:
            for item, pay in zip(out["equilibria"], self.payoffs):
                item["payoff_row"], item["payoff_column"] = float(pay[0]), float(pay[1])
        if self.subsets:
            out["maximal_nash_subsets"] = [
                {"rows": s.rows.tolist(), "columns": s.columns.tolist()}
                for s in self.subsets
            ]
        return out


def sorted_unique(points: np.ndarray, atol: float = 1e-8) -> np.ndarray:
    """Rows of ``points`` without near-duplicates, in lexicographic order."""
    points = np.atleast_2d(np.asarray(points, dtype=float))
    kept: list[np.ndarray] = []
    for p in points:
        if not any(np.max(np.abs(p - q)) <= atol for q in kept):
            kept.append(p)
    if not kept:
        return np.empty((0, points.shape[1]))
    kept_arr = np.array(kept)
    order = np.lexsort(np.round(kept_arr, 9).T[::-1])
    return kept_arr[order]


def make_set(
    A: np.ndarray,
    B: np.ndarray,
    profiles,
    method: str,
    *,
    complete: bool,
    continuum: bool | None,
    subsets=(),
) -> EquilibriumSet:
    """Assemble an :class:`EquilibriumSet`, computing the payoffs."""
    m, n = A.shape
    profiles = sorted_unique(np.reshape(profiles, (-1, m + n)))
    x, y = profiles[:, :m], profiles[:, m:]
    payoffs = np.stack(
        [np.einsum("ki,ij,kj->k", x, A, y), np.einsum("ki,ij,kj->k", x, B, y)], axis=1
    )
    return EquilibriumSet(
        profiles=profiles,
        sizes=(m, n),
        method=method,
        complete=complete,
        continuum=continuum,
        subsets=tuple(subsets),
        payoffs=payoffs,
    )
