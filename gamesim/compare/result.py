"""The typed record a comparison returns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from gamesim.compare.experiment import Experiment
from gamesim.compare.tables import column_roles
from gamesim.errors import ConfigError


@dataclass
class ComparisonResult:
    """The result of :func:`gamesim.compare.compare`.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per run (columns documented in :mod:`gamesim.compare`).
    histories : pandas.DataFrame
        Recorded steps of every run, keyed by ``config`` and ``seed``.
    summary : pandas.DataFrame
        One row per configuration, with ``rank`` and ``best`` (see
        :func:`gamesim.compare.tables.summarise`).
    experiment : Experiment
        What was run.
    out : pathlib.Path or None
        The output folder, if results were written.
    complete : bool
        Whether every task of the experiment is in the tables (false for
        an interrupted sweep loaded with :func:`load_comparison`).
    """

    runs: pd.DataFrame
    histories: pd.DataFrame
    summary: pd.DataFrame
    experiment: Experiment
    out: Path | None = None
    complete: bool = True

    @property
    def hyperparameters(self) -> list[str]:
        """Names of the hyperparameter columns (``lr``, ``lr_d`` first)."""
        return column_roles(self.runs)[0]

    @property
    def metrics(self) -> list[str]:
        """Names of the final-metric columns."""
        return column_roles(self.runs)[1]

    def best(self) -> pd.DataFrame:
        """Summary rows of the best step size of each rule (``rank == 1``)."""
        return self.summary[self.summary["best"]].reset_index(drop=True)

    def history(self, config: str, seed: int | None = None) -> pd.DataFrame:
        """History rows of one configuration (and optionally one seed)."""
        rows = self.histories["config"] == config
        if not rows.any():
            raise ConfigError(f"no configuration {config!r} in this comparison")
        if seed is not None:
            rows &= self.histories["seed"] == seed
        return self.histories[rows].reset_index(drop=True)


class SweepProgress(NamedTuple):
    """What the progress callback of a comparison receives.

    Attributes
    ----------
    tasks_done, tasks_total : int
        Finished tasks (resumed ones included) and all tasks.
    runs_done, runs_total : int
        The same counted in runs (seeds).
    resumed : int
        Tasks found finished in the output folder and not run again.
    elapsed : float
        Seconds since the sweep started.
    runs_per_second : float
        Runs finished per second in this session (0 before the first).
    eta : float or None
        Estimated seconds left (``None`` until a task has finished).
    last : str or None
        Key of the task that just finished (``None`` for the first call).
    """

    tasks_done: int
    tasks_total: int
    runs_done: int
    runs_total: int
    resumed: int
    elapsed: float
    runs_per_second: float
    eta: float | None
    last: str | None
