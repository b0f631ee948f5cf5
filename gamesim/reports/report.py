"""Build an equilibrium report from a comparison and write it to its folder.

:func:`build_report` turns a :class:`~gamesim.compare.ComparisonResult`
into a :class:`Report`: sections of paragraphs, tables and figures.
:func:`write_report` renders it into the comparison's folder::

    OUT/
      report.html           self-contained: figures inline (base64 PNG),
                            styles and script inline, no network access
      report.md             the same text and tables in Markdown
      figures/<name>.png    the figures (report.md links them)
      verdicts.csv          one row per configuration: verdict, shares of
                            seeds per verdict, evidence, final metrics
      run_verdicts.csv      one row per run: verdict, reason, evidence

Figures of GAN games need the generator's parameters at a few steps, which
a comparison does not record for games of more than 12 parameters: the
report runs the first seed of each configuration again with the same
settings (the engine gives a seed the same numbers alone or in a batch)
and checks that the final value of the verdict metric matches the table.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gamesim.errors import ConfigError
from gamesim.reports import verdict as verdicts_module
from gamesim.reports.context import describe_game, package_versions
from gamesim.reports.verdict import (
    MEANING,
    VERDICTS,
    choose_metric,
    default_tolerance,
    history_verdicts,
)

logger = logging.getLogger(__name__)

#: final metrics shown next to the verdict when a game has them
EVIDENCE_METRICS = (
    "distance_to_equilibrium", "nash_conv", "nash_conv_avg", "duality_gap",
    "duality_gap_avg", "gap_error", "discriminator_gap", "d_real", "d_fake", "jsd",
    "wasserstein", "energy_distance", "mode_coverage", "value",
)

#: checkpoints of the density figure, as shares of the step budget
CHECKPOINTS = (0.0, 0.1, 0.3, 1.0)

#: configurations drawn in the density and stability figures at most
MAX_PANELS = 8


# -- the report's content ------------------------------------------------------

@dataclass
class Paragraph:
    """Text; ```code``` spans in backquotes."""

    text: str


@dataclass
class Bullets:
    """A bulleted list."""

    items: list


@dataclass
class Table:
    """A table with a title and a note under it.

    ``name`` is the table's id in the HTML page (``data-table``).
    """

    name: str
    title: str
    frame: pd.DataFrame
    note: str = ""


@dataclass
class FigureItem:
    """A figure with its caption; ``name`` is its file name without ``.png``."""

    name: str
    title: str
    caption: str
    figure: object


@dataclass
class Section:
    """A titled part of the report: paragraphs, lists, tables and figures."""

    title: str
    blocks: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The section's id in the HTML page."""
        return slug(self.title)


@dataclass
class Report:
    """An equilibrium report, ready to render.

    Attributes
    ----------
    title : str
        The page title.
    subtitle : str
        Where the results come from.
    sections : list of Section
        The content in order.
    verdicts : pandas.DataFrame
        One row per configuration (what ``verdicts.csv`` holds).
    run_verdicts : pandas.DataFrame
        One row per run (what ``run_verdicts.csv`` holds).
    """

    title: str
    subtitle: str
    sections: list
    verdicts: pd.DataFrame
    run_verdicts: pd.DataFrame

    def figures(self) -> list[FigureItem]:
        """Every figure, in order."""
        return [b for s in self.sections for b in s.blocks
                if isinstance(b, FigureItem)]

    def tables(self) -> list[Table]:
        """Every table, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]


@dataclass(frozen=True)
class ReportFiles:
    """Paths of what :func:`write_report` wrote."""

    folder: Path
    html: Path
    markdown: Path
    tables: tuple
    figures: tuple


def slug(text: str) -> str:
    """A lower-case identifier made of letters, digits and dashes.

    >>> slug("Game: gan:data=old_faithful")
    'game-gan-data-old-faithful'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


# -- building --------------------------------------------------------------------

def build_report(result, *, metric: str | None = None, tol: float | None = None,
                 density: bool = True, stability: bool = True,
                 executor: str = "local") -> Report:
    """Build the report of a comparison.

    Parameters
    ----------
    result : ComparisonResult
        A comparison (:func:`gamesim.compare.compare` or
        :func:`gamesim.compare.load_comparison`).
    metric : str, optional
        The verdict metric (default per configuration: the stop metric of
        its runs -- the experiment's, or the engine's default per game,
        which judges a rule that averages on its average -- except the
        engine's fallback ``grad_norm``, replaced by the first metric of
        :data:`~gamesim.reports.verdict.METRIC_PREFERENCE` recorded).
    tol : float, optional
        The verdict tolerance (default: the experiment's ``tol`` when the
        verdict metric is its stop metric, else
        :func:`~gamesim.reports.verdict.default_tolerance`).
    density : bool
        Draw the generated density of GAN games (runs the first seed of
        each configuration again).
    stability : bool
        Draw the stability regions.
    executor : str
        Where the re-runs of the density figure run: ``local`` (this
        process, the default), ``processes`` or ``auto`` (as in
        :func:`gamesim.compare.make_executor`; in a script, worker processes
        need the ``if __name__ == "__main__":`` guard).

    Returns
    -------
    Report
    """
    runs, histories = result.runs, result.histories
    if runs.empty:
        raise ConfigError("the comparison has no finished run to report on")
    experiment = result.experiment
    settings = experiment.settings()

    game_sections, verdict_rows, run_rows = [], [], []
    for number, (game_spec, game_runs) in enumerate(runs.groupby("game", sort=False)):
        section, rows, per_run = _game_section(
            result, str(game_spec), game_runs, histories, settings,
            key=f"game{number + 1}", metric=metric, tol=tol, density=density,
            stability=stability, executor=executor)
        game_sections.append(section)
        verdict_rows.extend(rows)
        run_rows.extend(per_run)
    verdict_table = pd.DataFrame(verdict_rows)
    run_table = pd.DataFrame(run_rows)

    sections = [_summary_section(verdict_table, result),
                _experiment_section(result)]
    sections += game_sections
    sections += [_method_section(), _software_section(result)]
    where = str(result.out) if result.out is not None else "memory"
    subtitle = (f"{len(runs)} runs of {runs['config'].nunique()} configurations "
                f"on {runs['game'].nunique()} game(s); results in {where}")
    if not result.complete:
        subtitle += " (INCOMPLETE: the sweep was interrupted; run it again to finish)"
    return Report("gamesim equilibrium report", subtitle, sections, verdict_table,
                  run_table)


def _game_section(result, spec, runs, histories, settings, *, key, metric, tol,
                  density, stability, executor):
    from gamesim.registry import make_game

    game = make_game(spec)
    description = describe_game(spec, game)
    configs = list(dict.fromkeys(runs["config"]))
    labels = _labels(runs)
    hist = histories[histories["config"].isin(configs)]
    hist = hist.dropna(axis=1, how="all").copy()  # other games' columns
    hist["label"] = hist["config"].map(labels)

    # the verdict metric and its tolerance, per configuration (a rule that
    # averages is judged on its average, the others on the last iterate)
    judged = {}
    for config in configs:
        judged[config] = _verdict_metric(hist[hist["config"] == config],
                                         runs[runs["config"] == config], metric, tol,
                                         settings, spec)
    found = {}
    for config, (name, used_tol, _) in judged.items():
        found.update(history_verdicts(hist[hist["config"] == config],
                                      runs[runs["config"] == config], name, used_tol))

    section = Section(f"Game {key[4:]}: {spec.split(':', 1)[0]}")
    section.blocks.append(Paragraph(f"Spec: `{spec}`. {description.summary.rstrip('.')}"
                                    f". Players: {description.players}."))
    section.blocks.append(Paragraph(description.equilibrium))
    if description.equilibria is not None:
        section.blocks.append(Table(f"equilibria-{key}", "Equilibrium",
                                    description.equilibria))
    section.blocks.append(_rules_table(key, runs, labels, game.players))

    # verdicts
    rows, per_run = [], []
    # an estimated duality gap (inner steps, a lower bound) is labelled so
    estimated = getattr(game, "gap_oracle", None) is not None
    for config in configs:
        v = found[config]
        group = runs[runs["config"] == config]
        chosen, used_tol, tol_source = judged[config]
        row = {"game": spec, "config": config, "label": labels[config],
               "gap_estimated": estimated,
               "verdict": v.verdict, "seeds": v.share_text(), "metric": chosen,
               "tol": used_tol, "tol_source": tol_source,
               "final_median": v.final_median,
               "final_q25": v.final_q25, "final_q75": v.final_q75,
               "trend_factor_median": v.trend_median,
               "statuses": _status_text(group["status"]),
               "reason": f"{v.reason}; {v.note}" if v.note else v.reason,
               "note": v.note}
        for name in VERDICTS:
            row[f"share_{name}"] = v.shares[name]
        for name in EVIDENCE_METRICS:
            if name in group.columns and name != chosen and \
                    group[name].notna().any():
                row[f"{name}_median"] = float(group[name].median())
        rows.append(row)
        for (_, run), rv in zip(group.iterrows(), v.per_run):
            per_run.append({"game": spec, "config": config, "label": labels[config],
                            "seed": int(run["seed"]), "status": str(run["status"]),
                            "verdict": rv.verdict, "metric": chosen,
                            "initial": rv.initial, "final": rv.final,
                            "minimum": rv.minimum, "window_start": rv.window_start,
                            "trend_factor": rv.trend_factor,
                            "reversals": rv.reversals, "spread": rv.spread,
                            "reason": rv.reason})
    section.blocks.append(_verdict_table(key, rows))

    # figures
    section.blocks += _figures(game, spec, runs, hist, labels, judged, settings,
                               key=key, density=density, stability=stability,
                               executor=executor)
    return section, rows, per_run


def _verdict_metric(hist, runs, metric, tol, settings, spec):
    """The verdict metric of one configuration, its tolerance and the source."""
    # the metric the engine compared with tol (its default per game when the
    # experiment gave none: distance, NashConv, *_avg for averaging rules, or
    # the gradient norm, which a GAN's discriminator gap replaces here)
    stop = str(runs["stop_metric"].iloc[0])
    recorded = [c for c in hist.columns if hist[c].notna().any()]
    preferred = settings.stop_metric or (stop if stop != "grad_norm" else None)
    chosen = metric or choose_metric(recorded, preferred)
    if chosen not in recorded:
        raise ConfigError(f"verdict metric {chosen!r} is not recorded for "
                          f"{runs['rule_spec'].iloc[0]} on {spec}")
    if tol is not None:
        return chosen, float(tol), "given"
    if settings.tol is not None and chosen == stop:
        return chosen, float(settings.tol), "the experiment's tol"
    return chosen, default_tolerance(chosen), "default for the metric"


def _labels(runs: pd.DataFrame) -> dict:
    """A legend label per configuration: its rule spec (unique within a game)."""
    out = {}
    for config, group in runs.groupby("config", sort=False):
        out[config] = str(group["rule_spec"].iloc[0])
    return out


def _status_text(status: pd.Series) -> str:
    """Engine statuses as counts out of the runs: ``max_steps 2/2``."""
    counts = status.astype(str).value_counts()
    return ", ".join(f"{name} {count}/{len(status)}" for name, count in counts.items())


def _missing(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _rules_table(key, runs, labels, players) -> Table:
    from gamesim.compare.tables import column_roles
    from gamesim.compare.tasks import STEP_SIZE_COLUMNS

    hyper, _ = column_roles(runs)
    rows = []
    for config, group in runs.groupby("config", sort=False):
        first = group.iloc[0]
        # the step sizes under the game's player names (lr_d is a rule
        # parameter's name, not a word for the second player of every game)
        sizes = [f"{player} {_short(first[name])}"
                 for player, name in zip(players, STEP_SIZE_COLUMNS)
                 if name in first.index and not _missing(first[name])]
        params = [f"{name}={_short(first[name])}" for name in hyper
                  if name not in STEP_SIZE_COLUMNS and not _missing(first[name])]
        rows.append({
            "label": labels[config], "rule": first["rule"],
            "step size": ", ".join(sizes) or "n/a",
            "hyperparameters": ", ".join(params),
            "schedule": f"{first['schedule']}" + (
                f" ({first['order'].replace('_', ' ')})"
                if first["schedule"] == "alternating" else "") + (
                f", {first['d_steps']} discriminator steps"
                if int(first["d_steps"]) > 1 else ""),
            "seeds": _seed_text(group["seed"]),
            "config": config,
        })
    return Table(f"rules-{key}", "Update rules, hyperparameters and seeds",
                 pd.DataFrame(rows),
                 f"Step size: each player's ({players[0]}, then {players[1]}; a "
                 f"rule spec's lr sets both, lr_d the {players[1]}'s alone); the other "
                 "hyperparameters are the rule's (see docs/explanation/"
                 "update-rules.md).")


def _seed_text(seeds: pd.Series) -> str:
    values = sorted(int(s) for s in seeds)
    if values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
        return f"{values[0]}-{values[-1]} ({len(values)})"
    return ", ".join(map(str, values))


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _evidence_cells(row, averaged: bool) -> dict:
    """The final metrics beside a verdict, last-iterate ones first.

    When the table has metrics of the averaged iterate (``*_avg``), their
    columns are headed "(average, median)" and the others "(last iterate,
    median)", so that the two kinds cannot be mistaken for each other.
    """
    last, average = {}, {}
    for name in EVIDENCE_METRICS:
        key = f"{name}_median"
        if key not in row:
            continue
        base = name.removesuffix("_avg")
        what = "estimated " if row["gap_estimated"] and base in (
            "duality_gap", "nash_conv") else ""
        if name.endswith("_avg"):
            average[f"{what}{base} (average, median)"] = _number(row[key])
        else:
            kind = "last iterate, median" if averaged else "median"
            last[f"{what}{base} ({kind})"] = _number(row[key])
    return {**last, **average}


def _verdict_table(key, rows) -> Table:
    averaged = any(k.endswith("_avg_median") for row in rows for k in row)
    shown = []
    for row in rows:
        item = {"label": row["label"], "verdict": row["verdict"],
                "seeds": row["seeds"], "verdict metric": row["metric"],
                "tolerance": f"{row['tol']:g}",
                "final value (median [IQR])": _median_iqr(
                    row["final_median"], row["final_q25"], row["final_q75"]),
                "trend over last half": _trend(row["trend_factor_median"])}
        item.update(_evidence_cells(row, averaged))
        item["engine status"] = row["statuses"]
        shown.append(item)
    sources = sorted({f"{row['tol']:g} for {row['metric']}: {row['tol_source']}"
                      for row in rows})
    note = ("Each configuration is judged on its verdict metric (zero at the "
            "equilibrium; a rule that averages its iterates on the average) with "
            f"the tolerance shown ({'; '.join(sources)}). Its verdict is that of "
            "most of its seeds; 'seeds' gives the share of each verdict. The trend "
            "is the fitted factor by which the metric changed over the last half of "
            "the recorded steps (median over seeds; below 1: falling). Rules and "
            "thresholds: see 'How the verdicts are decided'.")
    if averaged:
        note += (" Final metrics (median over seeds): 'last iterate' columns are "
                 "measured at the final parameters, 'average' columns at the "
                 "averaged iterate (the engine's running average of the "
                 "iterates, which fictitious play and no-regret rules bring to "
                 "the equilibrium of a zero-sum game); a metric name ending in "
                 "_avg is also measured at the average.")
    note += (" Engine status: how many of the configuration's runs ended with "
             "each status of the engine (max_steps: ran every step).")
    warned: dict[str, list] = {}
    for row in rows:
        if row.get("note"):
            warned.setdefault(row["note"], []).append(row["label"])
    for text, labels in warned.items():
        note += f" WARNING ({', '.join(labels)}): {text}."
    return Table(f"verdicts-{key}", "Verdicts", pd.DataFrame(shown), note)


def _median_iqr(median, q25, q75) -> str:
    if math.isnan(median):
        return "n/a"
    return f"{median:.3g} [{q25:.3g}, {q75:.3g}]"


def _trend(factor) -> str:
    if factor is None or math.isnan(factor):
        return "n/a"
    return f"x{factor:.3g}"


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.4g}"


# -- figures ---------------------------------------------------------------------

def _figures(game, spec, runs, hist, labels, judged, settings, *, key, density,
             stability, executor) -> list:
    from gamesim.reports import figures as fg

    out: list = []
    metrics = list(dict.fromkeys(name for name, _, _ in judged.values()))

    # 1. convergence of the verdict metrics, then distance and NashConv
    tols = {name: t for name, t, _ in judged.values()}
    drawn = []
    for name in metrics + ["distance_to_equilibrium", "nash_conv", "nash_conv_avg",
                           "duality_gap"]:
        if name in hist.columns and name not in drawn and hist[name].notna().any():
            drawn.append(name)
    for name in drawn[:4]:
        rows = hist[hist[name].notna()]
        fig = fg.convergence_figure(rows, name, "label", tol=tols.get(name))
        tol_text = f"; dashed: the tolerance {tols[name]:g}" if name in tols else ""
        estimated = getattr(game, "gap_oracle", None) is not None and \
            name.startswith(("duality_gap", "nash_conv"))
        what = " (estimated by inner gradient steps: a lower bound)" \
            if estimated else ""
        out.append(FigureItem(
            f"convergence-{name}-{key}", f"{name} against the step",
            f"{name}{what} of every rule that records it, on a log scale: median "
            f"over seeds, band from the 25th to the 75th percentile{tol_text}.", fig))

    # 2. the discriminator's outputs
    if {"d_real", "d_fake"} <= set(hist.columns):
        out.append(FigureItem(
            f"discriminator-{key}", "d_real and d_fake against the step",
            "Mean discriminator output on the data (left) and on generated samples "
            "(right): median over seeds with the interquartile band. At the "
            "equilibrium both are 1/2 (dashed).",
            fg.discriminator_figure(hist, "label")))

    # 3. trajectories
    params = game.param_names()
    has_params = all(p in hist.columns for p in params)
    if game.n == 2 and has_params:
        out.append(FigureItem(
            f"phase-portrait-{key}", "Trajectories in parameter space",
            "First seed of every rule over the field: the grey arrows show the "
            "direction −ξ(z) of a gradient step (normalised length).",
            fg.phase_portrait_figure(game, hist, "label")))
    if has_params and 3 in game.sizes and getattr(game, "simplex", False):
        out.append(FigureItem(
            f"simplex-{key}", "Trajectories on the simplex",
            "Mixed strategies of the three-action player(s) along the first seed "
            "of every rule (last iterate).",
            fg.simplex_figure(game, hist, "label")))

    # 4. GAN games: the generated density, from re-runs of the first seed
    finals = {}
    if density and hasattr(game, "generated") and hasattr(game, "dataset"):
        item, finals, note = _density(game, key, runs, labels, judged, settings,
                                      executor)
        if item is not None:
            out.append(item)
        if note:
            out.append(Paragraph(note))

    # 5. stability regions
    if stability:
        item, note = _stability(game, key, runs, labels, finals)
        if item is not None:
            out.append(item)
        if note:
            out.append(Paragraph(note))
    return out


@dataclass(frozen=True)
class Rerun:
    """One run of a comparison to repeat: game, rules, seed and settings."""

    game: str
    rules: str
    seed: int
    settings: object
    records: int | None = None


def rerun(job: Rerun):
    """Run one seed of a configuration again, recording its parameters.

    Same game, rules, schedule and engine settings as the comparison, so the
    same numbers: the engine gives a seed the same numbers alone or in a
    batch, and the tolerance and divergence are checked at the same steps
    (every ``min(record_every, 10)``). ``job.records`` asks for about that
    many evenly spaced records instead of the experiment's ``record_every``
    (fewer metric evaluations).

    Returns
    -------
    RunResult
        With the parameters in its ``history`` (``record_params=True``).
    """
    from gamesim.compare.experiment import Config, Task
    from gamesim.compare.tasks import build_task
    from gamesim.engine import simulate

    s = job.settings
    task = Task(Config(job.game, tuple(job.rules.split(";"))), (job.seed,), s)
    game, rules, schedule = build_task(task)
    every = max(1, s.steps // job.records) if job.records else s.record_every
    return simulate(game, rules, s.steps, seeds=[job.seed], schedule=schedule,
                    tol=s.tol, stop_metric=s.stop_metric, record_every=every,
                    check_every=min(s.record_every, 10), init_noise=s.init_noise,
                    average=s.average, record_params=True)


def _rerun_tables(job: Rerun):
    """:func:`rerun` in a worker process: only tables and arrays travel back."""
    res = rerun(job)
    return res.history, res.final, res.z[0]


def rerun_first_seed(result, config: str, records: int | None = None):
    """Run the first seed of a comparison's configuration again (see :func:`rerun`).

    Returns
    -------
    (RunResult, seed)
    """
    rows = result.runs[result.runs["config"] == config]
    if rows.empty:
        raise ConfigError(f"no configuration {config!r} in this comparison")
    first = rows.iloc[0]
    job = Rerun(str(first["game"]), str(first["rule_spec"]), int(first["seed"]),
                result.experiment.settings(), records)
    return rerun(job), job.seed


def _density(game, key, runs, labels, judged, settings, executor):
    from gamesim.compare.executors import make_executor
    from gamesim.reports import figures as fg

    configs = list(dict.fromkeys(runs["config"]))[:MAX_PANELS]
    jobs = {}
    for config in configs:
        first = runs[runs["config"] == config].iloc[0]
        jobs[config] = Rerun(str(first["game"]), str(first["rule_spec"]),
                             int(first["seed"]),
                             settings, records=10)
    started = time.perf_counter()
    outcomes = {}
    with make_executor(executor, tasks=len(jobs)) as runner:
        for job, outcome in runner.run(_rerun_tables, list(jobs.values())):
            outcomes[job] = outcome

    rows, finals, mismatches = [], {}, []
    params = game.param_names()
    for config, job in jobs.items():
        hist, final, z_end = outcomes[job]
        steps = hist["step"].to_numpy()
        chosen = []
        for share in CHECKPOINTS:
            step = int(steps[np.argmin(np.abs(steps - share * steps[-1]))])
            if step not in chosen:
                chosen.append(step)
        points = [(s, hist.loc[hist["step"] == s, params].to_numpy(float)[-1])
                  for s in chosen]
        rows.append((labels[config], points))
        finals[config] = z_end
        expected = runs[(runs["config"] == config) & (runs["seed"] == job.seed)]
        metric = judged[config][0]
        if metric in final.columns and not expected.empty:
            a = float(final[metric].iloc[0])
            b = float(expected[metric].iloc[0])
            if not math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-12):
                mismatches.append(f"{labels[config]} (re-run {a:.6g}, table {b:.6g})")
    logger.info("density figure: %d re-runs in %.1f s", len(configs),
                time.perf_counter() - started)
    fig = fg.density_figure(game, rows)
    steps_text = ", ".join(str(s) for s, _ in rows[0][1])
    item = FigureItem(
        f"density-{key}", "Generated density against the data",
        "Histogram: the data; line: a Gaussian kernel density estimate of the "
        "generator's fixed evaluation sample (weighted by the mixture weights), at "
        f"steps {steps_text} of the first seed of each rule (re-run with the same "
        "settings to record the parameters).", fig)
    note = ""
    if mismatches:
        note = ("Warning: the re-run of the first seed did not reproduce the table's "
                f"final verdict metric for: {'; '.join(mismatches)}. The density "
                "panels may not show the runs of the tables.")
    if len(dict.fromkeys(runs["config"])) > MAX_PANELS:
        note += f" Only the first {MAX_PANELS} configurations are drawn."
    return item, finals, note.strip()


def _stability(game, key, runs, labels, finals):
    """The stability figure, or a note saying why a rule has none."""
    from gamesim.engine import parse_rule_specs
    from gamesim.reports import figures as fg
    from gamesim.spectral import MODE_RULES, field_jacobian

    if getattr(game, "stochastic", False):
        return None, ("No stability regions: the game is stochastic (minibatches), "
                      "so its Jacobian changes with every step.")
    panels, skipped = [], []
    shared = None
    where = "the game's equilibrium"
    for config, group in runs.groupby("config", sort=False):
        first = group.iloc[0]
        label = labels[config]
        rules, schedule = parse_rule_specs(game, str(first["rule_spec"]).split(";"))
        pair = list(rules.values())
        rule = pair[0]
        if len(pair) != 2 or type(pair[0]) is not type(pair[1]) or \
                {k: v for k, v in pair[0].hyperparameters().items() if k != "lr"} != \
                {k: v for k, v in pair[1].hyperparameters().items() if k != "lr"}:
            skipped.append(f"{label} (different rules per player)")
            continue
        if rule.name not in MODE_RULES:
            skipped.append(f"{label} ({rule.name}: its linearisation is not a "
                           "function of η λ)")
            continue
        if schedule.kind != "simultaneous" or schedule.d_steps != 1:
            skipped.append(f"{label} ({schedule.kind} schedule)")
            continue
        if not math.isclose(pair[0].lr, pair[1].lr):
            skipped.append(f"{label} (two step sizes)")
            continue
        try:
            if config in finals:
                eig = field_jacobian(game, finals[config]).eigenvalues
                where = "the final point of the first seed of each rule"
            else:
                if shared is None:
                    shared = field_jacobian(game).eigenvalues
                eig = shared
        except (ConfigError, NotImplementedError, ValueError) as exc:
            skipped.append(f"{label} (no Jacobian: {exc})")
            continue
        panels.append((label, rule, float(rule.lr), eig))
    note = ""
    if skipped:
        note = "No stability region for: " + "; ".join(skipped) + "."
    if not panels:
        return None, note
    fig = fg.stability_figure(panels[:MAX_PANELS], game)
    item = FigureItem(
        f"stability-{key}", "Eigenvalues on the stability regions",
        "Hatched: where the rule's linearised step contracts (spectral radius "
        "below 1). Points: the eigenvalues λ of the descent-field Jacobian J at "
        f"{where}, times the step η (circle: contracted, cross: not). "
        "See docs/explanation/spectral.md.", fig)
    return item, note


# -- the other sections ------------------------------------------------------------

def _summary_section(verdicts: pd.DataFrame, result) -> Section:
    section = Section("Summary")
    items = []
    several = verdicts["game"].nunique() > 1
    for _, row in verdicts.iterrows():
        where = f" on `{row['game']}`" if several else ""
        final = _median_iqr(row["final_median"], row["final_q25"], row["final_q75"])
        text = (f"`{row['label']}`{where}: **{row['verdict']}** "
                f"({row['seeds']}); final {row['metric']} {final}")
        if row["metric"] != "discriminator_gap" and \
                "discriminator_gap_median" in row and \
                not pd.isna(row["discriminator_gap_median"]):
            text += f"; final discriminator_gap {row['discriminator_gap_median']:.3g}"
        for name in ("duality_gap", "nash_conv"):
            key = f"{name}_median"
            if row["metric"] != name and key in row and not pd.isna(row[key]):
                what = "estimated " if row["gap_estimated"] else ""
                text += f"; {what}{name} {row[key]:.3g}"
                break
        if isinstance(row.get("note"), str) and row["note"]:
            text += f". **Warning**: {row['note']}"
        items.append(text)
    section.blocks.append(Paragraph(
        "One line per configuration: the verdict of most seeds (the share of each "
        "verdict in brackets) and the final value of the verdict metric, median "
        "[25th, 75th percentile] over seeds."))
    section.blocks.append(Bullets(items))
    section.blocks.append(Paragraph(
        "Verdicts: " + "; ".join(f"{name}: {MEANING[name].split(': ', 1)[-1]}"
                                 for name in VERDICTS) + "."))
    return section


def _experiment_section(result) -> Section:
    experiment = result.experiment
    s = experiment.settings()
    manifest = {}
    if result.out is not None:
        path = Path(result.out) / "experiment.json"
        if path.exists():
            import json

            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                manifest = {}
    seeds = list(experiment.seeds)
    rows = [
        ("steps per run", s.steps),
        ("seeds", _seed_text(pd.Series(seeds))),
        ("tolerance (early stop)", "none" if s.tol is None else f"{s.tol:g}"),
        ("stop metric", s.stop_metric or "the engine's default per game"),
        ("record every", f"{s.record_every} steps"),
        ("initial-point noise (std)", f"{s.init_noise:g}"),
        ("averaging", str(s.average)),
        ("executor", manifest.get("executor", experiment.executor)),
        ("started", manifest.get("started", "n/a")),
        ("finished", manifest.get("finished", "n/a")),
        ("complete", "yes" if result.complete else "no (interrupted)"),
    ]
    frame = pd.DataFrame(rows, columns=["setting", "value"])
    frame["value"] = frame["value"].astype(str)
    section = Section("Experiment")
    section.blocks.append(Paragraph(
        "Games: " + ", ".join(f"`{g}`" for g in dict.fromkeys(result.runs["game"]))
        + ". Every configuration ran on every seed; a seed fixes the run's "
          "initial-point noise and any sampling."))
    section.blocks.append(Table("settings", "Engine settings", frame))
    return section


def _method_section() -> Section:
    v = verdicts_module
    section = Section("How the verdicts are decided")
    section.blocks.append(Paragraph(
        "Each run is judged on one metric that is zero at the equilibrium (the "
        "verdict metric), from its recorded history and the engine's final status, "
        "by gamesim.reports.verdict.run_verdict. The rules, in order:"))
    section.blocks.append(Bullets([
        "**diverged** if the engine ended the run as diverged or nonfinite;",
        (f"**converged** if the engine stopped it at the tolerance, or every "
         f"recorded value in the last {v.SETTLE_FRACTION:.0%} of the run is at "
         "most the tolerance;"),
        (f"over the last {v.WINDOW_FRACTION:.0%} of the recorded steps a straight "
         f"line is fitted to log10 of the metric: **diverged** if it grows by a "
         f"factor {v.TREND_FACTOR:g} or more, **approaching** if it falls by that "
         "factor or more;"),
        (f"otherwise **cycles** if the metric changes direction at least "
         f"{v.CYCLE_REVERSALS} times in that window with a spread (max - min) / "
         f"median of at least {v.CYCLE_AMPLITUDE:.0%};"),
        "otherwise **stalled**.",
    ]))
    tol_text = ", ".join(f"{k} {t:g}" for k, t in v.DEFAULT_TOLERANCES.items())
    section.blocks.append(Paragraph(
        "A configuration takes the verdict of most of its seeds (ties go to the "
        "worse verdict). The verdict metric is the stop metric of the runs (the "
        "experiment's, or the engine's default per game: the distance to a known "
        "equilibrium, NashConv for matrix games, the averaged iterate's for rules "
        "that average); where that is the gradient norm, the first recorded of: "
        + ", ".join(v.METRIC_PREFERENCE) + ". "
        "Tolerances when the experiment sets none: " + tol_text + "."))
    return section


def _software_section(result) -> Section:
    versions = package_versions()
    frame = pd.DataFrame(list(versions.items()), columns=["package", "version"])
    section = Section("Software")
    section.blocks.append(Table("versions", "Package versions", frame,
                                "Versions of the process that wrote this report."))
    return section


# -- writing -----------------------------------------------------------------------

def write_report(folder, result=None, *, metric: str | None = None,
                 tol: float | None = None, density: bool = True,
                 stability: bool = True, executor: str = "local") -> ReportFiles:
    """Write ``report.html``, ``report.md``, figures and verdict tables.

    Parameters
    ----------
    folder : str or path
        A comparison's output folder (``gamesim compare --out``).
    result : ComparisonResult, optional
        The comparison, if already in memory (default: read the folder with
        :func:`gamesim.compare.load_comparison`).
    metric, tol, density, stability, executor
        As in :func:`build_report`.

    Returns
    -------
    ReportFiles

    Examples
    --------
    >>> from gamesim.compare import compare
    >>> res = compare("bilinear", ["gda:lr=0.1", "eg:lr=0.1"], seeds=2,
    ...               steps=200, init_noise=0.1, out="bilinear-report")
    >>> files = write_report("bilinear-report", res)
    >>> files.html.name, files.markdown.name, [p.name for p in files.tables]
    ('report.html', 'report.md', ['verdicts.csv', 'run_verdicts.csv'])
    """
    import matplotlib

    from gamesim.compare import load_comparison
    from gamesim.reports.render import render_html, render_markdown

    folder = Path(folder)
    if result is None:
        result = load_comparison(folder)
    started = time.perf_counter()
    report = build_report(result, metric=metric, tol=tol, density=density,
                          stability=stability, executor=executor)

    figure_dir = folder / "figures"
    figure_dir.mkdir(parents=True, exist_ok=True)
    names = {f"{item.name}.png" for item in report.figures()}
    for stale in figure_dir.glob("*.png"):  # figures of an earlier report
        if stale.name not in names:
            stale.unlink()
    pngs, figure_paths = {}, []
    with matplotlib.rc_context({"font.size": 10, "svg.fonttype": "none"}):
        for item in report.figures():
            path = figure_dir / f"{item.name}.png"
            item.figure.savefig(path, dpi=110)
            pngs[item.name] = path.read_bytes()
            figure_paths.append(path)

    tables = (folder / "verdicts.csv", folder / "run_verdicts.csv")
    _write_text(tables[0], report.verdicts.to_csv(index=False))
    _write_text(tables[1], report.run_verdicts.to_csv(index=False))
    html = folder / "report.html"
    markdown = folder / "report.md"
    _write_text(html, render_html(report, pngs))
    _write_text(markdown, render_markdown(report, "figures"))
    logger.info("wrote the report of %s in %.1f s", folder,
                time.perf_counter() - started)
    return ReportFiles(folder, html, markdown, tables, tuple(figure_paths))


def _write_text(path: Path, text: str) -> None:
    """Write a file atomically (a reader never sees half of it)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
