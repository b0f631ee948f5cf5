"""Games with bounded players, whose best responses have closed forms.

On an unbounded bilinear game, or a GAN whose generator may run off to
infinity, a best response need not exist, and neither does the duality gap.
Bounding each player's parameters (a box ``|z_i| <= R`` or a ball
``||x|| <= R``) restores both, and for the games below the best response to
any mixture of the opponent's strategies is exact:

``bilinear_bounded``, ``quadratic_bounded``
    ``f = x^T P x / 2 + x^T A y - y^T Q y / 2 + b^T x + c^T y`` (bilinear:
    ``P = Q = 0``). The payoff is affine in the opponent, so a mixture is
    answered through its mean; the player then minimises a convex quadratic
    over its set: coordinate-wise clipping on a box (``P``, ``Q``
    diagonal), the trust-region equation ``(P + nu I) x = -g`` solved for
    ``nu`` on a ball.
``dirac_bounded``
    The Dirac-GAN with ``theta, psi`` in ``[-R, R]``. Each player's expected
    loss is convex or concave in its own scalar: bisection or the better
    end of the interval (:mod:`gamesim.bestresponse.scalar`).
``gaussian_bounded``
    The Gaussian location game with a bounded generator, in
    :mod:`gamesim.games.bounded_gaussian`.

Every game here reports ``nash_conv`` (and ``duality_gap`` when zero-sum)
among its metrics, from the exact best responses.
"""

from __future__ import annotations

import math

import numpy as np

from gamesim.bestresponse.gaps import estimate_gap, gap_metric_names, minimax_form
from gamesim.bestresponse.mixtures import (
    MixedStrategy,
    as_mixed,
    best_candidate,
    candidate_losses,
)
from gamesim.bestresponse.oracles import ClosedForm
from gamesim.bestresponse.records import BestResponse
from gamesim.bestresponse.scalar import convex_interval_response
from gamesim.errors import ConfigError
from gamesim.games.bilinear import QuadraticGame, bilinear, quadratic
from gamesim.games.dirac import DiracGAN
from gamesim.numerics import softplus
from gamesim.registry import register_game

DOMAINS = ("box", "ball")


def check_bound(game: str, bound) -> float:
    if isinstance(bound, bool) or not isinstance(bound, (int, float)) or \
            not (math.isfinite(bound) and bound > 0):
        raise ConfigError(f"{game}: bound must be a finite number > 0, got {bound!r}")
    return float(bound)


class ExactGapMetrics:
    """Adds ``nash_conv`` and ``duality_gap`` from the game's closed forms.

    Mixed into a game that defines ``best_response``. The duality gap is
    measured on the game's value through its minimax form
    (:func:`~gamesim.bestresponse.gaps.minimax_form`): the game itself when
    zero-sum, else ``minimax_game()``.
    """

    #: how the gap metrics are computed (see gamesim.bestresponse.gap_labels)
    gap_oracle = ClosedForm()

    def duality_gap(self, z):
        """``max_y' f(x, y') - min_x' f(x', y)`` (exact), ``f`` the value."""
        twin = minimax_form(self)
        if twin is None:
            return None
        x, y = self.split(z)
        return estimate_gap(twin, x, y, ClosedForm()).duality_gap

    def metric_names(self):
        names = [n for n in super().metric_names() if n != "duality_gap"]
        if self.equilibria() is None and "distance_to_equilibrium" in names:
            names.remove("distance_to_equilibrium")
        return names + gap_metric_names(self)

    def metrics(self, z, noise=None):
        out = super().metrics(z, noise)
        if self.equilibria() is None:
            out.pop("distance_to_equilibrium", None)
        if self.zero_sum:
            out["nash_conv"] = out["duality_gap"]
        else:
            x, y = self.split(z)
            out["nash_conv"] = estimate_gap(self, x, y, ClosedForm()).nash_conv
        return out


# -- quadratic and bilinear games on a box or a ball ----------------------------
class BoundedQuadraticGame(ExactGapMetrics, QuadraticGame):
    """Convex-concave quadratic (or bilinear) game on a box or a ball.

    Parameters
    ----------
    P, A, Q, b, c : array_like
        As in :class:`~gamesim.games.bilinear.QuadraticGame`; ``P = Q = 0``
        gives the bilinear game ``x^T A y + b^T x + c^T y``.
    bound : float
        ``R``: each player's parameters satisfy ``|x_i| <= R`` (box) or
        ``||x|| <= R`` (ball).
    domain : {"box", "ball"}
        The players' feasible set. On a box ``P`` and ``Q`` must be diagonal
        (the best response is then coordinate-wise).

    Examples
    --------
    >>> import numpy as np
    >>> game = BoundedQuadraticGame(0.0, 1.0, 0.0, bound=2.0)   # x y on [-2, 2]^2
    >>> game.metrics(np.array([[1.0, 1.0]]))["duality_gap"]
    array([4.])
    """

    constrained = True

    def __init__(self, P, A, Q, b=None, c=None, bound: float = 2.0,
                 domain: str = "box", z0=None, name: str = "quadratic_bounded"):
        self.bound = check_bound(name, bound)
        if domain not in DOMAINS:
            raise ConfigError(
                f"{name}: unknown domain {domain!r} (known: {', '.join(DOMAINS)})")
        self.domain = domain
        super().__init__(P, A, Q, b, c, z0, name)
        if domain == "box":
            for label, S in (("P", self.P), ("Q", self.Q)):
                if np.any(S != np.diag(np.diag(S))):
                    raise NotImplementedError(
                        f"{name}: exact best responses on a box need a diagonal "
                        f"{label}; use domain=ball for a general one")
        self._eig = (np.linalg.eigh(self.P), np.linalg.eigh(self.Q))

    # -- the feasible set ---------------------------------------------------------
    def project(self, z):
        """Clip to the box, or scale each player's block into its ball."""
        if self.domain == "box":
            return np.clip(z, -self.bound, self.bound)
        out = np.array(z, dtype=float)
        for block in self.slices:
            norm = np.linalg.norm(out[:, block], axis=1, keepdims=True)
            out[:, block] *= np.minimum(1.0, self.bound / np.maximum(norm, 1e-300))
        return out

    def bounds(self, player: int):
        """Coordinate bounds for scipy (box only; ``None`` on a ball)."""
        if self.domain == "ball":
            return None
        return [(-self.bound, self.bound)] * self.sizes[player]

    def initial_point(self):
        return self.project(super().initial_point()[None, :])[0]

    def equilibria(self):
        """The unconstrained saddle point when it is feasible, else unknown."""
        eq = self._eq
        if np.allclose(self.project(eq), eq, rtol=0, atol=1e-12):
            return eq
        return None

    # -- best responses -----------------------------------------------------------
    def best_response(self, player: int, opponent, start=None) -> BestResponse:
        """Exact best response to a mixture of the opponent's strategies.

        ``start`` is accepted for the oracle interface and not needed.
        """
        opponent = as_mixed(opponent, self.sizes[1 - player])
        mean = opponent.mean()
        if player == 0:
            # min_x x^T P x / 2 + x.g + (terms of Y only), g = A y_bar + b
            g = mean @ self.A.T + self.b
            x = self._argmin_quadratic(0, g)
            rest = -0.5 * opponent.quadratic_mean(self.Q) + mean @ self.c
            value = -(0.5 * np.einsum("bi,ij,bj->b", x, self.P, x)
                      + np.sum(x * g, axis=1) + rest)
        else:
            # max_y -y^T Q y / 2 + y.h + (terms of X only), h = A^T x_bar + c
            h = mean @ self.A + self.c
            x = self._argmin_quadratic(1, -h)
            rest = 0.5 * opponent.quadratic_mean(self.P) + mean @ self.b
            value = (-0.5 * np.einsum("bi,ij,bj->b", x, self.Q, x)
                     + np.sum(x * h, axis=1) + rest)
        return BestResponse(player, x, value, np.zeros(len(x)), True,
                            f"closed form ({self.domain})")

    def _argmin_quadratic(self, player: int, g: np.ndarray) -> np.ndarray:
        """``argmin v^T M v / 2 + g.v`` over the player's set (M = P or Q)."""
        lam, V = self._eig[player]
        R = self.bound
        if self.domain == "box":
            d = np.diag((self.P, self.Q)[player])
            with np.errstate(divide="ignore", invalid="ignore"):
                inner = np.where(d > 0, -g / np.where(d > 0, d, 1.0), -R * np.sign(g))
            return np.clip(inner, -R, R)

        # Ball: (M + nu I) v = -g with nu >= 0 and nu (||v|| - R) = 0.
        gt = g @ V
        tiny = 1e-12 * max(1.0, float(np.abs(lam).max()))
        null = lam <= tiny
        with np.errstate(divide="ignore", invalid="ignore"):
            free = np.where(null, 0.0, -gt / np.where(null, 1.0, lam))
        interior = (np.linalg.norm(free, axis=1) <= R) & np.all(
            np.abs(np.where(null, gt, 0.0)) <= 1e-14 * (1 + np.abs(gt).max()), axis=1)
        lo = np.zeros(len(g))
        hi = np.linalg.norm(g, axis=1) / R + 1e-300
        for _ in range(200):
            nu = 0.5 * (lo + hi)
            long = np.linalg.norm(gt / (lam + nu[:, None]), axis=1) > R
            lo, hi = np.where(long, nu, lo), np.where(long, hi, nu)
        on_sphere = -gt / (lam + hi[:, None])
        return np.where(interior[:, None], free, on_sphere) @ V.T


@register_game("bilinear_bounded")
def bilinear_bounded(n: int = 1, m: int | None = None, seed: int = 0, a: float = 1.0,
                     condition: float | None = None, offset: float = 0.0,
                     bound: float = 2.0, domain: str = "box"):
    """Bilinear game ``x^T A y`` with each player in a box or ball of radius ``bound``.

    ``A`` (and the offsets) as for ``bilinear``: the scalar game ``a x y``
    by default, started at (1, 1). Exact best responses and duality gap.
    """
    base = bilinear(n=n, m=m, seed=seed, a=a, condition=condition, offset=offset)
    k, l = base.sizes
    return BoundedQuadraticGame(np.zeros((k, k)), base.A, np.zeros((l, l)),
                                base.b, base.c, bound=bound, domain=domain,
                                name="bilinear_bounded")


@register_game("quadratic_bounded")
def quadratic_bounded(n: int = 2, seed: int = 0, mu: float = 0.1,
                      coupling: float = 1.0, bound: float = 2.0, domain: str = "box"):
    """Quadratic game of ``quadratic`` (``P = Q = mu I``) on a box or ball."""
    base = quadratic(n=n, seed=seed, mu=mu, coupling=coupling)
    return BoundedQuadraticGame(base.P, base.A, base.Q, bound=bound, domain=domain,
                                name="quadratic_bounded")


def interval_player(game, player, opponent: MixedStrategy, lo, hi) -> BestResponse:
    """A scalar player's exact answer: the better end or bisection."""
    candidates = game.best_response_candidates(player)
    if candidates is not None:
        merged = opponent.merged()
        losses = candidate_losses(game, player, candidates, merged.atoms)
        return best_candidate(player, candidates, merged.weights, losses)
    return convex_interval_response(game, player, opponent, lo, hi)


# -- the Dirac-GAN with bounded parameters --------------------------------------
@register_game("dirac_bounded")
class BoundedDiracGAN(ExactGapMetrics, DiracGAN):
    """Dirac-GAN with ``theta`` and ``psi`` in ``[-bound, bound]``.

    Parameters
    ----------
    loss, r1, r2, theta0, psi0 : see :class:`~gamesim.games.dirac.DiracGAN`
    bound : float
        ``R``, the bound of both parameters (default 2).

    Notes
    -----
    Each player's loss (:meth:`expected_losses`) is, in its own parameter:

    =============  =================================  ============================
    loss           generator ``L_G(theta)``            discriminator ``L_D(psi)``
    =============  =================================  ============================
    standard       ``-log 2 - softplus(psi theta)``,  ``log 2 + softplus(psi
                   concave                            theta) + g psi^2 / 2``,
                                                      convex
    nonsaturating  ``softplus(-psi theta)``, convex   as standard
    wgan           ``-psi theta``, linear             ``psi theta + g psi^2 / 2``
    =============  =================================  ============================

    with ``g = r1 + r2``; a mixture of opponents keeps the shape, so every
    best response is exact (bisection or the better end). The game is
    zero-sum for the standard and WGAN losses without penalty; otherwise
    ``duality_gap`` is measured on the value ``V`` (the game of
    :meth:`minimax_game`) and ``nash_conv`` on the players' own losses. The
    mixed equilibria are ``psi = 0`` with any mixture
    of generators of mean 0 (for example ``theta = +-R`` with weights 1/2).

    Examples
    --------
    >>> import numpy as np
    >>> game = BoundedDiracGAN(bound=2.0)
    >>> round(float(game.metrics(np.array([[1.0, 1.0]]))["nash_conv"][0]), 6)
    2.0
    """

    def __init__(self, loss: str = "standard", r1: float = 0.0, r2: float = 0.0,
                 theta0: float = 1.0, psi0: float = 1.0, bound: float = 2.0):
        super().__init__(loss=loss, r1=r1, r2=r2, theta0=theta0, psi0=psi0)
        self.bound = check_bound("dirac_bounded", bound)
        if max(abs(theta0), abs(psi0)) > self.bound:
            raise ConfigError(
                f"dirac_bounded: the start ({theta0}, {psi0}) lies outside "
                f"[-{self.bound:g}, {self.bound:g}]")
        self.constrained = True
        # a penalty enters the discriminator's loss only: no longer zero-sum
        self.zero_sum = loss != "nonsaturating" and self.gamma == 0
        self.name = self.name.replace("dirac:", "dirac_bounded:") + \
            f",bound={self.bound:g}"

    def project(self, z):
        return np.clip(z, -self.bound, self.bound)

    def minimax_game(self) -> BoundedDiracGAN:
        """The zero-sum game on this game's value: no penalty, minimax loss."""
        loss = "wgan" if self.loss == "wgan" else "standard"
        theta0, psi0 = self._z0
        return BoundedDiracGAN(loss=loss, theta0=theta0, psi0=psi0, bound=self.bound)

    def bounds(self, player: int):
        """Bounds of the player's parameter, for scipy."""
        return [(-self.bound, self.bound)]

    def expected_losses(self, z):
        """``(L_G, L_D)`` per run (the table in the notes)."""
        theta, psi = z[:, 0], z[:, 1]
        penalty = 0.5 * self.gamma * psi * psi
        if self.loss == "wgan":
            return -psi * theta, psi * theta + penalty
        value = -math.log(2.0) - softplus(psi * theta)
        gen = value if self.loss == "standard" else softplus(-psi * theta)
        return gen, -value + penalty

    def best_response_candidates(self, player: int) -> np.ndarray | None:
        """``[[-R], [R]]`` for a generator with a concave loss, else ``None``."""
        if player == 0 and self.loss != "nonsaturating":
            return np.array([[-self.bound], [self.bound]])
        return None

    def best_response(self, player: int, opponent, start=None) -> BestResponse:
        """Exact best response to a mixture of the opponent's parameters.

        ``start`` is accepted for the oracle interface and not needed.
        """
        return interval_player(self, player, as_mixed(opponent, 1), -self.bound,
                                self.bound)
