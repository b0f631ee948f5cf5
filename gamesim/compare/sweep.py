"""The comparison itself: validate, resume, run the tasks, assemble the tables."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Callable

from gamesim.compare.executors import Executor, make_executor
from gamesim.compare.experiment import Config, Experiment, Settings, Task
from gamesim.compare.result import ComparisonResult, SweepProgress
from gamesim.compare.store import OutputFolder, check_output_folder, now
from gamesim.compare.tables import (
    combine_history,
    combine_runs,
    normalise_history,
    normalise_runs,
    summarise,
)
from gamesim.compare.tasks import run_task
from gamesim.errors import GamesimError

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[SweepProgress], object]


def compare(games, rules, *, seeds=10, steps: int = 1000, tol: float | None = None,
            stop_metric: str | None = None, record_every: int | None = None,
            init_noise: float = 0.0, average: str | None = "auto",
            seeds_per_task: int | None = None, executor="local",
            workers: int | None = None, out=None, resume: bool = True,
            progress: ProgressCallback | None = None) -> ComparisonResult:
    """Compare update rules over games, step-size grids and seeds.

    Parameters
    ----------
    games : str or list of str
        Game specs, grids allowed (``"dirac:r1=0|0.3"``).
    rules : str or list
        Rule entries: spec strings with grids (``"gda:lr=0.01|0.1"``,
        ``"ogda:lr=0.1,lr_d=0.05|0.1"``), per-player lists
        (``["generator=adam:lr=0.01", "discriminator=gda:lr=0.1"]``) or
        tables (``{"name": "gda", "lr": [0.01, 0.1]}``).
    seeds : int or list of int
        Number of seeds (``0 .. N-1``) or the seeds themselves.
    steps : int
        Maximum steps per run.
    tol : float, optional
        Stop a run when its stop metric is at most ``tol`` (``converged``).
    stop_metric : str, optional
        Metric compared with ``tol`` and used to rank step sizes.
    record_every : int, optional
        Steps between history rows (default ``steps // 100``).
    init_noise : float
        Standard deviation of each run's initial-point perturbation (from
        its seed); deterministic games need it for seeds to differ.
    average : {"auto", None, "uniform", "ema"}
        Averaged iterate, as in :func:`gamesim.engine.simulate`.
    seeds_per_task : int, optional
        Split a configuration's seeds into batches of this size (default:
        one batch with every seed).
    executor : str, Executor or dask.distributed.Client
        ``"local"`` (default: this process), ``"processes"`` (every core),
        ``"auto"`` (processes when there is more than one task),
        ``"dask://HOST:PORT"``, an executor object or a Dask client. Worker
        processes import the script that started them, so in a script put
        a call with ``"processes"`` or ``"auto"`` under
        ``if __name__ == "__main__":``.
    workers : int, optional
        Worker processes for ``"processes"``.
    out : str or path, optional
        Output folder; tasks are saved there as they finish and a rerun
        resumes. ``None`` keeps everything in memory.
    resume : bool
        Reuse tasks already finished in ``out`` (default true).
    progress : callable, optional
        Called with a :class:`SweepProgress` once at the start and after
        every task.

    Returns
    -------
    ComparisonResult

    Examples
    --------
    >>> from gamesim.compare import compare
    >>> res = compare("bilinear", ["gda:lr=0.1", "eg:lr=0.1|0.5"], seeds=3,
    ...               steps=500, tol=1e-3, init_noise=0.1, executor="local")
    >>> res.summary.set_index("rule_spec")["converged_share"].to_dict()
    {'gda:lr=0.1': 0.0, 'eg:lr=0.1': 0.0, 'eg:lr=0.5': 1.0}
    >>> res.best()["rule_spec"].tolist()
    ['gda:lr=0.1', 'eg:lr=0.5']
    """
    label = executor if isinstance(executor, str) else _describe(executor)
    experiment = Experiment(
        games=games, rules=rules, seeds=seeds, steps=steps, tol=tol,
        stop_metric=stop_metric, record_every=record_every, init_noise=init_noise,
        average=average, seeds_per_task=seeds_per_task, executor=label,
        workers=workers, out=out,
    )
    return run_experiment(experiment, executor=None if isinstance(executor, str)
                          else executor, resume=resume, progress=progress)


def _describe(executor) -> str:
    if isinstance(executor, Executor):
        return executor.name
    address = getattr(getattr(executor, "scheduler", None), "address", None)
    if isinstance(address, str) and "://" in address:
        return "dask://" + address.split("://", 1)[1]
    return "dask"


def validate(configs: list[Config], settings: Settings) -> None:
    """Build every game and rule and take one step of each configuration.

    Raises the error of the first configuration that cannot run, naming it,
    before anything is written or started.
    """
    from gamesim.engine import parse_rule_specs, simulate
    from gamesim.registry import make_game

    games = {}
    for config in configs:
        try:
            if config.game not in games:
                games[config.game] = make_game(config.game)
            game = games[config.game]
            rules, schedule = parse_rule_specs(game, list(config.rules))
            simulate(game, rules, 1, seeds=[0], schedule=schedule, tol=settings.tol,
                     stop_metric=settings.stop_metric, record_every=1,
                     init_noise=settings.init_noise, average=settings.average)
        except GamesimError as exc:
            raise type(exc)(f"{config.label()}: {exc}") from None
        except NotImplementedError as exc:
            raise NotImplementedError(f"{config.label()}: {exc}") from None
    deterministic = [g for g in games.values() if not g.stochastic]
    if deterministic and settings.init_noise == 0:
        names = ", ".join(g.name for g in deterministic)
        logger.warning("game(s) %s are deterministic and init_noise is 0: every "
                       "seed gives the same run", names)


def run_experiment(experiment: Experiment, *, executor=None, resume: bool = True,
                   progress: ProgressCallback | None = None) -> ComparisonResult:
    """Run an :class:`Experiment` (what :func:`compare` does after parsing).

    Steps: validate every configuration; check the output folder without
    creating it; load the tasks already finished there; start the executor
    (a Dask address is reached within a few seconds or fails); create the
    folder and its manifest; run the missing tasks, saving each as it ends;
    write the combined tables.

    Parameters
    ----------
    experiment : Experiment
        What to run.
    executor : str, Executor or dask.distributed.Client, optional
        Overrides ``experiment.executor``.
    resume : bool
        Reuse finished tasks found in ``experiment.out``.
    progress : callable, optional
        Receives a :class:`SweepProgress` at the start and after each task.
    """
    # -- validate ---------------------------------------------------------------
    tasks = experiment.tasks()
    validate(list({t.config.id: t.config for t in tasks}.values()),
             experiment.settings())
    folder = None
    if experiment.out is not None:
        folder = OutputFolder(check_output_folder(experiment.out))

    # -- resume -----------------------------------------------------------------
    saved: dict[str, tuple] = {}
    if folder is not None and resume:
        for task in tasks:
            found = folder.load_task(task)
            if found is not None:
                saved[task.key] = found
    todo = [t for t in tasks if t.key not in saved]
    if saved:
        logger.info("resuming: %d of %d task(s) already finished in %s",
                    len(saved), len(tasks), folder.path)

    # -- start the executor and the folder ------------------------------------------
    spec = experiment.executor if executor is None else executor
    runner = make_executor(spec, workers=experiment.workers, tasks=len(todo))
    owned = runner is not executor
    try:
        started = now()
        if folder is not None:
            folder.create()
            folder.write_manifest(experiment, tasks, executor=runner.describe(),
                                  status="running", started=started)
        logger.info("%d task(s) to run on %s", len(todo), runner.describe())
        results = _run_tasks(runner, tasks, todo, saved, folder, progress)
    finally:
        if owned:
            runner.close()

    # -- assemble ---------------------------------------------------------------
    ordered = [results[t.key] for t in tasks]
    runs = combine_runs([r for r, _ in ordered])
    result = ComparisonResult(
        runs=runs, histories=combine_history([h for _, h in ordered]),
        summary=summarise(runs), experiment=experiment,
        out=None if folder is None else folder.path, complete=True,
    )
    if folder is not None:
        folder.write_tables(result)
        folder.write_manifest(experiment, tasks, executor=runner.describe(),
                              status="complete", started=started, finished=now())
    return result


def _run_tasks(runner: Executor, tasks: list[Task], todo: list[Task], saved: dict,
               folder: OutputFolder | None, progress) -> dict:
    """Run ``todo`` on ``runner``, saving and reporting each finished task."""
    results = dict(saved)
    runs_total = sum(t.runs for t in tasks)
    runs_done = sum(t.runs for t in tasks if t.key in saved)
    fresh = 0
    clock = time.perf_counter()

    def report(last):
        if progress is None:
            return
        elapsed = time.perf_counter() - clock
        rate = fresh / elapsed if fresh and elapsed > 0 else 0.0
        left = runs_total - runs_done
        eta = 0.0 if left == 0 else (left / rate if rate > 0 else None)
        progress(SweepProgress(len(results), len(tasks), runs_done, runs_total,
                               len(saved), elapsed, rate, eta, last))

    report(None)
    with contextlib.closing(runner.run(run_task, todo)) as finished:
        for task, outcome in finished:
            if folder is not None:
                folder.save_task(task, outcome.runs, outcome.history)
            results[task.key] = (normalise_runs(outcome.runs),
                                 normalise_history(outcome.history))
            runs_done += task.runs
            fresh += task.runs
            logger.debug("task %s finished on %s in %.3f s", task.key,
                         outcome.worker, outcome.wall_time)
            report(task.key)
    return results

