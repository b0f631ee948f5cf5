"""The engine: validate, initialise, loop, check termination, assemble.

Runs advance together in one array with a leading run axis. Every run ends
with a named status:

``converged``
    the stop metric fell to ``tol`` or below;
``max_steps``
    the step budget ran out;
``diverged``
    the parameters' norm passed ``divergence`` times its scale (detected
    before overflow, so the history stays finite);
``nonfinite``
    a non-finite value appeared between two checks; the run keeps its last
    finite state;
``stopped``
    the callback asked to stop.

A run that stops is frozen at its final state while the others go on.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any, Callable, NamedTuple

import numpy as np
import pandas as pd

from gamesim.engine.players import Stepper, resolve_players, step_sizes
from gamesim.engine.schedule import Schedule, as_schedule
from gamesim.errors import ConfigError
from gamesim.games.base import as_batch
from gamesim.rules.base import Oracle

logger = logging.getLogger(__name__)

STATUSES = ("converged", "max_steps", "diverged", "nonfinite", "stopped")
AVERAGES = (None, "uniform", "ema")


class Progress(NamedTuple):
    """What the callback sees at each recorded step."""

    step: int
    steps: int
    active: int
    runs: int
    metrics: dict


@dataclass
class RunResult:
    """The outcome of :func:`simulate` for a batch of runs.

    Attributes
    ----------
    z : ndarray, shape (B, n)
        Final joint parameters of each run (its last finite state).
    average : ndarray or None
        The averaged iterate (uniform or exponential), if requested.
    status : ndarray of str, shape (B,)
        One of ``converged``, ``max_steps``, ``diverged``, ``nonfinite``,
        ``stopped`` per run.
    steps : ndarray of int, shape (B,)
        Steps taken by each run.
    evaluations : ndarray of int, shape (B,)
        Field evaluations spent by each run.
    history : pandas.DataFrame
        One row per run and recorded step: ``run``, ``seed``, ``step``, then
        one column per metric (``*_avg`` for the averaged iterate) and, for
        small games, the parameters.
    final : pandas.DataFrame
        One row per run: ``run``, ``seed``, ``status``, ``steps``,
        ``evaluations`` and the final value of every metric.
    """

    game: Any
    players: tuple
    schedule: Schedule
    seeds: np.ndarray
    z0: np.ndarray
    z: np.ndarray
    average: np.ndarray | None
    status: np.ndarray
    steps: np.ndarray
    evaluations: np.ndarray
    history: pd.DataFrame
    final: pd.DataFrame
    stop_metric: str | None
    tol: float | None
    wall_time: float
    extras: dict = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """Number of runs in the batch."""
        return self.z.shape[0]

    def params(self, player, run: int = 0, averaged: bool = False) -> np.ndarray:
        """Final parameters of one player (by name or index) in one run."""
        from gamesim.engine.players import player_index

        i = player_index(self.game, player)
        source = self.average if averaged else self.z
        if source is None:
            raise ConfigError("no averaged iterate: run simulate with average=...")
        return source[run, self.game.slices[i]].copy()

    def to_dict(self, run: int = 0) -> dict:
        """A JSON-ready summary of one run (what ``gamesim run --json`` prints)."""
        row = self.final.iloc[run]
        metric_cols = [c for c in self.final.columns
                       if c not in ("run", "seed", "status", "steps", "evaluations")]
        out = {
            "game": self.game.name,
            "rules": {p.name: p.rule.spec() for p in self.players},
            "schedule": self.schedule.describe(),
            "seed": int(self.seeds[run]),
            "status": str(self.status[run]),
            "steps": int(self.steps[run]),
            "evaluations": int(self.evaluations[run]),
            "metrics": {c: _json_float(row[c]) for c in metric_cols},
            "params": {
                p.name: [float(v) for v in self.z[run, self.game.slices[p.index]]]
                for p in self.players
            },
        }
        if self.average is not None:
            out["average"] = {
                p.name: [float(v) for v in self.average[run, self.game.slices[p.index]]]
                for p in self.players
            }
        return out


def _json_float(v):
    v = float(v)
    return v if math.isfinite(v) else str(v)


def _as_game(game):
    """Accept a game or its spec string."""
    from gamesim.games.base import Game

    if isinstance(game, str):
        from gamesim.registry import make_game

        return make_game(game)
    if not isinstance(game, Game):
        raise ConfigError(f"game must be a Game or a game spec string, got "
                          f"{type(game).__name__}")
    return game


def _check_int(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise ConfigError(f"{name} must be >= {low}, got {value}")
    return int(value)


def _seeds(seed, batch, seeds) -> np.ndarray:
    if seeds is not None:
        arr = np.asarray(seeds)
        if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
            raise ConfigError(
                f"seeds must be a non-empty list of integers, got {seeds!r}")
        if np.any(arr < 0):
            raise ConfigError(f"seeds must be integers >= 0, got {seeds!r}")
        return arr.astype(np.int64)
    seed = _check_int("seed", seed, low=0)
    batch = 1 if batch is None else _check_int("batch", batch)
    return seed + np.arange(batch, dtype=np.int64)


class _RunGenerators(Sequence):
    """One generator per run for one stream, created on first use.

    Stream ``k`` of run ``i`` is child ``k`` of ``SeedSequence(seeds[i])``
    (what ``SeedSequence(seed).spawn(3)[k]`` gives). Building thousands of
    generators costs tens of milliseconds, so batches that never draw a
    random number (deterministic games and rules) never build them.
    """

    def __init__(self, seeds: np.ndarray, stream: int):
        self._seeds = seeds
        self._stream = stream
        self._generators = None

    def _built(self) -> list:
        if self._generators is None:
            self._generators = [
                np.random.default_rng(
                    np.random.SeedSequence(int(s), spawn_key=(self._stream,)))
                for s in self._seeds
            ]
        return self._generators

    def __getitem__(self, i):
        return self._built()[i]

    def __iter__(self):
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._seeds)


def _streams(seeds: np.ndarray):
    """Per-run generators: (initial point, game noise, rule randomness)."""
    return [_RunGenerators(seeds, k) for k in range(3)]


def _rows_of(z0) -> int | None:
    """The number of initial points in a 2-D ``z0``; None otherwise (a
    single point, or a ragged array that :func:`_initial_points` rejects)."""
    try:
        shape = np.shape(z0)
    except (ValueError, AttributeError):
        return None
    return shape[0] if len(shape) == 2 and shape[0] > 1 else None


def _initial_points(game, z0, init_noise, batch, init_rngs):
    if z0 is None:
        base = np.asarray(game.initial_point(), dtype=float)
        z = np.repeat(base[None, :], batch, axis=0)
    else:
        z = as_batch(z0, game.n)
        if z.shape[0] == 1:
            z = np.repeat(z, batch, axis=0)
        elif z.shape[0] != batch:
            raise ConfigError(
                f"z0 holds {z.shape[0]} initial points for {batch} runs"
            )
        z = z.copy()
    if not np.all(np.isfinite(z)):
        raise ConfigError("initial point has non-finite entries")
    if init_noise:
        if not (math.isfinite(init_noise) and init_noise > 0):
            raise ConfigError(f"init_noise must be finite and >= 0, got {init_noise}")
        z = z + init_noise * np.stack([r.standard_normal(game.n) for r in init_rngs])
    return game.project(z) if game.constrained else z


def default_stop_metric(game, averaging: str | None) -> str:
    """The metric compared with ``tol`` when none is named."""
    name = getattr(game, "default_stop_metric", None)
    if name is None:
        known = game.equilibria() is not None
        name = "distance_to_equilibrium" if known else "grad_norm"
    if averaging == "uniform" and name.startswith("nash_conv"):
        return name + "_avg"
    return name


def simulate(game, rules, steps: int, *, seed: int = 0, batch: int | None = None,
             seeds=None, z0=None, init_noise: float = 0.0, lr=None,
             schedule="simultaneous", record_every: int | None = None,
             check_every: int | None = None, tol: float | None = None,
             stop_metric: str | None = None, average: str | None = "auto",
             ema_decay: float = 0.99, divergence: float = 1e6,
             record_params: bool | None = None,
             callback: Callable[[Progress], Any] | None = None) -> RunResult:
    """Run update rules against each other on a game.

    Parameters
    ----------
    game : Game or str
        The game (see :mod:`gamesim.games`) or its spec (``"bilinear:n=5"``).
    rules : UpdateRule, pair of rules, dict, str or list of str
        One rule for both players, or ``{player: rule}`` (names such as
        ``"generator"``/``"discriminator"`` or ``"row"``/``"column"``), or
        rule specs as on the command line (``"ogda:lr=0.1"``,
        ``["generator=adam:lr=0.01", "discriminator=gda:lr=0.1"]``); a
        schedule given in a spec applies unless ``schedule`` is set.
    steps : int
        Maximum number of steps.
    seed : int
        Seed of the first run; run ``i`` of a batch uses ``seed + i`` so that a
        batch gives the same numbers as its runs one by one.
    batch : int, optional
        Number of runs (default 1, ``len(seeds)``, or the number of rows of
        ``z0`` when it holds one initial point per run).
    seeds : sequence of int, optional
        Explicit per-run seeds (instead of ``seed`` and ``batch``).
    z0 : array_like, optional
        Initial point ``(n,)`` or one per run ``(B, n)``; default the game's.
    init_noise : float
        Standard deviation of Gaussian noise added to ``z0`` per run, drawn
        from the run's seed.
    lr : float, tuple, or array, optional
        Step sizes overriding the rules' own: scalar, a tuple
        ``(lr_x, lr_y)`` (two time-scales), a list or array of one per run
        ``(B,)``, or an array ``(B, 2)``.
    schedule : str or Schedule
        ``"simultaneous"`` (default), ``"alternating"`` or a
        :class:`Schedule`.
    record_every : int, optional
        Record the metrics every this many steps (default ``steps // 1000``,
        or ``steps // game.default_records`` for games whose metrics are
        costly, such as the GAN; at least 1). The final state of every run
        is always recorded.
    check_every : int, optional
        Steps between checks for divergence and the tolerance (default
        ``min(record_every, 10)``; ``min(record_every, 1000)`` without
        ``tol`` on a game whose strategies stay on simplices, where no run
        can diverge: a rule with a compiled loop then runs long chunks).
    tol : float, optional
        Stop a run when ``stop_metric <= tol`` (status ``converged``).
    stop_metric : str, optional
        Metric compared with ``tol`` (default: distance to the equilibrium
        when known, NashConv for matrix games, else the gradient norm).
    average : {"auto", None, "uniform", "ema"}
        Also track the averaged iterate; ``"auto"`` follows the rule (uniform
        for fictitious play, none otherwise).
    ema_decay : float
        Decay of the exponential moving average.
    divergence : float
        A run diverges when ``||z|| > divergence * max(1, ||z0||)``.
    record_params : bool, optional
        Put the parameters in the history (default: when ``n <= 12``).
    callback : callable, optional
        Called with a :class:`Progress` at every record; returning ``True``
        or raising ``StopIteration`` stops the active runs (``stopped``).

    Returns
    -------
    RunResult

    Examples
    --------
    >>> from gamesim import make_game, make_rule, simulate
    >>> res = simulate(make_game("bilinear"), make_rule("eg:lr=0.1"), steps=1000)
    >>> str(res.status[0]), round(float(res.final["distance_to_equilibrium"][0]), 8)
    ('max_steps', 0.00977339)
    """
    started = time.perf_counter()

    # -- validate -------------------------------------------------------------
    steps = _check_int("steps", steps)
    game = _as_game(game)
    if isinstance(rules, str) or (isinstance(rules, (list, tuple))
                                  and rules and isinstance(rules[0], str)):
        from gamesim.engine.setup import parse_rule_specs

        rules, spec_schedule = parse_rule_specs(game, rules)
        if schedule == "simultaneous":
            schedule = spec_schedule
    schedule = as_schedule(schedule)
    players = resolve_players(game, rules)
    if batch is None and seeds is None and z0 is not None:
        batch = _rows_of(z0)  # one run per initial point
    seed_arr = _seeds(seed, batch, seeds)
    B = seed_arr.size
    records = getattr(game, "default_records", 1000)
    record_every = max(1, steps // records) if record_every is None else _check_int(
        "record_every", record_every)
    if check_every is None:
        check_every = min(record_every, _default_check_every(game, tol))
    else:
        check_every = _check_int("check_every", check_every)
    if tol is not None and not (math.isfinite(tol) and tol >= 0):
        raise ConfigError(f"tol must be finite and >= 0, got {tol}")
    if not (math.isfinite(divergence) and divergence > 1):
        raise ConfigError(f"divergence must be a finite number > 1, got {divergence}")
    if average == "auto":
        modes = {p.rule.averaging for p in players} - {None}
        average = modes.pop() if len(modes) == 1 else None
    if average not in AVERAGES:
        raise ConfigError(
            f"average must be one of None, 'uniform', 'ema', got {average!r}")
    if not 0 < ema_decay < 1:
        raise ConfigError(f"ema_decay must lie in (0, 1), got {ema_decay}")
    lr_arr = step_sizes(game, players, lr, B)
    if record_params is None:
        record_params = game.n <= 12

    # -- initialise -------------------------------------------------------------
    init_rngs, noise_rngs, rule_rngs = _streams(seed_arr)
    z = _initial_points(game, z0, init_noise, B, init_rngs)
    z_start = z.copy()
    noise = noise_rngs if game.stochastic else None
    oracle = Oracle(game, noise, rule_rngs)
    stepper = Stepper(game, players, schedule, lr_arr, oracle)
    state = stepper.init(z)
    if tol is not None:
        stop_metric = stop_metric or default_stop_metric(game, average)
    elif stop_metric is not None:
        logger.info("stop_metric %s ignored: no tol given", stop_metric)

    scale = divergence * np.maximum(1.0, np.linalg.norm(z, axis=1))
    status = np.full(B, "", dtype=object)
    stop_at = np.full(B, steps, dtype=np.int64)
    active = np.ones(B, dtype=bool)
    avg_sum = z.copy() if average == "uniform" else None
    ema = z.copy() if average == "ema" else None
    frozen_avg = None
    records: list[tuple[np.ndarray, int, dict, np.ndarray, np.ndarray | None]] = []
    last_recorded = np.full(B, -1, dtype=np.int64)

    def averaged(t):
        if avg_sum is not None:
            return avg_sum / (t + 1)
        return ema

    def avg_iter(t):
        return averaged(t) if average else None

    def record(rows: np.ndarray, t: int):
        if rows.size == 0:
            return
        zz = z[rows]
        aa = None if not average else averaged(t)[rows]
        if frozen_avg is not None and aa is not None:
            done = ~active[rows]
            aa[done] = frozen_avg[rows][done]
        values = _metrics(game, zz, aa)
        if stepper.state_metrics is not None:
            with np.errstate(all="ignore"):
                extra = stepper.state_metrics(state, oracle)
            for k, v in extra.items():
                values[k] = np.asarray(v, dtype=float)[rows]
        records.append((rows, t, values, zz.copy() if record_params
                        else None))
        last_recorded[rows] = t

    def stop(mask: np.ndarray, name: str, t: int):
        nonlocal frozen_avg, everyone_active
        everyone_active = False
        status[mask] = name
        stop_at[mask] = t
        active[mask] = False
        frozen_z[mask] = z[mask]
        if average:
            if frozen_avg is None:
                frozen_avg = np.array(averaged(t), copy=True)
            frozen_avg[mask] = averaged(t)[mask]

    everyone_active = True
    frozen_z = z.copy()
    last_good = z.copy()
    last_good_t = 0
    logger.info("simulate %s: %d run(s), %d steps, rules %s", game.name, B, steps,
                ", ".join(f"{p.name}={p.rule.spec()}" for p in players))
    record(np.arange(B), 0)
    _warn_if_started_at_equilibrium(game, records[0][2])
    if tol is None and stop_metric is not None:
        # nothing to stop without tol, but a wrong name is still an error,
        # the same one as with tol (checked on the first run)
        avg0 = avg_iter(0)
        _stop_values(game, z[:1], None if avg0 is None else avg0[:1], stop_metric)
    if tol is not None:
        first = _stop_values(game, z, avg_iter(0), stop_metric)
        hit = first <= tol
        if hit.any():
            stop(hit, "converged", 0)

    # -- loop -----------------------------------------------------------------
    t = 0
    next_record = record_every
    advance = stepper.advance
    all_runs = np.arange(B)
    # Without a tolerance a check looks only for non-finite and diverging
    # runs; while every run is active and the whole batch lies well inside
    # the divergence bound, one sum of squares settles it.
    quick_checks = tol is None
    quick_bound = _squared_bound(0.5 * float(scale.min()))
    with np.errstate(all="ignore"):
        while t < steps and active.any():
            chunk = min(check_every, steps - t, next_record - t)
            if ema is None:
                z, state = advance(z, state, chunk, avg_sum)
            else:
                for _ in range(chunk):
                    z, state = stepper.step(z, state)
                    ema *= ema_decay
                    ema += (1.0 - ema_decay) * z
            t += chunk

            # termination checks, per run
            if everyone_active and quick_checks and _well_inside(
                    z, avg_sum if avg_sum is not None else ema, quick_bound):
                # nothing to stop or restore; steps return new arrays, so
                # keeping a reference to this state is as good as a copy
                last_good = z
                last_good_t = t
                just_stopped = _NO_RUNS
            else:
                norms = np.linalg.norm(z, axis=1)
                finite = np.isfinite(norms)
                if average:
                    finite &= np.all(np.isfinite(averaged(t)), axis=1)
                bad = active & ~finite
                if bad.any():
                    z[bad] = last_good[bad]
                    stop(bad, "nonfinite", last_good_t)
                    logger.info("%d run(s) became non-finite near step %d",
                                bad.sum(), t)
                div = active & (norms > scale)
                if div.any():
                    stop(div, "diverged", t)
                    logger.info("%d run(s) diverged by step %d", div.sum(), t)
                if tol is not None and active.any():
                    # only the active runs: a stopped run's state may have
                    # drifted to huge values since its last check
                    rows = np.flatnonzero(active)
                    avg_now = avg_iter(t)
                    values = _stop_values(game, z[rows], None if avg_now is None
                                          else avg_now[rows], stop_metric)
                    hit = np.zeros(B, dtype=bool)
                    hit[rows] = values <= tol
                    if hit.any():
                        stop(hit, "converged", t)
                done = ~active
                z[done] = frozen_z[done]
                last_good = np.where(active[:, None], z, last_good)
                last_good_t = t
                just_stopped = np.flatnonzero(done & (last_recorded < stop_at))

            # records and the callback
            if (t >= next_record or t >= steps) and everyone_active:
                record(all_runs, t)
                next_record = t + record_every
                if callback is not None:
                    if _ask_callback(callback, Progress(
                            t, steps, B, B, records[-1][2])):
                        stop(active.copy(), "stopped", t)
            elif t >= next_record or t >= steps:
                rows = np.union1d(np.flatnonzero(active), just_stopped)
                record_times = stop_at[rows]
                for when in np.unique(np.minimum(record_times, t)):
                    sel = rows[np.minimum(record_times, t) == when]
                    record(sel, int(when) if when < t else t)
                next_record = t + record_every
                if callback is not None and active.any():
                    if _ask_callback(callback, Progress(
                            t, steps, int(active.sum()), B, records[-1][2])):
                        stop(active.copy(), "stopped", t)
            elif just_stopped.size:
                for when in np.unique(stop_at[just_stopped]):
                    record(just_stopped[stop_at[just_stopped] == when], int(when))

    status[active] = "max_steps"
    stop_at[active] = t
    leftover = np.flatnonzero(last_recorded < stop_at)
    for when in np.unique(stop_at[leftover]):
        record(leftover[stop_at[leftover] == when], int(when))

    # -- assemble -------------------------------------------------------------
    avg_final = None
    if average:
        avg_final = np.array(averaged(t), copy=True)
        if frozen_avg is not None:
            stopped_runs = status != "max_steps"
            avg_final[stopped_runs] = frozen_avg[stopped_runs]
    history = _history(game, records, seed_arr, record_params)
    final_metrics = _metrics(game, z, avg_final)
    if stepper.state_metrics is not None:
        with np.errstate(all="ignore"):
            extra = stepper.state_metrics(state, oracle)
        final_metrics.update({k: np.asarray(v, dtype=float) for k, v in extra.items()})
    extras = {} if stepper.extras is None else stepper.extras(state, game)
    final = pd.DataFrame({
        "run": np.arange(B), "seed": seed_arr, "status": status.astype(str),
        "steps": stop_at, "evaluations": stop_at * stepper.evaluations,
        **final_metrics,
    })
    wall_time = time.perf_counter() - started
    counts = dict(zip(*np.unique(status.astype(str), return_counts=True)))
    logger.info("simulate %s done: %s; steps %d to %d; %.3g s", game.name,
                ", ".join(f"{k} x{v}" for k, v in counts.items()),
                stop_at.min(), stop_at.max(), wall_time)
    return RunResult(
        game=game, players=players, schedule=schedule, seeds=seed_arr, z0=z_start,
        z=z, average=avg_final, status=status.astype(str), steps=stop_at,
        evaluations=stop_at * stepper.evaluations, history=history, final=final,
        stop_metric=stop_metric, tol=tol, wall_time=wall_time, extras=extras,
    )


#: a run whose distance to the equilibrium (or NashConv) at step 0 is at most
#: this starts at the equilibrium. The value is ours: rounding of those metrics
#: at an exact equilibrium is ~1e-16 (the uniform strategy of matching pennies
#: or rock-paper-scissors), and a tolerance a user sets is far above 1e-12.
AT_EQUILIBRIUM = 1e-12


#: games already warned about in this process (a sweep calls simulate once
#: per task: one warning per game is enough)
_WARNED_AT_EQUILIBRIUM: set[str] = set()


#: metrics read at step 0 to tell that runs start at an equilibrium (the
#: first one present decides)
START_METRICS = ("distance_to_equilibrium", "nash_conv")


def started_at_equilibrium(values) -> str | None:
    """The metric by which every run starts at an equilibrium, or None.

    ``values`` maps metric names to each run's value at step 0; the first of
    :data:`START_METRICS` present must be at most :data:`AT_EQUILIBRIUM` for
    every run (NaN is not).
    """
    for name in START_METRICS:
        if name in values:
            v = np.asarray(values[name], dtype=float)
            return name if v.size and np.all(v <= AT_EQUILIBRIUM) else None
    return None


def _warn_if_started_at_equilibrium(game, values: dict) -> None:
    """Log one warning when every run starts at an equilibrium (once per game
    and process; later runs log it at INFO).

    Such runs have nothing to converge to: a tolerance stops them at step 0
    and a comparison of rules learns nothing from them.
    """
    name = started_at_equilibrium(values)
    if name is None:
        return
    key = game.describe() if hasattr(game, "describe") else game.name
    level = logging.INFO if key in _WARNED_AT_EQUILIBRIUM else logging.WARNING
    _WARNED_AT_EQUILIBRIUM.add(key)
    logger.log(
        level, "every run of %s starts at an equilibrium (%s <= %g at step 0): "
        "nothing to learn; give another initial point (z0, --z0) or "
        "init_noise > 0 (--init-noise)", game.name, name, AT_EQUILIBRIUM)


_NO_RUNS = np.zeros(0, dtype=np.int64)


#: steps between checks: the default, and on simplices without a tolerance
CHECK_EVERY = 10
CHECK_EVERY_ON_SIMPLICES = 1000


def _default_check_every(game, tol: float | None) -> int:
    """Steps between checks when the caller gives none.

    A tolerance is checked every ``CHECK_EVERY`` steps (the step a run
    converges at is known to that precision), as are divergence and
    non-finite values on unconstrained games. Strategies on simplices stay
    bounded, so without a tolerance the checks can be rarer.
    """
    if tol is None and getattr(game, "simplex", False):
        return CHECK_EVERY_ON_SIMPLICES
    return CHECK_EVERY


def _well_inside(z: np.ndarray, average: np.ndarray | None, bound: float) -> bool:
    """Whether every run is finite with ``||z||^2 <= bound`` (one reduction).

    The sum of squares over the whole batch bounds each run's; NaN and
    infinity make it fail, and so does overflow, which only sends the
    caller to the exact per-run checks.
    """
    total = float(np.vdot(z, z))
    if not (math.isfinite(total) and total <= bound):
        return False
    return average is None or math.isfinite(float(np.vdot(average, average)))


def _squared_bound(radius: float) -> float:
    """``radius ** 2``, or infinity when that overflows."""
    return radius * radius if radius < 1e150 else math.inf


def _ask_callback(callback, progress) -> bool:
    try:
        return bool(callback(progress))
    except StopIteration:
        return True


def _metrics(game, z, avg) -> dict:
    # a finite but huge state may overflow a metric: the value (inf) is the
    # truthful answer, and the warning would only be noise
    with np.errstate(all="ignore"):
        out = {k: np.asarray(v, dtype=float) for k, v in game.metrics(z).items()}
        if avg is not None:
            for k, v in game.metrics(avg).items():
                out[k + "_avg"] = np.asarray(v, dtype=float)
    return out


def _stop_values(game, z, avg, name) -> np.ndarray:
    base = name[:-4] if name.endswith("_avg") else name
    source = avg if name.endswith("_avg") else z
    if source is None:
        raise ConfigError(f"stop metric {name!r} needs averaging (average='uniform')")
    with np.errstate(all="ignore"):
        values = game.metrics(source)
    if base not in values:
        known = list(values)
        if avg is not None:
            known += [k + "_avg" for k in values]
        raise ConfigError(
            f"unknown stop metric {name!r} for game {game.name!r} "
            f"(known: {', '.join(known)})"
        )
    v = np.asarray(values[base], dtype=float)
    return np.where(np.isfinite(v), v, np.inf)


def _history(game, records, seeds, record_params) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(columns=["run", "seed", "step"])
    runs = np.concatenate([r[0] for r in records])
    steps = np.concatenate([np.full(r[0].size, r[1]) for r in records])
    names = list(records[0][2])
    blocks = []
    for rows, _, values, params in records:
        block = [values[name] for name in names]
        if record_params:
            block.append(params)
        blocks.append(np.column_stack(block))
    if record_params:
        names += game.param_names()

    # rows sorted by run, then step (stably: records come in time order);
    # the float columns are sorted as one array and become one block
    order = np.lexsort((steps, runs))
    frame = pd.DataFrame(np.concatenate(blocks)[order], columns=names, copy=False)
    runs = runs[order]
    frame.insert(0, "step", steps[order])
    frame.insert(0, "seed", seeds[runs])
    frame.insert(0, "run", runs)
    return frame
