"""The convergence benchmark suite: fixed games, every rule, a leaderboard.

``gamesim bench`` (or ``python -m pytest benchmarks/test_convergence.py``)
runs every registered update rule on a fixed set of games at a small grid
of step sizes and seeds, and ranks the rules per game by the gradient
evaluations they need to reach a tolerance::

    from gamesim.bench import run_suite, suite
    result = run_suite(suite("quick"), out="gamesim-bench", executor="processes")
    result.leaderboard      # one row per game and rule
    result.runs             # every run (a comparison's runs table per game)

Suite version 1
---------------
The numbers of two leaderboards can be compared when their suite version
and their gamesim version agree. Everything below is fixed in
:mod:`gamesim.bench.suite`; changing any of it bumps ``SUITE_VERSION``.

Each game: key, spec, metric and tolerance, steps in the full (quick)
suite, step sizes in the full (quick) suite.

``bilinear_scalar``
    ``bilinear`` (f = x y); distance_to_equilibrium <= 1e-3; 1000 (1000)
    steps; lr 0.03, 0.1, 0.3 (0.1, 0.3).
``bilinear_random``
    ``bilinear:n=5,seed=0``; distance_to_equilibrium <= 1e-3; 2000 (1000)
    steps; lr 0.03, 0.1, 0.3 (0.1, 0.3).
``bilinear_ill_conditioned``
    ``bilinear:n=10,condition=100``; distance_to_equilibrium <= 1e-3;
    2000 (1000) steps; lr 0.03, 0.1, 0.3 (0.1, 0.3).
``quadratic``
    ``quadratic`` (n = 2, mu = 0.1); distance_to_equilibrium <= 1e-3;
    1000 (1000) steps; lr 0.03, 0.1, 0.3 (0.1, 0.3).
``dirac``
    ``dirac`` (standard loss); distance_to_equilibrium <= 1e-3; 2000
    (1000) steps; lr 0.03, 0.1, 0.3 (0.1, 0.3).
``dirac_r1``
    ``dirac:r1=1``; distance_to_equilibrium <= 1e-3; 2000 (1000) steps;
    lr 0.03, 0.1, 0.3 (0.1, 0.3).
``matching_pennies``
    ``matrix:name=matching_pennies``; nash_conv <= 1e-2; 1000 (1000)
    steps; lr 0.03, 0.1, 0.3 (0.1, 0.3).
``rps``
    ``matrix:name=rps``; nash_conv <= 1e-2; 1000 (1000) steps; lr 0.03,
    0.1, 0.3 (0.1, 0.3).
``shapley``
    ``matrix:name=shapley``; nash_conv <= 1e-2; 1000 (1000) steps; lr
    0.03, 0.1, 0.3 (0.1, 0.3).
``random_zero_sum_50``
    ``matrix:file=.../games/random_zero_sum_50.csv`` (below); nash_conv
    <= 5e-2; 2000 (1000) steps; lr 0.01, 0.03, 0.1 (0.03, 0.1).
``gan_old_faithful``
    ``gan:data=old_faithful,column=eruptions,discriminator=quadratic+
    fourier,loss=nonsaturating,g_init=raw,samples=128`` (one spec, cut
    here); wasserstein <= 0.1; 1500 (1500) steps; (lr, lr_d) = (0.3, 0.3)
    and (0.3, 0.6) in both modes.

On the GAN the step sizes are (generator, discriminator) pairs: the same
step for both, and the two time-scale update of Heusel et al. (2017) with
the discriminator stepping twice as far.

Common settings
    Seeds 0-4 (quick: 0-1). Each run starts at the game's initial point
    plus Gaussian noise drawn from its seed, of standard deviation 0.1 on
    the differentiable games, the GAN and matching pennies, 0.05 on
    rock-paper-scissors and Shapley's game, 0.002 on the random game,
    then projected onto the simplices on matrix games. The matrix games
    start near uniform play (the equilibrium of the three small ones) and
    keep every action: multiplicative rules (Hedge and its relatives)
    could never leave a face of the simplex. Simultaneous schedule. Each
    metric is that of the last iterate; on matrix games the uniform time
    average is recorded too (``final_avg``, ``nash_conv_avg``). A run stops when its
    metric is at most the tolerance (``converged``), diverges, or uses its
    budget. The engine checks the metric every 10 steps, so a run's steps
    to tolerance are a multiple of 10 (medians over runs need not be).

Rules
    Every rule in the registry when the suite runs (``gamesim list rules``;
    ``bench.json`` records the list), with its default hyperparameters and
    the game's step sizes as ``lr`` (and ``lr_d`` on the GAN). Fictitious
    play, logit fictitious play, regret matching and regret matching+
    ignore the step size on matrix games and run once there, at their
    defaults. A configuration whose first step raises
    :class:`NotImplementedError` or :class:`~gamesim.errors.ConfigError`
    is *not applicable* (learning rules on differentiable games, joint
    rules with two step sizes); a run that raises anything else is an
    *error* (a bug, shown in the leaderboard, the other rules still run).
    Quick mode skips fictitious play on the differentiable games, and
    CGD, consensus optimisation, fictitious play, proximal point and SGA
    on the GAN, where one step costs tens of field evaluations.

The random zero-sum game
    ``numpy.random.default_rng(2024).standard_normal((50, 50))`` as the row
    player's payoffs, written to ``OUT/games/random_zero_sum_50.csv`` with
    every float in full precision (a temporary folder without ``--out``).

The GAN
    The configuration of
    ``gamesim.gan.recommended.RECOMMENDED["old_faithful_eruptions"]``
    (copied, not referenced): a mixture generator started in raw units
    against a quadratic plus Fourier-feature discriminator, non-saturating
    loss, 128 samples, full batch.

Recorded per run
    status, steps, steps to tolerance, gradient-field evaluations, every
    final metric, wall time (``runs.csv``); the leaderboard keeps each
    rule's best step size (:mod:`gamesim.bench.leaderboard`).

Modules
-------
:mod:`~gamesim.bench.suite`
    The fixed definition (:data:`~gamesim.bench.suite.GAMES`).
:mod:`~gamesim.bench.runner`
    Applicability and the comparisons (:func:`run_suite`).
:mod:`~gamesim.bench.leaderboard`
    Ranking, Markdown, CSV, figures.
"""

from gamesim.bench.leaderboard import leaderboard, to_markdown, write_outputs
from gamesim.bench.runner import (
    BenchProgress,
    BenchResult,
    applicability,
    rule_spec,
    run_suite,
)
from gamesim.bench.suite import GAMES, SUITE_VERSION, BenchGame, Suite, suite

__all__ = [
    "GAMES",
    "SUITE_VERSION",
    "BenchGame",
    "BenchProgress",
    "BenchResult",
    "Suite",
    "applicability",
    "leaderboard",
    "rule_spec",
    "run_suite",
    "suite",
    "to_markdown",
    "write_outputs",
]
