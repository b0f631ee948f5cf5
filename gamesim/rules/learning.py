"""Learning rules for finite games: players choosing mixed strategies.

These rules act on a player's block of a :class:`~gamesim.games.matrix.
MatrixGame`: a mixed strategy ``x`` on the simplex. They read the *payoff
vector* ``u = -g`` from the descent field ``g`` that the engine passes (for
the row player ``u = A y``, the expected payoff of each pure strategy
against the opponent's current strategy; for the column player
``u = B^T x``).

Local rules (``joint = False``) update one block from its own payoff vector
and therefore run under every schedule of the engine and can be mixed with
another rule for the other player:

=====================  ====================================================
``fp``                 fictitious play (best response to the opponent's
                       empirical average; ties lowest index or random)
``logit_fp``           stochastic (logit, "smooth") fictitious play
``hedge``              multiplicative weights / Hedge
``optimistic_hedge``   optimistic multiplicative weights
``rm``                 regret matching
``rm_plus``            regret matching+
``replicator``         discrete replicator dynamics (Euler step)
=====================  ====================================================

Joint rules (``joint = True``) need the field at other points and run with
the simultaneous schedule only:

=========================  ==================================================
``replicator_ode``         the replicator ODE integrated by scipy's
                           ``solve_ivp`` over a time ``lr`` per step
``entropic_eg``            entropic extragradient (mirror-prox)
``entropic_optimistic``    optimistic (past-gradient) entropic mirror descent
=========================  ==================================================

The no-regret rules whose guarantee is on the time average (``fp``,
``logit_fp``, ``hedge``, ``rm``, ``rm_plus``, ``replicator``,
``replicator_ode``) ask the engine for the uniform average by default, so
runs report the last iterate and the averaged strategies (``*_avg``
metrics, the default stop metric ``nash_conv_avg``). The rules known for
last-iterate convergence (``optimistic_hedge``, ``entropic_eg``,
``entropic_optimistic``) do not; pass ``average="uniform"`` to get both.

Projected gradient descent-ascent on the simplex is the generic ``gda`` rule:
the engine projects every step of a constrained game with
:meth:`MatrixGame.project <gamesim.games.matrix.MatrixGame.project>`.

When one rule drives both players in the simultaneous schedule the engine
hands it the joint vector ``z = (x, y)``; every rule here then updates the
two blocks separately (:func:`blockwise`), so the results are the same as
with one rule per player; Hedge's joint step on a plain matrix game skips
the projection of its softmax (already on the simplex), so there they agree
up to rounding (about 1e-16 relative).

Schedules and fictitious play. With ``schedule="simultaneous"`` both
players best-respond to the opponent's counts up to the previous round:
this is the variant of reference D (``shared/reference-cases.md``: matching
pennies from both playing action 0 gives row counts [3, 7] and column
counts [5, 5] after 10 rounds). With ``schedule="alternating"`` the row
player moves first and the column player then answers the row player's
*current* action: its beliefs count the row player's actions of rounds
``2 .. t``, the one just played included (the start ``z0`` is given to both
players and the column player does not count the row's first action). This
is Brown's original alternating form (Berger 2007, "Brown's original
fictitious play", J. Economic Theory 135) and gives other numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
from scipy.integrate import OdeSolver, solve_ivp

from gamesim.errors import ConfigError
from gamesim.registry import register_rule
from gamesim.rules.base import UpdateRule, check_positive
from gamesim.rules.fictitious import FictitiousPlayOptions

logger = logging.getLogger(__name__)

_TIE_BREAKS = ("lowest", "random")
#: the integrators of scipy's solve_ivp, by name
ODE_METHODS = ("RK23", "RK45", "DOP853", "Radau", "BDF", "LSODA")


# -- helpers shared by the rules ----------------------------------------------
def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise ``exp(l) / sum exp(l)``, shifted so that nothing overflows.

    Entries equal to ``-inf`` get probability 0.
    """
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / np.sum(weights, axis=-1, keepdims=True)


def log_strategy(z: np.ndarray) -> np.ndarray:
    """``log z`` with ``log 0 = -inf`` (an unplayed strategy stays unplayed)."""
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(z, 0.0))


def _sub_state(state, block: slice, n: int):
    """The part of ``state`` that belongs to one block of an ``n``-vector."""
    parts = []
    for value in state:
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[1] == n:
            parts.append(value[:, block])
        else:
            parts.append(value)
    return type(state)(*parts)


def _merge_states(states, n: int):
    """Re-assemble block states: block-aligned arrays side by side."""
    first = states[0]
    parts = []
    for k, value in enumerate(first):
        if isinstance(value, np.ndarray) and value.ndim == 2:
            parts.append(np.concatenate([s[k] for s in states], axis=1))
        else:
            parts.append(value)
    return type(first)(*parts)


def _block_lr(lr, block: slice, n: int):
    if np.ndim(lr) >= 1 and np.shape(lr)[-1] == n:
        return np.asarray(lr)[..., block]
    return lr


def blockwise(update: Callable, game, g, z, state, lr):
    """Apply a one-block ``update`` to each player's block of the joint ``z``.

    State fields that are ``(runs, n)`` arrays are split with the blocks and
    put back side by side; other fields (step counters) are shared.
    """
    n = z.shape[-1]
    new_z, new_states = [], []
    for block in game.slices:
        zb, sb = update(
            g[:, block],
            z[:, block],
            _sub_state(state, block, n),
            _block_lr(lr, block, n),
        )
        new_z.append(zb)
        new_states.append(sb)
    return np.concatenate(new_z, axis=1), _merge_states(new_states, n)


def _by_block(game, rowwise: Callable, values: np.ndarray) -> np.ndarray:
    """``rowwise`` (reductions along the last axis) applied to each player's
    block of the joint ``(runs, n)`` array ``values``.

    Square games take both blocks in one call, as rows of a ``(runs, 2, k)``
    view; the numbers are those of one call per block.
    """
    m, n = game.sizes
    if m == n:
        return rowwise(values.reshape(len(values), 2, m)).reshape(values.shape)
    out = np.empty(values.shape)
    out[:, :m] = rowwise(values[:, :m])
    out[:, m:] = rowwise(values[:, m:])
    return out


def _plain_matrix_game(oracle) -> bool:
    """Whether the oracle's field is :class:`MatrixGame`'s own ``(-A y, -B^T x)``
    (the case the fast joint steps below are written for)."""
    from gamesim.games.matrix import MatrixGame

    game = oracle.game
    return (
        isinstance(game, MatrixGame)
        and type(game).field is MatrixGame.field
        and type(game).project is MatrixGame.project
        and not game.stochastic
    )


def mirror_step(game, z: np.ndarray, g: np.ndarray, lr) -> np.ndarray:
    """Entropic mirror step ``x' ~ x exp(-lr g)`` on each player's simplex."""
    out = np.empty_like(z)
    logits = log_strategy(z) - lr * g
    for block in game.slices:
        out[:, block] = softmax(logits[:, block])
    return out


@dataclass(frozen=True)
class SimplexRule(UpdateRule):
    """A local rule on one player's mixed strategy.

    Subclasses implement :meth:`update` for one block; :meth:`step` applies
    it to both blocks when the engine passes the joint vector.
    """

    needs_simplex: ClassVar[bool] = True

    def step(self, z, state, oracle, lr):
        z_new, state = blockwise(
            self.update, oracle.game, oracle.field(z), z, state, lr
        )
        return oracle.project(z_new), state


def _check_tie_break(rule):
    if rule.tie_break not in _TIE_BREAKS:
        raise ConfigError(
            f"{rule.name}: tie_break must be one of {', '.join(_TIE_BREAKS)}, "
            f"got {rule.tie_break!r}"
        )
    if (
        isinstance(rule.seed, bool)
        or not isinstance(rule.seed, (int, np.integer))
        or rule.seed < 0
    ):
        raise ConfigError(
            f"{rule.name}: seed must be an integer >= 0, got {rule.seed!r}"
        )


def _run_generators(seed: int, z: np.ndarray, rngs) -> tuple:
    """One generator per run, from the rule's ``seed`` and the run's stream.

    The engine passes ``rngs``, one generator per run derived from the run's
    seed, so that a batch draws the same numbers as its runs one by one;
    called directly (``rngs=None``), run ``i`` uses ``(seed, i)``.
    """
    if rngs is None:
        return tuple(np.random.default_rng([int(seed), i]) for i in range(len(z)))
    return tuple(
        np.random.default_rng([int(seed), int(r.integers(2**63))]) for r in rngs
    )


def _draws(rngs, shape) -> np.ndarray:
    """Uniform numbers of shape ``(runs, k)``, one row from each run's stream."""
    return np.stack([r.random(shape[1:]) for r in rngs])


# -- fictitious play ----------------------------------------------------------
class CumulativeState(NamedTuple):
    """Cumulative payoff of each pure strategy, the rounds seen, and the
    per-run generators of rules that draw (``None`` otherwise).

    ``played`` is kept by fictitious play's joint step on a matrix game: the
    one-hot array it returned and where to find the payoff vectors against
    those pure strategies, so that the next step adds them without a matrix
    product (``None`` otherwise).
    """

    payoff: np.ndarray
    rounds: np.ndarray
    rngs: tuple | None = None
    played: tuple | None = None


@register_rule("fp")
@dataclass(frozen=True)
class FictitiousPlay(FictitiousPlayOptions, SimplexRule):
    """Fictitious play: best response to the opponent's empirical average.

    The played strategy ``z`` is a pure strategy (a one-hot vector). The
    state accumulates the payoff vector ``U_t = sum_{s<=t} u_s`` with
    ``u_s = A y_s`` (row player), so the best response to the opponent's
    empirical average is ``x_{t+1} = e_k``, ``k = argmax_i U_t[i]``. Ties
    (within ``1e-12`` of the largest cumulative payoff, relative) go to the
    lowest index or, with ``tie_break="random"``, to one of the tied
    strategies drawn uniformly from each run's own generator (derived from
    the run's seed and ``seed``: reproducible, and a batch draws the same
    numbers as its runs one by one). The step size is not used.

    The engine reports the empirical frequencies as the averaged iterate
    (``averaging = "uniform"``): after ``T - 1`` steps from a pure ``z0``
    the average holds the counts of ``T`` rounds divided by ``T``.

    Parameters
    ----------
    lr : float
        Ignored (kept for a uniform interface).
    tie_break : {"lowest", "random"}
        How ties between best responses are broken.
    seed : int
        Seed of the random tie-breaking.
    inner_steps, inner_lr, weights, decay, memory, replay
        Fictitious play on differentiable and GAN games: on a game that is
        not a matrix game, :meth:`for_game` hands over to
        :class:`~gamesim.rules.fictitious.DifferentiableFictitiousPlay`
        with these (:class:`~gamesim.rules.fictitious.FictitiousPlayOptions`);
        on a matrix game they must keep their defaults.

    References
    ----------
    G. W. Brown (1951), "Iterative solution of games by fictitious play",
    Activity Analysis of Production and Allocation. J. Robinson (1951), "An
    iterative method of solving a game", Annals of Mathematics 54.

    Examples
    --------
    >>> import numpy as np
    >>> rule = FictitiousPlay()
    >>> z = np.array([[1.0, 0.0]])
    >>> z, state = rule.update(np.array([[-1.0, 1.0]]), z, rule.init(z), 1.0)
    >>> z
    array([[1., 0.]])
    """

    lr: float = 1.0
    tie_break: str = "lowest"
    seed: int = 0

    averaging: ClassVar[str | None] = "uniform"

    def __post_init__(self):
        super().__post_init__()
        _check_tie_break(self)

    @property
    def uses_rng(self) -> bool:
        """Random tie-breaking draws from per-run generators."""
        return self.tie_break == "random"

    def init(self, z, rngs=None):
        gens = _run_generators(self.seed, z, rngs) if self.uses_rng else None
        return CumulativeState(np.zeros_like(z, dtype=float), np.zeros(len(z), int),
                               gens)

    def step(self, z, state, oracle, lr):
        played = state.played
        if played is not None and played[0] is z:
            # z is the pure profile (e_i, e_j) that the last step returned:
            # the field is (-A e_j, -B^T e_i), so subtracting it adds rows of
            # the payoff tables, exactly (a product with a one-hot vector
            # does not round). The engine writes into z only the rows of
            # runs that have stopped, whose later steps it discards.
            payoff = _add_pure_payoffs(oracle.game, state.payoff, played[1])
        elif self.tie_break == "lowest" and _plain_matrix_game(oracle):
            payoff = state.payoff - oracle.field(z)
        else:
            return super().step(z, state, oracle, lr)
        m, n = oracle.game.sizes
        runs = len(payoff)
        # one-hot vectors lie on the simplex and the projection returns them
        # unchanged (exactly), so it is skipped
        if m == n:
            choice = _lowest_best(payoff.reshape(runs, 2, m))
            out = oracle.game._pure_payoffs.eye[choice].reshape(payoff.shape)
        else:
            choice = np.empty((runs, 2), dtype=np.intp)
            choice[:, 0] = _lowest_best(payoff[:, :m])
            choice[:, 1] = _lowest_best(payoff[:, m:])
            out = np.zeros(payoff.shape)
            out[np.arange(runs), choice[:, 0]] = 1.0
            out[np.arange(runs), m + choice[:, 1]] = 1.0
        return out, CumulativeState(payoff, state.rounds + 1, state.rngs,
                                    (out, choice))

    def run(self, z, state, oracle, lr, steps, total=None):
        """``steps`` rounds; in one compiled loop where numba is installed.

        The loop (:func:`gamesim.kernels.fictitious_play`) serves the
        lowest-index tie-break on a plain matrix game from a pure profile (a
        pure start, or the answer of a first numpy round from a mixed one),
        splits the runs over threads, and gives the numbers of :meth:`step`
        bit for bit. Everything else takes :meth:`step`.
        """
        from gamesim import kernels

        kernel = None
        if steps > 0 and self.tie_break == "lowest" and _plain_matrix_game(oracle):
            kernel = kernels.fictitious_play()
        if kernel is None:
            return super().run(z, state, oracle, lr, steps, total)
        m = oracle.game.sizes[0]
        if state.played is not None and state.played[0] is z:
            choice = state.played[1].copy()
        else:
            choice = _pure_profile(z, m)
        if choice is None:  # a mixed start: one numpy round first
            z, state = super().run(z, state, oracle, lr, 1, total)
            steps -= 1
            if steps == 0:
                return z, state
            choice = state.played[1].copy()
        tables = oracle.game._pure_payoffs
        payoff = state.payoff.copy()
        if total is None:
            total = np.zeros(payoff.shape)
        kernels.split_runs(kernel, (tables.at, tables.b, tables.at_magnitude,
                                    tables.b_magnitude),
                           (payoff, choice, total), (steps,),
                           work=payoff.size * steps)
        runs = len(payoff)
        out = np.zeros(payoff.shape)
        out[np.arange(runs), choice[:, 0]] = 1.0
        out[np.arange(runs), m + choice[:, 1]] = 1.0
        return out, CumulativeState(payoff, state.rounds + steps, state.rngs,
                                    (out, choice))

    def update(self, g, z, state, lr):
        payoff = state.payoff - g
        rounds = state.rounds + 1
        choice = best_response(payoff, self.tie_break, state.rngs)
        out = np.zeros_like(payoff)
        np.put_along_axis(out, choice[:, None], 1.0, axis=1)
        return out, CumulativeState(payoff, rounds, state.rngs)


def _pure_profile(z: np.ndarray, m: int) -> np.ndarray | None:
    """``(i, j)`` per run if every run of ``z`` is a pure profile, else None.

    Against a pure profile the payoff vectors ``A e_j`` and ``B^T e_i`` are
    columns of the tables exactly (a product with a one-hot vector does not
    round), so the rounds can start from the indices.
    """
    if z.ndim != 2 or not np.all((z == 0.0) | (z == 1.0)):
        return None
    x, y = z[:, :m], z[:, m:]
    if not (np.all(x.sum(axis=1) == 1.0) and np.all(y.sum(axis=1) == 1.0)):
        return None
    return np.stack([x.argmax(axis=1), y.argmax(axis=1)], axis=1)


def best_response(payoff: np.ndarray, tie_break: str, rngs=None) -> np.ndarray:
    """Index of a best pure strategy in each row of ``payoff``.

    Entries within ``1e-12`` (relative to the largest magnitude in the row)
    of the maximum are tied; ties go to the lowest index or to a uniformly
    drawn tied index (``tie_break="random"``, one uniform draw per entry
    from each run's generator in ``rngs``).
    """
    best = np.max(payoff, axis=1, keepdims=True)
    slack = 1e-12 * np.max(np.abs(payoff), axis=1, keepdims=True)
    tied = payoff >= best - slack
    if tie_break == "lowest":
        return np.argmax(tied, axis=1)
    keys = np.where(tied, _draws(rngs, payoff.shape), -1.0)
    return np.argmax(keys, axis=1)


def _lowest_best(payoff: np.ndarray) -> np.ndarray:
    """:func:`best_response` with ``tie_break="lowest"`` along the last axis
    (the same operations, without numpy's Python-level wrappers)."""
    best = np.maximum.reduce(payoff, axis=-1, keepdims=True)
    slack = np.maximum.reduce(np.abs(payoff), axis=-1, keepdims=True)
    slack *= 1e-12
    best -= slack
    return np.greater_equal(payoff, best).argmax(axis=-1)


def _add_pure_payoffs(game, payoff: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """``payoff + (A e_j, B^T e_i)`` per run, ``(i, j) = choice``."""
    m, _ = game.sizes
    at, b, stacked = game._pure_payoffs[:3]
    if stacked is not None:  # one gather: rows j of A^T and i of B
        rows = stacked[_BLOCKS, choice[:, ::-1]]
        return (payoff.reshape(rows.shape) + rows).reshape(payoff.shape)
    out = np.empty(payoff.shape)
    np.add(payoff[:, :m], at[choice[:, 1]], out=out[:, :m])
    np.add(payoff[:, m:], b[choice[:, 0]], out=out[:, m:])
    return out


_BLOCKS = np.array([0, 1])


@register_rule("logit_fp")
@dataclass(frozen=True)
class LogitFictitiousPlay(SimplexRule):
    """Stochastic (logit) fictitious play.

    Plays the logit (smoothed) best response to the opponent's empirical
    average: ``x_{t+1} = softmax(U_t / (t tau))`` where ``U_t`` is the
    cumulative payoff vector after ``t`` rounds and ``tau`` the temperature.
    With ``sample=True`` a pure strategy is drawn from that distribution
    (reproducibly, from ``(seed, round)``) and played instead. The step size
    is not used. Its rest points are the logit quantal-response equilibria,
    which approach Nash equilibria as ``tau -> 0``.

    Parameters
    ----------
    lr : float
        Ignored (kept for a uniform interface).
    temperature : float
        ``tau > 0``, in payoff units.
    sample : bool
        Play a sampled pure strategy rather than the mixed logit response.
    seed : int
        Mixed with each run's own seed to seed the sampling.

    References
    ----------
    D. Fudenberg, D. M. Kreps (1993), "Learning mixed equilibria", Games and
    Economic Behavior 5. D. Fudenberg, D. K. Levine (1998), "The Theory of
    Learning in Games", MIT Press, chapter 4.

    Examples
    --------
    >>> import numpy as np
    >>> rule = LogitFictitiousPlay(temperature=1.0)
    >>> z = np.array([[0.5, 0.5]])
    >>> z, _ = rule.update(np.array([[-1.0, 1.0]]), z, rule.init(z), 1.0)
    >>> z.round(4)
    array([[0.8808, 0.1192]])
    """

    lr: float = 1.0
    temperature: float = 0.1
    sample: bool = False
    seed: int = 0

    averaging: ClassVar[str | None] = "uniform"

    def __post_init__(self):
        super().__post_init__()
        check_positive(self.name, "temperature", self.temperature)
        if not isinstance(self.sample, bool):
            raise ConfigError(f"{self.name}: sample must be true or false")
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, (int, np.integer))
            or self.seed < 0
        ):
            raise ConfigError(
                f"{self.name}: seed must be an integer >= 0, got {self.seed!r}"
            )

    @property
    def uses_rng(self) -> bool:
        """Sampling draws from per-run generators."""
        return self.sample

    def init(self, z, rngs=None):
        gens = _run_generators(self.seed, z, rngs) if self.uses_rng else None
        return CumulativeState(np.zeros_like(z, dtype=float), np.zeros(len(z), int),
                               gens)

    def update(self, g, z, state, lr):
        payoff = state.payoff - g
        rounds = state.rounds + 1
        mixed = softmax(payoff / (rounds[:, None] * self.temperature))
        if not self.sample:
            return mixed, CumulativeState(payoff, rounds, state.rngs)

        # Draw one pure strategy per run from the logit response.
        draws = _draws(state.rngs, (len(mixed), 1))
        choice = np.minimum(
            np.sum(np.cumsum(mixed, axis=1) < draws, axis=1), mixed.shape[1] - 1
        )
        out = np.zeros_like(mixed)
        np.put_along_axis(out, choice[:, None], 1.0, axis=1)
        return out, CumulativeState(payoff, rounds, state.rngs)


# -- multiplicative weights ---------------------------------------------------
class LogitState(NamedTuple):
    """Log-weights of the strategies (shifted so that the largest is 0)."""

    logits: np.ndarray


@register_rule("hedge")
@dataclass(frozen=True)
class Hedge(SimplexRule):
    """Multiplicative weights (Hedge, exponential weights).

    ``x_{t+1,i} = x_{t,i} exp(eta u_{t,i}) / Z_t`` with ``u_t = -g_t`` the
    payoff vector. Computed in the log domain: the state keeps
    ``L_t = log x_t`` shifted so that ``max L_t = 0``, so no payoff size or
    number of steps overflows. A strategy with probability 0 at the start
    keeps it.

    Parameters
    ----------
    lr : float
        Step size ``eta``.

    References
    ----------
    Y. Freund, R. E. Schapire (1999), "Adaptive game playing using
    multiplicative weights", Games and Economic Behavior 29. J. P. Bailey,
    G. Piliouras (2018), "Multiplicative weights update in zero-sum games",
    EC (the last iterate moves away from an interior equilibrium).

    Examples
    --------
    >>> import numpy as np
    >>> rule = Hedge(lr=np.log(3.0))
    >>> z = np.array([[0.5, 0.5]])
    >>> z, _ = rule.update(np.array([[-1.0, 0.0]]), z, rule.init(z), rule.lr)
    >>> z
    array([[0.75, 0.25]])
    """

    averaging: ClassVar[str | None] = "uniform"

    def init(self, z):
        return LogitState(_shifted(log_strategy(z)))

    def step(self, z, state, oracle, lr):
        # update() on both blocks at once, without splitting the state; the
        # logits' largest entry is 0, so softmax's own shift is skipped (it
        # would subtract 0) and, on a plain matrix game, so is the projection:
        # normalised weights lie on the simplex up to rounding
        game = oracle.game
        logits = _by_block(game, _shifted, state.logits - lr * oracle.field(z))
        z_new = _by_block(game, _normalised_exp, logits)
        if _plain_matrix_game(oracle):
            return z_new, LogitState(logits)
        return oracle.project(z_new), LogitState(logits)

    def update(self, g, z, state, lr):
        logits = _shifted(state.logits - lr * g)
        return softmax(logits), LogitState(logits)


def _shifted(logits: np.ndarray) -> np.ndarray:
    """Each row minus its largest entry (ufunc calls: this runs every step)."""
    return logits - np.maximum.reduce(logits, axis=-1, keepdims=True)


def _normalised_exp(logits: np.ndarray) -> np.ndarray:
    """:func:`softmax` of rows whose largest entry is already 0."""
    weights = np.exp(logits)
    weights /= np.add.reduce(weights, axis=-1, keepdims=True)
    return weights


class OptimisticLogitState(NamedTuple):
    """Log-weights, the previous payoff vector and the steps taken."""

    logits: np.ndarray
    previous: np.ndarray
    steps: np.ndarray


@register_rule("optimistic_hedge")
@dataclass(frozen=True)
class OptimisticHedge(SimplexRule):
    """Optimistic multiplicative weights (OMWU).

    ``x_{t+1,i} = x_{t,i} exp(eta (2 u_{t,i} - u_{t-1,i})) / Z_t``: the last
    payoff vector is used as a prediction of the next. The first step takes
    ``u_{-1} = u_0`` (a plain Hedge step), as optimistic GDA does. In
    zero-sum games with a unique equilibrium the last iterate converges for
    small ``eta``. Log-domain state as in :class:`Hedge`.

    Parameters
    ----------
    lr : float
        Step size ``eta``.

    References
    ----------
    C. Daskalakis, I. Panageas (2019), "Last-iterate convergence: zero-sum
    games and constrained min-max optimization", ITCS. A. Rakhlin,
    K. Sridharan (2013), "Optimization, learning, and games with predictable
    sequences", NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> rule = OptimisticHedge(lr=np.log(3.0))
    >>> z = np.array([[0.5, 0.5]])
    >>> z, _ = rule.update(np.array([[-1.0, 0.0]]), z, rule.init(z), rule.lr)
    >>> z
    array([[0.75, 0.25]])
    """

    def init(self, z):
        return OptimisticLogitState(
            _shifted(log_strategy(z)),
            np.zeros_like(z, dtype=float),
            np.zeros(len(z), int),
        )

    def update(self, g, z, state, lr):
        payoff = -g
        previous = np.where((state.steps == 0)[:, None], payoff, state.previous)
        logits = _shifted(state.logits + lr * (2.0 * payoff - previous))
        return softmax(logits), OptimisticLogitState(logits, payoff, state.steps + 1)


# -- regret matching ----------------------------------------------------------
class RegretState(NamedTuple):
    """Cumulative regret of each pure strategy."""

    regret: np.ndarray


def _regret_matching_strategy(regret: np.ndarray) -> np.ndarray:
    positive = np.maximum(regret, 0.0)
    total = np.sum(positive, axis=1, keepdims=True)
    uniform = np.full_like(positive, 1.0 / positive.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, positive / np.where(total > 0, total, 1.0), uniform)


@register_rule("rm")
@dataclass(frozen=True)
class RegretMatching(SimplexRule):
    """Regret matching.

    ``R_t = R_{t-1} + u_t - <x_t, u_t> 1`` (cumulative regret of not having
    played each pure strategy), ``x_{t+1} = [R_t]^+ / sum [R_t]^+`` and the
    uniform strategy when no regret is positive. The time average of the
    play converges to the equilibria in zero-sum games (to the coarse
    correlated equilibria in general). The step size is not used: scaling
    the regrets does not change the strategy.

    Parameters
    ----------
    lr : float
        Ignored (kept for a uniform interface).

    References
    ----------
    S. Hart, A. Mas-Colell (2000), "A simple adaptive procedure leading to
    correlated equilibrium", Econometrica 68.

    Examples
    --------
    >>> import numpy as np
    >>> rule = RegretMatching()
    >>> z = np.array([[0.5, 0.5]])
    >>> z, _ = rule.update(np.array([[-1.0, 1.0]]), z, rule.init(z), 1.0)
    >>> z
    array([[1., 0.]])
    """

    lr: float = 1.0

    averaging: ClassVar[str | None] = "uniform"
    #: regret matching+ floors the cumulative regrets at zero every step
    floor_regrets: ClassVar[bool] = False

    def init(self, z):
        return RegretState(np.zeros_like(z, dtype=float))

    def update(self, g, z, state, lr):
        payoff = -g
        gain = payoff - np.sum(z * payoff, axis=1, keepdims=True)
        regret = state.regret + gain
        if self.floor_regrets:
            regret = np.maximum(regret, 0.0)
        return _regret_matching_strategy(regret), RegretState(regret)


@register_rule("rm_plus")
@dataclass(frozen=True)
class RegretMatchingPlus(RegretMatching):
    """Regret matching+.

    ``Q_t = [Q_{t-1} + u_t - <x_t, u_t> 1]^+`` (regrets floored at zero at
    every step), ``x_{t+1} = Q_t / sum Q_t`` (uniform when ``Q_t = 0``). Often
    run with alternating updates (``schedule=alternating``). The step size
    is not used.

    Parameters
    ----------
    lr : float
        Ignored (kept for a uniform interface).

    References
    ----------
    O. Tammelin (2014), "Solving large imperfect information games using
    CFR+", arXiv:1407.5042. O. Tammelin, N. Burch, M. Johanson, M. Bowling
    (2015), "Solving heads-up limit Texas hold'em", IJCAI.

    Examples
    --------
    >>> import numpy as np
    >>> rule = RegretMatchingPlus()
    >>> z = np.array([[0.5, 0.5]])
    >>> z, s = rule.update(np.array([[-1.0, 1.0]]), z, rule.init(z), 1.0)
    >>> s.regret
    array([[1., 0.]])
    """

    floor_regrets: ClassVar[bool] = True


# -- replicator dynamics ------------------------------------------------------
@register_rule("replicator")
@dataclass(frozen=True)
class DiscreteReplicator(SimplexRule):
    """Discrete replicator dynamics (an Euler step of the replicator ODE).

    ``x_{t+1,i} = x_{t,i} + eta x_{t,i} (u_{t,i} - <x_t, u_t>)``. The sum of
    ``x`` is kept; for ``eta`` larger than ``1 / (payoff range)`` an entry may
    turn negative, and the engine's projection onto the simplex then clips
    it (the step is no longer the replicator step). Strategies with
    probability 0 stay at 0.

    Parameters
    ----------
    lr : float
        Step size ``eta`` (time step of the Euler scheme).

    References
    ----------
    P. D. Taylor, L. B. Jonker (1978), "Evolutionarily stable strategies and
    game dynamics", Mathematical Biosciences 40. J. Hofbauer, K. Sigmund
    (1998), "Evolutionary Games and Population Dynamics", Cambridge.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[0.5, 0.5]])
    >>> DiscreteReplicator(lr=0.5).update(np.array([[-1.0, 1.0]]), z, (), 0.5)[0]
    array([[0.75, 0.25]])
    """

    averaging: ClassVar[str | None] = "uniform"

    def update(self, g, z, state, lr):
        payoff = -g
        mean = np.sum(z * payoff, axis=1, keepdims=True)
        return z + lr * z * (payoff - mean), state


def replicator_field(game, z: np.ndarray) -> np.ndarray:
    """Right-hand side of the replicator ODE, ``x_i (u_i - <x, u>)`` per block."""
    payoff = -game.field(z)
    out = np.empty_like(z)
    for block in game.slices:
        p = payoff[:, block]
        x = z[:, block]
        out[:, block] = x * (p - np.sum(x * p, axis=1, keepdims=True))
    return out


def replicator_ode(
    game,
    z0,
    t_final: float,
    t_eval=None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "DOP853",
):
    """Integrate the replicator ODE of a matrix game with ``solve_ivp``.

    ``dx_i/dt = x_i ((A y)_i - x^T A y)``, ``dy_j/dt = y_j ((B^T x)_j -
    x^T B y)``. In a zero-sum game with an interior equilibrium
    ``(x*, y*)`` the quantity ``KL(x*||x) + KL(y*||y)`` is conserved and
    the orbits are closed (Hofbauer and Sigmund 1998, section 11.2;
    Piliouras and Shamma 2014, "Optimization despite chaos").

    Parameters
    ----------
    game : MatrixGame
    z0 : array_like, shape (n,)
        Initial joint strategy ``(x, y)``.
    t_final : float
        Integration time.
    t_eval : array_like, optional
        Times at which to report the solution (default: solver's own).
    rtol, atol : float
        Tolerances of the integrator.
    method : str
        A ``solve_ivp`` method.

    Returns
    -------
    scipy.integrate.OdeResult
        ``t`` and ``y`` with ``y`` of shape ``(n, len(t))``.

    Raises
    ------
    ConfigError
        If ``z0`` has the wrong size or the integrator fails.

    Examples
    --------
    >>> from gamesim import make_game
    >>> sol = replicator_ode(make_game("matrix:name=rps"), [1/3] * 6, 1.0)
    >>> sol.y[:, -1].round(6).tolist() == [round(1/3, 6)] * 6
    True
    """
    z0 = np.asarray(z0, dtype=float)
    if z0.shape != (game.n,):
        raise ConfigError(
            f"replicator_ode: z0 must have shape ({game.n},), got {z0.shape}"
        )
    check_positive("replicator_ode", "t_final", t_final)

    def rhs(_, z):
        return replicator_field(game, z[None, :])[0]

    sol = solve_ivp(
        rhs,
        (0.0, float(t_final)),
        z0,
        t_eval=t_eval,
        rtol=rtol,
        atol=atol,
        method=method,
    )
    if not sol.success:
        raise ConfigError(f"replicator_ode: integration failed: {sol.message}")
    return sol


@register_rule("replicator_ode")
@dataclass(frozen=True)
class ReplicatorODE(UpdateRule):
    """The replicator ODE, integrated over a time ``lr`` per engine step.

    Each step integrates ``dz/ds = lr * R(z)`` for ``s`` in ``[0, 1]``
    (``R`` the replicator field of :func:`replicator_field`; per-player and
    per-run step sizes scale each block's clock) with scipy's ``solve_ivp``,
    all runs of the batch in one system. Unlike :class:`DiscreteReplicator`
    it follows the continuous dynamics to the integrator's tolerance.

    Parameters
    ----------
    lr : float
        Time integrated per step.
    rtol, atol : float
        Tolerances of ``solve_ivp``.
    method : str
        The ``solve_ivp`` method.

    References
    ----------
    P. D. Taylor, L. B. Jonker (1978), "Evolutionarily stable strategies and
    game dynamics", Mathematical Biosciences 40.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> res = simulate(make_game("matrix:name=rps"), ReplicatorODE(lr=0.1),
    ...                steps=5, z0=[0.5, 0.25, 0.25, 0.25, 0.5, 0.25])
    >>> str(res.status[0])
    'max_steps'
    """

    lr: float = 0.1
    rtol: float = 1e-9
    atol: float = 1e-12
    method: str = "DOP853"

    joint: ClassVar[bool] = True
    needs_simplex: ClassVar[bool] = True
    averaging: ClassVar[str | None] = "uniform"

    def __post_init__(self):
        super().__post_init__()
        check_positive(self.name, "rtol", self.rtol)
        check_positive(self.name, "atol", self.atol)
        solver_class = isinstance(self.method, type) and issubclass(
            self.method, OdeSolver)
        if not solver_class and self.method not in ODE_METHODS:
            raise ConfigError(
                f"{self.name}: method must be one of {', '.join(ODE_METHODS)} "
                f"(or a scipy OdeSolver class), got {self.method!r}"
            )

    def step(self, z, state, oracle, lr):
        game = oracle.game
        shape = z.shape
        rate = np.broadcast_to(np.asarray(lr, dtype=float), shape).ravel()

        def rhs(_, flat):
            return rate * replicator_field(game, flat.reshape(shape)).ravel()

        sol = solve_ivp(
            rhs,
            (0.0, 1.0),
            z.ravel(),
            rtol=self.rtol,
            atol=self.atol,
            method=self.method,
        )
        if not sol.success:  # the engine reports the non-finite state
            logger.info("replicator_ode: %s", sol.message)
            return np.full(shape, np.nan), state
        return oracle.project(sol.y[:, -1].reshape(shape)), state


# -- entropic mirror rules (joint) --------------------------------------------
@register_rule("entropic_eg")
@dataclass(frozen=True)
class EntropicExtragradient(UpdateRule):
    """Entropic extragradient (mirror-prox with the entropy on each simplex).

    ``z_{t+1/2} = M(z_t, eta xi(z_t))``, ``z_{t+1} = M(z_t, eta
    xi(z_{t+1/2}))`` where ``M(x, v)_i = x_i exp(-v_i) / Z`` on each
    player's simplex (:func:`mirror_step`). Two field evaluations per step;
    in zero-sum games the last iterate converges (linearly near an interior
    equilibrium).

    Parameters
    ----------
    lr : float
        Step size ``eta`` of both half-steps.

    References
    ----------
    A. Nemirovski (2004), "Prox-method with rate of convergence O(1/t) for
    variational inequalities with Lipschitz continuous monotone operators
    and smooth convex-concave saddle point problems", SIAM J. Optim. 15.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> res = simulate(make_game("matrix:name=matching_pennies"),
    ...                EntropicExtragradient(lr=0.1), steps=2000,
    ...                z0=[0.9, 0.1, 0.2, 0.8])
    >>> float(res.final["nash_conv"][0]) < 1e-3
    True
    """

    joint: ClassVar[bool] = True
    needs_simplex: ClassVar[bool] = True
    evaluations: ClassVar[int] = 2

    def step(self, z, state, oracle, lr):
        game = oracle.game
        half = mirror_step(game, z, oracle.field(z), lr)
        return oracle.project(mirror_step(game, z, oracle.field(half), lr)), state


class OptimisticMirrorState(NamedTuple):
    """The secondary ("leader") point ``w_t`` of optimistic mirror descent."""

    leader: np.ndarray


@register_rule("entropic_optimistic")
@dataclass(frozen=True)
class EntropicOptimistic(UpdateRule):
    """Optimistic entropic mirror descent (past-gradient mirror-prox).

    With a secondary sequence ``w``: ``w_{t+1} = M(w_t, eta xi(z_t))`` and
    ``z_{t+1} = M(w_{t+1}, eta xi(z_t))``, the last field being the
    prediction of the next (``M`` as in :class:`EntropicExtragradient`,
    ``w_0 = z_0``). One field evaluation per step; differs from
    :class:`OptimisticHedge`, which uses ``2 u_t - u_{t-1}`` from ``z_t``.

    Parameters
    ----------
    lr : float
        Step size ``eta``.

    References
    ----------
    A. Rakhlin, K. Sridharan (2013), "Optimization, learning, and games with
    predictable sequences", NeurIPS. L. D. Popov (1980), "A modification of
    the Arrow-Hurwicz method for search of saddle points", Mathematical
    Notes 28.

    Examples
    --------
    >>> from gamesim import make_game, simulate
    >>> res = simulate(make_game("matrix:name=matching_pennies"),
    ...                EntropicOptimistic(lr=0.1), steps=2000,
    ...                z0=[0.9, 0.1, 0.2, 0.8])
    >>> float(res.final["nash_conv"][0]) < 1e-3
    True
    """

    joint: ClassVar[bool] = True
    needs_simplex: ClassVar[bool] = True

    def init(self, z):
        return OptimisticMirrorState(np.array(z, dtype=float, copy=True))

    def step(self, z, state, oracle, lr):
        game = oracle.game
        g = oracle.field(z)
        leader = mirror_step(game, state.leader, g, lr)
        return oracle.project(mirror_step(game, leader, g, lr)), OptimisticMirrorState(
            leader
        )


__all__ = [
    "DiscreteReplicator",
    "EntropicExtragradient",
    "EntropicOptimistic",
    "FictitiousPlay",
    "Hedge",
    "LogitFictitiousPlay",
    "OptimisticHedge",
    "RegretMatching",
    "RegretMatchingPlus",
    "ReplicatorODE",
    "SimplexRule",
    "best_response",
    "blockwise",
    "mirror_step",
    "replicator_field",
    "replicator_ode",
]
