"""Best-response oracles: exact where a closed form exists, estimated elsewhere.

An oracle answers "what is player ``i``'s best response to this (mixed)
opponent, and what payoff does it get?" with a :class:`BestResponse`
record that says whether the answer is exact and how it was found.

:class:`ClosedForm`
    The game's own closed form: a game offers one by defining
    ``best_response(player, opponent)`` (the bounded bilinear, quadratic,
    Dirac-GAN and Gaussian games of :mod:`gamesim.games.bounded`); matrix
    games get theirs here (the best pure strategy).
:class:`InnerSteps`
    ``k`` projected gradient steps on the player's expected loss against
    the opponent's mixture, from a stated start (the player's current
    strategy), as Grnarova et al. (2019) estimate the duality gap of a GAN.
    The result is a payoff actually reached, so it never overstates the
    best response; its error is estimated from a local quadratic model.
:class:`ScipyMinimize`
    ``scipy.optimize.minimize`` (L-BFGS-B, with the box of a bounded game
    as bounds) from the same start, one run at a time; deterministic games
    only.

:func:`default_oracle` picks the closed form when there is one and
:class:`InnerSteps` otherwise.

Reference: P. Grnarova, K. Y. Levy, A. Lucchi, N. Perraudin, I. Goodfellow,
T. Hofmann, A. Krause (2019), "A Domain Agnostic Measure for Monitoring and
Evaluating GANs", NeurIPS.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from gamesim.bestresponse.mixtures import (
    MixedStrategy,
    as_mixed,
    expected_gradient,
    expected_loss,
)
from gamesim.bestresponse.records import BestResponse
from gamesim.errors import ConfigError

logger = logging.getLogger(__name__)

#: inner steps used when a game has no closed form and none are given
DEFAULT_INNER_STEPS = 20
#: their step size
DEFAULT_INNER_LR = 0.05
#: factor on the quadratic-model error of InnerSteps: the model is accurate
#: once the steps converge linearly; before that, and where the curvature
#: falls on the way to the optimum, it runs low (by up to 1.5 times on the
#: Gaussian location game with 5 steps), which the factor covers
SAFETY = 2.0


def closed_form(game) -> Callable | None:
    """The game's exact best-response function, or ``None`` if it has none.

    The function maps ``(player, opponent: MixedStrategy, start=None)`` to a
    :class:`BestResponse`; ``start`` (the player's current strategy) only
    warm-starts closed forms that iterate to round-off (Newton's method).
    """
    own = getattr(game, "best_response", None)
    if callable(own):
        return own
    if getattr(game, "simplex", False):
        return lambda player, opponent, start=None: matrix_best_response(
            game, player, opponent)
    return None


def matrix_best_response(game, player: int, opponent: MixedStrategy) -> BestResponse:
    """The best pure strategy of a matrix game player (ties: lowest index).

    Payoffs are linear in the opponent's mixed strategy, so a mixture of
    mixed strategies is answered through its mean.
    """
    other = opponent.mean()
    payoff = other @ game.A.T if player == 0 else other @ game.B
    best = np.argmax(payoff, axis=1)
    argmax = np.zeros_like(payoff)
    argmax[np.arange(len(best)), best] = 1.0
    return BestResponse(player, argmax, payoff.max(axis=1), np.zeros(len(best)),
                        True, "closed form (best pure strategy)")


def project_block(game, player: int, own: np.ndarray) -> np.ndarray:
    """Project one player's parameters onto its feasible set.

    The feasible sets of every built-in game are products of the players'
    sets, so the other block of the joint vector does not matter.
    """
    if not game.constrained:
        return own
    other = np.zeros((own.shape[0], game.sizes[1 - player]))
    joint = np.concatenate((own, other) if player == 0 else (other, own), axis=1)
    return game.project(joint)[:, game.slices[player]]


class BestResponseOracle:
    """Interface: one player's best response to an opponent's mixture."""

    #: whether the oracle's answers are exact
    exact: bool = False

    def best_response(self, game, player: int, opponent, start=None) -> BestResponse:
        """Player ``player``'s best response to ``opponent``.

        Parameters
        ----------
        game : Game
        player : int
            0 (generator, minimiser) or 1 (discriminator).
        opponent : MixedStrategy or ndarray
            The other player's mixture, or a pure strategy ``(B, k)``.
        start : ndarray, shape (B, k), optional
            Where an iterative oracle starts (the player's current
            strategy); closed forms ignore it.
        """
        raise NotImplementedError

    def describe(self) -> str:
        """How the oracle computes a response, for reports."""
        raise NotImplementedError


class ClosedForm(BestResponseOracle):
    """The exact best response of a game that has a closed form."""

    exact = True

    def best_response(self, game, player, opponent, start=None):
        exact = closed_form(game)
        if exact is None:
            raise NotImplementedError(
                f"game {game.name!r} has no closed-form best response; use "
                "InnerSteps or ScipyMinimize"
            )
        return exact(player, as_mixed(opponent, game.sizes[1 - player]), start)

    def describe(self):
        return "closed form"


@dataclass(frozen=True)
class InnerSteps(BestResponseOracle):
    """``steps`` projected gradient steps of size ``lr`` from a stated start.

    ``x_{s+1} = P(x_s - lr * E_j grad loss(x_s, opponent_j))``, the gradient
    weighted over the opponent's atoms. The returned response is the better
    of the start and the last iterate, so the payoff is one actually reached
    and never overstates the best response.

    The stated error comes from a quadratic model: with the gradient mapping
    ``G = (x - P(x - lr g)) / lr`` at the last iterate, the remaining error
    of a ``mu``-strongly convex quadratic is ``||G||^2 / (2 mu)``; ``mu`` is
    the smaller of the secant curvature along the last step,
    ``<g_k - g_{k-1}, x_k - x_{k-1}> / ||x_k - x_{k-1}||^2``, and the
    curvature ``(1 - ||G_k|| / ||G_{k-1}||) / lr`` that the last
    contraction of ``G`` implies for gradient descent. The stated error is
    ``SAFETY = 2`` times that: an estimate, not a bound. It is 0 at a corner
    where the gradient points out of the box and ``inf`` when the steps do
    not contract. For a non-convex loss it describes the local optimum
    reached, not the global best response.
    """

    steps: int = DEFAULT_INNER_STEPS
    lr: float = DEFAULT_INNER_LR

    exact = False

    def __post_init__(self):
        integer = isinstance(self.steps, (int, np.integer)) and not isinstance(
            self.steps, bool)
        if not integer or self.steps < 1:
            raise ConfigError(
                f"inner steps must be an integer >= 1, got {self.steps!r}")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr)
                and self.lr > 0):
            raise ConfigError(
                f"inner step size must be finite and > 0, got {self.lr!r}")

    def improve(self, game, player: int, start: np.ndarray, opponent: MixedStrategy,
                noise=None, replay: int = 0, rngs=None,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run the steps; return the last iterate, the one before, its gradient.

        With ``replay > 0`` each step uses ``replay`` atoms of the opponent's
        mixture drawn by weight from ``rngs`` (one generator per run): a
        stochastic gradient of the expected loss. ``noise`` goes to the
        field of a stochastic game (minibatches).
        """
        own = np.array(start, dtype=float)
        previous, gradient = own, None
        for _ in range(self.steps):
            against = opponent.replay(replay, rngs) if replay else opponent
            gradient = expected_gradient(game, player, own, against, noise)
            previous = own
            own = project_block(game, player, own - self.lr * gradient)
        return own, previous, gradient

    def best_response(self, game, player, opponent, start=None):
        opponent = as_mixed(opponent, game.sizes[1 - player])
        if start is None:
            raise ConfigError("InnerSteps needs a start: the player's strategy")
        start = np.atleast_2d(np.asarray(start, dtype=float))
        own, previous, old_g = self.improve(game, player, start, opponent)

        # Error model at the last iterate: the gradient mapping G and a
        # curvature mu, the smaller of the secant curvature along the last
        # step and the one the contraction of G implies for gradient descent
        # (||G_k|| = (1 - lr mu) ||G_{k-1}|| along the slowest direction).
        g = expected_gradient(game, player, own, opponent)
        mapping = (own - project_block(game, player, own - self.lr * g)) / self.lr
        size = np.linalg.norm(mapping, axis=1)
        step = own - previous
        moved = np.sum(step * step, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = np.sum((g - old_g) * step, axis=1) / moved
            contraction = (1.0 - size * self.lr / np.sqrt(moved)) / self.lr
            mu = np.minimum(secant, contraction)
            error = np.where(mu > 0, SAFETY * size**2 / (2 * mu), np.inf)
        error = np.where(size == 0.0, 0.0, error)

        # Keep the better of the start and the last iterate.
        found = -expected_loss(game, player, own, opponent)
        initial = -expected_loss(game, player, start, opponent)
        keep = found >= initial
        return BestResponse(
            player, np.where(keep[:, None], own, start), np.maximum(found, initial),
            np.where(keep, error, np.inf), False, self.describe(),
        )

    def describe(self):
        return (f"{self.steps} gradient steps of {self.lr:g} from the current "
                "strategy")


@dataclass(frozen=True)
class ScipyMinimize(BestResponseOracle):
    """``scipy.optimize.minimize`` (L-BFGS-B) from a stated start, per run.

    Bounds come from the game's ``bounds(player)`` when it has one (boxes).
    Only for deterministic games: the quasi-Newton method needs exact
    function values. No error is stated (``inf``): the method may stop at a
    local optimum of a non-convex loss.
    """

    maxiter: int = 200

    exact = False

    def best_response(self, game, player, opponent, start=None):
        if game.stochastic:
            raise NotImplementedError(
                f"ScipyMinimize needs a deterministic game; {game.name!r} draws "
                "minibatches (use InnerSteps)"
            )
        opponent = as_mixed(opponent, game.sizes[1 - player])
        if start is None:
            raise ConfigError("ScipyMinimize needs a start: the player's strategy")
        start = np.atleast_2d(np.asarray(start, dtype=float))
        bounds = game.bounds(player) if hasattr(game, "bounds") else None
        out = np.empty_like(start)
        for b in range(start.shape[0]):
            single = MixedStrategy(opponent.atoms[b:b + 1], opponent.weights[b:b + 1])

            def fun(v, single=single):
                v = v[None, :]
                loss = expected_loss(game, player, v, single)[0]
                grad = expected_gradient(game, player, v, single)[0]
                return float(loss), grad

            res = optimize.minimize(fun, start[b], jac=True, method="L-BFGS-B",
                                    bounds=bounds, options={"maxiter": self.maxiter})
            out[b] = res.x
        # sets that are not boxes (balls) are not scipy bounds: project after
        out = project_block(game, player, out)
        found = -expected_loss(game, player, out, opponent)
        initial = -expected_loss(game, player, start, opponent)
        keep = found >= initial
        return BestResponse(
            player, np.where(keep[:, None], out, start), np.maximum(found, initial),
            np.full(start.shape[0], np.inf), False, self.describe(),
        )

    def describe(self):
        return f"scipy L-BFGS-B (at most {self.maxiter} iterations) from the " \
               "current strategy"


def default_oracle(game, inner_steps: int = 0,
                   inner_lr: float = DEFAULT_INNER_LR) -> BestResponseOracle:
    """The closed form when the game has one and no inner steps are asked for.

    Otherwise :class:`InnerSteps` with ``inner_steps`` steps (or
    :data:`DEFAULT_INNER_STEPS` when 0).
    """
    if inner_steps == 0 and closed_form(game) is not None:
        return ClosedForm()
    return InnerSteps(inner_steps or DEFAULT_INNER_STEPS, inner_lr)
