"""Learning rules on matrix games: reference D and the issue-3 bug reports.

Expected values come from reference D of shared/reference-cases.md (named
"reference D"), from closed forms, from the papers each rule cites, and
from explicit loops written here independently of gamesim's rules.
"""

import numpy as np
import pytest

from gamesim import make_game, make_rule, rule_names, simulate
from gamesim.equilibria import kl_divergence
from gamesim.errors import ConfigError
from gamesim.games.matrix import MatrixGame
from gamesim.rules.learning import (
    FictitiousPlay,
    Hedge,
    OptimisticHedge,
    RegretMatching,
    RegretMatchingPlus,
    replicator_ode,
)

MP = [[1.0, -1], [-1, 1]]


def explicit_fictitious_play(A, B, rounds, first=(0, 0), alternating=False):
    """Counts of fictitious play by a plain loop (ties to the lowest index).

    Simultaneous: from round 2 each player best-responds to the other's
    counts of the previous rounds. Alternating: the row player does so, then
    the column player best-responds to the row player's actions of rounds
    2 .. t including the current one (round 1 is the given start for both).
    """
    A, B = np.asarray(A, float), np.asarray(B, float)
    a, b = first
    counts_x, counts_y = np.zeros(A.shape[0]), np.zeros(A.shape[1])
    counts_x[a] += 1
    counts_y[b] += 1
    seen_by_column = np.zeros(A.shape[0])
    for _ in range(rounds - 1):
        new_a = int(np.argmax(A @ counts_y))
        if alternating:
            seen_by_column[new_a] += 1
            b = int(np.argmax(seen_by_column @ B))
        else:
            b = int(np.argmax(counts_x @ B))
        a = new_a
        counts_x[a] += 1
        counts_y[b] += 1
    return counts_x, counts_y


# -- reference D: fictitious play in matching pennies -------------------------
@pytest.mark.parametrize(
    "T,row,column,nash_conv",
    [
        (10, [3, 7], [5, 5], 0.4),
        (100, [55, 45], [52, 48], 0.14),
        (1000, [483, 517], [505, 495], 0.044),
    ],
)
def test_fictitious_play_matching_pennies_reference_d(T, row, column, nash_conv):
    # Reference D: round 1 both play action 0; T rounds = z0 plus T - 1 steps;
    # the simultaneous schedule is the variant of the reference.
    game = make_game("matrix:name=matching_pennies")
    res = simulate(game, make_rule("fp"), steps=T - 1, z0=[1, 0, 1, 0], record_every=T)
    counts = res.average[0] * T
    np.testing.assert_allclose(counts, row + column, atol=1e-9)
    assert res.final["nash_conv_avg"][0] == pytest.approx(nash_conv, abs=1e-12)


def test_fictitious_play_by_direct_updates_reference_d():
    # The rule alone (init/update on each block), reference D at T = 100.
    A = np.array(MP)
    rule = FictitiousPlay()
    x, y = np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])
    sx, sy = rule.init(x), rule.init(y)
    total = np.concatenate([x, y], axis=1)
    for _ in range(99):
        gx, gy = -(y @ A.T), -(x @ -A)  # the field of the zero-sum game
        x, sx = rule.update(gx, x, sx, 1.0)
        y, sy = rule.update(gy, y, sy, 1.0)
        total += np.concatenate([x, y], axis=1)
    np.testing.assert_allclose(total[0], [55, 45, 52, 48], atol=1e-12)


def test_alternating_fictitious_play_is_the_column_answers_current_variant():
    # The engine's alternating schedule: the column player answers the row
    # player's current action. Compared with an explicit loop of that variant.
    game = make_game("matrix:name=matching_pennies")
    for T in (10, 100, 1000):
        res = simulate(
            game,
            make_rule("fp"),
            steps=T - 1,
            z0=[1, 0, 1, 0],
            schedule="alternating",
            record_every=T,
        )
        cx, cy = explicit_fictitious_play(MP, -np.array(MP), T, alternating=True)
        np.testing.assert_allclose(
            res.average[0] * T, np.concatenate([cx, cy]), atol=1e-9
        )
        # ... and it is not the variant of reference D
        cx_sim, cy_sim = explicit_fictitious_play(MP, -np.array(MP), T)
        assert not np.array_equal(
            np.concatenate([cx, cy]), np.concatenate([cx_sim, cy_sim])
        )


def test_fictitious_play_explicit_loop_matches_on_a_random_game():
    rng = np.random.default_rng(4)
    A, B = rng.integers(-3, 4, (3, 4)), rng.integers(-3, 4, (3, 4))
    game = MatrixGame(A, B)
    z0 = np.array([1.0, 0, 0, 1, 0, 0, 0])
    res = simulate(game, make_rule("fp"), steps=199, z0=z0, record_every=200)
    cx, cy = explicit_fictitious_play(A, B, 200)
    np.testing.assert_allclose(
        res.average[0] * 200, np.concatenate([cx, cy]), atol=1e-9
    )


def test_fictitious_play_tie_breaking():
    # A game of constant payoffs: every round is a tie between all strategies.
    game = MatrixGame(np.zeros((3, 3)), np.zeros((3, 3)))
    z0 = np.array([1.0, 0, 0, 1, 0, 0])
    lowest = simulate(game, make_rule("fp"), steps=300, z0=z0, record_every=300)
    np.testing.assert_allclose(lowest.average[0], [1, 0, 0, 1, 0, 0], atol=1e-12)

    kw = {"steps": 300, "z0": z0, "record_every": 300}
    a = simulate(game, make_rule("fp:tie_break=random,seed=1"), **kw)
    b = simulate(game, make_rule("fp:tie_break=random,seed=1"), **kw)
    c = simulate(game, make_rule("fp:tie_break=random,seed=2"), **kw)
    np.testing.assert_array_equal(a.average, b.average)  # reproducible
    assert not np.array_equal(a.average, c.average)
    # uniform draws: each frequency 1/3 within 5 binomial standard deviations
    sd = np.sqrt(2 / 9 / 301)
    np.testing.assert_allclose(a.average[0], 1 / 3, atol=5 * sd)
    with pytest.raises(ConfigError, match="tie_break"):
        make_rule("fp:tie_break=first")


# -- reference D: Shapley's game ----------------------------------------------
def test_fictitious_play_cycles_in_shapleys_game():
    # Reference D: from an off-diagonal start FP cycles; NashConv of the
    # empirical frequencies stays near 0.28 and the run does not converge.
    game = make_game("matrix:name=shapley")
    res = simulate(
        game,
        make_rule("fp"),
        steps=5000,
        z0=[1, 0, 0, 0, 1, 0],
        tol=0.05,
        record_every=10,
    )
    assert res.status[0] == "max_steps"
    tail = res.history["nash_conv_avg"].to_numpy()[-200:]
    assert np.all(np.abs(tail - 0.28) < 0.03)
    # the play keeps cycling through all three actions, each stretch longer
    # than the last (Shapley 1964: the cycles grow geometrically)
    played = res.history[[f"row[{i}]" for i in range(3)]].to_numpy().argmax(axis=1)
    switches = np.flatnonzero(np.diff(played) != 0)
    assert len(switches) >= 6
    assert set(played[switches[-4] :]) == {0, 1, 2}
    assert np.all(np.diff(np.diff(switches)) > 0)


# -- reference D: Hedge, optimistic Hedge, replicator -------------------------
RPS_START = [0.5, 0.25, 0.25, 0.25, 0.5, 0.25]


def test_hedge_last_iterate_drifts_away_while_average_converges():
    # Reference D (Bailey and Piliouras 2018): the KL divergence of the last
    # iterate to the interior equilibrium grows at every step; the time
    # average converges (no regret).
    game = make_game("matrix:name=rps")
    res = simulate(
        game,
        make_rule("hedge:lr=0.1"),
        steps=1000,
        z0=RPS_START,
        average="uniform",
        record_every=1,
    )
    kl = res.history["kl_to_equilibrium"].to_numpy()
    assert np.all(np.diff(kl) > 0)
    nc_avg = res.history["nash_conv_avg"].to_numpy()
    assert nc_avg[-1] < 0.1 * nc_avg[0]


def test_optimistic_hedge_last_iterate_converges():
    # Reference D (Daskalakis and Panageas 2019): OMWU converges in the last
    # iterate for zero-sum games with a unique equilibrium.
    game = make_game("matrix:name=rps")
    res = simulate(
        game,
        make_rule("optimistic_hedge:lr=0.2"),
        steps=4000,
        z0=RPS_START,
        record_every=200,
    )
    nc = res.history["nash_conv"].to_numpy()
    assert nc[-1] < 1e-3 * nc[0]
    kl = res.history["kl_to_equilibrium"].to_numpy()
    kl = kl[kl > 1e-12]  # below that, rounding
    assert np.all(np.diff(kl) < 0)


def test_continuous_replicator_conserves_kl():
    # Reference D: KL(x*||x) + KL(y*||y) is a constant of motion.
    game = make_game("matrix:name=rps")
    star = np.full(3, 1 / 3)
    sol = replicator_ode(
        game,
        np.array(RPS_START),
        30.0,
        t_eval=np.linspace(0, 30, 301),
        rtol=1e-11,
        atol=1e-13,
    )
    z = sol.y.T
    kl = kl_divergence(star, z[:, :3]) + kl_divergence(star, z[:, 3:])
    # integrator tolerance 1e-11: the invariant holds to ~1e-9
    np.testing.assert_allclose(kl, kl[0], rtol=1e-8)
    # and the state really moves (a closed orbit, not a rest point)
    assert np.ptp(z[:, 0]) > 0.1


def test_replicator_ode_rule_conserves_kl_through_the_engine():
    game = make_game("matrix:name=matching_pennies")
    res = simulate(
        game,
        make_rule("replicator_ode:lr=0.5,rtol=1e-11"),
        steps=60,
        z0=[0.8, 0.2, 0.3, 0.7],
        record_every=1,
    )
    kl = res.history["kl_to_equilibrium"].to_numpy()
    np.testing.assert_allclose(kl, kl[0], rtol=1e-7)


def test_discrete_replicator_is_an_euler_step_of_the_ode():
    # One small step against the ODE over the same time (error O(dt^2)).
    game = make_game("matrix:name=rps")
    dt = 1e-3
    step = simulate(game, make_rule(f"replicator:lr={dt}"), steps=1, z0=RPS_START).z[0]
    exact = replicator_ode(game, np.array(RPS_START), dt).y[:, -1]
    np.testing.assert_allclose(step, exact, atol=10 * dt**2)


# -- no overflow --------------------------------------------------------------
@pytest.mark.parametrize("name", ["hedge", "optimistic_hedge"])
def test_hedge_does_not_overflow_with_large_payoffs(name):
    # payoffs 1e3 and lr 1 for 1e4 steps: exponents up to 1e7 in a naive code
    game = MatrixGame(1e3 * np.array([[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]]))
    res = simulate(
        game, make_rule(f"{name}:lr=1"), steps=10_000, z0=RPS_START, record_every=1000
    )
    assert res.status[0] == "max_steps"
    assert np.all(
        np.isfinite(res.history.drop(columns=["run", "seed"]).to_numpy(float))
    )
    np.testing.assert_allclose(res.z[0, :3].sum(), 1.0, atol=1e-12)


# -- direct updates: closed forms ---------------------------------------------
def test_rules_by_direct_update_closed_forms():
    z = np.array([[0.5, 0.5]])
    g = np.array([[-1.0, 1.0]])  # payoff vector u = (1, -1)
    # Hedge: x ~ x exp(eta u) = (e, 1/e)/Z at eta = 1
    x, _ = Hedge(lr=1.0).update(g, z, Hedge(lr=1.0).init(z), 1.0)
    np.testing.assert_allclose(
        x, [[np.e / (np.e + 1 / np.e), 1 / np.e / (np.e + 1 / np.e)]], rtol=1e-14
    )
    # optimistic Hedge, second step: exponent 2 u_1 - u_0
    rule = OptimisticHedge(lr=1.0)
    x1, s = rule.update(g, z, rule.init(z), 1.0)
    x2, _ = rule.update(-g, x1, s, 1.0)  # u_1 = (-1, 1): exponent (-3, 3)
    w = x1[0] * np.exp([-3.0, 3.0])
    np.testing.assert_allclose(x2[0], w / w.sum(), rtol=1e-12)
    # regret matching: regrets u - <x, u> = (1, -1): play (1, 0)
    x, s = RegretMatching().update(g, z, RegretMatching().init(z), 1.0)
    np.testing.assert_allclose(x, [[1.0, 0.0]])
    np.testing.assert_allclose(s.regret, [[1.0, -1.0]])
    # regret matching+: negative regret floored at 0
    x, s = RegretMatchingPlus().update(g, z, RegretMatchingPlus().init(z), 1.0)
    np.testing.assert_allclose(s.regret, [[1.0, 0.0]])


# -- the 2 x 3 game with a dominated column, every learning rule --------------
DOMINATED_A = [[1.0, -1, 2], [-1, 1, 2]]
DOMINATED_EQ = np.array([0.5, 0.5, 0.5, 0.5, 0.0])  # closed form (issue 3)

# rule spec, steps; step sizes small enough for the averaged iterate to settle
LEARNING_CASES = {
    "fp": ("fp", 3000),
    "logit_fp": ("logit_fp:temperature=0.05", 3000),
    "hedge": ("hedge:lr=0.05", 3000),
    "optimistic_hedge": ("optimistic_hedge:lr=0.1", 3000),
    "rm": ("rm", 3000),
    "rm_plus": ("rm_plus", 3000),
    "replicator": ("replicator:lr=0.02", 3000),
    "replicator_ode": ("replicator_ode:lr=0.2", 400),
    "entropic_eg": ("entropic_eg:lr=0.2", 3000),
    "entropic_optimistic": ("entropic_optimistic:lr=0.2", 3000),
    "gda": ("gda:lr=0.05", 3000),
    "eg": ("eg:lr=0.1", 3000),
    "ogda": ("ogda:lr=0.1", 3000),
}


def test_every_simplex_rule_is_covered():
    simplex_rules = {n for n in rule_names() if make_rule(n).needs_simplex}
    assert simplex_rules <= set(LEARNING_CASES)


@pytest.mark.parametrize("name", sorted(LEARNING_CASES))
def test_dominated_column_dies_out(name):
    # Bug report (issue 3): every learning rule runs; the dominated column
    # dies out; the (averaged) play approaches ((1/2,1/2),(1/2,1/2,0)).
    spec, steps = LEARNING_CASES[name]
    game = MatrixGame(DOMINATED_A)
    res = simulate(
        game,
        make_rule(spec),
        steps=steps,
        z0=[0.8, 0.2, 0.2, 0.3, 0.5],
        average="uniform",
        record_every=steps,
    )
    assert res.status[0] == "max_steps"
    assert res.z[0, 4] < 1e-2  # last iterate: column 2 (pays the row 2) is gone
    assert res.average[0, 4] < 1e-2
    # average distance: about 1/sqrt(steps) for no-regret dynamics; 0.03 for
    # every rule here (the discrete replicator spirals out slowly)
    assert res.final["distance_to_equilibrium_avg"][0] < 0.03
    np.testing.assert_allclose(res.average[0], DOMINATED_EQ, atol=0.03)


@pytest.mark.parametrize(
    "name", ["optimistic_hedge", "entropic_eg", "entropic_optimistic"]
)
def test_last_iterate_rules_reach_the_equilibrium(name):
    spec, steps = LEARNING_CASES[name]
    res = simulate(
        MatrixGame(DOMINATED_A),
        make_rule(spec),
        steps=steps,
        z0=[0.8, 0.2, 0.2, 0.3, 0.5],
        record_every=steps,
    )
    np.testing.assert_allclose(res.z[0], DOMINATED_EQ, atol=1e-3)


# -- engine integration -------------------------------------------------------
def test_joint_and_per_player_paths_agree():
    # One rule for both players (joint vector) vs. a rule per player with the
    # row player's rule written with a different (ignored) step size.
    game = make_game("matrix:name=rps")
    kw = {"steps": 50, "z0": RPS_START, "record_every": 50}
    for spec in ("fp", "rm", "rm_plus", "logit_fp"):
        joint = simulate(game, make_rule(spec), **kw)
        rule_x = make_rule(f"{spec}:lr=2")
        split = simulate(game, {"row": rule_x, "column": make_rule(spec)}, **kw)
        np.testing.assert_allclose(joint.z, split.z, atol=1e-12)


def test_hedge_joint_step_agrees_with_the_projected_block_steps():
    # the joint step skips the projection of the softmax on a plain matrix
    # game; the generic simplex step (one block at a time, then the
    # projection) is run here by hand: equal to rounding over 2,000 steps
    from gamesim.rules.base import Oracle
    from gamesim.rules.learning import Hedge, SimplexRule

    rng = np.random.default_rng(12)
    game = MatrixGame(rng.standard_normal((5, 3)), rng.standard_normal((5, 3)))
    rule = Hedge(lr=0.05)
    joint = simulate(game, rule, steps=2000, record_every=2000)
    z = game.initial_point()[None, :]
    state, oracle, total = rule.init(z), Oracle(game), z.copy()
    for _ in range(2000):
        z, state = SimplexRule.step(rule, z, state, oracle, rule.lr)
        total += z
    np.testing.assert_allclose(joint.z, z, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(joint.average, total / 2001, rtol=1e-9, atol=1e-14)


def test_hedge_two_time_scales():
    # per-player step sizes: the column player's lr reaches its block only
    game = make_game("matrix:name=matching_pennies")
    z0 = [0.5, 0.5, 0.9, 0.1]
    res = simulate(game, make_rule("hedge"), steps=1, z0=z0, lr=(1.0, 0.5))
    # closed form: u_x = A y = (0.8, -0.8), u_y = -A^T x = (0, 0)
    w = np.array([0.5 * np.exp(0.8), 0.5 * np.exp(-0.8)])
    np.testing.assert_allclose(
        res.z[0], np.concatenate([w / w.sum(), z0[2:]]), rtol=1e-12
    )


def test_simplex_rules_refuse_other_games():
    with pytest.raises(ConfigError, match="matrix game"):
        simulate(make_game("bilinear"), make_rule("hedge"), steps=1)


def test_joint_rules_refuse_alternating_schedule():
    with pytest.raises(NotImplementedError, match="joint"):
        simulate(
            make_game("matrix:name=rps"),
            make_rule("entropic_eg"),
            steps=1,
            schedule="alternating",
        )


def test_rule_names_parse_as_specs():
    for spec in (
        "rm_plus",
        "optimistic_hedge:lr=0.1",
        "logit_fp:temperature=0.5",
        "fp:tie_break=random,seed=3",
        "entropic_optimistic:lr=0.1",
        "replicator_ode:lr=0.1,rtol=1e-8",
    ):
        rule = make_rule(spec)
        assert make_rule(rule.spec()) == rule


def test_default_averaging_reports_last_and_average():
    # no-regret rules report the time average by default; last-iterate rules
    # only when asked
    game = make_game("matrix:name=rps")
    for spec in ("fp", "logit_fp", "hedge", "rm", "rm_plus", "replicator"):
        res = simulate(game, make_rule(spec), steps=5, z0=RPS_START)
        assert res.average is not None
        assert "nash_conv_avg" in res.final.columns
    res = simulate(game, make_rule("entropic_eg"), steps=5, z0=RPS_START)
    assert res.average is None
