"""The interface shared by every game.

A two-player game is described on the *joint* parameter vector
``z = (x, y)``: ``x`` belongs to the first player (the generator, the
minimiser; the row player of a matrix game) and ``y`` to the second (the
discriminator, the maximiser; the column player). Every array carries a
leading *run axis*: ``z`` has shape ``(B, n)`` for a batch of ``B`` runs.

Conventions (see ``docs/explanation/conventions.md``):

* Each player minimises its own loss; the *simultaneous gradient field* (the
  descent field) is ``xi(z) = (grad_x loss_1, grad_y loss_2)``. For a zero-sum
  game ``min_x max_y f(x, y)`` this is ``xi = (grad_x f, -grad_y f)``.
* ``value(z)`` is ``f(x, y)``, the first player's loss in a zero-sum game
  (for a GAN compare it with ``-log 4``).
* Constrained games (simplices, boxes) say so with :meth:`Game.project`;
  gradient rules then take projected steps.
"""

from __future__ import annotations

import logging
from typing import Sequence

import numpy as np

logger = logging.getLogger(__name__)


class Game:
    """A two-player differentiable game on a joint parameter vector.

    Subclasses set ``sizes`` (the two players' parameter counts) and implement
    :meth:`field` and :meth:`value`; they may override :meth:`jacobian`,
    :meth:`equilibria`, :meth:`project`, :meth:`metrics` and
    :meth:`duality_gap`.

    Attributes
    ----------
    name : str
        The registered name (or a description for custom games).
    players : tuple of str
        Player names, minimiser first.
    sizes : tuple of int
        Parameter counts of the two players.
    zero_sum : bool
        Whether the second player's loss is the negative of the first's.
    stochastic : bool
        Whether :meth:`field` draws random samples (then it needs ``noise``).
    constrained : bool
        Whether :meth:`project` is not the identity.
    """

    name: str = "game"
    players: tuple[str, str] = ("generator", "discriminator")
    sizes: tuple[int, int] = (1, 1)
    zero_sum: bool = True
    stochastic: bool = False
    constrained: bool = False
    linear_field: bool = False
    #: how many records the engine makes by default over a run
    default_records: int = 1000

    # -- shape helpers -------------------------------------------------------
    @property
    def n(self) -> int:
        """Total number of parameters, ``len(z)``."""
        return int(self.sizes[0] + self.sizes[1])

    @property
    def slices(self) -> tuple[slice, slice]:
        """Slices of ``z`` holding each player's parameters."""
        k = self.sizes[0]
        return slice(0, k), slice(k, self.n)

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Split a joint vector (or batch) into the two players' parts."""
        k = self.sizes[0]
        return z[..., :k], z[..., k:]

    def param_names(self) -> list[str]:
        """Column names of the joint parameters, e.g. ``generator[0]``."""
        return [
            f"{p}[{i}]"
            for p, size in zip(self.players, self.sizes)
            for i in range(size)
        ]

    # -- the game ------------------------------------------------------------
    def field(self, z: np.ndarray, noise=None) -> np.ndarray:
        """The simultaneous gradient field ``xi(z)``, shape ``(B, n)``.

        ``noise`` is a sequence of one ``numpy.random.Generator`` per run,
        used only by stochastic games (minibatches). The result must be a new
        array that the caller may overwrite (rules compute their step in it).
        """
        raise NotImplementedError(f"{type(self).__name__} does not define field()")

    def value(self, z: np.ndarray) -> np.ndarray:
        """The game value ``f(x, y)`` for each run, shape ``(B,)``."""
        raise NotImplementedError(f"{type(self).__name__} does not define value()")

    def jacobian(self, z: np.ndarray, noise=None) -> np.ndarray:
        """Jacobian ``d xi / d z`` of the field, shape ``(B, n, n)``.

        The default uses central differences with a step scaled to each
        coordinate (relative accuracy about 1e-10 for smooth fields); games
        with an analytic Jacobian override it.
        """
        return central_difference_jacobian(lambda w: self.field(w, noise), z)

    def vjp(self, z: np.ndarray, v: np.ndarray, noise=None) -> np.ndarray:
        """``J(z)^T v`` per run (used by consensus optimisation and SGA)."""
        return np.einsum("bji,bj->bi", self.jacobian(z, noise), v)

    def project(self, z: np.ndarray) -> np.ndarray:
        """Project onto the feasible set (identity for unconstrained games)."""
        return z

    def initial_point(self) -> np.ndarray:
        """The game's default starting point, shape ``(n,)``."""
        return np.ones(self.n)

    def equilibria(self) -> np.ndarray | None:
        """Known equilibria as an array ``(k, n)``, or ``None`` if unknown."""
        return None

    def duality_gap(self, z: np.ndarray) -> np.ndarray | None:
        """``max_y' f(x, y') - min_x' f(x', y)`` where defined, else ``None``."""
        return None

    # -- measurements --------------------------------------------------------
    def metric_names(self) -> list[str]:
        """Names of the metrics :meth:`metrics` returns (DESIGN.md names)."""
        names = ["grad_norm", "value"]
        if self.equilibria() is not None:
            names.insert(0, "distance_to_equilibrium")
        return names

    def metrics(self, z: np.ndarray, noise=None) -> dict[str, np.ndarray]:
        """Every metric of this game at ``z``: a dict of ``(B,)`` arrays."""
        out: dict[str, np.ndarray] = {}
        eq = self.equilibria()
        if eq is not None:
            out["distance_to_equilibrium"] = distance_to_set(z, eq)
        out["grad_norm"] = np.linalg.norm(self.field(z, noise), axis=-1)
        out["value"] = np.asarray(self.value(z), dtype=float)
        gap = self.duality_gap(z)
        if gap is not None:
            out["duality_gap"] = gap
        return out

    def describe(self) -> str:
        """One line describing the game for reports (plain text, no markup)."""
        first = (self.__doc__ or self.name).strip().splitlines()[0]
        return first.replace("``", "")


def distance_to_set(z: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Euclidean distance of each row of ``z`` to the nearest of ``points``."""
    points = np.atleast_2d(points)
    if points.shape[0] == 1:
        return np.linalg.norm(z - points[0], axis=-1)
    diff = z[:, None, :] - points[None, :, :]
    return np.min(np.linalg.norm(diff, axis=-1), axis=1)


def central_difference_jacobian(fun, z: np.ndarray, rel_step: float = 1e-5):
    """Jacobian of a batched vector field by central differences.

    Parameters
    ----------
    fun : callable
        Maps ``(B, n)`` to ``(B, m)``.
    z : ndarray, shape (B, n)
        Points at which to differentiate.
    rel_step : float
        Step relative to ``max(1, |z_i|)``. The truncation error is
        ``O(h^2)``, about 1e-10 relative for smooth fields at the default.

    Returns
    -------
    ndarray, shape (B, m, n)
    """
    z = np.asarray(z, dtype=float)
    cols = []
    for i in range(z.shape[-1]):
        h = rel_step * np.maximum(1.0, np.abs(z[:, i]))
        up = z.copy()
        down = z.copy()
        up[:, i] += h
        down[:, i] -= h
        cols.append((fun(up) - fun(down)) / (2.0 * h)[:, None])
    return np.stack(cols, axis=-1)


def as_batch(z: np.ndarray | Sequence[float], n: int) -> np.ndarray:
    """View a point or a batch of points as a ``(B, n)`` float array.

    Raises
    ------
    ConfigError
        If ``z`` is ragged, not numeric, or of another shape.
    """
    from gamesim.errors import ConfigError

    try:
        z = np.asarray(z, dtype=float)
    except (TypeError, ValueError) as exc:
        reason = "rows of different lengths" if "inhomogeneous" in str(exc) else exc
        raise ConfigError(
            f"parameters must be numbers of shape ({n},) or (runs, {n}): {reason}"
        ) from None
    if z.ndim == 1:
        z = z[None, :]
    if z.ndim != 2 or z.shape[1] != n:
        raise ConfigError(
            f"parameters have shape {z.shape}; expected ({n},) or (runs, {n})"
        )
    return z
