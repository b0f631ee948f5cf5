"""Verdicts: did a run reach the equilibrium, cycle, diverge or stall?

A verdict reads one metric that is zero at the equilibrium (the *verdict
metric*: the distance to the equilibrium, NashConv, the discriminator gap,
...) from a run's recorded history, with the run's final status from the
engine, and names what happened:

``converged``
    reached the equilibrium within tolerance: the engine stopped the run at
    the tolerance (status ``converged``), or every recorded value in the last
    :data:`SETTLE_FRACTION` of the run is at most ``tol``.
``approaching``
    not within tolerance at the end of the budget, but still falling: over
    the last :data:`WINDOW_FRACTION` of the recorded steps the fitted trend
    of ``log10(metric)`` lost at least a factor :data:`TREND_FACTOR`. More
    steps (or a larger step size) would probably get there.
``cycles``
    no trend (the fitted change over the window is within a factor
    :data:`TREND_FACTOR` either way), and the metric goes up and down: at
    least :data:`CYCLE_REVERSALS` changes of direction in the window and a
    spread ``(max - min) / median`` of at least :data:`CYCLE_AMPLITUDE`.
    Rotation around the equilibrium (GDA on a bilinear game with alternating
    updates) looks like this.
``stalled``
    no trend and no oscillation: the run sits still at a distance from the
    equilibrium (a neighbourhood of it, a spurious fixed point).
``diverged``
    the engine ended the run as ``diverged`` or ``nonfinite``, or the
    fitted trend grew by at least a factor :data:`TREND_FACTOR` over the
    window (moving away, even if not yet past the engine's threshold).

The rules are applied in that order of precedence: engine divergence first,
then tolerance, then trend, then oscillation. Every threshold is a module
constant stated here; :func:`run_verdict` returns the numbers it used as
evidence. A configuration's verdict (:func:`config_verdict`) is the verdict
of most of its seeds, ties going to the worse one (order of
:data:`VERDICTS` from the end).

The default verdict metric and tolerance of a game are chosen by
:func:`choose_metric` and :data:`DEFAULT_TOLERANCES`.

A configuration whose every run starts at an equilibrium (see
:func:`started_at_equilibrium`) keeps its verdict, usually ``converged``,
but its :attr:`ConfigVerdict.note` says so: such runs had nothing to
learn.

Known limits: an oscillation whose period is longer than the window shows
fewer than :data:`CYCLE_REVERSALS` changes of direction and is called
``stalled`` (or a trend, on its rising or falling flank): fictitious play in
Shapley's game cycles with periods that grow geometrically, so its NashConv
looks stalled over a fixed budget. A noisy metric (minibatch GANs) may show
spurious reversals; its spread must still pass :data:`CYCLE_AMPLITUDE`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from gamesim.engine.core import AT_EQUILIBRIUM, START_METRICS
from gamesim.engine.core import started_at_equilibrium as _all_at_equilibrium
from gamesim.errors import ConfigError

#: verdict names, best first
VERDICTS = ("converged", "approaching", "cycles", "stalled", "diverged")

#: short sentences used by reports
MEANING = {
    "converged": "reached the equilibrium within tolerance",
    "approaching": "still approaching: not within tolerance yet, still falling",
    "cycles": "cycles: no trend, the metric goes up and down",
    "stalled": "stalled: no trend, no oscillation, away from the equilibrium",
    "diverged": "diverged: moved away from the equilibrium",
}

#: the window for trends and oscillation: this last share of the recorded steps
WINDOW_FRACTION = 0.5
#: within tolerance means every value in this last share of the recorded steps
SETTLE_FRACTION = 0.1
#: a fitted change over the window by this factor (up or down) is a trend
TREND_FACTOR = 1.1
#: changes of direction in the window needed to call a run cycling
CYCLE_REVERSALS = 4
#: relative spread (max - min) / median in the window needed for cycling
CYCLE_AMPLITUDE = 0.02
#: values below this are treated as this on the log scale of the trend fit
LOG_FLOOR = 1e-300
#: fewest recorded points for a trend: a shorter window is widened to this
#: many of the last records; a run with fewer records has no trend
MIN_POINTS = 3

#: engine statuses that mean divergence
DIVERGED_STATUSES = ("diverged", "nonfinite")

#: verdict metrics in order of preference (the first the history has wins)
METRIC_PREFERENCE = (
    "distance_to_equilibrium",
    "nash_conv_relative_avg",
    "nash_conv_relative",
    "nash_conv_avg",
    "nash_conv",
    "discriminator_gap",
    "grad_norm",
)

#: tolerance used when the experiment gives none, per verdict metric
DEFAULT_TOLERANCES = {
    "distance_to_equilibrium": 1e-3,
    "nash_conv": 1e-2,
    "nash_conv_relative": 1e-2,
    "duality_gap": 1e-2,
    "discriminator_gap": 5e-2,
    "optimal_discriminator_gap": 2e-2,
    "grad_norm": 1e-3,
    "jsd": 1e-2,
}
_FALLBACK_TOLERANCE = 1e-3

#: the note of a configuration whose every run starts at an equilibrium
AT_EQUILIBRIUM_NOTE = ("every run started at an equilibrium ({metric} <= {limit:g} "
                       "at step 0): nothing to learn, the verdict says nothing "
                       "(give --init-noise or z0)")


@dataclass(frozen=True)
class RunVerdict:
    """The verdict on one run, with its evidence.

    Attributes
    ----------
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        One sentence giving the rule that decided and its numbers.
    status : str
        The engine's final status of the run.
    initial, final, minimum : float
        First, last and smallest recorded value of the metric.
    window_start : int
        First step of the trend window.
    trend_factor : float
        Fitted change of the metric over the window (``final / start`` of
        the fitted line; below 1 means falling). NaN with too few points.
    reversals : int
        Changes of direction of the metric in the window.
    spread : float
        ``(max - min) / median`` of the metric in the window.
    """

    verdict: str
    reason: str
    status: str
    initial: float
    final: float
    minimum: float
    window_start: int
    trend_factor: float
    reversals: int
    spread: float


@dataclass(frozen=True)
class ConfigVerdict:
    """The verdict on a configuration: the verdicts of its seeds combined.

    Attributes
    ----------
    verdict : str
        The verdict of most seeds (ties go to the worse verdict).
    shares : dict
        Share of seeds per verdict, for every name of :data:`VERDICTS`.
    runs : int
        Number of seeds.
    metric : str
        The verdict metric.
    tol : float
        The tolerance used.
    final_median, final_q25, final_q75 : float
        Quartiles of the metric's final value over seeds.
    trend_median : float
        Median fitted change factor over the window.
    reason : str
        The reason given for the first seed with the chosen verdict.
    per_run : tuple of RunVerdict
        The verdict of each seed, in the order given.
    note : str
        A warning that goes with the verdict, or ``""``: every run started
        at an equilibrium (:data:`AT_EQUILIBRIUM_NOTE`).
    """

    verdict: str
    shares: dict
    runs: int
    metric: str
    tol: float
    final_median: float
    final_q25: float
    final_q75: float
    trend_median: float
    reason: str
    per_run: tuple = field(default=(), repr=False)
    note: str = ""

    def share_text(self) -> str:
        """The shares as text, e.g. ``"converged 4/5, cycles 1/5"``."""
        parts = []
        for name in VERDICTS:
            count = round(self.shares[name] * self.runs)
            if count:
                parts.append(f"{name} {count}/{self.runs}")
        return ", ".join(parts)


def run_verdict(steps: Sequence[int], values: Sequence[float], tol: float,
                status: str = "max_steps") -> RunVerdict:
    """The verdict on one run from its recorded metric.

    Parameters
    ----------
    steps : sequence of int
        Recorded steps, increasing.
    values : sequence of float
        The verdict metric at those steps (zero at the equilibrium).
    tol : float
        Tolerance: at most this counts as at the equilibrium.
    status : str
        The engine's final status (``converged``, ``max_steps``,
        ``diverged``, ``nonfinite``, ``stopped``).

    Returns
    -------
    RunVerdict

    Examples
    --------
    A metric halving every 100 steps but not yet at ``1e-3``:

    >>> steps = range(0, 1001, 100)
    >>> v = run_verdict(steps, [0.5 ** (s / 100) for s in steps], tol=1e-3)
    >>> v.verdict, round(v.trend_factor, 4)
    ('approaching', 0.0312)

    An orbit at a constant distance on average, going up and down:

    >>> import math
    >>> wave = [1 + 0.1 * math.sin(s / 30) for s in range(0, 2001, 20)]
    >>> run_verdict(range(0, 2001, 20), wave, tol=1e-3).verdict
    'cycles'
    """
    steps = np.asarray(list(steps), dtype=float)
    values = np.asarray(list(values), dtype=float)
    if steps.shape != values.shape or steps.size == 0:
        raise ConfigError(
            f"verdict: steps and values must be non-empty and of equal length, "
            f"got {steps.size} and {values.size}"
        )
    if not (math.isfinite(tol) and tol >= 0):
        raise ConfigError(f"verdict: tol must be finite and >= 0, got {tol!r}")
    finite = np.isfinite(values)
    steps, values = steps[finite], values[finite]
    status = str(status)

    # 1. the evidence: window, fitted trend, reversals, spread
    evidence = _evidence(steps, values)
    if values.size == 0:
        return RunVerdict("diverged", "no finite value of the metric was recorded",
                          status, math.nan, math.nan, math.nan, 0, math.nan, 0,
                          math.nan)

    def made(verdict: str, reason: str) -> RunVerdict:
        return RunVerdict(verdict, reason, status, **evidence)

    final = evidence["final"]
    factor = evidence["trend_factor"]
    start = evidence["window_start"]

    # 2. divergence found by the engine
    if status in DIVERGED_STATUSES:
        return made("diverged", f"the engine ended the run as {status}")

    # 3. within tolerance: stopped there, or settled there
    settle = steps >= steps[-1] - SETTLE_FRACTION * (steps[-1] - steps[0])
    if status == "converged":
        return made("converged", f"stopped at the tolerance ({final:.3g} <= "
                                 f"{tol:.3g})")
    if np.all(values[settle] <= tol):
        return made("converged", f"final {final:.3g} <= tol {tol:.3g}, and "
                                 f"every value of the last {SETTLE_FRACTION:.0%} "
                                 "of the run too")

    # 4. a trend over the window
    if not math.isnan(factor):
        if factor >= TREND_FACTOR:
            return made("diverged", f"grew by a factor {factor:.3g} over steps "
                                    f"{start}-{int(steps[-1])} (fitted)")
        if factor <= 1.0 / TREND_FACTOR:
            return made("approaching", f"fell by a factor {1 / factor:.3g} over "
                                       f"steps {start}-{int(steps[-1])} (fitted); "
                                       f"final {final:.3g} > tol {tol:.3g}")

    # 5. no trend: oscillating or still
    if evidence["reversals"] >= CYCLE_REVERSALS and \
            evidence["spread"] >= CYCLE_AMPLITUDE:
        return made("cycles", f"no trend (factor {factor:.3g}) but "
                              f"{evidence['reversals']} changes of direction and "
                              f"a spread of {evidence['spread']:.1%} over steps "
                              f"{start}-{int(steps[-1])}")
    trend = "too few points for a trend" if math.isnan(factor) else \
        f"no trend (factor {factor:.3g})"
    return made("stalled", f"{trend}, spread {evidence['spread']:.1%}; final "
                           f"{final:.3g} > tol {tol:.3g}")


def _evidence(steps: np.ndarray, values: np.ndarray) -> dict:
    """The numbers a verdict rests on (see :class:`RunVerdict`)."""
    if values.size == 0:
        return {}
    first, last = steps[0], steps[-1]
    start = last - WINDOW_FRACTION * (last - first)
    in_window = steps >= start
    if np.count_nonzero(in_window) < MIN_POINTS:
        # short histories: the last MIN_POINTS records make the window
        in_window = np.arange(steps.size) >= steps.size - MIN_POINTS
    s, v = steps[in_window], values[in_window]

    factor = math.nan
    if v.size >= MIN_POINTS and s[-1] > s[0]:
        slope = np.polyfit(s, np.log10(np.maximum(v, LOG_FLOOR)), 1)[0]
        factor = float(10.0 ** (slope * (s[-1] - s[0])))
    moves = np.sign(np.diff(v))
    moves = moves[moves != 0]
    reversals = int(np.count_nonzero(moves[1:] != moves[:-1]))
    median = float(np.median(v))
    spread = float((v.max() - v.min()) / median) if median > 0 else \
        (0.0 if v.max() == v.min() else math.inf)
    return dict(initial=float(values[0]), final=float(values[-1]),
                minimum=float(values.min()), window_start=int(s[0]),
                trend_factor=factor, reversals=reversals, spread=spread)


def config_verdict(verdicts: Iterable[RunVerdict], metric: str,
                   tol: float) -> ConfigVerdict:
    """Combine the verdicts of a configuration's seeds.

    Parameters
    ----------
    verdicts : iterable of RunVerdict
        One per seed.
    metric : str
        The verdict metric (recorded in the result).
    tol : float
        The tolerance used.

    Examples
    --------
    >>> a = run_verdict([0, 50, 100], [1.0, 1e-4, 1e-5], tol=1e-3)
    >>> b = run_verdict([0, 50, 100], [1.0, 10.0, 100.0], tol=1e-3)
    >>> v = config_verdict([a, a, b], "distance_to_equilibrium", 1e-3)
    >>> v.verdict, v.share_text()
    ('converged', 'converged 2/3, diverged 1/3')
    """
    verdicts = tuple(verdicts)
    if not verdicts:
        raise ConfigError("verdict: a configuration needs at least one run")
    counts = Counter(v.verdict for v in verdicts)
    most = max(counts.values())
    # ties go to the worse verdict (later in VERDICTS)
    chosen = [name for name in VERDICTS if counts.get(name) == most][-1]
    finals = np.array([v.final for v in verdicts], dtype=float)
    finals = finals[np.isfinite(finals)]
    q25, q50, q75 = (np.quantile(finals, [0.25, 0.5, 0.75]) if finals.size
                     else (math.nan,) * 3)
    trends = np.array([v.trend_factor for v in verdicts], dtype=float)
    trends = trends[np.isfinite(trends)]
    return ConfigVerdict(
        verdict=chosen,
        shares={name: counts.get(name, 0) / len(verdicts) for name in VERDICTS},
        runs=len(verdicts), metric=metric, tol=float(tol),
        final_median=float(q50), final_q25=float(q25), final_q75=float(q75),
        trend_median=float(np.median(trends)) if trends.size else math.nan,
        reason=next(v.reason for v in verdicts if v.verdict == chosen),
        per_run=verdicts,
    )


def choose_metric(columns: Iterable[str], stop_metric: str | None = None) -> str:
    """The verdict metric for a history with these columns.

    The stop metric the experiment set, when it is one of the columns, else
    the first of :data:`METRIC_PREFERENCE` present.

    Examples
    --------
    >>> choose_metric(["d_real", "discriminator_gap", "grad_norm"])
    'discriminator_gap'
    >>> choose_metric(["distance_to_equilibrium", "grad_norm"], "grad_norm")
    'grad_norm'
    """
    columns = list(columns)
    if stop_metric and stop_metric in columns:
        return stop_metric
    for name in METRIC_PREFERENCE:
        if name in columns:
            return name
    raise ConfigError(
        "verdict: the history has none of the metrics a verdict can use "
        f"({', '.join(METRIC_PREFERENCE)}); columns: {', '.join(columns)}"
    )


def default_tolerance(metric: str) -> float:
    """The tolerance of :data:`DEFAULT_TOLERANCES` for a metric.

    An ``_avg`` suffix (averaged iterate) is ignored; unknown metrics get
    ``1e-3``.

    >>> default_tolerance("nash_conv_relative_avg")
    0.01
    """
    base = metric.removesuffix("_avg")
    return DEFAULT_TOLERANCES.get(base, _FALLBACK_TOLERANCE)


def started_at_equilibrium(histories: pd.DataFrame) -> str | None:
    """The metric showing that every run starts at an equilibrium, or None.

    Every row at step 0 must have the first of :data:`START_METRICS` the
    history records at most the engine's threshold
    ``gamesim.engine.core.AT_EQUILIBRIUM`` (rounding at an exact
    equilibrium). Such runs have nothing to learn, whatever their verdict
    says.

    Parameters
    ----------
    histories : pandas.DataFrame
        History rows of one configuration's runs, with ``step``.

    Examples
    --------
    >>> rows = pd.DataFrame({"step": [0, 10, 0, 10],
    ...                      "distance_to_equilibrium": [1e-16, 0.0, 0.0, 1e-3]})
    >>> started_at_equilibrium(rows)
    'distance_to_equilibrium'
    >>> started_at_equilibrium(rows.assign(distance_to_equilibrium=0.1)) is None
    True
    """
    start = histories[histories["step"] == 0]
    return _all_at_equilibrium({
        name: start[name].to_numpy(dtype=float) for name in START_METRICS
        if name in start.columns and start[name].notna().any()})


def history_verdicts(histories: pd.DataFrame, runs: pd.DataFrame,
                     metric: str, tol: float, *, config_column: str = "config",
                     run_column: str = "seed") -> dict[str, ConfigVerdict]:
    """The verdict of every configuration of a comparison.

    Parameters
    ----------
    histories : pandas.DataFrame
        History rows with ``config_column``, ``run_column``, ``step`` and
        ``metric``.
    runs : pandas.DataFrame
        One row per run with ``config_column``, ``run_column`` and
        ``status``.
    metric : str
        The verdict metric.
    tol : float
        The tolerance.

    Returns
    -------
    dict
        Configuration id to :class:`ConfigVerdict`, in the order of ``runs``;
        its ``note`` says when every run started at an equilibrium
        (:func:`started_at_equilibrium`).
    """
    if metric not in histories.columns:
        raise ConfigError(f"verdict: the history has no column {metric!r}")
    grouped = {key: g for key, g in histories.groupby([config_column, run_column],
                                                      sort=False)}
    out: dict[str, ConfigVerdict] = {}
    for config, group in runs.groupby(config_column, sort=False):
        verdicts = []
        for _, row in group.iterrows():
            rows = grouped.get((config, row[run_column]))
            if rows is None:
                raise ConfigError(f"verdict: no history for configuration "
                                  f"{config} seed {row[run_column]}")
            rows = rows.sort_values("step")
            verdicts.append(run_verdict(rows["step"], rows[metric], tol,
                                        str(row["status"])))
        verdict = config_verdict(verdicts, metric, tol)
        at = started_at_equilibrium(histories[histories[config_column] == config])
        if at is not None:
            verdict = replace(verdict, note=AT_EQUILIBRIUM_NOTE.format(
                metric=at, limit=AT_EQUILIBRIUM))
        out[str(config)] = verdict
    return out
