"""Fictitious play on differentiable and GAN games.

Each round, each player answers the mixture of the opponent's past
strategies: the uniform mixture of every strategy played so far (Brown
1951) or an exponentially weighted one that forgets old strategies. On a
matrix game the answer is the best pure strategy (``fp`` in
:mod:`gamesim.rules.learning`); here it is the best response over the
player's parameters:

    x_{t+1} = BR_x(sum_s w_s delta_{y_s}),   y_{t+1} = BR_y(sum_s w_s delta_{x_s}),

with ``w_s = 1 / (t + 1)`` (uniform) or ``w_s ~ decay^(t - s)``
(exponential), over ``s = 0..t`` (the start counts as round 0, as in
reference D). The answer is exact when the game has a closed form
(:mod:`gamesim.games.bounded`); otherwise it is ``k`` gradient steps on the
player's expected loss against the mixture, from its current strategy. On
the GAN game this is "fictitious GAN" (Ge et al. 2018): the discriminator
trains on samples from the mixture of past generators (each inner step
replays ``replay`` past generators drawn by weight) and the generator
against the average of past discriminators (drawn the same way).

When a player's best response always lies among finitely many candidates
(the ends of an interval when its loss is concave in its own parameter),
the state keeps each candidate's loss against each remembered opponent
strategy, the analogue of matrix fictitious play's cumulative payoffs, so
that a round costs the same at step 10 and at step 10 000.

The mixture is the rule's output as much as the last strategy: the state
keeps the last ``memory`` strategies of each player (a sliding window once
full), :meth:`DifferentiableFictitiousPlay.mixtures` rebuilds the two
mixtures (:class:`~gamesim.bestresponse.MixedStrategy`) from a state, and
:meth:`DifferentiableFictitiousPlay.state_metrics` measures them
(``nash_conv_mixture``, ``duality_gap_mixture``).

The registered name is ``fp`` for every kind of game: the matrix-game rule
accepts the options below (:class:`FictitiousPlayOptions`) and hands over
to :class:`DifferentiableFictitiousPlay` on games that are not matrix
games, so ``fp`` and ``fp:inner_steps=20`` work everywhere.

References
----------
G. W. Brown (1951), "Iterative solution of games by fictitious play",
Activity Analysis of Production and Allocation. H. Ge, Y. Xia, X. Chen,
R. Berry, Y. Wu (2018), "Fictitious GAN: Training GANs with Historical
Models", ECCV. F. A. Oliehoek, R. Savani, J. Gallego, E. van der Pol,
R. Gross (2017), "GANGs: Generative Adversarial Network Games", arXiv
1712.00679.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from gamesim.bestresponse.gaps import gap_metrics
from gamesim.bestresponse.mixtures import (
    MixedStrategy,
    best_candidate,
    candidate_losses,
)
from gamesim.bestresponse.oracles import (
    DEFAULT_INNER_LR,
    DEFAULT_INNER_STEPS,
    ClosedForm,
    InnerSteps,
    closed_form,
)
from gamesim.errors import ConfigError
from gamesim.rules.base import UpdateRule, check_positive

logger = logging.getLogger(__name__)

WEIGHTS = ("uniform", "exponential")

#: atoms kept per mixture when its NashConv must be estimated (inner steps)
MIXTURE_METRIC_ATOMS = 8


@dataclass(frozen=True)
class FictitiousPlayOptions:
    """Hyperparameters of fictitious play on differentiable and GAN games.

    A mixin of the registered ``fp`` rule: on a matrix game they must keep
    their defaults; on any other game :meth:`for_game` returns a
    :class:`DifferentiableFictitiousPlay` with them.

    Parameters
    ----------
    inner_steps : int
        0: the exact best response where the game has a closed form (and
        ``DEFAULT_INNER_STEPS`` = 20 gradient steps where it has none);
        ``k > 0``: ``k`` projected gradient steps from the current strategy.
    inner_lr : float
        Step size of the inner steps.
    weights : {"uniform", "exponential"}
        Weights of the past strategies in the mixture.
    decay : float
        ``w_s ~ decay^(t - s)`` for exponential weights, in (0, 1).
    memory : int
        Past strategies kept per player; older ones leave the mixture.
    replay : int
        Past strategies of the opponent drawn (by weight, with replacement,
        from the run's random stream) for each inner step, which then follows
        a stochastic gradient of the loss against the mixture; 0 uses them
        all (exact, and costly with a long memory). Closed forms always use
        the whole mixture.
    """

    inner_steps: int = 0
    inner_lr: float = DEFAULT_INNER_LR
    weights: str = "uniform"
    decay: float = 0.99
    memory: int = 10000
    replay: int = 1

    def __post_init__(self):
        _check_options(self)
        super().__post_init__()

    def options(self) -> dict[str, Any]:
        """These hyperparameters by name."""
        return {f.name: getattr(self, f.name)
                for f in dataclasses.fields(FictitiousPlayOptions)}

    def changed_options(self) -> list[str]:
        """Names of the options that differ from their defaults."""
        return [f.name for f in dataclasses.fields(FictitiousPlayOptions)
                if getattr(self, f.name) != f.default]

    def hyperparameters(self) -> dict[str, Any]:
        """Every hyperparameter, leaving out the options at their defaults."""
        changed = set(self.changed_options())
        return {k: v for k, v in super().hyperparameters().items()
                if k not in self.options() or k in changed}

    def for_game(self, game) -> UpdateRule:
        """This rule on a matrix game; :class:`DifferentiableFictitiousPlay` else."""
        if getattr(game, "simplex", False):
            changed = self.changed_options()
            if changed:
                raise ConfigError(
                    f"{self.name}: option(s) {', '.join(changed)} belong to fictitious "
                    f"play on differentiable and GAN games; on the matrix game "
                    f"{game.name!r} each player best-responds exactly to the "
                    "opponent's empirical frequencies")
            return super().for_game(game)
        matrix_only = [
            f.name for f in dataclasses.fields(self)
            if f.name not in self.options() and f.name != "lr"
            and getattr(self, f.name) != f.default]
        if matrix_only:
            raise ConfigError(
                f"{self.name}: option(s) {', '.join(matrix_only)} belong to "
                f"fictitious play on matrix games; {game.name!r} is not one")
        return DifferentiableFictitiousPlay(lr=self.lr, **self.options()).for_game(game)


def _check_options(rule) -> None:
    name = getattr(rule, "name", "fp")
    for key in ("inner_steps", "replay"):
        value = getattr(rule, key)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                or value < 0:
            raise ConfigError(f"{name}: {key} must be an integer >= 0, got {value!r}")
    memory = rule.memory
    if isinstance(memory, bool) or not isinstance(memory, (int, np.integer)) \
            or memory < 1:
        raise ConfigError(f"{name}: memory must be an integer >= 1, got {memory!r}")
    check_positive(name, "inner_lr", rule.inner_lr)
    if rule.weights not in WEIGHTS:
        raise ConfigError(
            f"{name}: weights must be one of {', '.join(WEIGHTS)}, "
            f"got {rule.weights!r}")
    decay = rule.decay
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or \
            not 0 < decay < 1:
        raise ConfigError(f"{name}: decay must lie in (0, 1), got {decay!r}")


class FictitiousState(NamedTuple):
    """The joint strategies played so far (at most ``memory``), oldest first.

    Attributes
    ----------
    played : ndarray, shape (B, m, n)
        Past joint vectors ``z_s = (x_s, y_s)``; each player's mixture is
        its block of them.
    rounds : ndarray of int, shape (m,)
        The round in which each was played (0 for the start).
    scores : tuple of two ndarrays, shapes (B, m, c_1) and (B, m, c_2)
        For a player whose best response always lies among finitely many
        candidate strategies (``game.best_response_candidates``), the loss
        of each candidate against each remembered opponent strategy; the
        continuous analogue of the cumulative payoffs of matrix fictitious
        play. Empty (``c = 0``) for other players.
    """

    played: np.ndarray
    rounds: np.ndarray
    scores: tuple = ()


@dataclass(frozen=True)
class DifferentiableFictitiousPlay(FictitiousPlayOptions, UpdateRule):
    """Fictitious play over the players' parameters (a joint rule).

    ``x_{t+1} = BR_x(mixture of y_0..y_t)`` and
    ``y_{t+1} = BR_y(mixture of x_0..x_t)``, simultaneously; see the module
    docstring and :class:`FictitiousPlayOptions` for the parameters. The
    step size ``lr`` is not used (the inner steps have ``inner_lr``). The
    engine averages the iterates (``averaging = "uniform"``), so a run
    reports the last iterate, the averaged iterate (``*_avg``) and, through
    :meth:`state_metrics`, the mixture (``*_mixture``).

    References
    ----------
    G. W. Brown (1951), "Iterative solution of games by fictitious play",
    Activity Analysis of Production and Allocation. H. Ge et al. (2018),
    "Fictitious GAN: Training GANs with Historical Models", ECCV.

    Examples
    --------
    On the bounded Dirac-GAN from (1, 1) the generator answers psi = 1 with
    theta = +2 and the discriminator answers theta = 1 with psi = -2:

    >>> from gamesim import make_game, make_rule, simulate
    >>> game = make_game("dirac_bounded:bound=2")
    >>> rule = make_rule("fp").for_game(game)
    >>> type(rule).__name__
    'DifferentiableFictitiousPlay'
    >>> simulate(game, rule, steps=1).z
    array([[ 2., -2.]])
    """

    lr: float = 1.0

    name: ClassVar[str] = "fp"
    joint: ClassVar[bool] = True
    averaging: ClassVar[str | None] = "uniform"

    @property
    def evaluations(self) -> int:
        """Field evaluations per step: ``2 k max(replay, 1)`` with k inner steps.

        1 for closed-form answers (which evaluate losses, not the field).
        """
        if self.inner_steps == 0:
            return 1
        return 2 * self.inner_steps * max(self.replay, 1)

    def for_game(self, game) -> UpdateRule:
        if getattr(game, "simplex", False):
            raise ConfigError(
                "DifferentiableFictitiousPlay is for differentiable games; on the "
                f"matrix game {game.name!r} use the registered rule 'fp'")
        if self.inner_steps == 0 and closed_form(game) is None:
            logger.info("fp: %s has no closed-form best response; using %d inner "
                        "steps of %g", game.name, DEFAULT_INNER_STEPS, self.inner_lr)
        return self

    # -- the rule ----------------------------------------------------------------
    def init(self, z):
        z = np.array(z, dtype=float)
        empty = np.zeros((z.shape[0], 1, 0))
        return FictitiousState(z[:, None, :], np.zeros(1, dtype=np.int64),
                               (empty, empty.copy()))

    def step(self, z, state, oracle, lr):
        game = oracle.game
        candidates = [self._candidates(game, p) for p in (0, 1)]
        state = self._scored(state, game, candidates)
        mixes = self.mixtures(state, game)
        x, y = game.split(z)

        # Each player answers the opponent's mixture (simultaneously).
        new_x = self._respond(game, 0, x, mixes[1], state, candidates[0], oracle)
        new_y = self._respond(game, 1, y, mixes[0], state, candidates[1], oracle)
        z_new = np.concatenate([new_x, new_y], axis=1)

        # Remember the new strategies; the oldest leave beyond `memory`.
        played = np.concatenate([state.played, z_new[:, None, :]], axis=1)
        rounds = np.append(state.rounds, state.rounds[-1] + 1)
        scores = tuple(
            np.concatenate([state.scores[p], self._score(
                game, p, candidates[p], (new_y, new_x)[p][:, None, :])], axis=1)
            for p in (0, 1))
        if played.shape[1] > self.memory:
            played, rounds = played[:, 1:], rounds[1:]
            scores = tuple(s[:, 1:] for s in scores)
        return z_new, FictitiousState(played, rounds, scores)

    def _candidates(self, game, player):
        """The player's finite set of candidate answers, if exact and known."""
        if self.inner_steps or not hasattr(game, "best_response_candidates"):
            return None
        return game.best_response_candidates(player)

    @staticmethod
    def _score(game, player, candidates, atoms):
        if candidates is None:
            return np.zeros(atoms.shape[:2] + (0,))
        return candidate_losses(game, player, candidates, atoms)

    def _scored(self, state, game, candidates):
        """``state`` with the candidates' losses filled in (first step only)."""
        missing = [p for p in (0, 1) if candidates[p] is not None
                   and state.scores[p].shape[2] != len(candidates[p])]
        if not missing:
            return state
        scores = list(state.scores)
        for p in missing:
            atoms = state.played[:, :, game.slices[1 - p]]
            scores[p] = self._score(game, p, candidates[p], atoms)
        return state._replace(scores=tuple(scores))

    def _respond(self, game, player, current, opponent, state, candidates, oracle):
        if candidates is not None:
            return best_candidate(player, candidates, opponent.weights,
                                  state.scores[player]).argmax
        if self.inner_steps == 0:
            exact = closed_form(game)
            if exact is not None:
                return exact(player, opponent, current).argmax
        if self.replay and oracle.rngs is None:
            raise ConfigError("fp: replay needs the run's random streams (rngs)")
        inner = InnerSteps(self.inner_steps or DEFAULT_INNER_STEPS, self.inner_lr)
        return inner.improve(game, player, current, opponent, oracle.noise,
                             self.replay, oracle.rngs)[0]

    # -- the output: the mixture -----------------------------------------------------
    def mixture_weights(self, state) -> np.ndarray:
        """Weights of the remembered strategies, ``(m,)``, summing to 1."""
        if self.weights == "uniform":
            w = np.ones(len(state.rounds))
        else:
            age = state.rounds[-1] - state.rounds
            w = self.decay ** age.astype(float)
        return w / w.sum()

    def mixtures(self, state, game) -> tuple[MixedStrategy, MixedStrategy]:
        """The two players' mixed strategies held by ``state``."""
        w = np.broadcast_to(self.mixture_weights(state),
                            state.played.shape[:2]).copy()
        sx, sy = game.slices
        return (MixedStrategy(state.played[:, :, sx], w),
                MixedStrategy(state.played[:, :, sy], w))

    def extras(self, state, game) -> dict[str, Any]:
        """What a run returns besides its last iterate: ``{"mixture": (X, Y)}``.

        ``X`` and ``Y`` are the two players'
        :class:`~gamesim.bestresponse.MixedStrategy`, usable with every
        measure of :mod:`gamesim.bestresponse` (and the engine puts them in
        ``RunResult.extras`` when it collects rule outputs).
        """
        return {"mixture": self.mixtures(state, game)}

    def state_metrics(self, state, oracle) -> dict[str, np.ndarray]:
        """NashConv (and duality gap) of the mixture: ``*_mixture`` metrics.

        Exact where the game has a closed form. Otherwise estimated with
        ``max(inner_steps, 20)`` deterministic inner steps from the latest
        strategies, against each mixture thinned to
        ``MIXTURE_METRIC_ATOMS`` atoms at evenly spaced quantiles of its
        weights (:meth:`MixedStrategy.thinned`), which bounds the cost.
        """
        game = oracle.game
        mixes = self.mixtures(state, game)
        if closed_form(game) is not None:
            judge = ClosedForm()
        else:
            judge = InnerSteps(max(self.inner_steps, DEFAULT_INNER_STEPS),
                               self.inner_lr)
            mixes = tuple(mix.thinned(MIXTURE_METRIC_ATOMS) for mix in mixes)
        latest = game.split(state.played[:, -1, :])
        return gap_metrics(game, *mixes, oracle=judge, suffix="_mixture",
                           starts=latest)
