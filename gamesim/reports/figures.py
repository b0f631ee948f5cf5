"""Figures of a comparison, readable on screen and in grey on paper.

Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state; saving works with any backend, Agg included).
Lines are told apart by line style and marker as well as by colour
(the Okabe-Ito palette), so that a grey print keeps them apart; axes carry
labels with units, and the tolerance and ``D = 1/2`` lines are drawn and
named in the legend.

Figures
-------
:func:`convergence_figure`
    A metric against the step on a log scale, one line per label (the
    median over runs) with a band from the 25th to the 75th percentile.
:func:`discriminator_figure`
    ``d_real`` and ``d_fake`` against the step with the ``1/2`` line.
:func:`phase_portrait_figure`
    Trajectories of a two-parameter game over its vector field.
:func:`simplex_figure`
    Trajectories of the mixed strategies of three-action players.
:func:`density_figure`
    The generator's density against the data at checkpoints (GAN games).
:func:`stability_figure`
    The Jacobian's eigenvalues times the step on each rule's stability
    region (:func:`gamesim.spectral.plot_stability_region`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from gamesim.errors import ConfigError

#: (colour, line style, marker) per label, in order; colours from Okabe and
#: Ito's palette, styles and markers so that grey prints stay readable
STYLES = (
    ("#000000", "-", "o"),
    ("#D55E00", "--", "s"),
    ("#0072B2", "-.", "^"),
    ("#009E73", ":", "D"),
    ("#CC79A7", (0, (6, 2, 1, 2, 1, 2)), "v"),
    ("#E69F00", (0, (1, 1)), "P"),
    ("#56B4E9", (0, (8, 3)), "X"),
    ("#555555", (0, (3, 1, 1, 1)), "*"),
)

#: axis labels (with units) of the metrics gamesim records
METRIC_LABELS = {
    "distance_to_equilibrium": "distance to equilibrium ‖z − z*‖ (parameter units)",
    "nash_conv": "NashConv (payoff units)",
    "nash_conv_avg": "NashConv of the average (payoff units)",
    "nash_conv_relative": "NashConv / payoff range (dimensionless)",
    "nash_conv_relative_avg": "NashConv of the average / payoff range",
    "duality_gap": "duality gap (payoff units)",
    "discriminator_gap": "discriminator gap mean |D(x) − 1/2| (probability)",
    "optimal_discriminator_gap": "mean |D*(x) − 1/2| (probability)",
    "grad_norm": "gradient norm ‖ξ(z)‖ (loss per parameter unit)",
    "jsd": "Jensen-Shannon divergence (nats)",
    "wasserstein": "Wasserstein-1 distance (standardised data units)",
    "energy_distance": "energy distance (standardised data units)",
    "kl_to_equilibrium": "KL(z*‖z) (nats)",
    "value": "game value f(x, y) (loss units)",
}

#: units of the columns of the bundled data sets (gamesim/data/README.md)
DATA_UNITS = {
    "eruptions": "minutes", "waiting": "minutes", "bill_length_mm": "mm",
    "bill_depth_mm": "mm", "flipper_length_mm": "mm", "body_mass_g": "g",
}

STEP_LABEL = "step (updates of both players)"


def style(i: int) -> dict:
    """Line keywords (colour, style, marker) of the ``i``-th label."""
    colour, dash, marker = STYLES[i % len(STYLES)]
    return dict(color=colour, linestyle=dash, marker=marker)


def metric_label(metric: str) -> str:
    """The axis label of a metric, with its unit when known."""
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def _new_axes(ax, size=(7.0, 4.4)):
    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.add_subplot()
    return ax.figure, ax


def quantile_bands(histories: pd.DataFrame, metric: str, label_column: str,
                   run_column: str = "seed", step_column: str = "step"
                   ) -> dict[str, pd.DataFrame]:
    """Median and quartiles of a metric over runs, per label and step.

    A run that stopped before the others (converged, diverged) is held at
    its last recorded value, as the engine freezes it there; steps before a
    run's first record are left out.

    Returns
    -------
    dict
        Label (in order of first appearance) to a DataFrame indexed by step
        with columns ``q25``, ``median``, ``q75`` and ``runs``.
    """
    missing = [c for c in (label_column, run_column, step_column, metric)
               if c not in histories.columns]
    if missing:
        raise ConfigError(f"histories lack the column(s) {', '.join(missing)} "
                          f"(have: {', '.join(map(str, histories.columns))})")
    out = {}
    for label, group in histories.groupby(label_column, sort=False):
        table = group.pivot_table(index=step_column, columns=run_column,
                                  values=metric, aggfunc="last").sort_index()
        table = table.ffill()
        values = table.to_numpy(dtype=float)
        if values.size == 0:
            continue
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                q = np.nanquantile(values, [0.25, 0.5, 0.75], axis=1)
        out[str(label)] = pd.DataFrame(
            {"q25": q[0], "median": q[1], "q75": q[2],
             "runs": np.sum(np.isfinite(values), axis=1)},
            index=table.index)
    return out


def convergence_figure(histories: pd.DataFrame, metric: str,
                       label_column: str = "label", tol: float | None = None,
                       ax=None, *, run_column: str = "seed",
                       step_column: str = "step", log: bool = True,
                       title: str | None = None) -> Figure:
    """A metric against the step, one line per label with a band over runs.

    Parameters
    ----------
    histories : pandas.DataFrame
        Tidy history rows: one per run and recorded step, with the columns
        ``label_column`` (what a line stands for: a rule, a configuration),
        ``run_column`` (the run within a label, e.g. its seed),
        ``step_column`` and ``metric``. A comparison's ``histories`` with a
        label column added, or an engine result's ``history`` with one.
    metric : str
        The column to draw (``distance_to_equilibrium``, ``nash_conv``, ...).
    label_column : str
        The column naming each line.
    tol : float, optional
        Draw the tolerance as a dashed horizontal line.
    ax : matplotlib Axes, optional
        Draw there (default: a new figure).
    run_column, step_column : str
        Names of the run and step columns (``seed`` and ``step`` in a
        comparison; ``run`` or ``seed`` in an engine history).
    log : bool
        Log scale on the metric's axis (default). Values at or below zero
        are drawn at ``1e-16`` of the largest value (the axis cannot show
        zero).
    title : str, optional
        The axes' title (default: the metric's name).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes.

    Notes
    -----
    Each line is the median over the runs of its label at each recorded
    step and the shaded band spans the 25th to 75th percentiles. A run that
    stopped early is held at its last value (the engine freezes it there).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"rule": r, "seed": s, "step": t,
    ...          "distance_to_equilibrium": (0.9 if r == "eg" else 1.01) ** t}
    ...         for r in ("gda", "eg") for s in (0, 1) for t in range(0, 101, 10)]
    >>> fig = convergence_figure(pd.DataFrame(rows), "distance_to_equilibrium",
    ...                          label_column="rule", tol=1e-3)
    >>> ax = fig.axes[0]
    >>> ax.get_yscale(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('log', ['gda', 'eg', 'tolerance 0.001'])
    """
    fig, ax = _new_axes(ax)
    bands = quantile_bands(histories, metric, label_column, run_column, step_column)
    if not bands:
        raise ConfigError("convergence_figure: the histories have no rows")
    peak = max((float(np.nanmax(b["q75"])) for b in bands.values()
                if np.isfinite(b["q75"]).any()), default=1.0)
    floor = 1e-16 * peak if (log and peak > 0) else None

    for i, (label, band) in enumerate(bands.items()):
        kw = style(i)
        steps = band.index.to_numpy(dtype=float)
        lo, mid, hi = (band[c].to_numpy(dtype=float) for c in ("q25", "median", "q75"))
        if floor is not None:
            lo, mid, hi = (np.maximum(v, floor) for v in (lo, mid, hi))
        ax.fill_between(steps, lo, hi, color=kw["color"], alpha=0.15, linewidth=0)
        ax.plot(steps, mid, label=label, linewidth=1.6, markersize=5,
                markevery=max(1, len(steps) // 8), markerfacecolor="white", **kw)
    if tol is not None:
        ax.axhline(tol, color="0.35", linestyle=(0, (4, 2)), linewidth=1.2,
                   label=f"tolerance {tol:g}")
    if floor is not None and any(
            (b[["q25", "median", "q75"]].to_numpy(dtype=float) < floor).any()
            for b in bands.values()):
        # values below 1e-16 of the peak are drawn at that floor: say so
        ax.axhline(floor, color="0.6", linestyle=":", linewidth=1.0,
                   label=f"drawing floor {floor:.1g} (values below it sit on it)")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(STEP_LABEL)
    ax.set_ylabel(metric_label(metric))
    ax.set_title(title or f"{metric}: median over runs, band 25-75th percentile",
                 fontsize="medium")
    ax.grid(True, which="major", color="0.88", linewidth=0.6)
    ax.legend(fontsize="small", framealpha=0.9)
    return fig


def discriminator_figure(histories: pd.DataFrame, label_column: str = "label",
                         *, run_column: str = "seed",
                         step_column: str = "step") -> Figure:
    """``d_real`` and ``d_fake`` against the step, with the ``D = 1/2`` line.

    Two panels (real and generated samples), one line per label: the median
    over runs with a band from the 25th to the 75th percentile. At the
    ideal equilibrium both are ``1/2`` (Goodfellow et al. 2014).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"rule": "gda", "seed": 0, "step": t, "d_real": 0.5 + 0.1 / (1 + t),
    ...          "d_fake": 0.5 - 0.1 / (1 + t)} for t in range(50)]
    >>> fig = discriminator_figure(pd.DataFrame(rows), "rule")
    >>> [ax.get_ylabel() for ax in fig.axes][0]
    'mean D(x) on the data (probability)'
    """
    fig = Figure(figsize=(10.0, 4.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    names = (("d_real", "mean D(x) on the data (probability)", "real samples"),
             ("d_fake", "mean D(G(z)) on generated samples (probability)",
              "generated samples"))
    for ax, (metric, ylabel, what) in zip(axes, names):
        bands = quantile_bands(histories, metric, label_column, run_column,
                               step_column)
        for i, (label, band) in enumerate(bands.items()):
            kw = style(i)
            steps = band.index.to_numpy(dtype=float)
            ax.fill_between(steps, band["q25"], band["q75"], color=kw["color"],
                            alpha=0.15, linewidth=0)
            ax.plot(steps, band["median"], label=label, linewidth=1.5, markersize=5,
                    markevery=max(1, len(steps) // 8), markerfacecolor="white",
                    **kw)
        ax.axhline(0.5, color="0.2", linestyle=(0, (4, 2)), linewidth=1.3,
                   label="D = 1/2 (equilibrium)")
        ax.set_xlabel(STEP_LABEL)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{metric}: discriminator on {what}", fontsize="medium")
        ax.grid(True, color="0.88", linewidth=0.6)
        ax.yaxis.set_tick_params(labelleft=True)
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize="small",
               ncol=min(3, len(labels)), frameon=False)
    return fig


def _first_runs(histories, label_column, run_column):
    """History rows of the first run of every label, in label order."""
    out = {}
    for label, group in histories.groupby(label_column, sort=False):
        first = group[run_column].iloc[0]
        out[str(label)] = group[group[run_column] == first].sort_values("step")
    return out


def phase_portrait_figure(game, histories: pd.DataFrame, label_column: str = "label",
                          *, run_column: str = "seed", columns: int = 3,
                          max_labels: int = 9, games: dict | None = None) -> Figure:
    """Trajectories of a two-parameter game over its vector field.

    One panel per label (small multiples, same axes): the grey arrows show
    the direction of motion of gradient descent-ascent, ``-xi(z)``
    (normalised length); the line is the trajectory of the label's first
    run through its recorded points (circle: start, square: end); the star
    marks the game's known equilibrium. The view is the region the
    trajectories visit, clipped to three times the distance of the starting
    points from the equilibrium so that a diverging run does not shrink the
    others.

    Parameters
    ----------
    game : Game
        A game with two parameters (``game.n == 2``).
    histories : pandas.DataFrame
        History rows with the parameter columns ``game.param_names()``.
    label_column, run_column : str
        The columns naming a panel and a run.
    columns : int
        Panels per row.
    max_labels : int
        Panels at most (the first labels).
    games : dict, optional
        A game per label whose field its panel shows (the same parameters
        as ``game``, e.g. with and without a penalty); default ``game``.

    Examples
    --------
    >>> import pandas as pd
    >>> from gamesim import make_game
    >>> game = make_game("bilinear")
    >>> rows = [{"rule": "gda", "seed": 0, "step": t, "generator[0]": 1.0 - t / 10,
    ...          "discriminator[0]": 1.0} for t in range(5)]
    >>> fig = phase_portrait_figure(game, pd.DataFrame(rows), "rule")
    >>> fig.axes[0].get_xlabel()
    'generator[0] (generator parameter)'
    """
    if game.n != 2:
        raise ConfigError(f"phase portrait needs a game with 2 parameters, "
                          f"{game.name!r} has {game.n}")
    names = game.param_names()
    missing = [c for c in names if c not in histories.columns]
    if missing:
        raise ConfigError(f"phase portrait: the history has no parameter column(s) "
                          f"{', '.join(missing)}")
    runs = list(_first_runs(histories, label_column, run_column).items())[:max_labels]
    eq = game.equilibria()
    eq = np.zeros((0, 2)) if eq is None else np.atleast_2d(np.asarray(eq, float))

    # 1. the view: the visited region, clipped around the equilibrium
    points = np.concatenate([r[names].to_numpy(float) for _, r in runs] + [eq])
    points = points[np.all(np.isfinite(points), axis=1)]
    starts = np.array([r[names].to_numpy(float)[0] for _, r in runs])
    centre = eq[0] if len(eq) else starts.mean(axis=0)
    reach = 3.0 * max(1e-3, float(np.max(np.linalg.norm(starts - centre, axis=1))))
    lo = np.maximum(points.min(axis=0), centre - reach)
    hi = np.minimum(points.max(axis=0), centre + reach)
    pad = 0.12 * np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad, hi + pad

    # 2. the vector field -xi on a grid, normalised
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 17), np.linspace(lo[1], hi[1], 17))
    grid = np.column_stack([gx.ravel(), gy.ravel()])

    def directions(which):
        with np.errstate(all="ignore"):
            move = -np.asarray(which.field(grid), dtype=float)
        length = np.linalg.norm(move, axis=1, keepdims=True)
        return np.where(length > 0, move / np.where(length > 0, length, 1.0), 0.0)

    shared = directions(game)

    # 3. one panel per label
    cols = min(columns, len(runs))
    rows = int(math.ceil(len(runs) / cols))
    fig = Figure(figsize=(3.9 * cols + 0.4, 3.7 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False, sharex=True,
                                      sharey=True)).ravel()
    for i, (ax, (label, rows_)) in enumerate(zip(axes, runs)):
        kw = style(i)
        own = (games or {}).get(label)
        move = shared if own is None else directions(own)
        ax.quiver(gx, gy, move[:, 0].reshape(gx.shape), move[:, 1].reshape(gx.shape),
                  color="0.7", angles="xy", pivot="mid", width=0.004, scale=22)
        xy = rows_[names].to_numpy(float)
        ax.plot(xy[:, 0], xy[:, 1], color=kw["color"], linestyle="-", linewidth=1.1,
                marker=".", markersize=3)
        ax.plot(*xy[0], marker="o", color="black", markersize=7,
                markerfacecolor="white", linestyle="none")
        ax.plot(*xy[-1], marker="s", color="black", markersize=6, linestyle="none")
        if len(eq):
            ax.plot(eq[:, 0], eq[:, 1], "*", color="black", markersize=12,
                    linestyle="none")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_title(_clip(label, 44), fontsize="small")
        ax.set_xlabel(f"{names[0]} ({game.players[0]} parameter)", fontsize="small")
        ax.set_ylabel(f"{names[1]} ({game.players[1]} parameter)", fontsize="small")
        ax.tick_params(labelsize="x-small")
    for ax in axes[len(runs):]:
        ax.set_axis_off()
    fig.legend([Line2D([], [], marker="o", color="black", markerfacecolor="white",
                       linestyle="none"),
                Line2D([], [], marker="s", color="black", linestyle="none"),
                Line2D([], [], marker="*", color="black", markersize=12,
                       linestyle="none"),
                Line2D([], [], marker=r"$\rightarrow$", color="0.6", markersize=12,
                       linestyle="none")],
               ["start", "end (after the last step)", "equilibrium",
                "direction −ξ(z) of a gradient step"],
               loc="outside lower center", ncol=4, fontsize="small", frameon=False)
    fig.suptitle("phase portraits: first run of each rule, recorded points joined",
                 fontsize="medium")
    return fig


def _ternary(p: np.ndarray) -> np.ndarray:
    """Barycentric coordinates on 3 actions to the plane (equilateral)."""
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, math.sqrt(3) / 2]])
    return p @ corners


def simplex_figure(game, histories: pd.DataFrame, label_column: str = "label",
                   *, run_column: str = "seed", max_labels: int = 8) -> Figure:
    """Trajectories of the mixed strategies of the players with three actions.

    One triangle per three-action player (a 3 x 3 game gives two); each
    corner is a pure strategy, each line the first run of a label (circle:
    start, square: end) and stars the game's equilibria.

    Examples
    --------
    >>> import pandas as pd
    >>> from gamesim import make_game
    >>> game = make_game("matrix:name=rps")
    >>> rows = [{"rule": "hedge", "seed": 0, "step": t,
    ...          **dict(zip(game.param_names(), [0.5, 0.3, 0.2, 0.2, 0.3, 0.5]))}
    ...         for t in range(3)]
    >>> len(simplex_figure(game, pd.DataFrame(rows), "rule").axes)
    2
    """
    names = game.param_names()
    blocks = [(i, names[s]) for i, s in enumerate(game.slices)
              if s.stop - s.start == 3]
    if not blocks:
        raise ConfigError(f"simplex figure needs a player with 3 actions; "
                          f"{game.name!r} has {game.sizes}")
    missing = [c for c in names if c not in histories.columns]
    if missing:
        raise ConfigError(f"simplex figure: the history has no parameter column(s) "
                          f"{', '.join(missing)}")
    fig = Figure(figsize=(5.4 * len(blocks), 5.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(blocks)))
    runs = list(_first_runs(histories, label_column, run_column).items())[:max_labels]
    eq = game.equilibria()
    for ax, (who, cols) in zip(axes, blocks):
        corners = _ternary(np.eye(3))
        ax.fill(corners[:, 0], corners[:, 1], facecolor="0.97", edgecolor="black",
                linewidth=1.0)
        labels = _action_labels(game, who)
        offsets = ((-0.04, -0.05), (0.04, -0.05), (0.0, 0.04))
        for (x, y), text, (dx, dy) in zip(corners, labels, offsets):
            ax.text(x + dx, y + dy, text, ha="center", va="center", fontsize="small")
        for i, (label, rows) in enumerate(runs):
            kw = style(i)
            xy = _ternary(rows[cols].to_numpy(float))
            ax.plot(xy[:, 0], xy[:, 1], color=kw["color"], linestyle=kw["linestyle"],
                    linewidth=1.3, label=label)
            ax.plot(*xy[0], marker="o", color=kw["color"], markerfacecolor="white")
            ax.plot(*xy[-1], marker="s", color=kw["color"])
        if eq is not None:
            block = np.atleast_2d(eq)[:, game.slices[who]]
            star = _ternary(block)
            ax.plot(star[:, 0], star[:, 1], "*", color="black", markersize=13,
                    linestyle="none", label="equilibrium")
        ax.set_aspect("equal")
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.12, 0.98)
        ax.set_axis_off()
        ax.set_title(f"{game.players[who]} player's mixed strategy",
                     fontsize="medium", pad=14)
    handles, labels = axes[-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize="small",
               ncol=min(4, len(labels)), frameon=False)
    fig.suptitle("last iterate on the simplex: a corner is a pure strategy "
                 "(circle: start, square: end)", fontsize="medium")
    return fig


def _action_labels(game, who: int) -> list[str]:
    labels = getattr(game, "row_labels" if who == 0 else "column_labels", None)
    if labels is None:
        return [f"action {k}" for k in range(3)]
    return [str(v) for v in labels]


Checkpoints = Sequence[tuple[str, Sequence[tuple[int, np.ndarray]]]]


def density_figure(game, checkpoints: Checkpoints, *, bins: int = 30) -> Figure:
    """The generator's density against the data at a few checkpoints.

    Parameters
    ----------
    game : GANGame
        A game with ``dataset`` and ``generated(z)`` (see
        :class:`gamesim.gan.GANGame`).
    checkpoints : sequence of (label, [(step, z), ...])
        One row of panels per label; ``z`` are the joint parameters at that
        step.
    bins : int
        Histogram bins of the data (one-dimensional data).

    Notes
    -----
    One-dimensional data: the grey histogram is the data (as a density),
    the line a Gaussian kernel density estimate (Scott's bandwidth) of the
    game's fixed evaluation sample of the generator, weighted for mixture
    generators. All panels share their axes; a generated density that peaks
    above the top is cut there and its peak written in the panel. Two or
    more columns: the first two, data as grey dots and generated samples as
    black crosses. Both in the file's units.
    """
    ds = game.dataset
    rows = len(checkpoints)
    cols = max((len(c) for _, c in checkpoints), default=0)
    if rows == 0 or cols == 0:
        raise ConfigError("density_figure: no checkpoints")
    fig = Figure(figsize=(3.1 * cols + 0.6, 2.4 * rows + 0.9), layout="constrained")
    axes = np.atleast_2d(fig.subplots(rows, cols, squeeze=False, sharex=True,
                                      sharey=True))
    data = ds.to_raw(ds.values)
    units = [DATA_UNITS.get(c) for c in ds.columns]
    names = [f"{c} ({u})" if u else f"{c} (data units)" for c, u in
             zip(ds.columns, units)]

    # 1. the generated samples of every panel, in the file's units
    samples = {}
    for r, (_, points) in enumerate(checkpoints):
        for c, (_, z) in enumerate(points):
            fake, weights = game.generated(np.asarray(z, float)[None, :])
            w = None if weights is None else np.asarray(weights[0], float)
            samples[r, c] = (ds.to_raw(fake[0]), w)

    # 2. a common view: the data and the bulk of the generated samples
    # (at most one data range beyond the data on either side)
    d_lo, d_hi = data.min(axis=0), data.max(axis=0)
    span = np.maximum(d_hi - d_lo, 1e-9)
    lo, hi = d_lo.copy(), d_hi.copy()
    for fake, _ in samples.values():
        finite = fake[np.all(np.isfinite(fake), axis=1)]
        if len(finite):
            lo = np.minimum(lo, np.quantile(finite, 0.02, axis=0))
            hi = np.maximum(hi, np.quantile(finite, 0.98, axis=0))
    lo, hi = np.maximum(lo, d_lo - span), np.minimum(hi, d_hi + span)
    lo, hi = lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)

    if ds.dim == 1:
        _density_panels_1d(axes, checkpoints, samples, data[:, 0], lo[0], hi[0],
                           bins, units[0], names[0])
    else:
        _density_panels_2d(axes, checkpoints, samples, data, lo, hi, names)
    fig.suptitle("generated distribution against the data (first seed of each rule)",
                 fontsize="medium")
    return fig


def _density_panels_1d(axes, checkpoints, samples, data, lo, hi, bins, unit, name):
    from scipy.stats import gaussian_kde

    grid = np.linspace(lo, hi, 400)
    edges = np.linspace(data.min(), data.max(), bins + 1)
    heights, _ = np.histogram(data, bins=edges, density=True)
    top = 2.0 * float(heights.max())
    for r, c, ax in _density_cells(axes, checkpoints):
        ax.hist(data, bins=edges, density=True, color="0.8", edgecolor="0.5",
                linewidth=0.5, label="data")
        fake, w = samples[r, c]
        finite = np.isfinite(fake[:, 0])
        inside = np.mean((fake[:, 0] >= lo) & (fake[:, 0] <= hi))
        if inside < 0.5:
            ax.text(0.5, 0.6, f"{1 - inside:.0%} of the generated samples\n"
                    f"outside the view (median {np.median(fake[:, 0]):.3g})",
                    transform=ax.transAxes, ha="center", va="center",
                    fontsize="x-small")
        spread = np.ptp(fake[finite, 0]) if finite.any() else 0.0
        if finite.any() and spread < 2 * (grid[1] - grid[0]):
            # a generator collapsed to (nearly) one point: its density is
            # a spike narrower than the grid, so mark it as a line
            where = float(np.median(fake[finite, 0]))
            ax.axvline(where, color="black", linewidth=1.6,
                       label="generator (collapsed)")
            ax.text(0.97, 0.93, f"collapsed: all samples within\n"
                    f"{spread:.2g} of {where:.4g}", transform=ax.transAxes,
                    ha="right", va="top", fontsize="x-small")
        elif finite.sum() > 1 and spread > 0:
            kde = gaussian_kde(fake[finite, 0],
                               weights=None if w is None else w[finite])
            density = kde(grid)
            ax.plot(grid, np.minimum(density, top), color="black", linewidth=1.6,
                    label="generator (KDE)")
            if density.max() > top:
                ax.text(0.97, 0.93, f"peak {density.max():.3g} (cut)",
                        transform=ax.transAxes, ha="right", va="top",
                        fontsize="x-small")
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, top * 1.02)
        _label_cell(axes, checkpoints, r, c,
                    f"density (1/{unit or 'data unit'})", name)
    axes[0, 0].legend(fontsize="x-small", framealpha=0.9, loc="upper left")


def _density_panels_2d(axes, checkpoints, samples, data, lo, hi, names):
    for r, c, ax in _density_cells(axes, checkpoints):
        fake, _ = samples[r, c]
        ax.plot(data[:, 0], data[:, 1], ".", color="0.6", markersize=3,
                label="data")
        ax.plot(fake[:, 0], fake[:, 1], "x", color="black", markersize=3,
                label="generator")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        _label_cell(axes, checkpoints, r, c, names[1], names[0])
    axes[0, 0].legend(fontsize="x-small", framealpha=0.9, loc="upper left")


def _density_cells(axes, checkpoints):
    """``(row, column, axes)`` of each used panel of the density grid (one row
    per rule, one column per checkpoint); unused panels are hidden."""
    for r, (_, points) in enumerate(checkpoints):
        for c in range(axes.shape[1]):
            if c >= len(points):
                axes[r, c].set_axis_off()
            else:
                yield r, c, axes[r, c]


def _label_cell(axes, checkpoints, r, c, ylabel, xlabel):
    """Title (the step), the rule on the first column's y label, the x label
    on the last row, small ticks."""
    ax = axes[r, c]
    label, points = checkpoints[r]
    ax.set_title(f"step {int(points[c][0])}", fontsize="small")
    if c == 0:
        ax.set_ylabel(f"{_clip(label, 28)}\n{ylabel}", fontsize="small")
    if r == axes.shape[0] - 1:
        ax.set_xlabel(xlabel, fontsize="small")
    ax.tick_params(labelsize="x-small")


def _clip(text: str, width: int) -> str:
    text = str(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def stability_figure(panels: Sequence[tuple[str, object, float, np.ndarray]],
                     game=None, *, columns: int = 3) -> Figure:
    """Eigenvalues times the step on each rule's stability region.

    Parameters
    ----------
    panels : sequence of (label, rule, eta, eigenvalues)
        One panel per rule: its label, the rule (an
        :class:`~gamesim.rules.base.UpdateRule` or spec), the step size and
        the eigenvalues of the descent-field Jacobian.
    game : Game, optional
        Passed on (selects the proximal-point variant).

    Examples
    --------
    >>> fig = stability_figure([("eg", "eg:lr=0.5", 0.5, [1j, -1j]),
    ...                         ("gda", "gda:lr=0.5", 0.5, [1j, -1j])])
    >>> len([ax for ax in fig.axes if ax.get_xlabel()])
    2
    """
    from gamesim.spectral import plot_stability_region

    if not panels:
        raise ConfigError("stability_figure: no rule to draw")
    cols = min(columns, len(panels))
    rows = int(math.ceil(len(panels) / cols))
    fig = Figure(figsize=(5.2 * cols, 4.9 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for i, (ax, (label, rule, eta, eigenvalues)) in enumerate(zip(axes, panels)):
        plot_stability_region(rule, eigenvalues, eta, ax=ax, game=game)
        ax.set_title(f"{_clip(label, 40)}\nstability region, η = {eta:g}",
                     fontsize="small")
        legend = ax.get_legend()
        if legend is not None and i > 0:
            legend.remove()
        elif legend is not None:
            legend.set_loc("upper right")
            for text in legend.get_texts():
                text.set_fontsize("x-small")
        _zoom_on_eigenvalues(ax, rule, eigenvalues, eta, game)
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    return fig


def _zoom_on_eigenvalues(ax, rule, eigenvalues, eta, game) -> None:
    """An inset magnifying the eigenvalues when they are small on the plot."""
    from gamesim.spectral import plot_stability_region

    w = float(eta) * np.asarray(eigenvalues, dtype=complex).ravel()
    if w.size == 0:
        return
    x0, x1 = ax.get_xlim()
    reach = float(np.max(np.abs(w)))
    if reach == 0 or reach > 0.08 * (x1 - x0):
        return
    r = 2.0 * reach
    cx = float(np.mean(w.real))
    inset = ax.inset_axes([0.6, 0.04, 0.37, 0.37])
    plot_stability_region(rule, eigenvalues, eta, ax=inset, game=game,
                          extent=(cx - r, cx + r, -r, r))
    if inset.get_legend() is not None:
        inset.get_legend().remove()
    inset.set_title(f"zoom ×{(x1 - x0) / (2 * r):.0f}: ±{r:.2g} around "
                    f"({cx:.2g}, 0)", fontsize="x-small")
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.tick_params(labelleft=False, labelbottom=False, length=2)
    ax.indicate_inset_zoom(inset, edgecolor="0.3")
