"""One conformance suite over every registered update rule.

Checks shapes, that no input is mutated, determinism under a seed, finite
output on a converging game, that a batch equals its runs one by one, and
the behaviour each rule documents on the bilinear game x y.
"""

import copy

import numpy as np
import pytest

from gamesim import make_game, rule_names, simulate
from gamesim.registry import rule_class
from gamesim.rules.base import Oracle

RULES = rule_names()


def default_rule(name):
    return rule_class(name)()


def game_for(rule):
    """A game the rule is made for: a matrix game for simplex-only rules."""
    if rule.needs_simplex:
        return make_game("matrix:name=rps")
    return make_game("quadratic:n=2,mu=0.5,coupling=0.3")


def _arrays(state):
    """Every ndarray inside a (nested) state."""
    if isinstance(state, np.ndarray):
        return [state]
    if isinstance(state, (tuple, list)):
        return [a for item in state for a in _arrays(item)]
    return []


@pytest.mark.parametrize("name", RULES)
def test_rule_is_immutable_value(name):
    rule = default_rule(name)
    with pytest.raises(Exception):
        rule.lr = 123.0
    assert rule == default_rule(name)
    assert rule.spec().startswith(name)


@pytest.mark.parametrize("name", RULES)
def test_step_shapes_and_no_mutation(name):
    rule = default_rule(name)
    game = game_for(rule)
    rule = rule.for_game(game)
    rng = np.random.default_rng(0)
    z = game.project(game.initial_point() + 0.1 * rng.standard_normal((3, game.n)))
    oracle = Oracle(game, None, [np.random.default_rng(i) for i in range(3)])
    state = rule.init(z)
    z_new, state = rule.step(z, state, oracle, rule.lr)  # past the first step
    z_copy = z_new.copy()
    state_copy = copy.deepcopy(_arrays(state))
    z_next, state_next = rule.step(z_new, state, oracle, rule.lr)
    assert z_next.shape == z.shape
    np.testing.assert_array_equal(z_new, z_copy)
    for before, after in zip(state_copy, _arrays(state)):
        np.testing.assert_array_equal(before, after)
    assert type(state_next) is type(state)


@pytest.mark.parametrize("name", RULES)
def test_deterministic_under_seed(name):
    rule = default_rule(name)
    game = game_for(rule)
    kw = dict(steps=50, batch=3, seed=7, init_noise=0.1, record_every=5)
    a = simulate(game, rule, **kw)
    b = simulate(game, rule, **kw)
    np.testing.assert_array_equal(a.z, b.z)
    assert a.history.equals(b.history)


@pytest.mark.parametrize("name", RULES)
def test_batch_equals_runs_one_by_one(name):
    rule = default_rule(name)
    game = game_for(rule)
    kw = dict(steps=40, init_noise=0.2, record_every=10)
    batch = simulate(game, rule, seed=3, batch=4, **kw)
    for i in range(4):
        alone = simulate(game, rule, seed=3 + i, **kw)
        # the same arithmetic in a different array layout: round-off only
        np.testing.assert_allclose(batch.z[i], alone.z[0], rtol=1e-12, atol=1e-14)
        assert batch.status[i] == alone.status[0]


@pytest.mark.parametrize("name", RULES)
def test_finite_on_a_converging_game(name):
    rule = default_rule(name)
    game = game_for(rule)
    res = simulate(game, rule, steps=300, record_every=10)
    numeric = res.history.drop(columns=["run", "seed", "step"]).to_numpy(float)
    assert np.all(np.isfinite(numeric))
    assert res.status[0] in ("max_steps", "converged")
    if not rule.needs_simplex:
        # the quadratic game (mu = 0.5, coupling 0.3) is strongly monotone:
        # every rule at its default step size must get closer to the saddle
        d = res.history["distance_to_equilibrium"].to_numpy()
        assert d[-1] < d[0]


BEHAVIOURS = [n for n in RULES if default_rule(n).bilinear_behaviour is not None]


@pytest.mark.parametrize("name", BEHAVIOURS)
def test_documented_behaviour_on_bilinear(name):
    rule = default_rule(name)
    res = simulate(make_game("bilinear"), rule, steps=20_000, record_every=500)
    d = res.history["distance_to_equilibrium"].to_numpy()
    behaviour = rule.bilinear_behaviour
    if behaviour == "converges":
        assert d[-1] < 1e-6 * d[0]
    elif behaviour == "diverges":
        assert res.status[0] == "diverged"
    elif behaviour == "cycles":
        assert res.status[0] == "max_steps"
        assert 0.1 * d[0] < d[-1] < 100 * d[0]
        tail = d[len(d) // 2:]
        assert tail.min() > 0.5 * tail.max()  # neither converging nor escaping
    elif behaviour == "neighbourhood":
        # stalls at a distance of the order of the step size, far from 0
        assert 0.1 * rule.lr < d[-1] < 100 * rule.lr
    else:  # pragma: no cover
        pytest.fail(f"unknown documented behaviour {behaviour!r}")


def test_every_unconstrained_rule_documents_its_bilinear_behaviour():
    missing = [n for n in RULES
               if not default_rule(n).needs_simplex
               and default_rule(n).bilinear_behaviour is None
               and not default_rule(n).joint is None]
    # rules for mixed strategies (needs_simplex) are exempt
    assert [n for n in missing if n in BEHAVIOURS] == []


def test_same_local_rule_per_player_equals_joint_rule():
    # a dict of two equal local rules takes the block path of the engine;
    # it must give the same numbers as the joint path
    from gamesim.rules import Adam

    game = make_game("bilinear:n=3")
    one = simulate(game, Adam(lr=0.05), steps=100)
    two = simulate(game, {"generator": Adam(lr=0.05), "discriminator":
                          Adam(lr=0.05, beta1=0.9)}, steps=100)
    np.testing.assert_allclose(one.z, two.z, rtol=1e-13, atol=1e-15)


def test_joint_rule_with_alternating_schedule_is_refused():
    from gamesim.rules import Extragradient

    with pytest.raises(NotImplementedError, match="alternating"):
        simulate(make_game("bilinear"), Extragradient(), 5, schedule="alternating")
