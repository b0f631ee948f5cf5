"""Running one task (a configuration and its seeds) and laying out its rows.

:func:`run_task` is what every executor calls, in this process, in a worker
process or on a Dask worker: it builds the game and the rules from their
specs, runs all the task's seeds as one batch through
:func:`gamesim.engine.simulate` and returns the task's rows of the runs
table and of the history table. The engine gives run ``i`` with seed ``s``
the same numbers alone or in a batch, so where and how tasks are run does
not change a single number.
"""

from __future__ import annotations

import math
import os
import socket
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gamesim.compare.experiment import Task

#: leading columns of the runs table, in order
ID_COLUMNS = ("config", "task", "game", "rule", "rule_spec")
#: step-size columns, always present, right after ``ID_COLUMNS``
STEP_SIZE_COLUMNS = ("lr", "lr_d")
#: columns between the hyperparameters and the metrics, in order
RUN_COLUMNS = ("schedule", "order", "d_steps", "seed", "status", "steps",
               "steps_to_tol", "stop_metric", "evaluations")
#: the last column of the runs table
TIME_COLUMNS = ("wall_time",)
#: leading columns of the history table
HISTORY_KEYS = ("config", "seed", "step")

_RESERVED = set(ID_COLUMNS + STEP_SIZE_COLUMNS + RUN_COLUMNS + TIME_COLUMNS)


@dataclass
class TaskOutcome:
    """What a finished task sends back.

    Attributes
    ----------
    key : str
        The task's key.
    runs : pandas.DataFrame
        One row per run, columns as documented in :mod:`gamesim.compare`.
    history : pandas.DataFrame
        The task's recorded steps: ``config``, ``seed``, ``step``, metrics
        and (small games) parameters.
    wall_time : float
        Seconds spent in the engine.
    worker : str
        ``host:pid`` of the process that ran it (for logs only).
    """

    key: str
    runs: pd.DataFrame
    history: pd.DataFrame
    wall_time: float
    worker: str


def build_task(task: Task):
    """The game, the rules and the schedule of a task's configuration."""
    from gamesim.engine import parse_rule_specs
    from gamesim.registry import make_game

    game = make_game(task.config.game)
    rules, schedule = parse_rule_specs(game, list(task.config.rules))
    return game, rules, schedule


def run_task(task: Task, steps: int | None = None) -> TaskOutcome:
    """Run every seed of a task as one batch and lay out its rows.

    Parameters
    ----------
    task : Task
        The task.
    steps : int, optional
        Override the number of steps (used to dry-run a task for one step
        when validating an experiment).
    """
    from gamesim.engine import simulate

    game, rules, schedule = build_task(task)
    s = task.settings
    started = time.perf_counter()
    result = simulate(
        game, rules, steps or s.steps, seeds=list(task.seeds), schedule=schedule,
        tol=s.tol, stop_metric=s.stop_metric, record_every=s.record_every,
        init_noise=s.init_noise, average=s.average,
    )
    wall = time.perf_counter() - started
    runs = _runs_rows(task, result, wall)
    history = result.history.drop(columns=["run"])
    history.insert(0, "config", task.config.id)
    return TaskOutcome(task.key, runs, history, wall,
                       f"{socket.gethostname()}:{os.getpid()}")


def rule_columns(players) -> tuple[str, dict]:
    """Rule label and hyperparameter columns of a pair of players.

    The label is the rule's name, or ``generator_rule/discriminator_rule``
    when the players use different rules. ``lr`` and ``lr_d`` are the
    players' step sizes; the other hyperparameters of the first player's
    rule get their own name, and those of the second player's rule whose
    value differs (or that the first rule lacks) get the suffix ``_d``.
    """
    first, second = players[0].rule, players[1].rule
    label = first.name if first.name == second.name else f"{first.name}/{second.name}"
    columns = {"lr": float(first.lr), "lr_d": float(second.lr)}
    hp1 = {k: v for k, v in first.hyperparameters().items() if k != "lr"}
    hp2 = {k: v for k, v in second.hyperparameters().items() if k != "lr"}
    for key, value in hp1.items():
        columns[_column_name(key)] = value
    for key, value in hp2.items():
        if key not in hp1 or hp1[key] != value:
            columns[_column_name(key + "_d")] = value
    return label, columns


def _column_name(key: str) -> str:
    return f"rule_{key}" if key in _RESERVED else key


def _stop_metric(result, task: Task) -> str:
    """The metric compared with ``tol`` (or that would be, without one)."""
    from gamesim.engine.core import default_stop_metric

    if result.stop_metric is not None:
        return result.stop_metric
    if task.settings.stop_metric is not None:
        return task.settings.stop_metric
    average = task.settings.average
    if average == "auto":
        modes = {p.rule.averaging for p in result.players} - {None}
        average = modes.pop() if len(modes) == 1 else None
    return default_stop_metric(result.game, average)


def _runs_rows(task: Task, result, wall: float) -> pd.DataFrame:
    label, hyper = rule_columns(result.players)
    final = result.final
    runs = len(final)
    status = final["status"].astype(str).to_numpy()
    steps = final["steps"].to_numpy(dtype=np.int64)
    metrics = [c for c in final.columns
               if c not in ("run", "seed", "status", "steps", "evaluations")]
    schedule = result.schedule
    columns = {
        "config": task.config.id,
        "task": task.key,
        "game": task.config.game,
        "rule": label,
        "rule_spec": task.config.rule_spec,
        **{k: [v] * runs for k, v in hyper.items()},
        "schedule": schedule.kind,
        "order": schedule.order,
        "d_steps": int(schedule.d_steps),
        "seed": final["seed"].to_numpy(dtype=np.int64),
        "status": status,
        "steps": steps,
        "steps_to_tol": np.where(status == "converged", steps, math.nan),
        "stop_metric": _stop_metric(result, task),
        "evaluations": final["evaluations"].to_numpy(dtype=np.int64),
    }
    for name in metrics:
        columns[name] = final[name].to_numpy(dtype=float)
    columns["wall_time"] = wall / runs
    return pd.DataFrame(columns)
