"""Equilibrium reports: verdicts, figures, the HTML and Markdown files, the CLI.

Expected values name their source: reference A and D of
/work/shared/reference-cases.md (the shared reference values), closed forms,
or numpy's quantiles. The browser rendering is in test_report_browser.py.
"""

import math
import re

import numpy as np
import pandas as pd
import pytest

from gamesim import make_game, make_rule, parse_rule_specs, simulate
from gamesim.cli import main
from gamesim.compare import compare
from gamesim.errors import ConfigError
from gamesim.reports import (
    build_report,
    config_verdict,
    convergence_figure,
    discriminator_figure,
    phase_portrait_figure,
    run_verdict,
    simplex_figure,
    stability_figure,
    write_report,
)
from gamesim.reports import verdict as verdict_module
from gamesim.reports.context import package_versions
from gamesim.reports.figures import quantile_bands
from gamesim.reports.verdict import choose_metric, default_tolerance

RHO_GDA = math.sqrt(1 + 0.1**2)  # reference A, simultaneous GDA, eta = 0.1
RHO_EG = math.sqrt(1 - 0.1**2 + 0.1**4)  # reference A, extragradient, eta = 0.1


def bilinear_run(spec, steps, record_every=10):
    """One run on f(x, y) = x y from (1, 1) (reference A's setting)."""
    game = make_game("bilinear")
    rules, schedule = parse_rule_specs(game, spec)
    return simulate(game, rules, steps, schedule=schedule, record_every=record_every)


# -- verdicts ----------------------------------------------------------------------

def test_simultaneous_gda_on_xy_diverges_at_the_rate_of_reference_a():
    res = bilinear_run("gda:lr=0.1", 1000)
    h = res.history
    v = run_verdict(h["step"], h["distance_to_equilibrium"], 1e-3, res.status[0])
    assert v.verdict == "diverged"
    # the norm grows by rho per step exactly (a scaled rotation): over the
    # window of the last 500 steps the fitted factor is rho^500 (reference A)
    assert v.window_start == 500
    assert v.trend_factor == pytest.approx(RHO_GDA**500, rel=1e-9)


def test_extragradient_on_xy_approaches_then_converges():
    # reference A: ||z_1000|| = 0.00977339 > 1e-3, contracting by rho_EG per step
    res = bilinear_run("eg:lr=0.1", 1000)
    h = res.history
    assert h["distance_to_equilibrium"].iloc[-1] == pytest.approx(0.00977339,
                                                                 rel=1e-6)
    v = run_verdict(h["step"], h["distance_to_equilibrium"], 1e-3, res.status[0])
    assert v.verdict == "approaching"
    assert v.trend_factor == pytest.approx(RHO_EG**500, rel=1e-9)
    # 2000 steps: 0.00977339 * rho^1000 < 1e-3 over the last 10% too
    res = bilinear_run("eg:lr=0.1", 2000)
    h = res.history
    assert run_verdict(h["step"], h["distance_to_equilibrium"], 1e-3,
                       res.status[0]).verdict == "converged"


def test_alternating_gda_on_xy_cycles():
    # reference A: alternating GDA conserves x^2 - eta x y + y^2 (bounded orbit)
    res = bilinear_run("gda:lr=0.1,schedule=alternating", 2000, record_every=20)
    h = res.history
    v = run_verdict(h["step"], h["distance_to_equilibrium"], 1e-3, res.status[0])
    assert v.verdict == "cycles"
    assert abs(math.log(v.trend_factor)) < math.log(verdict_module.TREND_FACTOR)
    assert v.reversals >= verdict_module.CYCLE_REVERSALS


def test_fictitious_play_in_matching_pennies_is_still_approaching():
    # reference D: NashConv of the averages 0.044 at T = 1000, falling ~ 1/sqrt(T)
    # (T rounds = z0 = both play action 0, then T - 1 steps)
    game = make_game("matrix:name=matching_pennies")
    res = simulate(game, make_rule("fp"), 999, z0=[1, 0, 1, 0], record_every=9)
    h = res.history
    assert h["nash_conv_avg"].iloc[-1] == pytest.approx(0.044, abs=1e-12)
    v = run_verdict(h["step"], h["nash_conv_avg"], 1e-2, res.status[0])
    assert v.verdict == "approaching"


def test_engine_statuses_decide_first():
    steps, values = [0, 10, 20, 30], [1.0, 0.5, 0.25, 0.1]
    assert run_verdict(steps, values, 1e-3, "diverged").verdict == "diverged"
    assert run_verdict(steps, values, 1e-3, "nonfinite").verdict == "diverged"
    # stopped at the tolerance by the engine
    assert run_verdict(steps, values, 0.1, "converged").verdict == "converged"


def test_constant_metric_above_tolerance_is_stalled():
    v = run_verdict(range(0, 1000, 10), [0.3] * 100, 1e-3)
    assert v.verdict == "stalled"
    assert v.trend_factor == pytest.approx(1.0, abs=1e-12)  # closed form: flat
    assert v.spread == 0.0 and v.reversals == 0


def test_within_tolerance_needs_the_whole_settling_window():
    steps = list(range(0, 101, 10))
    dip = [1.0] * 10 + [1e-4]  # only the last record is below tol
    assert run_verdict(steps, dip, 1e-3).verdict != "converged"
    settled = [1.0] * 9 + [1e-4, 1e-4]
    assert run_verdict(steps, settled, 1e-3).verdict == "converged"


def test_nonfinite_values_are_left_out_and_all_nonfinite_is_divergence():
    v = run_verdict([0, 1, 2, 3], [1.0, 0.5, np.nan, 0.1], 0.2)
    assert v.final == 0.1
    assert run_verdict([0, 1], [np.inf, np.nan], 0.1).verdict == "diverged"


@pytest.mark.parametrize("steps, values, tol, message", [
    ([], [], 1e-3, "non-empty"),
    ([0, 1], [1.0], 1e-3, "equal length"),
    ([0, 1], [1.0, 2.0], -1.0, "tol must be finite"),
    ([0, 1], [1.0, 2.0], float("nan"), "tol must be finite"),
])
def test_bad_verdict_input_names_the_problem(steps, values, tol, message):
    with pytest.raises(ConfigError, match=message):
        run_verdict(steps, values, tol)


def test_configuration_takes_the_majority_and_ties_go_to_the_worse():
    good = run_verdict([0, 50, 100], [1.0, 1e-4, 1e-5], 1e-3)
    bad = run_verdict([0, 50, 100], [1.0, 10.0, 100.0], 1e-3)
    assert good.verdict == "converged" and bad.verdict == "diverged"
    assert config_verdict([good, good, bad], "m", 1e-3).verdict == "converged"
    tie = config_verdict([good, bad], "m", 1e-3)
    assert tie.verdict == "diverged"
    assert tie.shares["converged"] == 0.5 and tie.shares["diverged"] == 0.5
    # quartiles of the finals by numpy's linear interpolation
    assert tie.final_median == pytest.approx(np.median([1e-5, 100.0]), rel=1e-12)
    with pytest.raises(ConfigError, match="at least one run"):
        config_verdict([], "m", 1e-3)


def test_metric_choice_and_default_tolerances():
    assert choose_metric(["grad_norm", "distance_to_equilibrium"]) == \
        "distance_to_equilibrium"
    assert choose_metric(["nash_conv", "nash_conv_relative_avg", "grad_norm"]) == \
        "nash_conv_relative_avg"
    assert choose_metric(["d_real", "discriminator_gap"], "jsd") == \
        "discriminator_gap"
    with pytest.raises(ConfigError, match="none of the metrics"):
        choose_metric(["value"])
    assert default_tolerance("discriminator_gap") == 0.05
    assert default_tolerance("nash_conv_avg") == default_tolerance("nash_conv")
    assert default_tolerance("something_new") == 1e-3


# -- figures -----------------------------------------------------------------------

def synthetic_histories():
    rows = []
    for rule, values in (("a", [[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]]),
                         ("b", [[3.0, 3.0, 3.0], [0.0, 0.5, 1.0]])):
        for step, per_seed in enumerate(values):
            for seed, v in enumerate(per_seed):
                rows.append({"rule": rule, "seed": seed, "step": 10 * step,
                             "distance_to_equilibrium": v})
    return pd.DataFrame(rows)


def test_quantile_bands_match_numpy_quantiles():
    bands = quantile_bands(synthetic_histories(), "distance_to_equilibrium", "rule")
    a = bands["a"]
    # numpy's linear quantiles of [1, 2, 4]: 1.5, 2, 3
    assert a.loc[0, ["q25", "median", "q75"]].tolist() == pytest.approx(
        [1.5, 2.0, 3.0], abs=1e-12)
    assert a.loc[10, "median"] == pytest.approx(1.0, abs=1e-12)


def test_a_run_that_stopped_early_is_held_at_its_last_value():
    h = pd.DataFrame({"rule": "r", "seed": [0, 0, 1, 1, 1], "step": [0, 10, 0, 10, 20],
                      "m": [4.0, 1.0, 4.0, 3.0, 5.0]})
    band = quantile_bands(h, "m", "rule")["r"]
    # at step 20 seed 0 is frozen at 1.0: median of [1, 5] is 3
    assert band.loc[20, "median"] == pytest.approx(3.0, abs=1e-12)
    assert int(band.loc[20, "runs"]) == 2


def test_convergence_figure_contract():
    import matplotlib.pyplot as plt

    h = synthetic_histories()
    fig = convergence_figure(h, "distance_to_equilibrium", label_column="rule",
                             tol=0.01)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert "step" in ax.get_xlabel() and "distance" in ax.get_ylabel()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["a", "b", "tolerance 0.01"]
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("a", "b")]
    # distinct line styles and markers: readable in grey
    assert len({ln.get_linestyle() for ln in lines}) == 2
    assert len({ln.get_marker() for ln in lines}) == 2
    # the zero of rule b is drawn at a positive floor, not dropped
    assert np.all(lines[1].get_ydata() > 0)

    # into given axes
    own, axes = plt.subplots(1, 2)
    out = convergence_figure(h, "distance_to_equilibrium", "rule", ax=axes[1],
                             log=False)
    assert out is own and axes[1].get_yscale() == "linear"
    plt.close(own)

    with pytest.raises(ConfigError, match="label"):
        convergence_figure(h, "distance_to_equilibrium")  # no "label" column


def test_discriminator_figure_draws_the_half_line():
    rows = [{"rule": "gda", "seed": 0, "step": t, "d_real": 0.6, "d_fake": 0.4}
            for t in range(5)]
    fig = discriminator_figure(pd.DataFrame(rows), "rule")
    for ax in fig.axes:
        halves = [ln for ln in ax.get_lines() if "1/2" in ln.get_label()]
        assert len(halves) == 1
        assert halves[0].get_ydata()[0] == 0.5


def test_phase_portrait_arrows_follow_minus_the_field():
    game = make_game("bilinear")
    res = simulate(game, make_rule("eg:lr=0.1"), 200, record_every=10)
    h = res.history.assign(rule="eg")
    fig = phase_portrait_figure(game, h, "rule")
    quiver = next(c for c in fig.axes[0].collections if hasattr(c, "U"))
    xy = quiver.XY
    # xi(x, y) = (y, -x) for f = x y, so -xi / |xi| = (-y, x) / r (closed form)
    r = np.hypot(xy[:, 0], xy[:, 1])
    ok = r > 1e-9
    assert np.allclose(quiver.U[ok], -xy[ok, 1] / r[ok], atol=1e-12)
    assert np.allclose(quiver.V[ok], xy[ok, 0] / r[ok], atol=1e-12)
    with pytest.raises(ConfigError, match="2 parameters"):
        phase_portrait_figure(make_game("bilinear:n=2"), h, "rule")


def test_simplex_figure_puts_the_uniform_strategy_at_the_centroid():
    game = make_game("matrix:name=rps")
    names = game.param_names()
    rows = [{"rule": "hedge", "seed": 0, "step": t, **dict(zip(names, [1 / 3] * 6))}
            for t in range(3)]
    fig = simplex_figure(game, pd.DataFrame(rows), "rule")
    assert len(fig.axes) == 2
    start = fig.axes[0].get_lines()[1].get_xydata()[0]
    # centroid of the triangle (0, 0), (1, 0), (1/2, sqrt(3)/2)
    assert start == pytest.approx([0.5, math.sqrt(3) / 6], abs=1e-12)
    with pytest.raises(ConfigError, match="3 actions"):
        simplex_figure(make_game("matrix:name=matching_pennies"),
                       pd.DataFrame(rows), "rule")


def test_stability_figure_has_one_panel_per_rule():
    fig = stability_figure([("eg", "eg:lr=0.5", 0.5, [1j, -1j]),
                            ("gda", "gda:lr=0.5", 0.5, [1j, -1j])])
    titled = [ax for ax in fig.axes if "stability region" in ax.get_title()]
    assert len(titled) == 2
    with pytest.raises(ConfigError, match="no rule"):
        stability_figure([])


# -- reports -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def bilinear_comparison(tmp_path_factory):
    out = tmp_path_factory.mktemp("bilinear") / "out"
    res = compare("bilinear", ["gda:lr=0.1", "gda:lr=0.1,schedule=alternating",
                               "eg:lr=0.1"], seeds=3, steps=2000, init_noise=0.05,
                  out=out)
    return res, write_report(out, res)


def test_bilinear_report_verdicts_follow_reference_a(bilinear_comparison):
    _, files = bilinear_comparison
    verdicts = pd.read_csv(files.tables[0]).set_index("label")
    # reference A: GDA diverges, alternating GDA orbits, extragradient converges
    assert verdicts.loc["gda:lr=0.1", "verdict"] == "diverged"
    assert verdicts.loc["gda:lr=0.1,schedule=alternating", "verdict"] == "cycles"
    assert verdicts.loc["eg:lr=0.1", "verdict"] == "converged"
    assert (verdicts["metric"] == "distance_to_equilibrium").all()
    assert (verdicts["tol"] == 1e-3).all()
    per_run = pd.read_csv(files.tables[1])
    assert len(per_run) == 9 and set(per_run["seed"]) == {0, 1, 2}


def test_report_files_are_self_contained(bilinear_comparison):
    _, files = bilinear_comparison
    html = files.html.read_text(encoding="utf-8")
    # nothing fetched from anywhere: every image inline, no links to resources
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:|//)""", html)
    assert "<link" not in html
    images = re.findall(r'<img src="([^"]{0,30})', html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert "Content-Security-Policy" in html
    # every figure is in both files and on disk
    markdown = files.markdown.read_text(encoding="utf-8")
    for path in files.figures:
        assert path.exists() and path.stat().st_size > 1000
        assert f'data-figure="{path.stem}"' in html
        assert f"(figures/{path.name})" in markdown
    names = {p.stem.rsplit("-", 1)[0] for p in files.figures}
    assert {"convergence-distance_to_equilibrium", "phase-portrait",
            "stability"} <= names


def test_report_states_game_rules_seeds_and_versions(bilinear_comparison):
    _, files = bilinear_comparison
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "Known equilibrium" in markdown
    for spec in ("gda:lr=0.1", "gda:lr=0.1,schedule=alternating", "eg:lr=0.1"):
        assert f"| {spec} |" in markdown
    assert "alternating (generator first)" in markdown
    assert "0-2 (3)" in markdown  # the seeds
    versions = package_versions()
    for name in ("numpy", "scipy", "pandas", "matplotlib", "gamesim", "python"):
        assert f"| {name} | {versions[name]} |" in markdown
    assert versions["numpy"] == np.__version__
    # the thresholds are stated
    assert f"factor {verdict_module.TREND_FACTOR:g}" in markdown


def test_matrix_game_report_solves_the_equilibrium_and_draws_the_simplex(tmp_path):
    res = compare("matrix:name=rps", ["fp", "optimistic_hedge:lr=0.1"], seeds=2,
                  steps=300, init_noise=0.05, out=tmp_path)
    report = build_report(res)
    game = next(s for s in report.sections if s.title.startswith("Game"))
    eq = next(b for b in game.blocks if getattr(b, "name", "").startswith(
        "equilibria"))
    # rock-paper-scissors: the unique equilibrium is uniform (closed form)
    values = eq.frame.drop(columns=["equilibrium", "payoff row", "payoff column"])
    assert values.to_numpy(float) == pytest.approx(np.full((1, 6), 1 / 3), abs=1e-9)
    names = [f.name for f in report.figures()]
    assert "simplex-game1" in names
    # fictitious play averages its iterates: it is judged on the average
    verdicts = report.verdicts.set_index("label")
    assert verdicts.loc["fp", "metric"] == "nash_conv_relative_avg"
    assert verdicts.loc["optimistic_hedge:lr=0.1", "metric"] == "nash_conv_relative"


def test_verdict_table_says_which_iterate_and_names_players_and_run_counts(
        tmp_path):
    # the comparison a new user read (issue: the Verdicts table is hard to read)
    res = compare("matrix:name=rps", ["fp", "hedge:lr=0.1"], seeds=2, steps=500,
                  out=tmp_path)
    files = write_report(tmp_path, res)
    markdown = files.markdown.read_text(encoding="utf-8")
    page = files.html.read_text(encoding="utf-8")
    header = next(line for line in markdown.splitlines()
                  if line.startswith("| label | verdict |"))
    # 1. last-iterate and averaged-iterate metrics are labelled as such
    assert "| nash_conv (last iterate, median) |" in header
    assert "| nash_conv (average, median) |" in header
    assert "_avg (median)" not in header
    assert header.index("(last iterate, median)") < header.index(
        "(average, median)")
    assert "'average' columns at the averaged iterate" in markdown
    verdicts = page.split('data-table="verdicts-game1"', 1)[1].split("</thead>")[0]
    assert re.search(r'colspan="\d">last iterate, median</th>', verdicts)
    assert re.search(r'colspan="\d">average, median</th>', verdicts)
    # 2. engine statuses are counts out of the configuration's runs
    for label in ("fp", "hedge:lr=0.1"):
        row = next(line for line in markdown.splitlines()
                   if line.startswith(f"| {label} | ") and "2/2 |" in line)
        assert row.endswith("| max_steps 2/2 |")
    assert not re.search(r"max_steps \d+ \|", markdown)
    # 3. step sizes under the matrix game's player names, not the GAN's lr_d
    assert make_game("matrix:name=rps").players == ("row", "column")
    assert "| fp | fp | row 1, column 1 |" in markdown
    assert "| hedge:lr=0.1 | hedge | row 0.1, column 0.1 |" in markdown
    assert "lr_d=" not in markdown and "lr_d=" not in page
    assert ">row 0.1, column 0.1</td>" in page


def test_gan_report_draws_the_density_from_a_faithful_rerun(tmp_path):
    spec = ("gan:data=old_faithful,column=eruptions,discriminator=quadratic+fourier,"
            "loss=nonsaturating,g_init=raw,samples=64,eval_samples=64")
    res = compare(spec, ["gda:lr=0.3,lr_d=0.6"], seeds=2, steps=60, init_noise=0.1,
                  record_every=20, out=tmp_path)
    report = build_report(res)
    names = [f.name for f in report.figures()]
    assert "density-game1" in names and "discriminator-game1" in names
    text = "\n".join(getattr(b, "text", "") for s in report.sections
                     for b in s.blocks)
    assert "did not reproduce" not in text
    row = report.verdicts.iloc[0]
    assert row["metric"] == "discriminator_gap"
    assert "d_real_median" in report.verdicts.columns


def test_rerun_reproduces_the_table(tmp_path):
    from gamesim.reports import rerun_first_seed

    res = compare("dirac", ["ogda:lr=0.2"], seeds=[3, 4], steps=150, init_noise=0.2,
                  tol=1e-2)
    config = res.runs["config"].iloc[0]
    run, seed = rerun_first_seed(res, config, records=5)
    row = res.runs[res.runs["seed"] == seed].iloc[0]
    assert seed == 3
    assert str(run.status[0]) == row["status"] and int(run.steps[0]) == row["steps"]
    # the same numbers: bit for bit the engine's own run
    assert float(run.final["distance_to_equilibrium"].iloc[0]) == \
        row["distance_to_equilibrium"]


def test_incomplete_comparison_says_so(tmp_path):
    import json

    compare("bilinear", ["gda:lr=0.1", "eg:lr=0.1"], seeds=2, steps=50,
            out=tmp_path)
    manifest = json.loads((tmp_path / "experiment.json").read_text())
    manifest["status"] = "running"
    (tmp_path / "experiment.json").write_text(json.dumps(manifest))
    tasks = sorted((tmp_path / "tasks").glob("*.runs.csv"))
    tasks[0].unlink()  # one task lost
    files = write_report(tmp_path)
    assert "INCOMPLETE" in files.markdown.read_text(encoding="utf-8")


# -- command line ------------------------------------------------------------------

def test_cli_report_and_compare_flag(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", "--game", "dirac", "--rules", "eg:lr=0.1", "--seeds", "2",
                 "--steps", "200", "--executor", "local", "--no-progress",
                 "--no-report", "--out", str(out)])
    assert code == 0 and not (out / "report.html").exists()
    capsys.readouterr()
    assert main(["report", str(out), "--no-stability", "--executor", "local"]) == 0
    stdout = capsys.readouterr().out
    assert f"wrote {out / 'report.html'}" in stdout
    assert (out / "report.md").exists() and (out / "verdicts.csv").exists()

    code = main(["compare", "--game", "dirac", "--rules", "eg:lr=0.1", "--seeds", "2",
                 "--steps", "200", "--executor", "local", "--no-progress",
                 "--out", str(tmp_path / "with")])
    assert code == 0 and (tmp_path / "with" / "report.html").exists()


def test_cli_compare_keeps_its_tables_when_the_report_fails(tmp_path, capsys,
                                                          monkeypatch):
    import gamesim.reports

    def broken(*args, **kwargs):
        raise RuntimeError("no figures today")

    monkeypatch.setattr(gamesim.reports, "write_report", broken)
    out = tmp_path / "out"
    code = main(["compare", "--game", "bilinear", "--rules", "eg:lr=0.1", "--seeds",
                 "1", "--steps", "20", "--executor", "local", "--no-progress",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "the report could not be written (RuntimeError: no figures today)" in err
    assert (out / "runs.csv").exists() and not (out / "report.html").exists()


def test_runs_started_at_the_equilibrium_are_flagged(tmp_path, capsys):
    # rock-paper-scissors from the uniform strategy: its unique equilibrium
    # (closed form), so Hedge never moves and its "converged" says nothing
    out = tmp_path / "at"
    code = main(["compare", "--game", "matrix:name=rps", "--rules", "fp",
                 "hedge:lr=0.1", "--seeds", "2", "--steps", "200", "--executor",
                 "local", "--no-progress", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    lines = printed.split("verdicts (see the report", 1)[1].splitlines()
    hedge = next(i for i, line in enumerate(lines)
                 if line.strip().startswith("hedge:lr=0.1"))
    assert "converged 2/2" in lines[hedge]  # the verdict vocabulary is unchanged
    assert "every run started at an equilibrium" in lines[hedge + 1]
    assert "--init-noise" in lines[hedge + 1]
    verdicts = pd.read_csv(out / "verdicts.csv").set_index("label")
    assert verdicts.loc["hedge:lr=0.1", "verdict"] == "converged"
    assert "started at an equilibrium" in verdicts.loc["hedge:lr=0.1", "reason"]
    markdown = (out / "report.md").read_text(encoding="utf-8")
    summary = next(line for line in markdown.splitlines()
                   if line.startswith("* `hedge:lr=0.1`"))
    assert "every run started at an equilibrium" in summary
    table_note = markdown.split("| label | verdict |", 1)[1]
    assert "WARNING (" in table_note and "hedge:lr=0.1" in table_note
    assert "every run started at an equilibrium" in (out / "report.html").read_text(
        encoding="utf-8")

    # the same comparison from perturbed initial points is not flagged
    res = compare("matrix:name=rps", ["hedge:lr=0.1"], seeds=2, steps=200,
                  init_noise=0.1)
    report = build_report(res)
    row = report.verdicts.iloc[0]
    assert row["note"] == ""
    assert "started at an equilibrium" not in row["reason"]


def test_cli_report_on_a_folder_that_is_no_comparison(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "not a comparison folder" in err


def test_cli_report_with_an_unknown_metric(tmp_path, capsys):
    compare("bilinear", ["eg:lr=0.1"], seeds=1, steps=20, out=tmp_path)
    assert main(["report", str(tmp_path), "--metric", "jsd"]) == 2
    err = capsys.readouterr().err
    assert "verdict metric 'jsd' is not recorded" in err


# -- the API reference ---------------------------------------------------------------

def test_every_public_object_is_documented():
    from gamesim.reports.apidoc import undocumented

    missing = undocumented()
    assert missing == [], "public objects without a docstring: " + ", ".join(missing)


def test_api_reference_pages_are_up_to_date():
    from pathlib import Path

    from gamesim.reports.apidoc import reference_pages

    folder = Path(__file__).resolve().parents[1] / "docs" / "reference"
    stale = [name for name, text in reference_pages().items()
             if not (folder / name).exists()
             or (folder / name).read_text(encoding="utf-8") != text]
    assert stale == [], (
        f"docs/reference is out of date ({', '.join(stale)}): run "
        "`python -m gamesim.reports.apidoc docs/reference` and commit the pages")


def test_api_reference_covers_every_public_name():
    from gamesim.reports.apidoc import PACKAGES, entries, reference_pages

    pages = reference_pages()
    for package, _ in PACKAGES:
        for entry in entries(package):
            assert f"## {entry.name}\n" in pages[f"{package}.md"], entry
    assert "## gamesim report" in pages["cli.md"]
    # the pages hold no ```python blocks (test_docs would run them)
    assert not any("```python" in text for text in pages.values())
