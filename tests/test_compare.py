"""compare(): grids, tasks, tables, summary, output folder, TOML and the CLI."""

import io
import json
import math
import os
import time

import numpy as np
import pandas as pd
import pytest

from gamesim import make_game, parse_rule_specs, simulate
from gamesim.cli import main
from gamesim.cli import compare as cli_compare
from gamesim.compare import (
    ComparisonResult,
    Experiment,
    SweepInterrupted,
    SweepProgress,
    compare,
    load_comparison,
    summarise,
)
from gamesim.compare.experiment import expand_specs
from gamesim.errors import ConfigError, SpecError

SMALL = dict(games="bilinear", rules=["gda:lr=0.1", "eg:lr=0.1|0.5"], seeds=4,
             steps=300, tol=1e-3, init_noise=0.1, executor="local")


# -- grids and experiments ------------------------------------------------------

def test_grid_expands_to_the_cartesian_product_in_order():
    combos = expand_specs(["gda:lr=0.1|0.5,schedule=simultaneous|alternating"])
    assert combos == [
        ("gda:lr=0.1,schedule=simultaneous",), ("gda:lr=0.1,schedule=alternating",),
        ("gda:lr=0.5,schedule=simultaneous",), ("gda:lr=0.5,schedule=alternating",),
    ]


def test_per_player_grids_expand_across_both_parts():
    combos = expand_specs(["generator=adam:lr=0.01|0.02",
                           "discriminator=gda:lr=0.1|0.2"])
    assert len(combos) == 4
    assert combos[1] == ("generator=adam:lr=0.01", "discriminator=gda:lr=0.2")


def test_experiment_configs_cross_games_and_rules():
    exp = Experiment(games=["bilinear", "dirac:r1=0|0.3"],
                     rules=["gda:lr=0.1|0.2", "ogda:lr=0.1"], seeds=3)
    configs = exp.configs()
    assert len(configs) == 3 * 3
    assert [c.game for c in configs[:3]] == ["bilinear"] * 3
    assert configs[3].game == "dirac:r1=0"
    assert len({c.id for c in configs}) == 9
    assert [t.seeds for t in exp.tasks()] == [(0, 1, 2)] * 9


def test_seeds_per_task_splits_the_batch():
    exp = Experiment(games="bilinear", rules="gda", seeds=5, seeds_per_task=2)
    assert [t.seeds for t in exp.tasks()] == [(0, 1), (2, 3), (4,)]


def test_task_key_is_stable_and_follows_the_settings():
    a = Experiment(games="bilinear:n=2,seed=1", rules="gda:lr=0.1", seeds=2).tasks()[0]
    b = Experiment(games="bilinear:seed=1,n=2", rules="gda:lr=0.1", seeds=2).tasks()[0]
    c = Experiment(games="bilinear:n=2,seed=1", rules="gda:lr=0.1", seeds=2,
                   steps=999).tasks()[0]
    assert a.key == b.key and len(a.key) == 16  # parameter order does not matter
    assert a.key != c.key


@pytest.mark.parametrize("rules, message", [
    ("gda:lr=0.1|", "lr has an empty value"),
    ("gda:lr=|0.1", "lr has an empty value"),
    ("gda:lr=0.1|0.1", "repeats the value 0.1"),
    (["gda:lr=0.1", "gda:lr=0.1"], "configuration listed twice"),
])
def test_bad_grids_are_spec_errors(rules, message):
    with pytest.raises(SpecError, match=message):
        Experiment(games="bilinear", rules=rules).configs()


@pytest.mark.parametrize("kwargs, message", [
    (dict(seeds=0), "seeds must be >= 1"),
    (dict(seeds=[1, 1]), "seeds repeat"),
    (dict(seeds=[-1]), "seeds must be integers >= 0"),
    (dict(steps=0), "steps must be an integer >= 1"),
    (dict(tol=-1.0), "tol must be a finite number >= 0"),
    (dict(init_noise=math.nan), "init_noise must be a finite number"),
    (dict(average="median"), "average must be one of"),
])
def test_bad_settings_are_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Experiment(games="bilinear", rules="gda", **kwargs)


def test_bad_values_in_a_grid_name_the_configuration():
    with pytest.raises(ConfigError, match=r"bilinear / gda:lr=abc: gda: lr must be"):
        compare("bilinear", "gda:lr=0.1|abc", seeds=1, steps=5, executor="local")
    with pytest.raises(SpecError, match="unknown parameter"):
        compare("bilinear", "gda:lrr=0.1|0.2", seeds=1, steps=5, executor="local")


# -- batches, rows and columns --------------------------------------------------

def test_each_run_equals_the_same_seed_run_alone():
    # engine guarantee: run i with seed s gives the same numbers alone or in a
    # batch; checked here through compare's task batching
    res = compare("dirac", "ogda:lr=0.2", seeds=[3, 8, 11], steps=200,
                  init_noise=0.2, record_every=20, executor="local")
    game = make_game("dirac")
    rules, schedule = parse_rule_specs(game, "ogda:lr=0.2")
    for seed in (3, 8, 11):
        alone = simulate(game, rules, 200, seeds=[seed], init_noise=0.2,
                         record_every=20, schedule=schedule)
        row = res.runs[res.runs["seed"] == seed].iloc[0]
        for name in ("distance_to_equilibrium", "d_fake", "value"):
            assert row[name] == alone.final[name].iloc[0]
        hist = res.history(row["config"], seed)
        np.testing.assert_array_equal(hist["step"], alone.history["step"])
        np.testing.assert_array_equal(hist["d_fake"], alone.history["d_fake"])


def test_one_run_per_task_gives_the_same_numbers_as_batches():
    batched = compare(**SMALL)
    single = compare(**SMALL, seeds_per_task=1)
    drop = ["task", "wall_time"]
    pd.testing.assert_frame_equal(batched.runs.drop(columns=drop),
                                  single.runs.drop(columns=drop), check_exact=True)
    pd.testing.assert_frame_equal(batched.histories, single.histories,
                                  check_exact=True)


def test_runs_table_layout():
    res = compare("bilinear", ["gda:lr=0.05,schedule=alternating",
                               "generator=adam:lr=0.01;discriminator=gda:lr=0.1",
                               "ogda:lr=0.1,lr_d=0.05"],
                  seeds=2, steps=20, executor="local")
    assert isinstance(res, ComparisonResult)
    runs = res.runs
    assert list(runs.columns[:7]) == ["config", "task", "game", "rule", "rule_spec",
                                      "lr", "lr_d"]
    assert list(runs.columns[-1:]) == ["wall_time"]
    assert res.hyperparameters[:2] == ["lr", "lr_d"]
    assert {"beta1", "beta2", "eps", "first_step"} <= set(res.hyperparameters)
    assert res.metrics == ["distance_to_equilibrium", "grad_norm", "value"]
    by_rule = runs.drop_duplicates("config").set_index("rule")
    assert by_rule.loc["gda", "schedule"] == "alternating"
    assert by_rule.loc["adam/gda", ["lr", "lr_d"]].tolist() == [0.01, 0.1]
    assert by_rule.loc["adam/gda", "beta1"] == 0.9
    assert by_rule.loc["ogda", ["lr", "lr_d"]].tolist() == [0.1, 0.05]
    assert by_rule.loc["ogda", "first_step"] == "gda"
    assert math.isnan(by_rule.loc["gda", "beta1"])
    assert (runs["steps"] == 20).all() and runs["steps_to_tol"].isna().all()
    # alternating: the second player answers a fresh field, two per step
    assert runs["evaluations"].tolist() == [2 * 20] * 2 + [20] * 4


def test_summary_statistics_match_numpy():
    res = compare(**SMALL)
    runs, summary = res.runs, res.summary
    for _, row in summary.iterrows():
        group = runs[runs["config"] == row["config"]]
        d = group["distance_to_equilibrium"].to_numpy()
        q25, q50, q75 = np.percentile(d, [25, 50, 75])  # numpy, linear rule
        assert row["runs"] == 4
        assert row["distance_to_equilibrium_median"] == pytest.approx(q50, rel=1e-12)
        assert row["distance_to_equilibrium_iqr"] == pytest.approx(q75 - q25,
                                                                   rel=1e-12)
        conv = (group["status"] == "converged").mean()
        assert row["converged_share"] == conv


def test_best_step_size_follows_the_spectral_radius():
    # reference A: extragradient on x*y contracts by rho = 0.995038 per step at
    # eta = 0.1 and 0.901388 at eta = 0.5, so 0.5 reaches the tolerance first;
    # simultaneous GDA has rho = sqrt(1 + eta^2) > 1 and never converges
    res = compare(**SMALL)
    s = res.summary.set_index("rule_spec")
    assert s.loc["eg:lr=0.5", "converged_share"] == 1.0
    assert s.loc["eg:lr=0.1", "converged_share"] == 0.0
    assert s.loc["gda:lr=0.1", "converged_share"] == 0.0
    assert s.loc["eg:lr=0.5", "rank"] == 1 and s.loc["eg:lr=0.5", "best"]
    assert s.loc["eg:lr=0.1", "rank"] == 2
    assert res.best()["rule_spec"].tolist() == ["gda:lr=0.1", "eg:lr=0.5"]
    # steps to tol ~ log(tol / d0) / log(rho) = log(1e-3 / 1.41) / log(0.901388)
    expected = math.log(1e-3 / math.sqrt(2)) / math.log(0.901387818866)
    assert s.loc["eg:lr=0.5", "steps_to_tol_median"] == pytest.approx(expected,
                                                                      abs=10)


def _runs_frame(rows):
    """A runs table built by hand, in the documented layout."""
    base = dict(config="", task="t", game="g", rule="r", rule_spec="", lr=0.0,
                lr_d=0.0, schedule="simultaneous", order="generator_first",
                d_steps=1, seed=0, status="", steps=0, steps_to_tol=math.nan,
                stop_metric="m", evaluations=0, m=0.0, wall_time=0.0)
    return pd.DataFrame([{**base, **r} for r in rows])


def test_ranking_criterion_order():
    # hand-made: A and B both converge always, B in fewer steps; C never
    # converges but has the lowest metric; D = E on everything but lr
    rows = []
    for seed in range(2):
        rows += [
            dict(config="A", rule_spec="A", lr=0.1, lr_d=0.1, seed=seed,
                 status="converged", steps=50, steps_to_tol=50.0, m=1e-4),
            dict(config="B", rule_spec="B", lr=0.2, lr_d=0.2, seed=seed,
                 status="converged", steps=30, steps_to_tol=30.0, m=1e-4),
            dict(config="C", rule_spec="C", lr=0.3, lr_d=0.3, seed=seed,
                 status="max_steps", steps=99, m=1e-9),
            dict(config="D", rule_spec="D", rule="q", lr=0.4, lr_d=0.4, seed=seed,
                 status="max_steps", steps=99, m=0.5),
            dict(config="E", rule_spec="E", rule="q", lr=0.2, lr_d=0.2, seed=seed,
                 status="max_steps", steps=99, m=0.5),
        ]
    summary = summarise(_runs_frame(rows)).set_index("config")
    assert summary["rank"].to_dict() == {"A": 2, "B": 1, "C": 3, "D": 2, "E": 1}
    assert summary.loc["B", "steps_to_tol_iqr"] == 0.0


def test_progress_callback_reports_every_task():
    reports = []
    compare(**SMALL, progress=reports.append)
    assert len(reports) == 3 + 1
    assert all(isinstance(r, SweepProgress) for r in reports)
    assert [r.tasks_done for r in reports] == [0, 1, 2, 3]
    assert reports[0].eta is None and reports[0].last is None
    assert reports[-1].runs_done == reports[-1].runs_total == 12
    assert reports[-1].eta == 0 and reports[-1].runs_per_second > 0


def test_library_prints_nothing(capsys):
    compare(**SMALL)
    assert capsys.readouterr() == ("", "")


# -- the output folder ---------------------------------------------------------

MIXED = dict(games=["bilinear", "dirac"],
             rules=["ogda:lr=0.1,first_step=gda|zero", "sga:lr=0.1",
                    "momentum:lr=0.05,beta=-0.5,schedule=alternating"],
             seeds=3, steps=100, tol=1e-3, init_noise=0.1, executor="local")


def test_output_folder_layout_and_reload(tmp_path):
    out = tmp_path / "sweep"
    res = compare(**MIXED, out=out)
    assert res.out == out
    names = sorted(p.name for p in out.iterdir())
    assert names == ["experiment.json", "history.csv", "runs.csv", "summary.csv",
                     "tasks"]
    tasks = Experiment(**{**MIXED, "out": str(out)}).tasks()
    assert sorted(p.name for p in (out / "tasks").iterdir()) == sorted(
        f"{t.key}.{kind}.csv" for t in tasks for kind in ("runs", "history"))
    manifest = json.loads((out / "experiment.json").read_text())
    assert manifest["format"] == "gamesim-compare/1"
    assert manifest["status"] == "complete"
    assert [t["task"] for t in manifest["tasks"]] == [t.key for t in tasks]

    loaded = load_comparison(out)
    assert loaded.complete and loaded.experiment == res.experiment
    pd.testing.assert_frame_equal(loaded.runs, res.runs, check_exact=True)
    pd.testing.assert_frame_equal(loaded.histories, res.histories, check_exact=True)
    pd.testing.assert_frame_equal(loaded.summary, res.summary, check_exact=True)


def test_rerun_resumes_everything_and_restart_reruns(tmp_path):
    out = tmp_path / "sweep"
    first = compare(**MIXED, out=out)
    reports = []
    again = compare(**MIXED, out=out, progress=reports.append)
    assert reports[0].resumed == reports[0].tasks_total == 2 * 4
    assert len(reports) == 1 and reports[0].eta == 0
    pd.testing.assert_frame_equal(again.runs, first.runs, check_exact=True)
    pd.testing.assert_frame_equal(again.histories, first.histories, check_exact=True)
    reports.clear()
    compare(**MIXED, out=out, resume=False, progress=reports.append)
    assert reports[0].resumed == 0 and len(reports) == 1 + 8


def test_partial_folder_loads_as_incomplete(tmp_path):
    out = tmp_path / "sweep"
    compare(**SMALL, out=out)
    (out / "runs.csv").unlink()
    manifest = json.loads((out / "experiment.json").read_text())
    manifest["status"] = "running"
    (out / "experiment.json").write_text(json.dumps(manifest))
    victim = sorted((out / "tasks").glob("*.runs.csv"))[0]
    victim.unlink()
    partial = load_comparison(out)
    assert not partial.complete
    assert len(partial.runs) == 8 and partial.summary["runs"].sum() == 8


def test_load_comparison_needs_a_manifest(tmp_path):
    with pytest.raises(ConfigError, match="not a comparison folder"):
        load_comparison(tmp_path)


def test_output_under_a_file_fails_before_anything_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="is not a folder"):
        compare(**SMALL, out=blocker / "out")
    with pytest.raises(ConfigError, match="is not a folder"):
        compare(**SMALL, out=blocker)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_output_folder_fails(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ConfigError, match="not writable"):
            compare(**SMALL, out=locked / "out")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


# -- TOML experiments ------------------------------------------------------------

def test_toml_experiment(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text("""
games = ["bilinear", "dirac"]
rules = [
    "gda:lr=0.01|0.1",
    ["generator=adam:lr=0.01", "discriminator=gda:lr=0.1"],
    { name = "eg", lr = [0.1, 0.5] },
    { generator = "gda:lr=0.1", discriminator = "ogda:lr=0.1|0.2" },
]
seeds = [1, 2]
steps = 50
tol = 1e-3
init_noise = 0.1
average = "none"
executor = "local"
out = "somewhere"
""")
    exp = Experiment.from_toml(path)
    assert exp.seeds == (1, 2) and exp.average is None and exp.out == "somewhere"
    specs = [c.rule_spec for c in exp.configs()[:7]]
    assert specs == ["gda:lr=0.01", "gda:lr=0.1",
                     "generator=adam:lr=0.01;discriminator=gda:lr=0.1",
                     "eg:lr=0.1", "eg:lr=0.5",
                     "generator=gda:lr=0.1;discriminator=ogda:lr=0.1",
                     "generator=gda:lr=0.1;discriminator=ogda:lr=0.2"]
    assert len(exp.configs()) == 14


@pytest.mark.parametrize("text, message", [
    ('games = ["bilinear"]\nrules = ["gda"]\nsteps = "many"\n', "steps must be"),
    ('games = ["bilinear"]\nrules = ["gda"]\nspeed = 3\n', "unknown key"),
    ('game = "bilinear"\ngames = ["dirac"]\nrules = ["gda"]\n', "not both"),
    ('games = ["bilinear"\n', "not valid TOML"),
])
def test_bad_toml_is_a_config_error(tmp_path, text, message):
    path = tmp_path / "exp.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        Experiment.from_toml(path)


def test_documented_experiment_file_is_valid(tmp_path):
    import re
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "howto" / "compare.md"
    block = re.search(r"```toml\n(.*?)```", doc.read_text(), re.S).group(1)
    (tmp_path / "exp.toml").write_text(block)
    exp = Experiment.from_toml(tmp_path / "exp.toml")
    # (bilinear + dirac with 2 values of r1) x (3 + 2 + 2 + 1 + 2 + 2) rule configs
    assert len(exp.configs()) == 3 * 12
    assert exp.executor == "processes" and exp.seeds == tuple(range(20))


def test_bundled_default_experiment_is_valid():
    path = cli_compare.DEFAULT_EXPERIMENT
    if not path.exists():
        pytest.skip("no bundled default experiment yet")
    exp = Experiment.from_toml(path)
    assert exp.configs() and exp.tasks()


# -- the command line ------------------------------------------------------------

def run_cli(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_compare_writes_tables(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        ["compare", "--game", "bilinear", "dirac", "--rules", "gda:lr=0.1",
         "eg:lr=0.1|0.5", "--seeds", "3", "--steps", "300", "--tol", "1e-3",
         "--init-noise", "0.1", "--executor", "local", "--out", str(out)], capsys)
    assert code == 0, err
    assert "6/6 tasks, 18 runs" in err and len(err.splitlines()) == 1
    assert "eg:lr=0.5" in stdout and f"wrote {out}/runs.csv" in stdout
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 18


def _table_rows(stdout):
    """The rows of the printed summary table, split at two or more spaces."""
    lines = stdout.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("game "))
    rows = []
    for line in lines[start:]:
        if not line.startswith(("game ", "bilinear ")):
            break
        rows.append([cell for cell in line.split("  ") if cell.strip()])
    return rows


def test_cli_table_says_no_tol_apart_from_the_verdicts(tmp_path, capsys):
    # new-user trial: without --tol the share column showed "-" beside the
    # verdict "converged 5/5"; it now says no tolerance was given
    code, stdout, err = run_cli(
        ["compare", "--game", "bilinear", "--rules", "eg:lr=0.5", "gda:lr=0.1",
         "--seeds", "2", "--steps", "200", "--executor", "local", "--no-progress",
         "--no-report", "--out", str(tmp_path / "no-tol")], capsys)
    assert code == 0, err
    head, *rows = _table_rows(stdout)
    assert [c.strip() for c in head[2:4]] == ["reached tol", "steps to tol"]
    assert len(rows) == 2
    assert all([c.strip() for c in row[2:4]] == ["no tol", "no tol"] for row in rows)
    assert "no tol: no tolerance given (--tol)" in stdout

    code, stdout, err = run_cli(
        ["compare", "--game", "bilinear", "--rules", "eg:lr=0.5", "--seeds", "2",
         "--steps", "200", "--tol", "1e-3", "--executor", "local", "--no-progress",
         "--no-report", "--out", str(tmp_path / "tol")], capsys)
    assert code == 0, err
    (row,) = _table_rows(stdout)[1:]
    assert row[2].strip().endswith("%") and "no tol" not in stdout


def test_cli_flags_override_the_toml(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exp.toml").write_text(
        'games = ["bilinear"]\nrules = ["gda:lr=0.1"]\nseeds = 5\nsteps = 40\n'
        'executor = "local"\nout = "from-file"\n')
    code, _, err = run_cli(["compare", "--config", "exp.toml", "--seeds", "2",
                            "--out", "from-flag"], capsys)
    assert code == 0, err
    assert not (tmp_path / "from-file").exists()
    runs = pd.read_csv(tmp_path / "from-flag" / "runs.csv")
    assert sorted(runs["seed"]) == [0, 1] and (runs["steps"] == 40).all()


@pytest.mark.parametrize("argv, message", [
    (["--rules", "gda:lr=0.1|"], "bad grid in 'gda:lr=0.1|'"),
    (["--rules", "gda:lr=0.1|nope"], "lr must be a number"),
    (["--rules", "gda:lr=0.1", "--executor", "threads"], "unknown executor"),
    (["--rules", "gda:lr=0.1", "--executor", "dask://h:x"], "bad Dask address"),
])
def test_cli_bad_input_fails_at_once_writing_nothing(tmp_path, capsys, argv,
                                                     message):
    out = tmp_path / "out"
    code, stdout, err = run_cli(["compare", "--game", "bilinear", *argv,
                                 "--out", str(out)], capsys)
    assert code == 2
    assert len(err.splitlines()) == 1 and message in err, err
    assert stdout == ""
    assert not out.exists()


def test_cli_unreachable_dask_fails_fast_writing_nothing(tmp_path, capsys,
                                                         monkeypatch):
    import socket

    from gamesim.compare import executors

    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", 1.0)
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    started = time.perf_counter()
    code, _, err = run_cli(["compare", "--game", "bilinear", "--rules", "gda:lr=0.1",
                            "--executor", f"dask://127.0.0.1:{port}", "--out",
                            str(out)], capsys)
    assert time.perf_counter() - started < 10
    assert code == 2
    assert err.splitlines() == [
        f"gamesim: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} "
        "within 1 s; is it running, and is the address right?"]
    assert not out.exists()


def test_cli_unwritable_output_fails_writing_nothing(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli(["compare", "--game", "bilinear", "--rules", "gda",
                            "--out", str(tmp_path / "file" / "out")], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "is not a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_cli_without_arguments_runs_the_bundled_experiment(tmp_path, capsys,
                                                           monkeypatch):
    bundled = tmp_path / "default.toml"
    bundled.write_text('games = ["dirac"]\nrules = ["gda:lr=0.1|0.2"]\nseeds = 2\n'
                       'steps = 30\nexecutor = "local"\n')
    monkeypatch.setattr(cli_compare, "DEFAULT_EXPERIMENT", bundled)
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli([], capsys)
    assert code == 0, err
    runs = pd.read_csv(tmp_path / "gamesim-out" / "runs.csv")
    assert set(runs["game"]) == {"dirac"} and len(runs) == 4


def test_cli_without_bundled_experiment_falls_back_to_bilinear(tmp_path, capsys,
                                                               monkeypatch):
    monkeypatch.setattr(cli_compare, "DEFAULT_EXPERIMENT", tmp_path / "missing.toml")
    monkeypatch.setattr(cli_compare, "FALLBACK",
                        {**cli_compare.FALLBACK, "executor": "local", "steps": 200,
                         "seeds": 2})
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli(["compare"], capsys)
    assert code == 0, err
    runs = pd.read_csv(tmp_path / "gamesim-out" / "runs.csv")
    assert set(runs["game"]) == {"bilinear"} and runs["config"].nunique() == 12


def test_cli_reports_an_incomplete_sweep(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise SweepInterrupted("a worker process died")

    monkeypatch.setattr(cli_compare, "run_experiment", broken)
    code, _, err = run_cli(["compare", "--game", "bilinear", "--rules", "gda",
                            "--out", str(tmp_path / "o")], capsys)
    assert code == 1
    assert err == "gamesim: sweep incomplete: a worker process died\n"


def test_progress_bar_draws_only_when_asked():
    p = SweepProgress(tasks_done=3, tasks_total=12, runs_done=30, runs_total=120,
                      resumed=1, elapsed=2.0, runs_per_second=10.0, eta=9.0,
                      last="k")
    quiet = io.StringIO()
    bar = cli_compare.ProgressBar(quiet)  # a StringIO is not a terminal
    bar(p)
    assert quiet.getvalue() == ""
    bar(p._replace(tasks_done=12, runs_done=120, eta=0.0, elapsed=75.0))
    bar.finish()
    assert quiet.getvalue() == "12/12 tasks (1 resumed), 120 runs in 1:15 " \
                               "(10.0 runs/s)\n"

    drawn = io.StringIO()
    bar = cli_compare.ProgressBar(drawn, enabled=True)
    bar(p)
    bar.finish()
    text = drawn.getvalue()
    assert text.startswith("\r[######..................] 3/12 tasks  10.0 runs/s  "
                           "0:09 left")
    assert text.endswith("\n")
