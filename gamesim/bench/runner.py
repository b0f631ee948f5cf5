"""Running the suite: which rules apply to which game, then one comparison per game.

For every game of the suite and every rule name, :func:`applicability`
builds each concrete configuration (the rule at each step size of the
game's grid) and takes one engine step with it. A configuration whose game
or rule raises :class:`NotImplementedError` or
:class:`~gamesim.errors.ConfigError` (a learning rule on a differentiable
game, a joint rule with two step sizes) is recorded as *not applicable*
with the error's message; any other exception is a bug and propagates.
The configurations that apply then run through
:func:`gamesim.compare.compare`, one comparison per game (each game has its
own budget, tolerance and metric), all on one executor.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NamedTuple

import pandas as pd

from gamesim.bench.suite import (
    STEP_SIZE_FREE_ON_MATRIX,
    BenchGame,
    Suite,
    resolve_specs,
)
from gamesim.compare.executors import SweepInterrupted
from gamesim.errors import ConfigError, GamesimError

logger = logging.getLogger(__name__)

#: values of the ``availability`` column of the applicability table
RUN, NOT_APPLICABLE, SKIPPED, ERROR = "run", "not applicable", "skipped", "error"

#: columns of the applicability table, in order
APPLICABILITY_COLUMNS = ("game", "rule", "rule_spec", "availability", "reason")


class BenchProgress(NamedTuple):
    """What the progress callback of :func:`run_suite` receives.

    Attributes
    ----------
    game : str
        Key of the game being run.
    games_done, games_total : int
        Games finished so far and in the suite.
    tasks_done, tasks_total : int
        Tasks of the current game's comparison finished and in total.
    elapsed : float
        Seconds since the suite started.
    """

    game: str
    games_done: int
    games_total: int
    tasks_done: int
    tasks_total: int
    elapsed: float


@dataclass
class BenchResult:
    """The outcome of :func:`run_suite`.

    Attributes
    ----------
    suite : Suite
        What ran.
    runs : pandas.DataFrame
        Every run: ``bench_game`` (the game's key), then the columns of a
        comparison's runs table (:mod:`gamesim.compare`).
    histories : pandas.DataFrame
        Recorded steps of every run: ``bench_game``, then a comparison's
        history columns.
    applicability : pandas.DataFrame
        One row per game and configuration tried: ``game``, ``rule``,
        ``rule_spec``, ``availability`` (``run``, ``not applicable``,
        ``skipped``) and ``reason``.
    leaderboard : pandas.DataFrame
        One row per game and rule (:func:`gamesim.bench.leaderboard.leaderboard`).
    specs : dict
        Game key to the game spec that ran.
    rules : list of str
        The rule names tried.
    wall_time : float
        Seconds the whole suite took.
    started, finished : str
        UTC times (ISO 8601).
    executor : str
        Where the comparisons ran.
    """

    suite: Suite
    runs: pd.DataFrame
    histories: pd.DataFrame
    applicability: pd.DataFrame
    leaderboard: pd.DataFrame
    specs: dict
    rules: list
    wall_time: float
    started: str
    finished: str
    executor: str = "local"
    out: Path | None = field(default=None)


def rule_spec(name: str, lr: float | None, lr_d: float | None = None) -> str:
    """The spec of rule ``name`` at step size ``lr`` (and ``lr_d``).

    Examples
    --------
    >>> rule_spec("ogda", 0.1), rule_spec("gda", 0.3, 0.6), rule_spec("rm", None)
    ('ogda:lr=0.1', 'gda:lr=0.3,lr_d=0.6', 'rm')
    """
    if lr is None:
        return name
    text = f"{name}:lr={float(lr)!r}"
    return text if lr_d is None else f"{text},lr_d={float(lr_d)!r}"


def candidate_specs(s: Suite, game: BenchGame, name: str) -> list[str]:
    """The configurations of rule ``name`` on ``game`` (its step-size grid)."""
    if game.kind == "matrix" and name in STEP_SIZE_FREE_ON_MATRIX:
        return [rule_spec(name, None)]
    return [rule_spec(name, lr, lr_d) for lr, lr_d in s.step_sizes(game)]


def check_configuration(game_obj, game: BenchGame, spec: str) -> str | None:
    """Take one step of ``spec`` on the game; the reason it cannot run, or None."""
    from gamesim.engine import parse_rule_specs, simulate

    try:
        rules, schedule = parse_rule_specs(game_obj, [spec])
        simulate(game_obj, rules, 1, seeds=[0], schedule=schedule,
                 init_noise=game.init_noise, average=game.average, tol=game.tol,
                 stop_metric=game.metric, record_every=1)
    except (NotImplementedError, ConfigError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def applicability(s: Suite, specs: dict, rules: list[str]) -> pd.DataFrame:
    """Which configurations of which rules run on which game (see module doc)."""
    from gamesim.registry import make_game

    rows = []
    for game in s.games:
        game_obj = make_game(specs[game.key])
        _check_metric(game, game_obj)
        skipped = s.skipped(game)
        for name in rules:
            for spec in candidate_specs(s, game, name):
                if name in skipped:
                    rows.append((game.key, name, spec, SKIPPED,
                                 "quick mode: one step costs tens of field "
                                 "evaluations on this game (run --full)"))
                    continue
                reason = check_configuration(game_obj, game, spec)
                rows.append((game.key, name, spec, RUN if reason is None
                             else NOT_APPLICABLE, reason or ""))
    return pd.DataFrame(rows, columns=list(APPLICABILITY_COLUMNS))


def _check_metric(game: BenchGame, game_obj) -> None:
    names = game_obj.metric_names()
    if game.metric not in names:
        raise ConfigError(f"benchmark game {game.key!r}: metric {game.metric!r} is "
                          f"not one of the game's ({', '.join(names)})")


def run_suite(s: Suite, *, out=None, executor="local", workers: int | None = None,
              resume: bool = True,
              progress: Callable[[BenchProgress], object] | None = None,
              figures: bool = True) -> BenchResult:
    """Run the convergence benchmark suite.

    Steps: resolve the game specs (writing the random game's payoffs);
    find which configurations apply; run one comparison per game on one
    executor; build the leaderboard; write it (and the figures) when
    ``out`` is given.

    Parameters
    ----------
    s : Suite
        The suite (:func:`gamesim.bench.suite`).
    out : str or path, optional
        Output folder: ``leaderboard.md``, ``leaderboard.csv``,
        ``runs.csv``, ``applicability.csv``, ``bench.json``,
        ``figures/<game>.png``, the random game's payoffs in ``games/`` and
        each game's comparison folder in ``compare/<game>/`` (a rerun
        resumes from it). ``None`` keeps everything in memory.
    executor : str or Executor
        ``local`` (default), ``processes``, ``auto`` or ``dask://HOST:PORT``
        (the random game's payoff file must then be readable by the
        workers at the same path).
    workers : int, optional
        Worker processes for ``processes``.
    resume : bool
        Reuse finished tasks found in ``out``.
    progress : callable, optional
        Called with a :class:`BenchProgress` after every task.
    figures : bool
        Draw the convergence figures when writing to ``out``.

    Returns
    -------
    BenchResult
    """
    from gamesim.bench.leaderboard import leaderboard, write_outputs
    from gamesim.compare import make_executor
    from gamesim.compare.store import check_output_folder
    from gamesim.io import ensure_writable_dir
    from gamesim.registry import rule_class, rule_names

    clock = time.perf_counter()
    started = _now()
    rules = list(s.rules) if s.rules is not None else rule_names()
    for name in rules:
        rule_class(name)  # an unknown name is a SpecError naming the known ones

    folder = None if out is None else ensure_writable_dir(check_output_folder(out))
    with tempfile.TemporaryDirectory(prefix="gamesim-bench-") as scratch:
        games_dir = (folder / "games") if folder is not None else Path(scratch)
        specs = resolve_specs(s, games_dir)
        table = applicability(s, specs, rules)
        runner = make_executor(executor, workers=workers,
                               tasks=int((table["availability"] == RUN).sum()))
        try:
            runs, histories = _run_games(s, specs, table, runner, folder, resume,
                                         progress, clock)
        finally:
            if runner is not executor:
                runner.close()

    board = leaderboard(s, runs, table)
    result = BenchResult(
        suite=s, runs=runs, histories=histories, applicability=table,
        leaderboard=board, specs=specs, rules=rules,
        wall_time=time.perf_counter() - clock, started=started, finished=_now(),
        executor=runner.describe(), out=folder,
    )
    if folder is not None:
        write_outputs(result, folder, figures=figures)
    return result


def _run_games(s: Suite, specs, table, runner, folder, resume, progress, clock):
    """Run one comparison per game; returns (runs, histories).

    A configuration whose run raises (a bug in a game or a rule, not a user
    error) must not cost the other configurations their results: the game
    is then run again configuration by configuration (finished tasks are
    reused from the output folder) and the failing one's row of ``table``
    becomes ``error`` with the exception's text.
    """
    runs, histories = [], []
    for index, game in enumerate(s.games):
        chosen = table[(table["game"] == game.key) & (table["availability"] == RUN)]
        if chosen.empty:
            logger.info("%s: no applicable rule", game.key)
            continue

        def report(p, key=game.key, done=index):
            if progress is not None:
                progress(BenchProgress(key, done, len(s.games), p.tasks_done,
                                       p.tasks_total, time.perf_counter() - clock))

        logger.info("%s: %d configuration(s) x %d seed(s)", game.key, len(chosen),
                    len(s.seeds))
        run = functools.partial(_compare_game, s, game, specs[game.key], runner,
                                None if folder is None else folder / "compare"
                                / game.key, resume, report)
        try:
            results = [run(list(chosen["rule_spec"]))]
        except (GamesimError, SweepInterrupted, KeyboardInterrupt):
            raise
        except Exception:
            logger.exception("%s: a configuration failed; running them one by one",
                             game.key)
            results = []
            for row in chosen.itertuples():
                try:
                    results.append(run([row.rule_spec]))
                except (GamesimError, SweepInterrupted, KeyboardInterrupt):
                    raise
                except Exception as exc:
                    logger.error("%s / %s failed: %s: %s", game.key, row.rule_spec,
                                 type(exc).__name__, exc)
                    table.loc[row.Index, ["availability", "reason"]] = (
                        ERROR, f"{type(exc).__name__}: {exc}")
        for res in results:
            game_runs = res.runs.copy()
            game_runs.insert(0, "bench_game", game.key)
            game_hist = res.histories.copy()
            game_hist.insert(0, "bench_game", game.key)
            runs.append(game_runs)
            histories.append(game_hist)
    if not runs:
        return pd.DataFrame(columns=["bench_game"]), pd.DataFrame(
            columns=["bench_game"])
    return (pd.concat(runs, ignore_index=True, sort=False),
            pd.concat(histories, ignore_index=True, sort=False))


def _compare_game(s: Suite, game: BenchGame, spec: str, runner, out, resume, report,
                  rule_specs: list[str]):
    """One comparison: ``rule_specs`` on the game, with the game's settings."""
    from gamesim.compare import compare

    return compare(spec, rule_specs, seeds=list(s.seeds), steps=s.steps(game),
                   tol=game.tol, stop_metric=game.metric, init_noise=game.init_noise,
                   average=game.average, executor=runner, out=out, resume=resume,
                   progress=report)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
