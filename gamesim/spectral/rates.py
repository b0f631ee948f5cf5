"""Predicted against measured: the empirical rate of a run.

Near a fixed point a linear iteration shrinks its error like ``C rho^t``, so
``log distance_to_equilibrium`` is asymptotically a straight line of slope
``log rho`` in the step ``t``. :func:`fit_rate` fits that line by least
squares on the *tail* of a run's history (the last half of the recorded
steps by default, after the faster modes have died out), ignoring values
below a floor where rounding takes over. :func:`compare_rates` then measures
the agreement with a predicted spectral radius as a relative error in log
rate, ``|log rho_measured - log rho_predicted| / |log rho_predicted|``.

Caveat: when the dominant eigenvalues of the update are complex and the
operator is not normal (optimistic GDA, momentum), the distance oscillates
around the straight line; the fit averages the oscillation out over a tail
of many periods, so a long run gives an accurate rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gamesim.errors import ConfigError
from gamesim.spectral.spectrum import EPS

#: smallest value kept in a fit when the equilibrium is at the origin
TINY = 1e-280


@dataclass(frozen=True)
class RateFit:
    """A log-linear fit ``log metric ~ a + t log rate`` on a run's tail.

    Attributes
    ----------
    rate : float
        ``exp(slope)``: the measured factor per engine step.
    log_rate : float
        The slope.
    metric : str
        The column fitted.
    first_step, last_step : int
        The steps fitted.
    points : int
        Number of recorded steps fitted.
    rms_residual : float
        Root-mean-square residual of the fit, in natural log units.
    """

    rate: float
    log_rate: float
    metric: str
    first_step: int
    last_step: int
    points: int
    rms_residual: float


@dataclass(frozen=True)
class RateComparison:
    """A predicted spectral radius against a measured rate.

    Attributes
    ----------
    predicted : float
        The spectral radius of the linearised step.
    measured : RateFit
        The fit on the run.
    relative_error : float
        ``|log measured - log predicted| / |log predicted|``.
    """

    predicted: float
    measured: RateFit
    relative_error: float

    def agrees(self, tolerance: float = 0.01) -> bool:
        """Whether the relative error in log rate is at most ``tolerance``."""
        return bool(self.relative_error <= tolerance)


def fit_rate(result, metric: str = "distance_to_equilibrium", run: int = 0,
             tail: float = 0.5, floor: float | None = None) -> RateFit:
    """Fit the empirical linear rate of one run.

    Parameters
    ----------
    result : RunResult or pandas.DataFrame
        A result of :func:`gamesim.engine.simulate` or its ``history``.
    metric : str
        The history column to fit (positive, decaying like ``rho^t``).
    run : int
        Which run of the batch.
    tail : float
        Fraction (0, 1] of the usable recorded steps, counted from the end,
        to fit.
    floor : float, optional
        Values at or below it are dropped (rounding floor). Default: ``100
        eps`` times the size of the game's equilibrium (distances below it
        are rounding noise), at least ``1e-280``.

    Returns
    -------
    RateFit

    Examples
    --------
    >>> from gamesim import make_game, make_rule, simulate
    >>> res = simulate(make_game("bilinear"), make_rule("pp:lr=0.5"), steps=200)
    >>> round(fit_rate(res).rate, 9)  # 1 / sqrt(1 + 0.25), reference A
    0.894427191
    """
    history = getattr(result, "history", result)
    if not isinstance(history, pd.DataFrame):
        raise ConfigError("fit_rate needs a RunResult or its history DataFrame")
    if metric not in history.columns:
        raise ConfigError(f"the history has no column {metric!r} "
                          f"(columns: {', '.join(map(str, history.columns))})")
    if not 0 < tail <= 1:
        raise ConfigError(f"tail must lie in (0, 1], got {tail}")
    if floor is None:
        floor = _default_floor(getattr(result, "game", None))
    rows = history[history["run"] == run] if "run" in history.columns else history
    steps = rows["step"].to_numpy(dtype=float)
    values = rows[metric].to_numpy(dtype=float)
    keep = np.isfinite(values) & (values > floor)
    steps, values = steps[keep], values[keep]
    if steps.size < 3:
        raise ConfigError(f"run {run}: fewer than 3 recorded values of {metric} "
                          f"above {floor:.3g} to fit a rate")
    start = steps[0] + (1.0 - tail) * (steps[-1] - steps[0])
    mask = steps >= start
    if mask.sum() < 3:
        mask[-3:] = True
    t, y = steps[mask], np.log(values[mask])
    slope, intercept = np.polyfit(t, y, 1)
    residual = y - (intercept + slope * t)
    return RateFit(
        rate=float(math.exp(slope)), log_rate=float(slope), metric=metric,
        first_step=int(t[0]), last_step=int(t[-1]), points=int(t.size),
        rms_residual=float(np.sqrt(np.mean(residual**2))),
    )


def _default_floor(game) -> float:
    if game is None:
        return TINY
    eq = game.equilibria()
    size = 0.0 if eq is None else float(np.max(np.abs(eq), initial=0.0))
    return max(TINY, 100.0 * EPS * size)


def log_rate_error(predicted: float, measured: float) -> float:
    """``|log measured - log predicted| / |log predicted|``."""
    if not (predicted > 0 and measured > 0):
        raise ConfigError(f"rates must be > 0, got predicted {predicted} and "
                          f"measured {measured}")
    if predicted == 1.0:
        raise ConfigError("a predicted rate of exactly 1 has no relative log error")
    return abs(math.log(measured) - math.log(predicted)) / abs(math.log(predicted))


def compare_rates(predicted, result, **fit_options) -> RateComparison:
    """Compare a predicted spectral radius with the rate measured on a run.

    Parameters
    ----------
    predicted : float or SpectralReport
        The predicted rate per engine step (a report's ``spectral_radius``).
    result : RunResult or pandas.DataFrame
        The run (see :func:`fit_rate`).
    **fit_options
        Passed to :func:`fit_rate` (``metric``, ``run``, ``tail``, ``floor``).
    """
    rho = float(getattr(predicted, "spectral_radius", predicted))
    fit = fit_rate(result, **fit_options)
    return RateComparison(rho, fit, log_rate_error(rho, fit.rate))


def predicted_vs_measured(game, rules, steps: int, schedule="simultaneous",
                          z0=None, tail: float = 0.5, **simulate_options):
    """Analyse, run, fit and compare in one call.

    Parameters
    ----------
    game, rules, schedule
        As for :func:`gamesim.spectral.analyze` and
        :func:`gamesim.engine.simulate`.
    steps : int
        Length of the run.
    z0 : array_like, optional
        Initial point (default the game's).
    tail : float
        Fraction of the run fitted.
    **simulate_options
        Passed to :func:`gamesim.engine.simulate` (``record_every``, ...).

    Returns
    -------
    (SpectralReport, RunResult, RateComparison)
    """
    from gamesim.engine import simulate
    from gamesim.spectral.analysis import analyze

    report = analyze(game, rules, schedule, step_scan=False)
    result = simulate(game, rules, steps, schedule=schedule, z0=z0, **simulate_options)
    return report, result, compare_rates(report, result, tail=tail)
