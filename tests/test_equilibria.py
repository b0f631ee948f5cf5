"""Exact equilibria: LP, support and vertex enumeration, Lemke-Howson, graphs.

Expected values come from closed forms (named in each test), from the small
inputs of public bug reports listed in issue 3, from reference D of
shared/reference-cases.md, and from nashpy (an independent library) on
non-degenerate random games.
"""

import itertools

import nashpy
import numpy as np
import pytest

from gamesim.equilibria import (
    SolverError,
    best_response_graph,
    duality_gap,
    exploitability,
    is_nash,
    lemke_howson,
    lemke_howson_all,
    minimax,
    nash_conv,
    pure_equilibria,
    sink_components,
    solve,
    solve_zero_sum,
    support_enumeration,
    vertex_enumeration,
)
from gamesim.errors import ConfigError, PayoffError

ENUMERATIONS = [vertex_enumeration, support_enumeration]

RPS = np.array([[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]])
SKEW6 = np.array(
    [
        [0, -1, -1, -1, 1, -1],
        [1, 0, 1, -1, -1, -1],
        [1, -1, 0, -1, -1, 1],
        [1, 1, 1, 0, -1, -1],
        [-1, 1, 1, 1, 0, -1],
        [1, 1, -1, 1, 1, 0],
    ],
    dtype=float,
)
SKEW6_EQ = np.array([0, 0, 1, 0, 1, 1]) / 3.0

# Tolerance for solver output: the solvers work to ~1e-12 on payoffs in [1, 2].
ATOL = 1e-9


def as_set(profiles):
    """Rounded profiles as a set, for order-free comparison."""
    return {tuple(np.round(p, 8) + 0.0) for p in np.atleast_2d(profiles)}


# -- bug report: a segment of equilibria --------------------------------------
SEG_A = np.array([[-3.0, 3], [-3, 5]])
SEG_B = np.array([[2.0, 7], [4, 2]])
# closed form: x = (p, 1-p), y = (1, 0) for 0 <= p <= 2/7 (column 0 stays a best
# response while 2p + 4(1-p) >= 7p + 2(1-p), i.e. p <= 2/7)
SEG_ENDS = {(0.0, 1.0, 1.0, 0.0), (round(2 / 7, 8), round(5 / 7, 8), 1.0, 0.0)}


@pytest.mark.parametrize("method", ENUMERATIONS)
@pytest.mark.parametrize("shift", [0.0, 7.0, -1000.0])
def test_segment_case_returns_both_ends_and_flags_continuum(method, shift):
    # Bug report (issue 3): the equilibria form a segment; adding a constant
    # to all payoffs changes nothing.
    eq = method(SEG_A + shift, SEG_B + shift)
    assert as_set(eq.profiles) == SEG_ENDS
    assert eq.continuum is True
    assert eq.complete is True

    # every point of the segment is an equilibrium at distance 0 from the set
    mid = np.array([1 / 7, 6 / 7, 1.0, 0.0])
    assert is_nash(SEG_A, SEG_B, mid[:2], mid[2:])
    assert eq.distance(mid)[0] == pytest.approx(0.0, abs=1e-9)
    # closed form: (p, 1-p) with p = 1/2 is 1/2 - 2/7 past the end, in x only
    off = np.array([0.5, 0.5, 1.0, 0.0])
    expected = np.sqrt(2) * (0.5 - 2 / 7)
    assert eq.distance(off)[0] == pytest.approx(expected, rel=1e-9)


def test_segment_case_lemke_howson_valid_from_every_label():
    for label in range(4):
        path = lemke_howson(SEG_A, SEG_B, label=label)
        assert is_nash(SEG_A, SEG_B, path.x, path.y)


# -- bug report: 6 x 6 skew-symmetric zero-sum game ---------------------------
def test_skew_symmetric_6x6_every_solver_finds_the_unique_equilibrium():
    # Bug report (issue 3): unique equilibrium x = y = (0,0,1/3,0,1/3,1/3), value 0.
    expected = np.concatenate([SKEW6_EQ, SKEW6_EQ])
    for method in ENUMERATIONS:
        eq = method(SKEW6)
        assert len(eq) == 1 and eq.continuum is False
        np.testing.assert_allclose(eq.profiles[0], expected, atol=ATOL)
        assert eq.payoffs[0, 0] == pytest.approx(0.0, abs=ATOL)

    sol = minimax(SKEW6)
    np.testing.assert_allclose(sol.x, SKEW6_EQ, atol=1e-8)
    np.testing.assert_allclose(sol.y, SKEW6_EQ, atol=1e-8)
    assert sol.value == pytest.approx(0.0, abs=1e-9)

    for label in range(12):
        path = lemke_howson(SKEW6, label=label)
        np.testing.assert_allclose(
            np.concatenate([path.x, path.y]), expected, atol=ATOL
        )


# -- bug report: A = B with a -10000 entry ------------------------------------
AB = np.array([[-1.0, -1, -1], [0, 0, 0], [-1, -1, -10000]])


def test_a_equals_b_degenerate_game():
    # Bug report (issue 3): x = (0,1,0) and y anywhere on the simplex.
    for method in ENUMERATIONS:
        eq = method(AB, AB)
        np.testing.assert_allclose(
            eq.x, np.tile([0.0, 1.0, 0.0], (len(eq), 1)), atol=ATOL
        )
        assert as_set(eq.y) == {(1.0, 0, 0), (0, 1.0, 0), (0, 0, 1.0)}
        assert eq.continuum is True
        inside = np.array([0.0, 1.0, 0.0, 0.2, 0.3, 0.5])
        assert eq.distance(inside)[0] == pytest.approx(0.0, abs=1e-8)

    for label in range(6):
        path = lemke_howson(AB, AB, label=label)
        assert np.all(np.isfinite(path.x)) and np.all(np.isfinite(path.y))
        np.testing.assert_allclose(path.x, [0.0, 1.0, 0.0], atol=ATOL)
        assert path.y.sum() == pytest.approx(1.0, abs=1e-12)
        assert is_nash(AB, AB, path.x, path.y)


# -- bug report: trivial games ------------------------------------------------
def test_one_by_one_game():
    # Bug report (issue 3): A = B = [[0]]: the only profile is the equilibrium.
    for method in ENUMERATIONS + [lemke_howson_all]:
        eq = method([[0.0]], [[0.0]])
        np.testing.assert_allclose(eq.profiles, [[1.0, 1.0]])
    assert minimax([[0.0]]).value == 0.0


def test_one_by_three_game():
    # Bug report (issue 3): A = [[5,5,5]], B = [[1,3,3]]: the row player has one
    # strategy; the column player mixes columns 1 and 2 (closed form).
    A, B = [[5.0, 5, 5]], [[1.0, 3, 3]]
    for method in ENUMERATIONS:
        eq = method(A, B)
        assert as_set(eq.profiles) == {(1.0, 0, 1.0, 0), (1.0, 0, 0, 1.0)}
        assert eq.continuum is True
    for label in range(4):
        path = lemke_howson(A, B, label=label)
        assert is_nash(A, B, path.x, path.y)


# -- bug report: the same equilibria at every scale ---------------------------
SCALED_A = np.array([[3.0, 3], [2, 5], [0, 6]])
SCALED_B = np.array([[3.0, 2], [2, 6], [3, 1]])
# closed form (indifference conditions): three isolated equilibria
SCALED_EQ = {
    (1.0, 0, 0, 1.0, 0),
    (0.8, 0.2, 0, round(2 / 3, 8), round(1 / 3, 8)),
    (0, round(1 / 3, 8), round(2 / 3, 8), round(1 / 3, 8), round(2 / 3, 8)),
}


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e12])
@pytest.mark.parametrize("method", ENUMERATIONS)
def test_scaled_game_same_three_equilibria(method, scale):
    # Bug report (issue 3): s*A, s*B for s in 1e-12, 1, 1e12.
    eq = method(scale * SCALED_A, scale * SCALED_B)
    assert as_set(eq.profiles) == SCALED_EQ
    assert eq.continuum is False
    for x, y in eq:
        assert is_nash(scale * SCALED_A, scale * SCALED_B, x, y)


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e12])
def test_scaled_game_lemke_howson_and_checks(scale):
    A, B = scale * SCALED_A, scale * SCALED_B
    for label in range(5):
        path = lemke_howson(A, B, label=label)
        assert tuple(np.round(np.concatenate([path.x, path.y]), 8) + 0.0) in SCALED_EQ
    # a profile that is not an equilibrium fails at every scale
    assert not is_nash(A, B, [0, 1.0, 0], [1.0, 0])


def test_scaled_game_agrees_with_nashpy():
    # nashpy's vertex enumeration on the unscaled game (independent library)
    theirs = as_set(
        [
            np.concatenate(p)
            for p in nashpy.Game(SCALED_A, SCALED_B).vertex_enumeration()
        ]
    )
    assert theirs == SCALED_EQ


# -- bug report: 2 x 3 zero-sum game with a dominated column ------------------
def test_dominated_column_game_all_solvers():
    # Closed form (issue 3): ((1/2, 1/2), (1/2, 1/2, 0)), value 0.
    A = [[1.0, -1, 2], [-1, 1, 2]]
    expected = np.array([0.5, 0.5, 0.5, 0.5, 0.0])
    for eq in (
        vertex_enumeration(A),
        support_enumeration(A),
        solve_zero_sum(A),
        lemke_howson_all(A),
    ):
        np.testing.assert_allclose(eq.profiles, [expected], atol=ATOL)


# -- penalty kicks ------------------------------------------------------------
def test_penalty_kicks_minimax_closed_form_and_observed():
    # 2 x 2 zero-sum without saddle point: closed form x_1 = (d - c) / (a - b - c + d),
    # y_1 = (d - b) / (a - b - c + d), value (a d - b c) / (a - b - c + d).
    (a, b), (c, d) = (58.30, 94.97), (92.91, 69.92)  # gamesim/data/penalty_kicks.csv
    den = a - b - c + d
    sol = minimax([[a, b], [c, d]])
    assert sol.x[0] == pytest.approx((d - c) / den, rel=1e-9)
    assert sol.y[0] == pytest.approx((d - b) / den, rel=1e-9)
    assert sol.value == pytest.approx((a * d - b * c) / den, rel=1e-9)
    # Palacios-Huerta (2003) via data/README.md: observed left about 40% and 42%;
    # the minimax prediction lies within 2 percentage points of both.
    assert abs(sol.x[0] - 0.40) < 0.02
    assert abs(sol.y[0] - 0.42) < 0.02


# -- Lemke-Howson guards ------------------------------------------------------
def test_lemke_howson_bad_label_and_iteration_cap():
    with pytest.raises(ConfigError, match="label"):
        lemke_howson(RPS, label=6)
    with pytest.raises(ConfigError, match="label"):
        lemke_howson(RPS, label=True)
    with pytest.raises(SolverError, match="max_iter=1"):
        lemke_howson(SKEW6, label=0, max_iter=1)


def random_game(seed, m, n):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, n)), rng.standard_normal((m, n))


@pytest.mark.parametrize("seed,m,n", [(0, 3, 3), (1, 4, 3), (2, 4, 4), (3, 2, 5)])
def test_agrees_with_nashpy_on_random_games(seed, m, n):
    # Random Gaussian games are non-degenerate with probability 1; nashpy's
    # support and vertex enumeration are an independent implementation.
    A, B = random_game(seed, m, n)
    game = nashpy.Game(A, B)
    theirs = as_set([np.concatenate(p) for p in game.support_enumeration()])
    assert as_set(support_enumeration(A, B).profiles) == theirs
    assert as_set(vertex_enumeration(A, B).profiles) == theirs
    # Lemke-Howson from label 0: both follow the same (unique) path
    x, y = game.lemke_howson(initial_dropped_label=0)
    path = lemke_howson(A, B, label=0)
    np.testing.assert_allclose(
        np.concatenate([path.x, path.y]), np.concatenate([x, y]), atol=1e-8
    )


@pytest.mark.parametrize("seed", range(5))
def test_every_enumerated_profile_passes_the_independent_check(seed):
    # Degenerate random games: small integer payoffs have many ties.
    rng = np.random.default_rng(100 + seed)
    A = rng.integers(0, 3, (3, 4)).astype(float)
    B = rng.integers(0, 3, (3, 4)).astype(float)
    v, s = vertex_enumeration(A, B), support_enumeration(A, B)
    assert as_set(v.profiles) == as_set(s.profiles)
    assert v.continuum == s.continuum
    for x, y in v:
        assert is_nash(A, B, x, y)
    # every pure equilibrium is an extreme equilibrium
    assert as_set(pure_equilibria(A, B).profiles) <= as_set(v.profiles)


def test_solve_falls_back_to_linprog_for_large_zero_sum_games():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((12, 12))  # C(24, 12) systems: above the limit
    with pytest.raises(SolverError, match="12 x 12"):
        vertex_enumeration(A)
    eq = solve(A)
    assert eq.method == "linprog" and eq.complete is False
    assert is_nash(A, -A, eq.x[0], eq.y[0])


def test_linprog_rejects_general_sum():
    with pytest.raises(PayoffError, match="constant"):
        solve_zero_sum(SEG_A, SEG_B)


def test_constant_sum_game_has_the_zero_sum_equilibrium():
    # A + B = 100: the same equilibria as the zero-sum game A (closed form).
    A = np.array([[58.30, 94.97], [92.91, 69.92]])
    zero = vertex_enumeration(A)
    const = vertex_enumeration(A, 100.0 - A)
    assert as_set(zero.profiles) == as_set(const.profiles)
    np.testing.assert_allclose(
        solve_zero_sum(A, 100.0 - A).profiles, zero.profiles, atol=1e-8
    )


# -- measures -----------------------------------------------------------------
@pytest.mark.parametrize(
    "x,y,expected",
    [
        ([1, 0, 0], [1 / 3] * 3, 1.0),
        ([1, 0, 0], [1, 0, 0], 2.0),
        ([0.5, 0.25, 0.25], [0.25, 0.5, 0.25], 0.5),
        ([1 / 3] * 3, [1 / 3] * 3, 0.0),
    ],
)
def test_nash_conv_rps_sanity_values(x, y, expected):
    # Reference D, NashConv sanity values for rock-paper-scissors.
    assert nash_conv(RPS, -RPS, x, y)[0] == pytest.approx(expected, abs=1e-12)
    # zero-sum: the duality gap equals NashConv (DESIGN.md conventions)
    assert duality_gap(RPS, x, y)[0] == pytest.approx(expected, abs=1e-12)


def test_exploitability_per_player_batched():
    # closed form: row plays rock against uniform: row gains 0, column gains 1
    gains = exploitability(RPS, -RPS, [[1, 0, 0], [1 / 3] * 3], [[1 / 3] * 3] * 2)
    np.testing.assert_allclose(gains.row, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(gains.column, [1.0, 0.0], atol=1e-12)


def test_is_nash_rejects_malformed_profiles():
    good = [0.5, 0.5]
    A = [[1.0, -1], [-1, 1]]
    assert is_nash(A, None, good, good)
    assert not is_nash(A, None, [np.nan, 1.0], good)
    assert not is_nash(A, None, [0.6, 0.6], good)
    assert not is_nash(A, None, [1.2, -0.2], good)
    assert not is_nash(A, None, [1.0], good)


# -- best-response graph ------------------------------------------------------
def test_response_graph_pure_equilibria_and_sinks():
    # Prisoner's dilemma: (defect, defect) is the only pure equilibrium.
    pd_a, pd_b = [[3.0, 0], [5, 1]], [[3.0, 5], [0, 1]]
    assert sink_components(pd_a, pd_b) == [[(1, 1)]]
    # Matching pennies: no pure equilibrium, one 4-cycle of best responses.
    mp = [[1.0, -1], [-1, 1]]
    assert len(pure_equilibria(mp)) == 0
    assert sink_components(mp) == [[(0, 0), (0, 1), (1, 0), (1, 1)]]
    assert best_response_graph(mp).number_of_edges() == 4
    # Shapley (1964): the best-response dynamics cycle through six profiles.
    sh_a = np.eye(3)
    sh_b = np.array([[0.0, 1, 0], [0, 0, 1], [1, 0, 0]])
    sinks = sink_components(sh_a, sh_b)
    assert len(sinks) == 1 and len(sinks[0]) == 6
    # A coordination game has two pure equilibria and two singleton sinks.
    coord = np.eye(2)
    assert sink_components(coord, coord) == [[(0, 0)], [(1, 1)]]


def test_response_graph_scale_free():
    for scale in (1e-12, 1e12):
        assert sink_components(scale * SCALED_A, scale * SCALED_B) == sink_components(
            SCALED_A, SCALED_B
        )


# -- input validation ---------------------------------------------------------
@pytest.mark.parametrize(
    "A,B,message",
    [
        ([[1.0, np.nan], [0, 1]], None, "row 0, column 1"),
        ([[1.0, 2], [np.inf, 1]], None, "row 1, column 0"),
        ([[1.0, 2], [3]], None, "ragged"),
        ([], None, "empty"),
        ([[]], None, "empty"),
        ([[1.0, 2]], [[1.0], [2]], "same shape"),
        ([1.0, 2], None, "two-dimensional"),
        ([["a", 1.0]], None, "'a'"),
    ],
)
def test_bad_payoffs_raise_payoff_error(A, B, message):
    for method in (
        vertex_enumeration,
        support_enumeration,
        lemke_howson_all,
        pure_equilibria,
    ):
        with pytest.raises(PayoffError, match=message):
            method(A, B)


def test_enumeration_output_has_no_duplicates_and_is_sorted():
    # Every profile distinct (degenerate game with repeated vertices)
    eq = vertex_enumeration(AB, AB)
    pairs = itertools.combinations(eq.profiles, 2)
    assert all(np.max(np.abs(p - q)) > 1e-6 for p, q in pairs)
    keys = [tuple(p) for p in eq.profiles]
    assert keys == sorted(keys)
