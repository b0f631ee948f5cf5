"""The engine: statuses, batches, schedules, records, averages, callbacks."""

import logging
import warnings

import numpy as np
import pytest

from gamesim import ConfigError, Schedule, make_game, make_rule, simulate
from gamesim.games import BilinearGame, CustomGame
from gamesim.rules import GDA, Extragradient, Momentum


def test_batch_of_1000_equals_runs_one_by_one():
    # issue 2: a batch of 1,000 runs gives the same numbers as the runs alone
    game = make_game("bilinear:n=3,seed=1")
    rule = make_rule("ogda:lr=0.1")
    batch = simulate(game, rule, steps=200, seed=0, batch=1000, init_noise=0.5)
    for i in (0, 1, 499, 999):
        alone = simulate(game, rule, steps=200, seed=i, init_noise=0.5)
        np.testing.assert_allclose(batch.z[i], alone.z[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(
            batch.history[batch.history.run == i]["distance_to_equilibrium"],
            alone.history["distance_to_equilibrium"], rtol=1e-12, atol=1e-15)


def test_one_bad_run_stops_alone():
    # issue 9: a batch of 100 runs in which 10 diverge ends with 90 converged
    # results intact and 10 marked diverged. Step sizes vary per run: GDA on
    # the quadratic game (mu = 1, scalar) contracts for lr < 2 / (1 + 1) ...
    game = make_game("quadratic:n=1,mu=1.0")
    lr = np.full(100, 0.1)
    lr[::10] = 3.0  # |1 - 3 (1 +- i)| = sqrt(13) > 1: these diverge
    res = simulate(game, GDA(), steps=2000, batch=100, lr=lr, tol=1e-10)
    diverged = res.status == "diverged"
    assert diverged.sum() == 10 and np.all(diverged[::10])
    assert np.all(res.status[~diverged] == "converged")
    assert np.all(res.final["distance_to_equilibrium"][~diverged] <= 1e-10)
    # the converged runs match a run of their own
    alone = simulate(game, GDA(lr=0.1), steps=2000, seed=1, tol=1e-10)
    np.testing.assert_allclose(res.z[1], alone.z[0], rtol=1e-12)
    assert res.steps[1] == alone.steps[0]


def test_nonfinite_run_keeps_last_finite_state():
    # a field that overflows at once: the run must end 'nonfinite' with the
    # last finite state kept and no warning escaping
    game = CustomGame(lambda x, y: float(np.exp(50 * x[0]) * y[0]), sizes=(1, 1),
                      grad_x=lambda x, y: np.array([50 * np.exp(50 * x[0]) * y[0]]),
                      grad_y=lambda x, y: np.array([-np.exp(50 * x[0])]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = simulate(game, GDA(lr=1.0), steps=100, z0=[1.0, -1.0],
                       divergence=1e300)
    assert res.status[0] == "nonfinite"
    assert np.all(np.isfinite(res.z))
    params = res.history[["generator[0]", "discriminator[0]"]].to_numpy()
    assert np.all(np.isfinite(params))


def test_tolerance_and_steps_to_converge():
    # extragradient on x y at eta = 0.5 contracts by rho = sqrt(1 - h^2 + h^4)
    # = 0.901387818866 per step (reference A); from ||z0|| = sqrt 2 the
    # distance reaches 1e-6 after log(1e-6/sqrt 2)/log(rho) ~ 136.5 steps,
    # checked every step here
    res = simulate(make_game("bilinear"), Extragradient(lr=0.5), steps=1000,
                   tol=1e-6, check_every=1, record_every=1)
    assert res.status[0] == "converged"
    expected = np.ceil(np.log(1e-6 / np.sqrt(2)) / np.log(0.901387818866))
    assert res.steps[0] == expected
    assert res.history["step"].iloc[-1] == res.steps[0]


def test_alternating_order_and_d_steps():
    game = make_game("bilinear")
    # discriminator first: y1 = 1 + 0.1 * 1 = 1.1, then x1 = 1 - 0.1 * 1.1
    res = simulate(game, GDA(lr=0.1), 1, schedule=Schedule("alternating",
                   order="discriminator_first"))
    np.testing.assert_allclose(res.z[0], [0.89, 1.1], rtol=1e-14)
    # two discriminator steps after the generator: x1 = 0.9, y = 1.09, 1.18
    res = simulate(game, GDA(lr=0.1), 1, schedule=Schedule("alternating", d_steps=2))
    np.testing.assert_allclose(res.z[0], [0.9, 1.18], rtol=1e-14)
    assert res.evaluations[0] == 3
    # simultaneous with 2 discriminator steps: y alone to 1.1, then both
    res = simulate(game, GDA(lr=0.1), 1, schedule=Schedule("simultaneous", d_steps=2))
    np.testing.assert_allclose(res.z[0], [1 - 0.11, 1.1 + 0.1], rtol=1e-14)


def test_two_time_scales():
    game = make_game("bilinear")
    res = simulate(game, GDA(), 1, lr=(0.1, 0.3))
    np.testing.assert_allclose(res.z[0], [0.9, 1.3], rtol=1e-14)
    rules = {"generator": GDA(lr=0.1), "discriminator": GDA(lr=0.3)}
    res2 = simulate(game, rules, 1)
    np.testing.assert_allclose(res2.z, res.z, rtol=1e-14)


def test_different_rules_per_player():
    game = make_game("dirac:r1=1")
    rules = {"generator": GDA(lr=0.1), "discriminator": Momentum(lr=0.1, beta=0.5)}
    res = simulate(game, rules, 3000, tol=1e-8)
    assert res.status[0] == "converged"
    assert res.to_dict()["rules"] == {"generator": "gda:lr=0.1",
                                      "discriminator": "momentum:lr=0.1,beta=0.5"}


def test_averages():
    # the uniform average of GDA iterates on x y (alternating) converges to
    # the equilibrium while the last iterate keeps cycling
    res = simulate(make_game("bilinear"), GDA(lr=0.1), 20000,
                   schedule="alternating", average="uniform")
    assert np.linalg.norm(res.average[0]) < 0.01
    assert np.linalg.norm(res.z[0]) > 0.5
    assert "distance_to_equilibrium_avg" in res.history.columns
    res = simulate(make_game("bilinear"), GDA(lr=0.1), 10, average="ema",
                   ema_decay=0.5, record_every=1)
    # EMA by hand
    z = np.array([1.0, 1.0])
    ema = z.copy()
    for _ in range(10):
        z = z - 0.1 * np.array([z[1], -z[0]])
        ema = 0.5 * ema + 0.5 * z
    np.testing.assert_allclose(res.average[0], ema, rtol=1e-14)


def test_callback_stops_runs():
    seen = []

    def callback(progress):
        seen.append(progress.step)
        return progress.step >= 30

    res = simulate(make_game("bilinear"), GDA(lr=0.1), 1000, record_every=10,
                   callback=callback)
    assert res.status[0] == "stopped" and res.steps[0] == 30
    assert seen == [10, 20, 30]

    def raising(progress):
        raise StopIteration

    res = simulate(make_game("bilinear"), GDA(lr=0.1), 100, record_every=10,
                   callback=raising)
    assert res.status[0] == "stopped" and res.steps[0] == 10


def test_record_every_bounds_history():
    res = simulate(make_game("bilinear:n=2"), GDA(lr=0.01), 100_000, batch=3)
    # default: every steps // 1000 steps, so about 1001 rows per run
    assert len(res.history) == 3 * 1001


@pytest.mark.parametrize("kwargs,message", [
    (dict(steps=0), "steps must be >= 1"),
    (dict(steps=-5), "steps must be >= 1"),
    (dict(steps=1.5), "steps must be an integer"),
    (dict(steps=10, lr=-0.1), "step sizes must be finite and > 0"),
    (dict(steps=10, lr=0.0), "step sizes must be finite and > 0"),
    (dict(steps=10, lr=float("nan")), "step sizes must be finite and > 0"),
    (dict(steps=10, z0=[1.0, 2.0, 3.0]), "expected (2,)"),
    (dict(steps=10, z0=[np.nan, 1.0]), "non-finite"),
    (dict(steps=10, tol=-1.0), "tol must be finite and >= 0"),
    (dict(steps=10, record_every=0), "record_every must be >= 1"),
    (dict(steps=10, schedule="sideways"), "unknown schedule 'sideways'"),
    (dict(steps=10, average="median"), "average must be one of"),
    (dict(steps=10, seeds=[]), "seeds must be a non-empty list"),
    (dict(steps=10, tol=0.1, stop_metric="accuracy"), "unknown stop metric 'accuracy'"),
    (dict(steps=10, lr=[0.1, 0.2, 0.3]), "lr has shape (3,)"),
])
def test_bad_engine_input_is_named(kwargs, message):
    with pytest.raises(ConfigError) as info:
        simulate(make_game("bilinear"), GDA(lr=0.1), **kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize("build,message", [
    (lambda: GDA(lr=-1), "gda: lr must be finite and > 0"),
    (lambda: GDA(lr=0), "gda: lr must be finite and > 0"),
    (lambda: Momentum(beta=1.5), "momentum: beta must lie in"),
    (lambda: make_rule("ogda:first_step=never"), "first_step must be one of"),
    (lambda: BilinearGame([[1.0, np.inf]]), "non-finite entry inf at (0, 1)"),
    (lambda: BilinearGame([[1.0, np.nan], [0.0, 1.0]]),
     "non-finite entry nan at (0, 1)"),
    (lambda: BilinearGame([[1.0, 2.0]], b=[1.0, 2.0]), "b has shape (2,)"),
    (lambda: BilinearGame([]), "non-empty"),
    (lambda: make_game("quadratic:mu=-1"), "mu must be >= 0"),
    (lambda: make_game("bilinear:n=0"), "n and m must be >= 1"),
])
def test_bad_game_and_rule_input_is_named(build, message):
    from gamesim import GamesimError

    with pytest.raises(GamesimError) as info:
        build()
    assert message in str(info.value)


def test_unknown_player_is_named():
    with pytest.raises(ConfigError, match="unknown player 'referee'"):
        simulate(make_game("bilinear"), {"referee": GDA()}, 5)
    with pytest.raises(ConfigError, match="no update rule given for player"):
        simulate(make_game("bilinear"), {"generator": GDA()}, 5)


def test_stopped_runs_are_not_measured_after_they_stop():
    # a diverged run keeps moving (frozen only at each check); the tolerance
    # check must not measure it, or a game whose metrics refuse huge values
    # (the GAN's weighted Wasserstein distance) would crash the whole batch
    from gamesim.games import QuadraticGame

    class Fussy(QuadraticGame):
        def metrics(self, z, noise=None):
            if np.abs(z).max() > 1e9:
                raise ValueError("metrics asked of a run that already stopped")
            return super().metrics(z, noise)

    game = Fussy(np.eye(1), np.eye(1), np.eye(1))
    # run 0: |1 - 3 (1 +- i)| = sqrt(13) per step, far past 1e9 within the
    # ten steps between checks; run 1 converges
    res = simulate(game, GDA(), steps=500, batch=2, lr=np.array([3.0, 0.1]),
                   tol=1e-8)
    assert list(res.status) == ["diverged", "converged"]


def test_batch_follows_the_rows_of_z0():
    # one run per initial point when no batch or seeds are given; the runs
    # are those of the same points run one by one (bilinear x y, reference A)
    game = make_game("bilinear")
    z0 = np.array([[1.0, 1.0], [0.5, -0.25], [2.0, 0.0]])
    res = simulate(game, make_rule("eg:lr=0.1"), steps=50, z0=z0)
    assert res.z.shape == (3, 2)
    for i, point in enumerate(z0):
        one = simulate(game, make_rule("eg:lr=0.1"), steps=50, z0=point, seed=i)
        np.testing.assert_array_equal(res.z[i], one.z[0])
    with pytest.raises(ConfigError, match="3 initial points for 2 runs"):
        simulate(game, make_rule("gda"), steps=5, z0=z0, batch=2)


def test_an_unknown_stop_metric_is_an_error_even_without_tol():
    game = make_game("bilinear")
    with pytest.raises(ConfigError, match="unknown stop metric 'nosuch'.*grad_norm"):
        simulate(game, make_rule("gda"), steps=5, stop_metric="nosuch")
    # a known one without tol is accepted (and has nothing to stop)
    res = simulate(game, make_rule("gda"), steps=5, stop_metric="grad_norm")
    assert res.status[0] == "max_steps"


def _equilibrium_warnings(caplog):
    return [r for r in caplog.records if r.levelname == "WARNING"
            and "starts at an equilibrium" in r.getMessage()]


def test_a_start_at_the_equilibrium_is_warned_about_once(caplog, monkeypatch):
    # matching pennies: the uniform strategies (the matrix games' default
    # start) are the unique equilibrium (reference D), so a tolerance would
    # stop every run at step 0 and the verdict would say nothing
    from gamesim.engine import core

    monkeypatch.setattr(core, "_WARNED_AT_EQUILIBRIUM", set())
    caplog.set_level(logging.WARNING, logger="gamesim")
    game = make_game("matrix:name=matching_pennies")
    res = simulate(game, make_rule("hedge:lr=0.1"), steps=20, batch=3, tol=1e-6)
    assert list(res.status) == ["converged"] * 3
    # a sweep's later runs of the same game do not repeat the warning
    simulate(game, make_rule("fp"), steps=20)
    (warning,) = _equilibrium_warnings(caplog)
    message = warning.getMessage()
    assert "matching_pennies" in message
    assert "z0" in message and "init_noise" in message
    assert warning.name == "gamesim.engine.core"


@pytest.mark.parametrize("kwargs", [
    dict(init_noise=0.1),
    # one run of two starts off the equilibrium: not every run is stuck
    dict(z0=[[0.5, 0.5, 0.5, 0.5], [1.0, 0.0, 0.5, 0.5]]),
])
def test_no_equilibrium_warning_when_some_run_starts_elsewhere(caplog, kwargs,
                                                              monkeypatch):
    from gamesim.engine import core

    monkeypatch.setattr(core, "_WARNED_AT_EQUILIBRIUM", set())
    caplog.set_level(logging.WARNING, logger="gamesim")
    game = make_game("matrix:name=matching_pennies")
    simulate(game, make_rule("hedge:lr=0.1"), steps=20, **kwargs)
    assert _equilibrium_warnings(caplog) == []


def test_no_equilibrium_warning_on_bilinear_default_start(caplog):
    # the bilinear game starts at (1, 1), at distance sqrt(2) from (0, 0)
    caplog.set_level(logging.WARNING, logger="gamesim")
    simulate(make_game("bilinear"), make_rule("eg:lr=0.1"), steps=20)
    assert _equilibrium_warnings(caplog) == []


def test_info_logs_at_start_and_end(caplog):
    caplog.set_level(logging.INFO, logger="gamesim.engine")
    game = make_game("quadratic:n=1,mu=1.0")
    lr = np.array([0.1, 3.0])  # run 1 diverges (see test_one_bad_run_stops_alone)
    res = simulate(game, GDA(), steps=300, batch=2, lr=lr, tol=1e-10)
    assert sorted(res.status) == ["converged", "diverged"]
    lines = [r.getMessage() for r in caplog.records
             if r.name == "gamesim.engine.core" and r.levelname == "INFO"]
    start = [m for m in lines if m.startswith(f"simulate {game.name}:")]
    end = [m for m in lines if m.startswith(f"simulate {game.name} done:")]
    assert len(start) == 1 and len(end) == 1
    assert "2 run(s)" in start[0] and "300 steps" in start[0]
    assert "generator=gda" in start[0] and "discriminator=gda" in start[0]
    assert "converged x1" in end[0] and "diverged x1" in end[0]
    low, high = int(res.steps.min()), int(res.steps.max())
    assert f"steps {low} to {high}" in end[0] and end[0].endswith(" s")


def test_unknown_stop_metric_lists_the_averaged_names():
    game = make_game("matrix:name=matching_pennies")
    with pytest.raises(ConfigError) as info:
        simulate(game, make_rule("fp"), steps=5, average="uniform", tol=1e-3,
                 stop_metric="nosuch")
    known = str(info.value).split("known: ")[1]
    assert "nash_conv_avg" in known and "nash_conv," in known
    with pytest.raises(ConfigError) as info:
        simulate(game, make_rule("hedge"), steps=5, average=None, tol=1e-3,
                 stop_metric="nosuch")
    assert "_avg" not in str(info.value).split("known: ")[1]
