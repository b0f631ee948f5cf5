"""The output folder of a comparison: per-task files, manifest, tables.

Layout (stable; reports and scripts rely on it)::

    OUT/
      experiment.json            manifest: the experiment, its tasks, status
      tasks/<key>.history.csv    one finished task's history rows
      tasks/<key>.runs.csv       one finished task's runs rows (written last)
      runs.csv                   all runs          } written when every task
      summary.csv                per configuration } has finished
      history.csv                all histories     }

Every file is written atomically (temporary file, then rename). A task is
finished when its ``runs`` file exists; its history is written first, so a
task cut between the two files is simply run again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from gamesim.compare.experiment import Experiment, Task
from gamesim.compare.result import ComparisonResult
from gamesim.compare.tables import (
    combine_history,
    combine_runs,
    normalise_history,
    normalise_runs,
    summarise,
)
from gamesim.compare.tasks import ID_COLUMNS
from gamesim.errors import ConfigError
from gamesim.io import atomic_write_csv, atomic_write_json, ensure_writable_dir

logger = logging.getLogger(__name__)

#: identifies the layout in ``experiment.json``
FORMAT = "gamesim-compare/1"
MANIFEST = "experiment.json"
TABLES = ("runs.csv", "summary.csv", "history.csv")

_STRINGS = {name: str for name in ID_COLUMNS + ("schedule", "order", "status",
                                                 "stop_metric")}


def check_output_folder(path) -> Path:
    """Check that ``path`` can be used as an output folder, leaving nothing behind.

    An existing folder is probed with a temporary file; a missing one with a
    temporary folder in its nearest existing parent. Both are removed at once.

    Raises
    ------
    ConfigError
        If the path (or its nearest existing parent) is not a writable folder.
    """
    folder = Path(path)
    if folder.exists():
        if not folder.is_dir():
            raise ConfigError(f"output path {str(folder)!r} is not a folder")
        if (folder / "tasks").exists() and not (folder / "tasks").is_dir():
            raise ConfigError(f"output path {str(folder / 'tasks')!r} is not a folder")
        probe = folder
    else:
        probe = folder.absolute().parent
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise ConfigError(f"cannot create output folder {str(folder)!r}: "
                              f"{str(probe)!r} is not a folder")
    try:
        if probe == folder:
            fd, name = tempfile.mkstemp(prefix=".gamesim-probe-", dir=probe)
            os.close(fd)
            os.unlink(name)
        else:
            os.rmdir(tempfile.mkdtemp(prefix=".gamesim-probe-", dir=probe))
    except OSError as exc:
        where = "" if probe == folder else f" (in {str(probe)!r})"
        raise ConfigError(f"output folder {str(folder)!r} is not writable{where}: "
                          f"{exc.strerror or exc}") from None
    return folder


def read_runs(path) -> pd.DataFrame:
    """Read a runs table written by a comparison."""
    return normalise_runs(pd.read_csv(path, dtype=_STRINGS, keep_default_na=True))


def read_history(path) -> pd.DataFrame:
    """Read a history table written by a comparison."""
    return normalise_history(pd.read_csv(path, dtype={"config": str}))


def read_summary(path) -> pd.DataFrame:
    """Read a summary table written by a comparison."""
    frame = pd.read_csv(path, dtype={k: str for k in ("config", "game", "rule",
                                                       "rule_spec", "schedule",
                                                       "order", "stop_metric")})
    frame["best"] = frame["best"].astype(bool)
    return frame


class OutputFolder:
    """Reads and writes one comparison's output folder."""

    def __init__(self, path):
        self.path = Path(path)
        self.tasks = self.path / "tasks"

    def create(self) -> None:
        """Create the folder and its ``tasks`` subfolder."""
        ensure_writable_dir(self.path)
        ensure_writable_dir(self.tasks)

    def _files(self, key: str) -> tuple[Path, Path]:
        return self.tasks / f"{key}.runs.csv", self.tasks / f"{key}.history.csv"

    def load_task(self, task: Task):
        """The saved ``(runs, history)`` of a finished task, or ``None``."""
        runs_path, history_path = self._files(task.key)
        if not runs_path.exists():
            return None
        try:
            runs = read_runs(runs_path)
            history = read_history(history_path)
        except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
            logger.warning("task %s: saved files unreadable (%s); running it again",
                           task.key, exc)
            return None
        if list(runs["seed"]) != list(task.seeds) or \
                set(runs["config"]) != {task.config.id}:
            logger.warning("task %s: saved rows do not match the task; running it "
                           "again", task.key)
            return None
        return runs, history

    def save_task(self, task: Task, runs: pd.DataFrame, history: pd.DataFrame):
        """Write a finished task's rows (history first, runs last)."""
        runs_path, history_path = self._files(task.key)
        atomic_write_csv(history_path, history)
        atomic_write_csv(runs_path, runs)

    def write_manifest(self, experiment: Experiment, tasks: list[Task], *,
                       executor: str, status: str, started: str,
                       finished: str | None = None) -> None:
        """Write ``experiment.json``."""
        from gamesim import __version__

        atomic_write_json(self.path / MANIFEST, {
            "format": FORMAT,
            "gamesim_version": __version__,
            "status": status,
            "started": started,
            "finished": finished,
            "executor": executor,
            "experiment": experiment.to_dict(),
            "tasks": [{"task": t.key, "config": t.config.id, "game": t.config.game,
                       "rule_spec": t.config.rule_spec, "seeds": list(t.seeds)}
                      for t in tasks],
        })

    def write_tables(self, result: ComparisonResult) -> None:
        """Write ``runs.csv``, ``summary.csv`` and ``history.csv``."""
        atomic_write_csv(self.path / "runs.csv", result.runs)
        atomic_write_csv(self.path / "summary.csv", result.summary)
        atomic_write_csv(self.path / "history.csv", result.histories)


def now() -> str:
    """The current time in ISO 8601 (UTC), for the manifest."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def load_comparison(path) -> ComparisonResult:
    """Load a comparison's output folder back into a :class:`ComparisonResult`.

    A finished folder is read from ``runs.csv``, ``summary.csv`` and
    ``history.csv``; an interrupted one from the per-task files that exist
    (``complete`` is then false and the summary covers those runs only).

    Raises
    ------
    ConfigError
        If the folder has no readable ``experiment.json``.
    """
    folder = OutputFolder(path)
    manifest_path = folder.path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{str(folder.path)!r} is not a comparison folder "
                          f"(no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {str(manifest_path)!r}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise ConfigError(f"{str(manifest_path)!r}: unknown format "
                          f"{manifest.get('format')!r} (expected {FORMAT})")
    experiment = Experiment.from_dict(manifest["experiment"], source=str(manifest_path))
    tables = [folder.path / name for name in TABLES]
    if manifest.get("status") == "complete" and all(p.exists() for p in tables):
        return ComparisonResult(
            runs=read_runs(tables[0]), summary=read_summary(tables[1]),
            histories=read_history(tables[2]), experiment=experiment,
            out=folder.path, complete=True,
        )
    tasks = experiment.tasks()
    found = [folder.load_task(t) for t in tasks]
    saved = [f for f in found if f is not None]
    runs = combine_runs([r for r, _ in saved])
    return ComparisonResult(
        runs=runs, histories=combine_history([h for _, h in saved]),
        summary=summarise(runs), experiment=experiment, out=folder.path,
        complete=len(saved) == len(tasks),
    )
