"""GAN configurations on the bundled real data that are known to converge.

Each :class:`Recommended` entry names a game spec, the update rule(s) as
``gamesim run --rule`` arguments, a step budget and the plain simultaneous
GDA baseline it was compared with. Every entry was checked over seeds 0-4
(``tests/test_gan_game.py`` re-checks them): at the last step every run has
``discriminator_gap < 0.05`` and a distance to the data (``wasserstein`` in
1-D, ``energy_distance`` in 2-D) below a tenth of its value at step 0, and
on the penguins every species keeps its share of samples
(``mode_coverage = 1``).

What the search taught (see ``docs/howto/own-data.md``):

* The generator starts as standard normal noise *in the file's units*
  (``g_init=raw``), i.e. several standard deviations away from the data. From
  the default start (standard normal in standardised units) the generator
  already matches the data's mean and covariance; a tenfold drop of the
  distance would then have to go below the sampling noise of a few hundred
  points (about 0.07 standardised units for the 1-D Wasserstein distance),
  which only overfitting achieves.
* Far from the data the two sample sets are separable and the
  discriminator's weights grow; the non-saturating loss keeps the
  generator's gradient alive there, and R1 (``r1=1``) keeps the
  discriminator bounded in 2-D. Linear plus Fourier features give a pull of
  bounded size from far away and local detail near the data.
* Without R1 (the 1-D entry), two time-scales -- the discriminator stepping
  twice as far as the generator, ``gda:lr=0.3,lr_d=0.6`` (Heusel et al.
  2017) -- converge on every seed, while plain simultaneous GDA at step 0.6
  ends far from the data, with a discriminator gap above 0.4, on two of
  the five seeds. On the penguins plain GDA loses a species on one seed.
  On the two Old Faithful columns plain GDA converges as well as the two
  time-scales (R1 makes this game well-behaved, as Mescheder et al. 2018
  show for simultaneous GD).
* Learned mixture weights help in 1-D (the bimodal eruptions, 36/64 %) but
  in 2-D a component that lags behind loses its weight and never returns;
  equal weights are used there.

References
----------
M. Heusel et al. (2017), "GANs Trained by a Two Time-Scale Update Rule
Converge to a Local Nash Equilibrium", NeurIPS.
L. Mescheder, A. Geiger, S. Nowozin (2018), "Which Training Methods for GANs
do actually Converge?", ICML.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gamesim.errors import ConfigError

__all__ = ["RECOMMENDED", "Recommended", "converged", "simulate_recommended"]


@dataclass(frozen=True)
class Recommended:
    """A documented GAN configuration on real data.

    Attributes
    ----------
    game : str
        The game spec (``gamesim run --game``).
    rules : tuple of str
        The rule spec(s) (``gamesim run --rule``, one per item).
    baseline : tuple of str
        Plain simultaneous GDA on the same game, for comparison.
    steps : int
        Step budget.
    init_noise : float
        Standard deviation of the Gaussian noise the engine adds to the
        initial point, drawn from each run's seed (``--init-noise``); with
        the deterministic full batch this is what makes seeds differ.
    distance : str
        The distance metric judged: ``wasserstein`` or ``energy_distance``.
    baseline_fails : bool
        Whether the baseline fails the criterion on at least one of seeds
        0-4 (measured; the test checks it).
    """

    game: str
    rules: tuple
    baseline: tuple
    steps: int
    distance: str
    baseline_fails: bool
    init_noise: float = 0.1


RECOMMENDED: dict[str, Recommended] = {
    "old_faithful_eruptions": Recommended(
        game=("gan:data=old_faithful,column=eruptions,"
              "discriminator=quadratic+fourier,loss=nonsaturating,"
              "g_init=raw,samples=128"),
        rules=("gda:lr=0.3,lr_d=0.6",),
        baseline=("gda:lr=0.6",),
        steps=1500,
        distance="wasserstein",
        baseline_fails=True,
    ),
    "old_faithful_2d": Recommended(
        game=("gan:data=old_faithful,columns=eruptions+waiting,"
              "discriminator=linear+fourier,features=32,loss=nonsaturating,"
              "r1=1,weights=equal,g_init=raw,samples=128"),
        rules=("gda:lr=0.3,lr_d=0.6",),
        baseline=("gda:lr=0.6",),
        steps=1500,
        distance="energy_distance",
        baseline_fails=False,
    ),
    "penguin_bills": Recommended(
        game=("gan:data=palmer_penguins,columns=bill_length_mm+bill_depth_mm,"
              "discriminator=linear+fourier,loss=nonsaturating,r1=1,"
              "weights=equal,g_init=raw,samples=128"),
        rules=("gda:lr=0.3,lr_d=0.6",),
        baseline=("gda:lr=0.6",),
        steps=1500,
        distance="energy_distance",
        baseline_fails=True,
    ),
}


def simulate_recommended(name: str, *, baseline: bool = False, seeds=range(5),
                         steps: int | None = None, record_every: int | None = None):
    """Run a recommended configuration (or its GDA baseline) over seeds.

    Parameters
    ----------
    name : str
        A key of :data:`RECOMMENDED`.
    baseline : bool
        Run the plain GDA baseline instead of the recommended rule.
    seeds : iterable of int
        Run seeds (one run each, batched); default 0-4.
    steps : int, optional
        Override the step budget.
    record_every : int, optional
        Recording interval (default: only the first and last step).

    Returns
    -------
    gamesim.engine.RunResult
    """
    from gamesim.engine import parse_rule_specs, simulate
    from gamesim.registry import make_game

    if name not in RECOMMENDED:
        raise ConfigError(
            f"no recommended GAN configuration {name!r} "
            f"(known: {', '.join(RECOMMENDED)})"
        )
    entry = RECOMMENDED[name]
    game = make_game(entry.game)
    rules, schedule = parse_rule_specs(
        game, list(entry.baseline if baseline else entry.rules))
    steps = entry.steps if steps is None else steps
    return simulate(game, rules, steps, seeds=list(seeds), schedule=schedule,
                    init_noise=entry.init_noise, record_every=record_every or steps)


def converged(result, distance: str, gap: float = 0.05, ratio: float = 0.1):
    """Per run: final ``discriminator_gap < gap`` and distance below
    ``ratio`` times its value at step 0 (and full mode coverage if
    reported). Returns a boolean array, one entry per run."""
    history = result.history
    start = history[history["step"] == 0].set_index("run")[distance]
    final = result.final.set_index("run")
    ok = (final["discriminator_gap"] < gap) & (
        final[distance] < ratio * start.reindex(final.index))
    if "mode_coverage" in final:
        ok &= final["mode_coverage"] >= 1.0
    return np.asarray(ok & (final["status"] != "diverged"), dtype=bool)
