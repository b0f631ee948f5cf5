"""The runs, history and summary tables of a comparison.

The column layout is documented in :mod:`gamesim.compare`. Functions here
join the rows of finished tasks in task order, give every column a fixed
type (so a table read back from CSV equals the one computed in memory) and
compute the per-configuration summary with the step-size ranking.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gamesim.compare.tasks import (
    HISTORY_KEYS,
    ID_COLUMNS,
    RUN_COLUMNS,
    STEP_SIZE_COLUMNS,
    TIME_COLUMNS,
)

_STRING_COLUMNS = ID_COLUMNS + ("schedule", "order", "status", "stop_metric")
_INT_COLUMNS = ("d_steps", "seed", "steps", "evaluations")
_FLOAT_COLUMNS = STEP_SIZE_COLUMNS + ("steps_to_tol",) + TIME_COLUMNS

#: statuses counted as divergence in the summary
DIVERGED = ("diverged", "nonfinite")


def column_roles(runs: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Hyperparameter and metric columns of a runs table, read from its layout.

    Hyperparameters sit between ``rule_spec`` and ``schedule`` (``lr`` and
    ``lr_d`` first); metrics between ``evaluations`` and ``wall_time``.
    """
    cols = list(runs.columns)
    if not cols:
        return [], []
    hyper = cols[cols.index("rule_spec") + 1:cols.index("schedule")]
    metrics = cols[cols.index("evaluations") + 1:cols.index("wall_time")]
    return hyper, metrics


def _ordered_union(lists) -> list[str]:
    out: list[str] = []
    for names in lists:
        out.extend(n for n in names if n not in out)
    return out


def combine_runs(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Join the runs rows of several tasks, in the order given."""
    if not frames:
        return pd.DataFrame(columns=list(ID_COLUMNS + STEP_SIZE_COLUMNS + RUN_COLUMNS
                                          + TIME_COLUMNS))
    roles = [column_roles(f) for f in frames]
    hyper = _ordered_union([STEP_SIZE_COLUMNS] + [r[0] for r in roles])
    metrics = _ordered_union(r[1] for r in roles)
    order = list(ID_COLUMNS) + hyper + list(RUN_COLUMNS) + metrics + list(TIME_COLUMNS)
    joined = pd.concat(frames, ignore_index=True, sort=False).reindex(columns=order)
    return normalise_runs(joined)


def normalise_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Give every column of a runs table its documented type."""
    out = runs.copy()
    hyper, metrics = column_roles(out)
    for name in _STRING_COLUMNS:
        out[name] = out[name].astype(str)
    for name in _INT_COLUMNS:
        out[name] = out[name].astype(np.int64)
    for name in _FLOAT_COLUMNS + tuple(metrics):
        out[name] = out[name].astype(np.float64)
    for name in hyper:
        col = out[name]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[name] = col.astype(np.float64)
    return out.reset_index(drop=True)


def combine_history(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Join the history rows of several tasks, in the order given."""
    if not frames:
        return pd.DataFrame(columns=list(HISTORY_KEYS))
    rest = _ordered_union([c for c in f.columns if c not in HISTORY_KEYS]
                          for f in frames)
    joined = pd.concat(frames, ignore_index=True, sort=False)
    return normalise_history(joined.reindex(columns=list(HISTORY_KEYS) + rest))


def normalise_history(history: pd.DataFrame) -> pd.DataFrame:
    """Give every column of a history table its documented type."""
    out = history.copy()
    out["config"] = out["config"].astype(str)
    out["seed"] = out["seed"].astype(np.int64)
    out["step"] = out["step"].astype(np.int64)
    for name in out.columns[len(HISTORY_KEYS):]:
        out[name] = out[name].astype(np.float64)
    return out.reset_index(drop=True)


def _median_iqr(values: pd.Series) -> tuple[float, float]:
    v = values.to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return math.nan, math.nan
    q25, q50, q75 = np.quantile(v, [0.25, 0.5, 0.75])
    return float(q50), float(q75 - q25)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per configuration, with the step-size ranking.

    Columns: ``config``, ``game``, ``rule``, ``rule_spec``, the
    hyperparameters, ``schedule``, ``order``, ``d_steps``, ``runs``,
    ``converged_share``, ``diverged_share`` (diverged or non-finite),
    ``steps_to_tol_median``, ``steps_to_tol_iqr`` (over converged runs),
    ``<metric>_median`` and ``<metric>_iqr`` for every final metric,
    ``stop_metric``, ``wall_time`` (sum over runs), ``rank`` and ``best``.

    Ranking: configurations that differ only by step size (``lr``,
    ``lr_d``) form a group; within it they are ordered by the highest share
    of converged runs, then the lowest median steps to tolerance, then the
    lowest median final value of the stop metric, then the smaller step
    size. ``rank`` 1 is the best step size of its rule (``best`` is true).
    Quartiles use linear interpolation; NaN values are left out.
    """
    hyper, metrics = column_roles(runs)
    head = ["config", "game", "rule", "rule_spec", *hyper, "schedule", "order",
            "d_steps"]
    rows = []
    for _, group in runs.groupby("config", sort=False):
        first = group.iloc[0]
        row = {name: first[name] for name in head}
        status = group["status"].to_numpy(dtype=str)
        row["runs"] = len(group)
        row["converged_share"] = float(np.mean(status == "converged"))
        row["diverged_share"] = float(np.mean(np.isin(status, DIVERGED)))
        row["steps_to_tol_median"], row["steps_to_tol_iqr"] = _median_iqr(
            group["steps_to_tol"])
        for name in metrics:
            row[f"{name}_median"], row[f"{name}_iqr"] = _median_iqr(group[name])
        row["stop_metric"] = str(first["stop_metric"])
        row["wall_time"] = float(group["wall_time"].sum())
        rows.append(row)
    summary = pd.DataFrame(rows)
    if summary.empty:
        return summary
    summary["rank"] = _rank(summary, hyper)
    summary["best"] = summary["rank"] == 1
    return summary


def _rank(summary: pd.DataFrame, hyper: list[str]) -> np.ndarray:
    """Rank of each configuration among those differing only by step size."""
    group_cols = ["game", "rule"] + [h for h in hyper if h not in STEP_SIZE_COLUMNS] \
        + ["schedule", "order", "d_steps"]
    criterion = np.array([
        row[f"{row['stop_metric']}_median"] if f"{row['stop_metric']}_median" in row
        else math.nan for _, row in summary.iterrows()
    ], dtype=float)
    keys = pd.DataFrame({
        "converged": -summary["converged_share"].to_numpy(dtype=float),
        "steps": summary["steps_to_tol_median"].fillna(math.inf).to_numpy(float),
        "criterion": np.where(np.isnan(criterion), math.inf, criterion),
        "lr": summary["lr"].to_numpy(dtype=float),
        "lr_d": summary["lr_d"].to_numpy(dtype=float),
    })
    groups: dict[tuple, list[int]] = {}
    for i, row in enumerate(summary[group_cols].itertuples(index=False)):
        # repr makes missing values (NaN) compare equal to each other
        groups.setdefault(tuple(repr(v) for v in row), []).append(i)
    rank = np.zeros(len(summary), dtype=np.int64)
    for idx in groups.values():
        ordered = keys.iloc[idx].sort_values(
            ["converged", "steps", "criterion", "lr", "lr_d"], kind="stable")
        rank[ordered.index.to_numpy()] = np.arange(1, len(idx) + 1)
    return rank
