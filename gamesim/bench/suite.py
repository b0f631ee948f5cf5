"""The fixed definition of the convergence benchmark suite.

Everything that decides a number of the leaderboard is written here as a
constant: the games and their specs, the metric and tolerance of each game,
the step budgets, the step-size grids, the seeds and the initial-point
noise. :data:`SUITE_VERSION` changes whenever one of them does, so that two
leaderboards with the same suite version (and the same gamesim version)
can be compared number by number. The module docstring of
:mod:`gamesim.bench` lists the same content as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gamesim.errors import ConfigError

#: bumped whenever a game, metric, tolerance, budget, grid or seed changes
SUITE_VERSION = "1"

#: the modes of the suite
MODES = ("quick", "full")

#: learning rules whose step size is ignored on matrix games ("kept for a
#: uniform interface" in their docstrings): run once, at their default
STEP_SIZE_FREE_ON_MATRIX = ("fp", "logit_fp", "rm", "rm_plus")

#: seed of the random 50 x 50 zero-sum game's payoffs
RANDOM_GAME_SEED = 2024
#: size of the random zero-sum game
RANDOM_GAME_SIZE = 50
#: file name of the random game's payoffs (in ``OUT/games/``)
RANDOM_GAME_FILE = "random_zero_sum_50.csv"

#: the GAN on Old Faithful: the configuration of
#: ``gamesim.gan.recommended.RECOMMENDED["old_faithful_eruptions"]``, copied
#: here so that the suite does not change when that table does
GAN_SPEC = ("gan:data=old_faithful,column=eruptions,discriminator=quadratic+fourier,"
            "loss=nonsaturating,g_init=raw,samples=128")


@dataclass(frozen=True)
class BenchGame:
    """One game of the suite and the settings its runs use.

    Attributes
    ----------
    key : str
        Short, stable name in the leaderboard (``bilinear_scalar``).
    title : str
        What the game is, in words.
    spec : str
        The game spec; ``"random-zero-sum"`` marks the random matrix game,
        whose spec is only known once its payoff file is written
        (:func:`random_zero_sum_payoffs`).
    kind : {"differentiable", "matrix", "gan"}
        Which rules may apply and which quick-mode limits hold.
    why : str
        Why the game is in the suite (what it tells apart).
    metric : str
        The distance judged: the stop metric compared with ``tol`` and the
        "final" column of the leaderboard.
    tol : float
        A run has converged once ``metric <= tol``.
    steps : int
        Step budget per run in the full suite.
    quick_steps : int
        Step budget per run in the quick suite.
    step_sizes : tuple of (lr, lr_d)
        Step-size grid of the full suite; ``lr_d`` ``None`` means both
        players step with ``lr``.
    quick_step_sizes : tuple of (lr, lr_d)
        Step-size grid of the quick suite.
    init_noise : float
        Standard deviation of the Gaussian perturbation of the game's
        initial point, drawn from each run's seed (projected onto the
        simplices for matrix games). On matrix games it is small enough
        that every start keeps all actions (more than 8 standard deviations
        from a zero probability): multiplicative rules never leave a face
        of the simplex once an action has probability 0.
    average : {None, "uniform"}
        ``"uniform"`` also records the time average (``nash_conv_avg``);
        the metric is always that of the last iterate.
    quick_skip : tuple of str
        Rules not run in the quick suite (listed as skipped), because one
        of their steps costs tens of field evaluations here.
    """

    key: str
    title: str
    spec: str
    kind: str
    why: str
    metric: str
    tol: float
    steps: int
    quick_steps: int
    step_sizes: tuple
    quick_step_sizes: tuple
    init_noise: float = 0.1
    average: str | None = None
    quick_skip: tuple = ()


_GRADIENT_GRID = ((0.03, None), (0.1, None), (0.3, None))
_GRADIENT_QUICK = ((0.1, None), (0.3, None))
_DIFF_QUICK_SKIP = ("fp",)

def _differentiable(key, title, spec, steps, why) -> BenchGame:
    """A differentiable game judged on its distance to the equilibrium
    (tolerance 1e-3, the gradient step-size grid, 1,000 quick steps)."""
    return BenchGame(
        key=key, title=title, spec=spec, kind="differentiable", why=why,
        metric="distance_to_equilibrium", tol=1e-3, steps=steps,
        quick_steps=1000, step_sizes=_GRADIENT_GRID,
        quick_step_sizes=_GRADIENT_QUICK, quick_skip=_DIFF_QUICK_SKIP,
    )


#: the games of the suite, in leaderboard order
GAMES: tuple[BenchGame, ...] = (
    _differentiable(
        key="bilinear_scalar", title="scalar bilinear game f(x, y) = x y",
        spec="bilinear", steps=1000,
        why="the smallest game where simultaneous GDA spirals out while "
            "extragradient, optimistic GDA and proximal point converge",
    ),
    _differentiable(
        key="bilinear_random", title="random 5 x 5 bilinear game x^T A y",
        spec="bilinear:n=5,seed=0", steps=2000,
        why="several rotation frequencies at once: one step size must suit "
            "every singular value of A",
    ),
    _differentiable(
        key="bilinear_ill_conditioned",
        title="ill-conditioned 10 x 10 bilinear game (condition number 100)",
        spec="bilinear:n=10,condition=100", steps=2000,
        why="the slow directions (small singular values) decide the rate; "
            "it separates rules by how their rate depends on the condition",
    ),
    _differentiable(
        key="quadratic", title="convex-concave quadratic game (mu = 0.1, n = 2)",
        spec="quadratic", steps=1000,
        why="strong convexity-concavity: even simultaneous GDA converges at "
            "small steps, so it measures speed rather than stability",
    ),
    _differentiable(
        key="dirac", title="Dirac-GAN, standard loss, no regularisation",
        spec="dirac", steps=2000,
        why="the GAN with purely imaginary Jacobian eigenvalues at the "
            "equilibrium (Mescheder et al. 2018): unregularised GDA does not "
            "converge",
    ),
    _differentiable(
        key="dirac_r1", title="Dirac-GAN with the R1 penalty (gamma = 1)",
        spec="dirac:r1=1", steps=2000,
        why="R1 moves the eigenvalues into the left half-plane: the same "
            "rules should now converge (Mescheder et al. 2018)",
    ),
    BenchGame(
        key="matching_pennies", title="matching pennies (2 x 2 zero-sum)",
        spec="matrix:name=matching_pennies", kind="matrix",
        why="the simplest game where Hedge's last iterate cycles away and "
            "optimistic Hedge's converges (Daskalakis and Panageas 2019)",
        metric="nash_conv", tol=1e-2, steps=1000, quick_steps=1000,
        step_sizes=_GRADIENT_GRID, quick_step_sizes=_GRADIENT_QUICK,
        init_noise=0.1, average="uniform",
    ),
    BenchGame(
        key="rps", title="rock-paper-scissors (3 x 3 zero-sum)",
        spec="matrix:name=rps", kind="matrix",
        why="a cyclic zero-sum game: no-regret averages converge, last "
            "iterates of plain no-regret rules do not (Bailey and Piliouras "
            "2018)",
        metric="nash_conv", tol=1e-2, steps=1000, quick_steps=1000,
        step_sizes=_GRADIENT_GRID, quick_step_sizes=_GRADIENT_QUICK,
        init_noise=0.05, average="uniform",
    ),
    BenchGame(
        key="shapley", title="Shapley's 3 x 3 game (general-sum)",
        spec="matrix:name=shapley", kind="matrix",
        why="fictitious play cycles instead of converging (Shapley 1964); a "
            "general-sum game where zero-sum guarantees do not hold",
        metric="nash_conv", tol=1e-2, steps=1000, quick_steps=1000,
        step_sizes=_GRADIENT_GRID, quick_step_sizes=_GRADIENT_QUICK,
        init_noise=0.05, average="uniform",
    ),
    BenchGame(
        key="random_zero_sum_50",
        title="random 50 x 50 zero-sum game (standard normal payoffs, seed 2024)",
        spec="random-zero-sum", kind="matrix",
        why="a larger game with a partly mixed equilibrium on a small support: "
            "rules must find the support, not just balance two actions",
        metric="nash_conv", tol=5e-2, steps=2000, quick_steps=1000,
        step_sizes=((0.01, None), (0.03, None), (0.1, None)),
        quick_step_sizes=((0.03, None), (0.1, None)),
        init_noise=0.002, average="uniform",
    ),
    BenchGame(
        key="gan_old_faithful",
        title="GAN on Old Faithful eruption durations (1-D, bimodal)",
        spec=GAN_SPEC, kind="gan",
        why="a real GAN (mixture generator, Fourier-feature discriminator, "
            "non-saturating loss) on real data; two time-scales help here "
            "(Heusel et al. 2017)",
        metric="wasserstein", tol=0.1, steps=1500, quick_steps=1500,
        step_sizes=((0.3, None), (0.3, 0.6)),
        quick_step_sizes=((0.3, None), (0.3, 0.6)),
        init_noise=0.1,
        quick_skip=("cgd", "consensus", "fp", "pp", "sga"),
    ),
)


@dataclass(frozen=True)
class Suite:
    """A concrete suite: games, seeds, mode, and the rules to try.

    Attributes
    ----------
    games : tuple of BenchGame
        The games, in leaderboard order.
    seeds : tuple of int
        The seeds of every configuration.
    mode : {"quick", "full"}
        Which budgets and grids of each game apply.
    rules : tuple of str or None
        Rule names to try; ``None`` means every registered rule (read from
        the registry when the suite runs).
    """

    games: tuple = GAMES
    seeds: tuple = (0, 1, 2, 3, 4)
    mode: str = "full"
    rules: tuple | None = None
    version: str = field(default=SUITE_VERSION)

    def __post_init__(self):
        if self.mode not in MODES:
            raise ConfigError(f"bench mode must be one of {', '.join(MODES)}, "
                              f"got {self.mode!r}")
        if not self.games:
            raise ConfigError("a benchmark suite needs at least one game")
        keys = [g.key for g in self.games]
        if len(set(keys)) != len(keys):
            raise ConfigError(f"benchmark game keys repeat: {keys}")
        if not self.seeds:
            raise ConfigError("a benchmark suite needs at least one seed")

    def steps(self, game: BenchGame) -> int:
        """The step budget of ``game`` in this mode."""
        return game.quick_steps if self.mode == "quick" else game.steps

    def step_sizes(self, game: BenchGame) -> tuple:
        """The step-size grid of ``game`` in this mode."""
        return game.quick_step_sizes if self.mode == "quick" else game.step_sizes

    def skipped(self, game: BenchGame) -> tuple:
        """Rules skipped on ``game`` in this mode."""
        return game.quick_skip if self.mode == "quick" else ()

    def game(self, key: str) -> BenchGame:
        """The game with ``key``."""
        for g in self.games:
            if g.key == key:
                return g
        raise ConfigError(f"no game {key!r} in the suite (have: "
                          f"{', '.join(g.key for g in self.games)})")


def suite(mode: str = "quick", *, games=None, rules=None, seeds=None) -> Suite:
    """The fixed suite in ``mode``, optionally narrowed.

    Parameters
    ----------
    mode : {"quick", "full"}
        ``quick``: seeds 0-1, two step sizes per game, a shorter budget on
        some games and the most expensive rules skipped on the GAN and
        fictitious play skipped on differentiable games (a couple of
        minutes on 2 cores). ``full``: seeds 0-4, the whole grid, every
        rule.
    games : sequence of str, optional
        Keep only the games with these keys (the leaderboard of a subset
        is still comparable game by game).
    rules : sequence of str, optional
        Try only these rule names (default: every registered rule).
    seeds : sequence of int, optional
        Override the seeds (then the numbers are no longer those of the
        fixed suite).

    Examples
    --------
    >>> s = suite("quick", games=["bilinear_scalar"], rules=["gda", "eg"])
    >>> [g.key for g in s.games], s.seeds, s.step_sizes(s.games[0])
    (['bilinear_scalar'], (0, 1), ((0.1, None), (0.3, None)))
    """
    if mode not in MODES:
        raise ConfigError(f"bench mode must be one of {', '.join(MODES)}, "
                          f"got {mode!r}")
    chosen = GAMES
    if games is not None:
        known = {g.key: g for g in GAMES}
        unknown = [k for k in games if k not in known]
        if unknown:
            raise ConfigError(f"unknown benchmark game(s) {', '.join(unknown)} "
                              f"(known: {', '.join(known)})")
        chosen = tuple(known[k] for k in games)
    if seeds is None:
        seeds = (0, 1) if mode == "quick" else (0, 1, 2, 3, 4)
    return Suite(games=tuple(chosen), seeds=tuple(int(s) for s in seeds), mode=mode,
                 rules=None if rules is None else tuple(rules))


def random_zero_sum_payoffs(seed: int = RANDOM_GAME_SEED,
                            size: int = RANDOM_GAME_SIZE) -> np.ndarray:
    """The row player's payoffs of the random zero-sum game.

    Independent standard normal entries from ``numpy.random.default_rng(seed)``
    (PCG64), drawn row by row as one ``(size, size)`` array.

    Examples
    --------
    >>> random_zero_sum_payoffs(size=2).shape
    (2, 2)
    """
    return np.random.default_rng(seed).standard_normal((size, size))


def write_random_game(folder: str | Path) -> Path:
    """Write the random zero-sum game's payoffs as a CSV file in ``folder``.

    Every entry is written with ``repr`` so that reading it back gives the
    same floats bit for bit. Returns the file's path.
    """
    from gamesim.io import atomic_write_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    payoffs = random_zero_sum_payoffs()
    text = "".join(",".join(repr(float(v)) for v in row) + "\n" for row in payoffs)
    return atomic_write_text(folder / RANDOM_GAME_FILE, text)


#: characters a file path may not hold inside a spec value
_SPEC_UNSAFE = ",|;"


def spec_safe_path(path: Path) -> bool:
    """Whether ``path`` can stand as a ``file=`` value in a game spec."""
    text = str(path)
    return not any(c in text for c in _SPEC_UNSAFE) and text == text.strip()


def resolve_specs(s: Suite, folder: Path) -> dict[str, str]:
    """The game spec of every game of ``s``, writing payoff files to ``folder``."""
    specs = {}
    for game in s.games:
        if game.spec == "random-zero-sum":
            path = write_random_game(folder).resolve()
            if not spec_safe_path(path):
                raise ConfigError(
                    f"the random game's payoff file {str(path)!r} has a character "
                    f"({_SPEC_UNSAFE!r}) that a game spec cannot carry; choose "
                    "another output folder")
            specs[game.key] = f"matrix:file={path}"
        else:
            specs[game.key] = game.spec
    return specs
