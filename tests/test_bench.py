"""The benchmark suite's machinery on a tiny suite: tables, ranking, files, CLI.

The full suite runs in ``benchmarks/test_convergence.py``; here every suite
is a few hundred steps of one or two games so that the file stays fast.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
import pandas as pd
import pytest

import gamesim.bench
from gamesim import registry
from gamesim.bench import GAMES, Suite, leaderboard, run_suite, suite
from gamesim.bench.leaderboard import COLUMNS, status_counts
from gamesim.bench.runner import APPLICABILITY_COLUMNS
from gamesim.bench.suite import (
    RANDOM_GAME_FILE,
    random_zero_sum_payoffs,
    write_random_game,
)
from gamesim.cli import main
from gamesim.errors import ConfigError, SpecError
from gamesim.rules.base import UpdateRule

#: a short version of the scalar bilinear game of the suite
TINY_BILINEAR = dataclasses.replace(
    GAMES[0], steps=400, quick_steps=400, step_sizes=((0.3, None),),
    quick_step_sizes=((0.3, None),), quick_skip=())
#: a short version of matching pennies
TINY_PENNIES = dataclasses.replace(
    next(g for g in GAMES if g.key == "matching_pennies"), steps=300,
    quick_steps=300, step_sizes=((0.3, None),), quick_step_sizes=((0.3, None),))


def tiny_suite(games=(TINY_BILINEAR,), rules=("gda", "eg", "ogda", "hedge"),
               seeds=(0, 1)) -> Suite:
    return Suite(games=tuple(games), seeds=tuple(seeds), mode="quick",
                 rules=tuple(rules))


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    return run_suite(tiny_suite(games=(TINY_BILINEAR, TINY_PENNIES)), out=out,
                     executor="local")


# -- the suite definition ----------------------------------------------------------

def test_suite_holds_the_games_of_issue_8():
    keys = [g.key for g in GAMES]
    assert keys == ["bilinear_scalar", "bilinear_random", "bilinear_ill_conditioned",
                    "quadratic", "dirac", "dirac_r1", "matching_pennies", "rps",
                    "shapley", "random_zero_sum_50", "gan_old_faithful"]


def test_module_docstring_documents_every_game_setting():
    import re

    doc = " ".join(gamesim.bench.__doc__.split())
    for game in GAMES:
        entry = doc.split(f"``{game.key}`` ", 1)[1][:400]
        if game.spec != "random-zero-sum" and game.kind != "gan":
            assert entry.startswith(f"``{game.spec}``"), game.key
        metric, tol = re.search(r"; (\w+) <= ([0-9.e-]+);", entry).groups()
        assert metric == game.metric and float(tol) == game.tol, game.key
        assert f"{game.steps} ({game.quick_steps}) steps" in entry, game.key
    assert f"Suite version {gamesim.bench.SUITE_VERSION}" in doc


def test_suite_modes_and_narrowing():
    quick, full = suite("quick"), suite("full")
    assert (quick.seeds, full.seeds) == ((0, 1), (0, 1, 2, 3, 4))
    game = quick.game("bilinear_scalar")
    assert len(quick.step_sizes(game)) < len(full.step_sizes(game))
    assert full.skipped(full.game("gan_old_faithful")) == ()
    assert "cgd" in quick.skipped(quick.game("gan_old_faithful"))
    narrow = suite("full", games=["rps"], rules=["hedge"])
    assert [g.key for g in narrow.games] == ["rps"] and narrow.rules == ("hedge",)


@pytest.mark.parametrize("call, message", [
    (lambda: suite("fast"), "bench mode"),
    (lambda: suite("quick", games=["chess"]), "unknown benchmark game"),
    (lambda: Suite(games=(TINY_BILINEAR, TINY_BILINEAR)), "keys repeat"),
    (lambda: Suite(seeds=()), "at least one seed"),
])
def test_bad_suites_are_config_errors(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


def test_random_game_file_round_trips_bit_for_bit(tmp_path):
    from gamesim.registry import make_game

    path = write_random_game(tmp_path)
    assert path.name == RANDOM_GAME_FILE
    game = make_game(f"matrix:file={path}")
    # exact: every payoff is written with repr, which round-trips floats
    assert np.array_equal(game.A, random_zero_sum_payoffs())
    assert game.A.shape == (50, 50) and game.kind == "zero_sum"


def test_unknown_rule_name_is_a_spec_error():
    with pytest.raises(SpecError, match="unknown rule 'nope'"):
        run_suite(tiny_suite(rules=("gda", "nope")))


# -- the leaderboard ------------------------------------------------------------

def test_leaderboard_columns_and_files(tiny_result):
    board = tiny_result.leaderboard
    assert tuple(board.columns) == COLUMNS
    assert list(tiny_result.applicability.columns) == list(APPLICABILITY_COLUMNS)
    out = tiny_result.out
    for name in ("leaderboard.md", "leaderboard.csv", "runs.csv", "applicability.csv",
                 "bench.json", "figures/bilinear_scalar.png",
                 "figures/matching_pennies.png"):
        assert (out / name).is_file(), name
    assert (out / "figures/bilinear_scalar.png").read_bytes()[:8] == \
        b"\x89PNG\r\n\x1a\n"
    back = pd.read_csv(out / "leaderboard.csv")
    assert list(back.columns) == list(COLUMNS) and len(back) == len(board)
    text = (out / "leaderboard.md").read_text()
    assert "## scalar bilinear game" in text and "| rank | rule |" in text


def test_extragradient_spends_two_evaluations_per_step(tiny_result):
    # rules/extragradient.py: evaluations = 2 (a look-ahead and a step)
    runs = tiny_result.runs
    eg = runs[(runs["rule"] == "eg") & (runs["status"] == "converged")]
    assert len(eg) > 0
    assert (eg["evaluations"] == 2 * eg["steps"]).all()
    row = tiny_result.leaderboard.query("game == 'bilinear_scalar' and rule == 'eg'")
    assert float(row["evaluations_to_tol"].iloc[0]) == \
        2 * float(row["steps_to_tol"].iloc[0])


def test_not_applicable_rule_is_listed_not_crashed(tiny_result):
    board = tiny_result.leaderboard
    hedge = board.query("game == 'bilinear_scalar' and rule == 'hedge'").iloc[0]
    assert hedge["availability"] == "not applicable"
    assert pd.isna(hedge["rank"])
    assert "matrix game" in hedge["note"]
    # on matching pennies the same rule runs and is ranked
    ranked = board.query("game == 'matching_pennies' and rule == 'hedge'").iloc[0]
    assert ranked["availability"] == "run" and not pd.isna(ranked["rank"])
    assert "not applicable: hedge" in (tiny_result.out / "leaderboard.md").read_text()


def test_simultaneous_gda_is_ranked_below_the_converging_rules(tiny_result):
    # reference A: at eta = 0.3 simultaneous GDA has rho = sqrt(1.09) > 1, while
    # extragradient and optimistic GDA contract
    board = tiny_result.leaderboard.query("game == 'bilinear_scalar'")
    ranks = dict(zip(board["rule"], board["rank"]))
    assert ranks["gda"] > max(ranks["eg"], ranks["ogda"])
    gda = board[board["rule"] == "gda"].iloc[0]
    assert gda["converged_share"] == 0 and math.isnan(gda["evaluations_to_tol"])


def _synthetic_runs(rows):
    """A runs table in the layout of a comparison, from (rule, steps, evals)."""
    records = []
    for rule, spec, steps, evals, status, final in rows:
        records.append({
            "bench_game": "bilinear_scalar", "config": spec, "task": spec,
            "game": "bilinear", "rule": rule, "rule_spec": spec, "lr": 0.1,
            "lr_d": 0.1, "schedule": "simultaneous", "order": "generator",
            "d_steps": 1, "seed": 0, "status": status, "steps": steps,
            "steps_to_tol": steps if status == "converged" else math.nan,
            "stop_metric": "distance_to_equilibrium", "evaluations": evals,
            "distance_to_equilibrium": final, "wall_time": 0.01,
        })
    return pd.DataFrame(records)


def test_ranking_is_by_gradient_evaluations_not_steps():
    # "eg" needs fewer steps but more evaluations than "ogda": ogda ranks first
    runs = _synthetic_runs([
        ("eg", "eg:lr=0.1", 100, 200, "converged", 1e-4),
        ("ogda", "ogda:lr=0.1", 150, 150, "converged", 1e-4),
        ("gda", "gda:lr=0.1", 1000, 1000, "max_steps", 3.0),
        ("momentum", "momentum:lr=0.1", 40, 40, "diverged", 1e7),
    ])
    table = pd.DataFrame(
        [("bilinear_scalar", r, s, "run", "") for r, s in
         zip(runs["rule"], runs["rule_spec"])], columns=list(APPLICABILITY_COLUMNS))
    s = Suite(games=(TINY_BILINEAR,), seeds=(0,), mode="quick")
    board = leaderboard(s, runs, table)
    assert list(board["rule"]) == ["ogda", "eg", "gda", "momentum"]
    assert list(board["rank"]) == [1, 2, 3, 4]
    assert list(board["evaluations_to_tol"][:2]) == [150, 200]
    assert list(board["steps_to_tol"][:2]) == [150, 100]


def test_status_counts():
    assert status_counts(["max_steps", "diverged", "diverged"]) == \
        "diverged 2, max_steps 1"


# -- a rule that fails inside a run ------------------------------------------------

class _CountState(NamedTuple):
    count: np.ndarray


@dataclass(frozen=True)
class _FailsOnThirdStep(UpdateRule):
    """GDA that raises on its third step (stands for a bug inside a rule)."""

    name: ClassVar[str] = "fails_on_third_step"

    def init(self, z):
        return _CountState(np.zeros(z.shape[0]))

    def update(self, g, z, state, lr):
        if state.count.max() >= 2:
            raise RuntimeError("third step reached")
        return z - lr * g, _CountState(state.count + 1)


def test_a_failing_configuration_is_an_error_row_and_the_others_run(
        tmp_path, monkeypatch):
    monkeypatch.setitem(registry._RULES, _FailsOnThirdStep.name, _FailsOnThirdStep)
    result = run_suite(tiny_suite(rules=("eg", _FailsOnThirdStep.name)),
                       out=tmp_path, executor="local", figures=False)
    board = result.leaderboard.set_index("rule")
    assert board.loc["fails_on_third_step", "availability"] == "error"
    assert "RuntimeError: third step reached" in \
        board.loc["fails_on_third_step", "note"]
    assert board.loc["eg", "availability"] == "run"
    assert board.loc["eg", "rank"] == 1


def test_cli_exits_1_when_a_configuration_failed(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(registry._RULES, _FailsOnThirdStep.name, _FailsOnThirdStep)
    code = main(["bench", "--games", "bilinear_scalar", "--rules", "eg",
                 _FailsOnThirdStep.name, "--out", str(tmp_path), "--executor",
                 "local", "--no-figures"])
    assert code == 1
    err = capsys.readouterr().err
    assert "configuration failed: bilinear_scalar / fails_on_third_step" in err
    assert (tmp_path / "leaderboard.md").is_file()


# -- files are written atomically ------------------------------------------------

def test_every_output_file_is_renamed_into_place(tiny_result, tmp_path,
                                                 monkeypatch):
    import gamesim.io

    renamed = []
    real_replace = os.replace

    def spy(src, dst):
        renamed.append(os.path.basename(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(gamesim.io.os, "replace", spy)
    paths = gamesim.bench.write_outputs(tiny_result, tmp_path)
    written = sorted(p.name for p in paths.values())
    assert sorted(renamed) == written
    assert "leaderboard.md" in written and "leaderboard.csv" in written
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_failed_write_keeps_the_old_leaderboard(tiny_result, tmp_path,
                                                  monkeypatch):
    import gamesim.io

    gamesim.bench.write_outputs(tiny_result, tmp_path, figures=False)
    before = (tmp_path / "leaderboard.md").read_text()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gamesim.io.os, "fsync", full_disk)
    with pytest.raises(ConfigError, match="No space left"):
        gamesim.bench.write_outputs(tiny_result, tmp_path, figures=False)
    assert (tmp_path / "leaderboard.md").read_text() == before
    assert not list(tmp_path.rglob(".*.tmp"))


# -- the command line -------------------------------------------------------------

def test_cli_runs_a_narrowed_suite(tmp_path, capsys):
    out = tmp_path / "bench"
    code = main(["bench", "--games", "bilinear_scalar", "--rules", "eg", "gda",
                 "--out", str(out), "--executor", "local", "--no-figures"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "bilinear_scalar" in printed and "eg:lr=0.3" in printed
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(board["rule"]) == {"eg", "gda"}
    assert not (out / "figures").exists()


@pytest.mark.parametrize("argv, message", [
    (["bench", "--games", "chess"], "unknown benchmark game"),
    (["bench", "--rules", "nope", "--games", "rps"], "unknown rule 'nope'"),
    (["bench", "--quick", "--full"], "not allowed with argument"),
    (["bench", "--executor", "carrier-pigeon", "--games", "rps", "--rules",
      "hedge"], "unknown executor"),
])
def test_cli_user_errors_exit_2(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_output_path_that_is_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("not a folder")
    assert main(["bench", "--games", "rps", "--rules", "hedge", "--out",
                 str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_cli_incomplete_sweep_exits_1(monkeypatch, tmp_path, capsys):
    from gamesim.compare import SweepInterrupted

    def interrupted(*args, **kwargs):
        raise SweepInterrupted("a worker died; 3 of 5 tasks saved")

    monkeypatch.setattr(gamesim.bench, "run_suite", interrupted)
    assert main(["bench", "--out", str(tmp_path)]) == 1
    assert "benchmark incomplete" in capsys.readouterr().err
