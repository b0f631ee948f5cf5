"""A game from user callables."""

from __future__ import annotations

from typing import Callable

import numpy as np

from gamesim.errors import ConfigError
from gamesim.games.base import Game


class CustomGame(Game):
    """A two-player game defined by Python callables.

    Parameters
    ----------
    loss_x : callable ``(x, y) -> float``
        The first player's loss (the minimiser's; ``f`` of a zero-sum game).
    sizes : (int, int)
        Parameter counts of the two players.
    loss_y : callable, optional
        The second player's loss. Default ``-loss_x`` (zero-sum).
    grad_x, grad_y : callable ``(x, y) -> array``, optional
        Gradients of each player's loss with respect to its own parameters.
        Missing gradients are computed by central differences (step
        ``1e-6 * max(1, |z_i|)``, error about 1e-10 for smooth losses).
    z0 : array_like, optional
        Default starting point (default all ones).
    equilibria : array_like, optional
        Known equilibria, shape ``(k, n)``.
    name : str
        A name for reports.

    Examples
    --------
    >>> import numpy as np
    >>> game = CustomGame(lambda x, y: float(x @ y), sizes=(1, 1),
    ...                   equilibria=[[0.0, 0.0]])
    >>> game.field(np.array([[1.0, 2.0]])).round(6)
    array([[ 2., -1.]])
    """

    def __init__(self, loss_x: Callable, sizes=(1, 1), loss_y: Callable | None = None,
                 grad_x: Callable | None = None, grad_y: Callable | None = None,
                 z0=None, equilibria=None, name: str = "custom"):
        if not callable(loss_x):
            raise ConfigError("CustomGame: loss_x must be callable")
        for label, fn in (("loss_y", loss_y), ("grad_x", grad_x), ("grad_y", grad_y)):
            if fn is not None and not callable(fn):
                raise ConfigError(f"CustomGame: {label} must be callable or None")
        if len(sizes) != 2 or min(sizes) < 1:
            raise ConfigError(
                f"CustomGame: sizes must be two positive ints, got {sizes}")
        self.sizes = (int(sizes[0]), int(sizes[1]))
        self.name = name
        self.zero_sum = loss_y is None
        self._loss_x = loss_x
        self._loss_y = loss_y if loss_y is not None else (lambda x, y: -loss_x(x, y))
        self._grad_x, self._grad_y = grad_x, grad_y
        self._z0 = np.ones(self.n) if z0 is None else np.asarray(z0, dtype=float)
        if self._z0.shape != (self.n,):
            raise ConfigError(f"CustomGame: z0 has shape {self._z0.shape}, "
                              f"expected ({self.n},)")
        self._eq = None if equilibria is None else np.atleast_2d(
            np.asarray(equilibria, dtype=float))
        if self._eq is not None and self._eq.shape[1] != self.n:
            raise ConfigError(f"CustomGame: equilibria have {self._eq.shape[1]} "
                              f"coordinates, expected {self.n}")

    def initial_point(self):
        return self._z0.copy()

    def equilibria(self):
        return self._eq

    def _own_gradient(self, loss, x, y, wrt_x: bool) -> np.ndarray:
        v = (x if wrt_x else y).astype(float)
        g = np.empty_like(v)
        for i in range(v.size):
            h = 1e-6 * max(1.0, abs(v[i]))
            up, down = v.copy(), v.copy()
            up[i] += h
            down[i] -= h
            fu = loss(up, y) if wrt_x else loss(x, up)
            fd = loss(down, y) if wrt_x else loss(x, down)
            g[i] = (fu - fd) / (2 * h)
        return g

    def field(self, z, noise=None):
        out = np.empty_like(z, dtype=float)
        k = self.sizes[0]
        for b in range(z.shape[0]):
            x, y = z[b, :k], z[b, k:]
            gx = (self._grad_x(x, y) if self._grad_x is not None
                  else self._own_gradient(self._loss_x, x, y, True))
            gy = (self._grad_y(x, y) if self._grad_y is not None
                  else self._own_gradient(self._loss_y, x, y, False))
            out[b, :k] = np.asarray(gx, dtype=float).reshape(-1)
            out[b, k:] = np.asarray(gy, dtype=float).reshape(-1)
        return out

    def value(self, z):
        k = self.sizes[0]
        return np.array([float(self._loss_x(r[:k], r[k:])) for r in z])
