"""The convergence benchmark suite, and the literature facts it must reproduce.

``python -m pytest benchmarks/test_convergence.py`` runs the quick suite
(:mod:`gamesim.bench`, a couple of minutes on 2 cores) once, times it with
pytest-benchmark, writes its leaderboard to a temporary folder (printed at
the end), then checks what the literature says the leaderboard must show.
``GAMESIM_BENCH=full`` runs the full suite instead; ``GAMESIM_BENCH_OUT=DIR``
keeps the output (and resumes from it); ``GAMESIM_BENCH_EXECUTOR`` picks
the executor (default ``processes``).
"""

from __future__ import annotations

import os

import pytest

from gamesim.bench import run_suite, suite

MODE = os.environ.get("GAMESIM_BENCH", "quick")
EXECUTOR = os.environ.get("GAMESIM_BENCH_EXECUTOR", "processes")

#: the suite's result, shared by the tests of this file (it runs once)
_RESULT = {}


def _out(tmp_path_factory):
    chosen = os.environ.get("GAMESIM_BENCH_OUT")
    return chosen if chosen else tmp_path_factory.mktemp("convergence-bench")


def test_convergence_suite(benchmark, tmp_path_factory):
    """Run the suite once (timed) and check that every file was written."""
    out = _out(tmp_path_factory)
    result = benchmark.pedantic(run_suite, args=(suite(MODE),),
                                kwargs=dict(out=out, executor=EXECUTOR),
                                rounds=1, iterations=1)
    _RESULT["result"] = result
    benchmark.extra_info.update(mode=MODE, runs=len(result.runs),
                                leaderboard=str(result.out / "leaderboard.md"))
    for name in ("leaderboard.md", "leaderboard.csv", "runs.csv", "bench.json"):
        assert (result.out / name).is_file()
    print(f"\nleaderboard: {result.out / 'leaderboard.md'}")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """The suite's result (run here if the timed test was deselected)."""
    if "result" not in _RESULT:
        _RESULT["result"] = run_suite(suite(MODE), out=_out(tmp_path_factory),
                                      executor=EXECUTOR)
    return _RESULT["result"]


def _row(result, game: str, rule: str):
    board = result.leaderboard
    rows = board[(board["game"] == game) & (board["rule"] == rule)]
    assert len(rows) == 1, f"{rule} on {game} is not in the leaderboard"
    return rows.iloc[0]


def _runs(result, game: str, rule: str):
    runs = result.runs
    return runs[(runs["bench_game"] == game) & (runs["rule"] == rule)]


@pytest.mark.parametrize("rule", ["eg", "ogda", "pp"])
def test_bilinear_converging_rules_reach_the_tolerance(result, rule):
    # reference A: extragradient, optimistic GDA and proximal point contract
    # on f = x y (rho < 1 for every eta in the grid)
    row = _row(result, "bilinear_scalar", rule)
    assert row["converged_share"] == 1.0, row.to_dict()


def test_bilinear_simultaneous_gda_diverges(result):
    # reference A: simultaneous GDA has rho = sqrt(1 + eta^2) > 1: it never
    # converges, every run ends farther out than it started (||z0|| ~ sqrt 2),
    # and at eta = 0.3 (rho^1000 ~ 1e18) every run is stopped as diverged
    runs = _runs(result, "bilinear_scalar", "gda")
    assert (runs["status"] != "converged").all()
    assert (runs["distance_to_equilibrium"] > 2 * 2 ** 0.5).all()
    assert (runs.loc[runs["lr"] == 0.3, "status"] == "diverged").all()


def test_dirac_gan_needs_r1_for_gradient_descent(result):
    # reference B (Mescheder et al. 2018): simultaneous GD does not converge
    # on the Dirac-GAN; with R1, gamma = 1, it does
    plain = _runs(result, "dirac", "gda")
    with_r1 = _runs(result, "dirac_r1", "gda")
    assert (plain["status"] != "converged").all()
    assert (with_r1["status"] == "converged").all()


@pytest.mark.parametrize("game", ["matching_pennies", "rps"])
def test_optimistic_hedge_last_iterate_converges(result, game):
    # reference D (Daskalakis and Panageas 2019): optimistic multiplicative
    # weights converges in the last iterate
    row = _row(result, game, "optimistic_hedge")
    assert row["converged_share"] == 1.0, row.to_dict()


@pytest.mark.parametrize("game", ["matching_pennies", "rps"])
def test_hedge_last_iterate_does_not_converge_but_its_average_does_better(
        result, game):
    # reference D (Bailey and Piliouras 2018): multiplicative weights moves
    # away from the interior equilibrium in the last iterate while its time
    # average approaches it
    runs = _runs(result, game, "hedge")
    assert (runs["status"] != "converged").all()
    assert (runs["nash_conv_avg"] < runs["nash_conv"]).all()


def test_fictitious_play_cycles_in_shapleys_game(result):
    # reference D (Shapley 1964): fictitious play does not converge in
    # Shapley's game; its empirical average keeps a NashConv far above tol
    runs = _runs(result, "shapley", "fp")
    assert (runs["status"] != "converged").all()
    assert (runs["nash_conv_avg"] > 10 * result.suite.game("shapley").tol).all()


def test_extragradient_evaluations_are_twice_its_steps(result):
    # rules/extragradient.py: a look-ahead and an update, two field
    # evaluations per step
    runs = result.runs[result.runs["rule"] == "eg"]
    assert len(runs) > 0
    assert (runs["evaluations"] == 2 * runs["steps"]).all()


def test_gan_two_time_scale_gda_reaches_the_data(result):
    # gamesim.gan.recommended (old_faithful_eruptions, checked over seeds
    # 0-4): GDA with lr = 0.3 and lr_d = 0.6 converges on Old Faithful
    runs = result.runs[(result.runs["bench_game"] == "gan_old_faithful")
                       & (result.runs["rule_spec"] == "gda:lr=0.3,lr_d=0.6")]
    assert len(runs) == len(result.suite.seeds)
    assert (runs["status"] == "converged").all()


def test_no_configuration_failed(result):
    """A rule that crashes inside a run is a bug, listed here by name."""
    table = result.applicability
    errors = table[table["availability"] == "error"]
    assert errors.empty, "\n".join(
        f"{r.game} / {r.rule_spec}: {r.reason}" for r in errors.itertuples())
