"""The GAN game on real data, through the engine.

The recommended configurations (gamesim.gan.recommended) are re-run here
over seeds 0-4: the issue 4 criterion is discriminator_gap < 0.05 and a
distance to the data below a tenth of its value at step 0 (plus full mode
coverage on the penguins), and plain simultaneous GDA is checked to do
worse where the entry says so. The whole file takes a few tens of seconds.
"""

import json
import math

import numpy as np
import pytest

from gamesim.cli import main
from gamesim.engine import simulate
from gamesim.errors import ConfigError, DataError, GamesimError
from gamesim.gan.recommended import RECOMMENDED, converged, simulate_recommended
from gamesim.registry import make_game, make_rule

SMALL = "gan:data=old_faithful,column=eruptions,samples=32,eval_samples=64"


def test_start_is_the_d_equals_half_point():
    # closed form: f = 0 everywhere gives D = 1/2, value -log 4, gap 0
    game = make_game(SMALL)
    metrics = game.metrics(game.initial_point()[None])
    np.testing.assert_allclose(metrics["value"], -math.log(4), rtol=0, atol=1e-12)
    np.testing.assert_allclose(metrics["d_real"], 0.5, rtol=0, atol=1e-15)
    np.testing.assert_allclose(metrics["d_fake"], 0.5, rtol=0, atol=1e-15)
    np.testing.assert_allclose(metrics["discriminator_gap"], 0.0, atol=1e-15)
    assert set(metrics) == set(game.metric_names())


def test_metrics_are_deterministic():
    game = make_game(SMALL + ",batch_size=16")
    z = game.initial_point()[None] + 0.2 * np.random.default_rng(0).standard_normal(
        (3, game.n))
    first, second = game.metrics(z), game.metrics(z)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])


def test_minibatch_runs_in_a_batch_equal_the_runs_one_by_one():
    game = make_game(SMALL + ",batch_size=16")
    assert game.stochastic
    rule = make_rule("gda:lr=0.2")
    both = simulate(game, rule, 30, seeds=[3, 4], init_noise=0.1)
    for i, seed in enumerate((3, 4)):
        alone = simulate(game, rule, 30, seeds=[seed], init_noise=0.1)
        np.testing.assert_allclose(both.z[i], alone.z[0], rtol=1e-12, atol=1e-14)
    # and the seeds draw different minibatches
    assert not np.allclose(both.z[0], both.z[1])


@pytest.mark.parametrize("spec", [
    SMALL + ",loss=wgan,gp=1",
    SMALL + ",loss=wgan,clip=0.05",
    SMALL + ",loss=lsgan,discriminator=mlp,generator=mlp,r1=0.5",
    SMALL + ",loss=standard,discriminator=quadratic,generator=affine,r2=0.3",
])
def test_every_loss_runs_through_the_engine(spec):
    game = make_game(spec)
    res = simulate(game, make_rule("ogda:lr=0.05"), 50, batch=2, init_noise=0.1)
    assert set(res.status) == {"max_steps"}
    assert np.all(np.isfinite(res.final.drop(columns=["status"]).to_numpy(float)))


def test_weight_clipping_is_a_projection():
    game = make_game(SMALL + ",loss=wgan,clip=0.05")
    assert game.constrained
    z = np.full((1, game.n), 0.3)
    out = game.project(z)
    k = game.sizes[0]
    np.testing.assert_array_equal(out[:, :k], 0.3)
    np.testing.assert_array_equal(out[:, k:], 0.05)


def test_spec_syntax_for_two_columns_and_labels():
    plus = make_game("gan:data=old_faithful,columns=eruptions+waiting,samples=8")
    semi = make_game("gan:data=old_faithful,columns=eruptions;waiting,samples=8")
    assert plus.dataset.columns == semi.dataset.columns == ("eruptions", "waiting")
    penguins = "gan:data=palmer_penguins,columns=bill_length_mm+bill_depth_mm,samples=8"
    assert "mode_coverage" in make_game(penguins).metric_names()
    assert "mode_coverage" not in make_game(penguins + ",labels=none").metric_names()


@pytest.mark.parametrize("spec, error, message", [
    ("gan:data=old_faithful", ConfigError, "name the column"),
    ("gan:data=old_faithful,column=waiting,columns=waiting", ConfigError, "not both"),
    ("gan:data=old_faithful,column=wait", DataError, "available: eruptions, waiting"),
    ("gan:data=old_faithful,column=waiting,generator=gan", ConfigError,
     "unknown generator"),
    ("gan:data=old_faithful,column=waiting,discriminator=cubic", ConfigError,
     "unknown discriminator"),
    ("gan:data=old_faithful,column=waiting,d_hidden=8+8+8", ConfigError,
     "one or two"),
    ("gan:data=old_faithful,column=waiting,batch_size=1000", ConfigError,
     "exceeds the 272"),
    ("gan:data=old_faithful,column=waiting,r1=-1", ConfigError, "r1 must be"),
    ("gan:data=old_faithful,column=waiting,g_init=far", ConfigError, "g_init"),
])
def test_bad_specs_raise_clear_errors(spec, error, message):
    with pytest.raises(error, match=message):
        make_game(spec)
    assert issubclass(error, GamesimError)


def test_cli_runs_on_the_real_data(capsys):
    code = main(["run", "--game", SMALL, "--rule", "gda:lr=0.1,lr_d=0.2",
                 "--steps", "20", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for name in ("d_real", "d_fake", "discriminator_gap", "jsd", "wasserstein",
                 "value", "grad_norm"):
        assert name in out["metrics"]
    assert set(out["params"]) == {"generator", "discriminator"}


# -- the recommended configurations (issue 4, done-when) ----------------------------
@pytest.mark.parametrize("name", sorted(RECOMMENDED))
def test_recommended_configuration_converges_over_five_seeds(name):
    entry = RECOMMENDED[name]
    result = simulate_recommended(name)
    ok = converged(result, entry.distance)
    assert ok.all(), result.final.to_string()


@pytest.mark.parametrize("name", sorted(n for n in RECOMMENDED
                                        if RECOMMENDED[n].baseline_fails))
def test_plain_simultaneous_gda_does_worse(name):
    entry = RECOMMENDED[name]
    baseline = simulate_recommended(name, baseline=True)
    ok = converged(baseline, entry.distance)
    # at least one of the five seeds fails the criterion that every seed of
    # the recommended rule meets (see the test above)
    assert not ok.all(), baseline.final.to_string()


def test_minibatch_jacobian_holds_one_minibatch_fixed():
    # the Jacobian of the field on one minibatch: a generator seeded alike
    # draws the same minibatch, so differencing field(w, [rng]) with a fresh
    # rng each time gives the same matrix (central differences, ~1e-9)
    game = make_game(SMALL + ",batch_size=32,features=8")
    z = game.initial_point()[None] + 0.1
    jac = game.jacobian(z, [np.random.default_rng(7)])
    n = game.n
    expected = np.zeros((n, n))
    for i in range(n):
        step = np.zeros((1, n))
        step[0, i] = 1e-6
        up = game.field(z + step, [np.random.default_rng(7)])
        down = game.field(z - step, [np.random.default_rng(7)])
        expected[:, i] = (up - down)[0] / 2e-6
    np.testing.assert_allclose(jac[0], expected, rtol=0, atol=1e-7)
