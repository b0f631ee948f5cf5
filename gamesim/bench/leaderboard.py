"""The leaderboard: rules ranked per game, as a table, Markdown, CSV and figures.

One row per game and rule. Each rule is shown at its best step size (the
comparison's ``rank == 1``: highest share of converged runs, then fewest
median steps to tolerance, then lowest median final metric, then the
smaller step size). Within a game the rules are then ranked by

1. the share of runs that reached the tolerance (higher first),
2. the median number of **gradient evaluations** to reach it, over the
   converged runs (fewer first): extragradient spends two per step, so
   steps alone would flatter it,
3. the median final value of the game's metric (lower first),
4. the rule's name.

Rules that could not run on the game are listed after the ranked ones with
no rank and their reason (``not applicable``, or ``skipped`` in quick
mode).

Columns of ``leaderboard.csv``, in order
-----------------------------------------
``game``, ``rank``, ``rule``, ``rule_spec`` (the best configuration),
``lr``, ``lr_d``, ``runs``, ``converged_share``, ``evaluations_to_tol``
(median over converged runs), ``steps_to_tol`` (median over converged
runs), ``metric``, ``tol``, ``final`` (median final value of ``metric``
over the runs), ``final_avg`` (the same for the time-averaged iterate,
matrix games), ``discriminator_gap`` (median final value, GAN games),
``status`` (count of each final status, e.g. ``converged 2``),
``wall_time`` (mean seconds per run of the best configuration),
``availability`` (``run``, ``not applicable``, ``skipped``) and ``note``
(why not, or which step sizes did not apply).
"""

from __future__ import annotations

import io
import json
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd

from gamesim.bench.runner import ERROR, NOT_APPLICABLE, RUN, SKIPPED
from gamesim.bench.suite import Suite

logger = logging.getLogger(__name__)

#: columns of the leaderboard, in order
COLUMNS = (
    "game", "rank", "rule", "rule_spec", "lr", "lr_d", "runs", "converged_share",
    "evaluations_to_tol", "steps_to_tol", "metric", "tol", "final", "final_avg",
    "discriminator_gap", "status", "wall_time", "availability", "note",
)

#: rules drawn in each game's convergence figure (the best-ranked ones)
FIGURE_RULES = 8


def leaderboard(s: Suite, runs: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard of a suite's runs (see the module docstring).

    Parameters
    ----------
    s : Suite
        The suite that ran (games, metrics and tolerances).
    runs : pandas.DataFrame
        Every run, with ``bench_game`` and a comparison's runs columns.
    table : pandas.DataFrame
        The applicability table (:func:`gamesim.bench.runner.applicability`).
    """
    from gamesim.compare import summarise

    rows = []
    for game in s.games:
        tried = table[table["game"] == game.key]
        game_runs = runs[runs["bench_game"] == game.key] if len(runs) else runs
        ranked = []
        if len(game_runs):
            summary = summarise(game_runs.drop(columns=["bench_game"]))
            for _, best in summary[summary["best"]].iterrows():
                chosen = game_runs[game_runs["config"] == best["config"]]
                ranked.append(_rule_row(game, best, chosen, tried))
        ranked.sort(key=_ranking_key)
        for i, row in enumerate(ranked, start=1):
            row["rank"] = i
        rows.extend(ranked)

        shown = {r["rule"] for r in ranked}
        for name, group in tried.groupby("rule", sort=False):
            if name in shown:
                continue
            kinds = set(group["availability"])
            availability = (ERROR if ERROR in kinds else SKIPPED if kinds == {SKIPPED}
                            else NOT_APPLICABLE)
            rows.append({
                "game": game.key, "rank": math.nan, "rule": name,
                "rule_spec": "", "metric": game.metric, "tol": game.tol,
                "availability": availability,
                "note": _first_reason(group),
            })
    board = pd.DataFrame(rows, columns=list(COLUMNS))
    board["rank"] = board["rank"].astype("Int64")
    board["runs"] = board["runs"].astype("Int64")
    return board


def _rule_row(game, best: pd.Series, chosen: pd.DataFrame, tried) -> dict:
    """The leaderboard row of one rule at its best configuration."""
    status = chosen["status"].astype(str)
    converged = chosen[status == "converged"]
    avg = f"{game.metric}_avg"
    names = dict(zip(tried["rule_spec"], tried["rule"]))
    rule = names.get(best["rule_spec"], best["rule"])
    rule_tried = tried[tried["rule"] == rule]
    missing = rule_tried[rule_tried["availability"] != RUN]
    note = "; ".join(f"{r.rule_spec}: {r.availability}" for r in missing.itertuples())
    return {
        "game": game.key, "rule": rule, "rule_spec": best["rule_spec"],
        "lr": float(best["lr"]),
        "lr_d": float(best["lr_d"]) if _is_two_time_scale(best) else math.nan,
        "runs": len(chosen),
        "converged_share": float(len(converged) / len(chosen)),
        "evaluations_to_tol": _median(converged["evaluations"]),
        "steps_to_tol": _median(converged["steps_to_tol"]),
        "metric": game.metric, "tol": game.tol,
        "final": _median(chosen[game.metric]),
        "final_avg": _median(chosen[avg]) if avg in chosen else math.nan,
        "discriminator_gap": (_median(chosen["discriminator_gap"])
                              if "discriminator_gap" in chosen else math.nan),
        "status": status_counts(status),
        "wall_time": float(chosen["wall_time"].mean()),
        "availability": RUN, "note": note,
    }


def _is_two_time_scale(best: pd.Series) -> bool:
    return "lr_d=" in str(best["rule_spec"])


def _ranking_key(row: dict):
    evaluations = row["evaluations_to_tol"]
    final = row["final"]
    return (-row["converged_share"],
            math.inf if math.isnan(evaluations) else evaluations,
            math.inf if math.isnan(final) else final,
            row["rule"])


def _median(values) -> float:
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else math.nan


def _first_reason(group: pd.DataFrame) -> str:
    errors = group[group["availability"] == ERROR]
    if len(errors):
        group = errors
    reasons = [r for r in group["reason"].astype(str) if r]
    return reasons[0] if reasons else ""


def status_counts(status) -> str:
    """Final statuses with their counts, most frequent first.

    Examples
    --------
    >>> status_counts(["converged", "diverged", "converged"])
    'converged 2, diverged 1'
    """
    counts = pd.Series(list(status), dtype=str).value_counts(sort=False)
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{name} {count}" for name, count in order)


# -- Markdown ---------------------------------------------------------------------

def _number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA:
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value == int(value) and abs(value) < 1e7:
        return str(int(value))
    return f"{value:.{digits}g}"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(result) -> str:
    """The leaderboard of a :class:`~gamesim.bench.runner.BenchResult` as Markdown."""
    from gamesim import __version__

    s = result.suite
    board = result.leaderboard
    lines = [
        "# gamesim convergence benchmark: leaderboard",
        "",
        f"Suite version {s.version}, {s.mode} mode, seeds "
        f"{', '.join(map(str, s.seeds))}; gamesim {__version__}; "
        f"{result.started} to {result.finished} "
        f"({result.wall_time:.1f} s on {result.executor}).",
        "",
        "Each rule is shown at its best step size. Rules are ranked by the share "
        "of runs that reached the tolerance, then by the median number of "
        "gradient evaluations to reach it (extragradient spends two per step), "
        "then by the median final distance. See docs/howto/benchmarks.md.",
    ]
    for game in s.games:
        rows = board[board["game"] == game.key]
        lines += [
            "",
            f"## {game.title} (`{game.key}`)",
            "",
            f"Spec `{_short_spec(result.specs.get(game.key, game.spec))}`; metric "
            f"`{game.metric}`, tolerance {game.tol:g}, at most {s.steps(game)} "
            f"steps, initial-point noise {game.init_noise:g}.",
            "",
        ]
        has_avg = bool(rows["final_avg"].notna().any())
        has_gap = bool(rows["discriminator_gap"].notna().any())
        head = ["rank", "rule", "step size", "converged", "evaluations to tol",
                "steps to tol", f"final {game.metric}"]
        if has_avg:
            head.append("final (time average)")
        if has_gap:
            head.append("discriminator gap")
        head += ["wall time / run (s)", "status"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("| " + " | ".join("---" if h in ("rule", "status") else "---:"
                                       for h in head) + " |")
        for row in rows[rows["availability"] == RUN].itertuples(index=False):
            lines.append("| " + " | ".join(_cell(c) for c in _md_row(
                row, has_avg, has_gap)) + " |")
        lines += _not_run_lines(rows[rows["availability"] != RUN])
    lines.append("")
    return "\n".join(lines)


def _short_spec(spec: str) -> str:
    if spec.startswith("matrix:file="):
        return "matrix:file=games/" + Path(spec.split("=", 1)[1]).name
    return spec


def _md_row(row, has_avg: bool, has_gap: bool) -> list:
    size = _number(row.lr)
    if not (isinstance(row.lr_d, float) and math.isnan(row.lr_d)):
        size += f" / {_number(row.lr_d)}"
    converged = f"{round(row.converged_share * row.runs)}/{row.runs}"
    cells = [_number(row.rank), row.rule, size, converged,
             _number(row.evaluations_to_tol), _number(row.steps_to_tol),
             _number(row.final)]
    if has_avg:
        cells.append(_number(row.final_avg))
    if has_gap:
        cells.append(_number(row.discriminator_gap))
    status = row.status + (f" ({row.note})" if row.note else "")
    return cells + [_number(row.wall_time, 2), status]


def _not_run_lines(rows: pd.DataFrame) -> list[str]:
    """Rules that did not run, grouped by availability and reason."""
    if rows.empty:
        return []
    groups: dict[tuple, list[str]] = {}
    for row in rows.itertuples(index=False):
        reason = str(row.note).replace(f"rule {row.rule!r}", "the rule")
        groups.setdefault((row.availability, reason), []).append(row.rule)
    lines = ["", "Not in the ranking:", ""]
    for (availability, reason), names in groups.items():
        text = f"- {availability}: {', '.join(names)}"
        lines.append(text + (f" ({_cell(reason)})" if reason else ""))
    return lines


# -- files --------------------------------------------------------------------------

def manifest(result) -> dict:
    """What ``bench.json`` records: the suite, the rules, the versions, the times."""
    from dataclasses import asdict

    from gamesim import __version__

    s = result.suite
    return {
        "format": "gamesim-bench/1",
        "suite_version": s.version,
        "mode": s.mode,
        "gamesim_version": __version__,
        "numpy_version": np.__version__,
        "seeds": list(s.seeds),
        "rules": list(result.rules),
        "games": [dict(asdict(g), spec=result.specs.get(g.key, g.spec),
                       steps_run=s.steps(g), step_sizes_run=s.step_sizes(g),
                       skipped_rules=s.skipped(g)) for g in s.games],
        "executor": result.executor,
        "started": result.started,
        "finished": result.finished,
        "wall_time": result.wall_time,
    }


def write_outputs(result, folder, *, figures: bool = True) -> dict[str, Path]:
    """Write the leaderboard, the tables, the manifest and the figures.

    Every file is written atomically (a temporary file, then a rename):
    an interrupted write leaves the previous file or none, never half a
    table. Returns the paths by name.
    """
    from gamesim.io import atomic_write_csv, atomic_write_text

    folder = Path(folder)
    paths = {
        "runs": atomic_write_csv(folder / "runs.csv", result.runs),
        "applicability": atomic_write_csv(folder / "applicability.csv",
                                          result.applicability),
        "leaderboard_csv": atomic_write_csv(folder / "leaderboard.csv",
                                            result.leaderboard),
    }
    if figures:
        paths.update(write_figures(result, folder / "figures"))
    paths["leaderboard_md"] = atomic_write_text(folder / "leaderboard.md",
                                                to_markdown(result))
    paths["manifest"] = atomic_write_text(
        folder / "bench.json", json.dumps(manifest(result), indent=2, default=str)
        + "\n")
    return paths


def figure_histories(result, game) -> pd.DataFrame:
    """History rows of the best configuration of the best-ranked rules of a game.

    A ``label`` column names the rule and its step size.
    """
    board = result.leaderboard
    rows = board[(board["game"] == game.key) & (board["availability"] == RUN)]
    rows = rows.sort_values("rank").head(FIGURE_RULES)
    runs = result.runs[result.runs["bench_game"] == game.key]
    labels = {}
    for row in rows.itertuples(index=False):
        configs = runs.loc[runs["rule_spec"] == row.rule_spec, "config"]
        if len(configs):
            labels[configs.iloc[0]] = f"{row.rank}. {row.rule_spec}"
    hist = result.histories
    hist = hist[(hist["bench_game"] == game.key) & hist["config"].isin(labels)].copy()
    hist["label"] = hist["config"].map(labels)
    order = {label: i for i, label in enumerate(labels.values())}
    return hist.sort_values(["label", "seed", "step"],
                            key=lambda c: c.map(order) if c.name == "label" else c,
                            kind="stable")


def write_figures(result, folder) -> dict[str, Path]:
    """One convergence figure per game (``folder/<game>.png``), written atomically."""
    from gamesim.io import atomic_write_bytes
    from gamesim.reports.figures import convergence_figure

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for game in result.suite.games:
        hist = figure_histories(result, game)
        if hist.empty or game.metric not in hist:
            continue
        fig = convergence_figure(
            hist, game.metric, label_column="label", tol=game.tol,
            title=f"{game.key}: {game.metric}, median over seeds (best step size)")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        paths[f"figure_{game.key}"] = atomic_write_bytes(
            folder / f"{game.key}.png", buffer.getvalue())
    return paths
