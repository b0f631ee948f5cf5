"""Games whose simultaneous gradient field is affine: bilinear and quadratic.

For these games ``xi(z) = M z + q`` with a constant Jacobian ``M``, so
proximal point and competitive gradient descent have exact closed-form steps,
the equilibrium set is ``{z : M z + q = 0}`` and spectral analysis is exact.
"""

from __future__ import annotations

import numpy as np

from gamesim.errors import ConfigError, PayoffError
from gamesim.games.base import Game
from gamesim.registry import register_game
from gamesim.rules.base import check_integer, check_number


def _finite_matrix(name: str, value, ndim: int = 2) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise PayoffError(f"{name} is not a numeric array: {exc}") from None
    if ndim == 2 and arr.ndim == 0:
        arr = arr.reshape(1, 1)
    if arr.ndim != ndim or arr.size == 0:
        raise PayoffError(f"{name} must be a non-empty {ndim}-D array, got {arr.shape}")
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        where = tuple(int(i) for i in bad[0])
        raise PayoffError(f"{name} has a non-finite entry {arr[where]} at {where}")
    return arr


class LinearFieldGame(Game):
    """A game with affine field ``xi(z) = M z + q`` (base of bilinear/quadratic)."""

    linear_field = True

    def __init__(self, M: np.ndarray, q: np.ndarray, sizes, z0=None):
        self.M = np.ascontiguousarray(M, dtype=float)
        self.q = np.asarray(q, dtype=float)
        self.sizes = (int(sizes[0]), int(sizes[1]))
        self._Mt = np.ascontiguousarray(self.M.T)
        self._has_q = bool(np.any(self.q != 0.0))
        self._z0 = None if z0 is None else np.asarray(z0, dtype=float)
        if self._z0 is not None and self._z0.shape != (self.n,):
            raise ConfigError(f"z0 has shape {self._z0.shape}, expected ({self.n},)")
        self._pinv = np.linalg.pinv(self.M)
        self._full_rank = np.linalg.matrix_rank(self.M) == self.n
        self._eq = (-self._pinv @ self.q)[None, :]

    def field(self, z, noise=None):
        """``xi(z) = M z + q`` for each run (one matrix product)."""
        out = z @ self._Mt
        if self._has_q:
            out += self.q
        return out

    def jacobian(self, z, noise=None):
        """The constant Jacobian ``M``, broadcast over runs."""
        return np.broadcast_to(self.M, (z.shape[0], self.n, self.n))

    def vjp(self, z, v):
        """``J^T v`` per run, without forming the batch of Jacobians."""
        return v @ self.M

    def initial_point(self):
        return np.ones(self.n) if self._z0 is None else self._z0.copy()

    def equilibria(self):
        """One equilibrium (the least-norm solution of ``M z + q = 0``)."""
        return self._eq

    def metrics(self, z, noise=None):
        out = super().metrics(z, noise)
        if not self._full_rank:
            # distance to the affine equilibrium subspace, not to one point
            resid = self.field(z)
            out["distance_to_equilibrium"] = np.linalg.norm(
                resid @ self._pinv.T, axis=-1
            )
        return out


#: couplings with at least this many entries get the two-block field
_BLOCKED_MIN_ENTRIES = 1024


class BilinearGame(LinearFieldGame):
    """Bilinear game ``f(x, y) = x^T A y + b^T x + c^T y`` (min x, max y).

    Parameters
    ----------
    A : array_like, shape (m, n) or scalar
        Coupling matrix.
    b, c : array_like, optional
        Linear terms of the two players (default zero).
    z0 : array_like, optional
        Default starting point (default all ones).

    Notes
    -----
    The descent field is ``xi = (A y + b, -(A^T x + c))``. With ``A``
    square and invertible the unique equilibrium is
    ``x* = -A^{-T} c, y* = -A^{-1} b``; otherwise the equilibria form an
    affine subspace and ``distance_to_equilibrium`` measures the distance to
    that subspace.

    Examples
    --------
    >>> import numpy as np
    >>> game = BilinearGame(1.0)
    >>> game.field(np.array([[1.0, 1.0]]))
    array([[ 1., -1.]])
    """

    def __init__(self, A, b=None, c=None, z0=None, name="bilinear"):
        A = _finite_matrix("A", A)
        m, n = A.shape
        b = np.zeros(m) if b is None else _finite_matrix("b", b, ndim=1)
        c = np.zeros(n) if c is None else _finite_matrix("c", c, ndim=1)
        if b.shape != (m,) or c.shape != (n,):
            raise PayoffError(
                f"b has shape {b.shape} and c {c.shape}; with A of shape {A.shape} "
                f"they must be ({m},) and ({n},)"
            )
        M = np.zeros((m + n, m + n))
        M[:m, m:] = A
        M[m:, :m] = -A.T
        self.A, self.b, self.c = A, b, c
        self.name = name
        super().__init__(M, np.concatenate([b, -c]), (m, n), z0)
        self._blocked = m * n >= _BLOCKED_MIN_ENTRIES
        if self._blocked:
            self._At = np.ascontiguousarray(A.T)
            self._minus_A = -A

    def field(self, z, noise=None):
        """``xi(z) = (A y + b, -(A^T x + c))`` for each run.

        Large couplings (at least 1024 entries) multiply the two off-diagonal
        blocks separately, half the work of the joint matrix ``M``; the
        result equals ``M z + q`` up to rounding (and :meth:`value` uses one
        matrix product there too).
        """
        if not self._blocked or z.ndim != 2:
            return super().field(z, noise)
        m = self.sizes[0]
        out = np.empty(z.shape)
        np.matmul(z[:, m:], self._At, out=out[:, :m])
        np.matmul(z[:, :m], self._minus_A, out=out[:, m:])
        if self._has_q:
            out += self.q
        return out

    def value(self, z):
        x, y = self.split(z)
        if self._blocked and z.ndim == 2:
            # one matrix product instead of einsum's unbuffered triple loop
            return np.einsum("bj,bj->b", x @ self.A, y) + x @ self.b + y @ self.c
        return np.einsum("bi,ij,bj->b", x, self.A, y) + x @ self.b + y @ self.c


class QuadraticGame(LinearFieldGame):
    """Convex-concave quadratic game.

    ``f(x, y) = x^T P x / 2 + x^T A y - y^T Q y / 2 + b^T x + c^T y``, with
    ``P`` and ``Q`` symmetric positive semi-definite (min x, max y).

    Notes
    -----
    The field is ``xi = (P x + A y + b, Q y - A^T x - c)``. When ``P`` and
    ``Q`` are positive definite the saddle point is unique and the duality
    gap has the closed form used by :meth:`duality_gap`.
    """

    def __init__(self, P, A, Q, b=None, c=None, z0=None, name="quadratic"):
        P = _finite_matrix("P", P)
        A = _finite_matrix("A", A)
        Q = _finite_matrix("Q", Q)
        m, n = A.shape
        if P.shape != (m, m) or Q.shape != (n, n):
            raise PayoffError(
                f"P {P.shape}, A {A.shape}, Q {Q.shape}: expected P ({m}, {m}) "
                f"and Q ({n}, {n})"
            )
        for label, S in (("P", P), ("Q", Q)):
            if not np.allclose(S, S.T, rtol=0, atol=1e-12 * max(1, abs(S).max())):
                raise PayoffError(f"{label} must be symmetric")
            if np.linalg.eigvalsh(S).min() < -1e-12 * max(1.0, abs(S).max()):
                raise PayoffError(f"{label} must be positive semi-definite")
        b = np.zeros(m) if b is None else _finite_matrix("b", b, ndim=1)
        c = np.zeros(n) if c is None else _finite_matrix("c", c, ndim=1)
        M = np.block([[P, A], [-A.T, Q]])
        self.P, self.A, self.Q, self.b, self.c = P, A, Q, b, c
        self.name = name
        smallest = min(np.linalg.eigvalsh(P).min(), np.linalg.eigvalsh(Q).min())
        self._definite = smallest > 0
        super().__init__(M, np.concatenate([b, -c]), (m, n), z0)

    def value(self, z):
        x, y = self.split(z)
        return (
            0.5 * np.einsum("bi,ij,bj->b", x, self.P, x)
            + np.einsum("bi,ij,bj->b", x, self.A, y)
            - 0.5 * np.einsum("bi,ij,bj->b", y, self.Q, y)
            + x @ self.b
            + y @ self.c
        )

    def duality_gap(self, z):
        """Closed-form gap ``max_y' f(x, y') - min_x' f(x', y)`` (P, Q definite)."""
        if not self._definite:
            return None
        x, y = self.split(z)
        # best response of the maximiser: y' = Q^{-1} (A^T x + c)
        u = x @ self.A + self.c
        best_y = 0.5 * np.einsum("bi,bi->b", u, np.linalg.solve(self.Q, u.T).T)
        upper = best_y + 0.5 * np.einsum("bi,ij,bj->b", x, self.P, x) + x @ self.b
        # best response of the minimiser: x' = -P^{-1} (A y + b)
        w = y @ self.A.T + self.b
        best_x = -0.5 * np.einsum("bi,bi->b", w, np.linalg.solve(self.P, w.T).T)
        lower = best_x - 0.5 * np.einsum("bi,ij,bj->b", y, self.Q, y) + y @ self.c
        return upper - lower


def _random_coupling(n: int, m: int, seed: int, condition: float | None):
    rng = np.random.default_rng(seed)
    if condition is None:
        return rng.standard_normal((n, m)) / np.sqrt(max(n, m))
    if condition < 1:
        raise ConfigError(f"condition must be >= 1, got {condition}")
    k = min(n, m)
    u, _ = np.linalg.qr(rng.standard_normal((n, n)))
    v, _ = np.linalg.qr(rng.standard_normal((m, m)))
    s = np.logspace(0.0, -np.log10(condition), k)
    return (u[:, :k] * s) @ v[:, :k].T


@register_game("bilinear")
def bilinear(n: int = 1, m: int | None = None, seed: int = 0, a: float = 1.0,
             condition: float | None = None, offset: float = 0.0):
    """Bilinear game ``x^T A y``: scalar ``a x y`` (n = 1) or random n x m.

    ``n = 1`` (default) gives the scalar game ``a x y`` started at (1, 1),
    the game of reference section A. Larger ``n`` draws ``A`` with standard
    normal entries scaled by ``1/sqrt(max(n, m))`` from ``seed``;
    ``condition`` instead fixes singular values log-spaced from 1 to
    ``1/condition``; ``offset`` adds linear terms ``b = c = offset`` so the
    equilibrium is not at the origin.
    """
    m = n if m is None else m
    if n < 1 or m < 1:
        raise ConfigError(f"bilinear: n and m must be >= 1, got n={n}, m={m}")
    check_integer("bilinear", "seed", seed)
    a = check_number("bilinear", "a", a)
    offset = check_number("bilinear", "offset", offset)
    if condition is not None:
        condition = check_number("bilinear", "condition", condition)
    if n == 1 and m == 1 and condition is None:
        A = np.array([[a]], dtype=float)
    else:
        A = a * _random_coupling(n, m, seed, condition)
    b = c = None
    if offset:
        b, c = np.full(n, float(offset)), np.full(m, float(offset))
    return BilinearGame(A, b, c)


@register_game("quadratic")
def quadratic(n: int = 2, seed: int = 0, mu: float = 0.1, coupling: float = 1.0):
    """Convex-concave quadratic game with ``P = Q = mu I`` and random ``A``.

    The unique saddle point is the origin (``mu > 0``); the start is all ones.
    """
    if n < 1:
        raise ConfigError(f"quadratic: n must be >= 1, got {n}")
    check_integer("quadratic", "seed", seed)
    mu = check_number("quadratic", "mu", mu)
    coupling = check_number("quadratic", "coupling", coupling)
    if mu < 0:
        raise ConfigError(f"quadratic: mu must be >= 0, got {mu}")
    A = coupling * _random_coupling(n, n, seed, None) if n > 1 else np.eye(1) * coupling
    eye = np.eye(n)
    return QuadraticGame(mu * eye, A, mu * eye)
