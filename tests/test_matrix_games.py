"""MatrixGame: construction, validation, field, projection, metrics, CLI.

Expected values come from closed forms (named in each test), reference D of
shared/reference-cases.md, and the penalty-kick data's README.
"""

import argparse
import json

import numpy as np
import pytest

from gamesim import make_game, make_rule, simulate
from gamesim.errors import DataError, PayoffError, SpecError
from gamesim.games.base import central_difference_jacobian
from gamesim.games.matrix import CATALOGUE, MatrixGame, project_to_simplex

RPS = [[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]]


# -- construction -------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_catalogue_games_build_with_a_checked_equilibrium(name):
    game = make_game(f"matrix:name={name}")
    m, n = game.sizes
    assert game.n == m + n
    assert set(game.metric_names()) == set(game.metrics(game.initial_point()))
    eq = game.equilibrium_set
    assert eq.complete and len(eq) >= 1


def test_catalogue_kinds_and_known_equilibria():
    # closed forms: uniform for matching pennies, RPS and Shapley's game;
    # (defect, defect) in the prisoner's dilemma.
    cases = {
        "matching_pennies": ("zero_sum", [0.5, 0.5, 0.5, 0.5]),
        "rps": ("zero_sum", [1 / 3] * 6),
        "shapley": ("general_sum", [1 / 3] * 6),
        "prisoners_dilemma": ("general_sum", [0, 1, 0, 1]),
    }
    for name, (kind, profile) in cases.items():
        game = make_game(f"matrix:name={name}")
        assert game.kind == kind
        np.testing.assert_allclose(game.equilibria(), [profile], atol=1e-9)


def test_penalty_kicks_from_shipped_csv_with_labels_and_observed():
    game = make_game("matrix:name=penalty_kicks")
    # values of gamesim/data/penalty_kicks.csv, in percent
    np.testing.assert_allclose(game.A, [[58.30, 94.97], [92.91, 69.92]], rtol=0)
    assert game.kind == "zero_sum"
    assert game.row_labels == ["kick left", "kick right"]
    assert game.column_labels == ["goalkeeper left", "goalkeeper right"]
    # observed frequencies quoted in gamesim/data/README.md
    np.testing.assert_allclose(game.observed[0], [0.40, 0.60], rtol=0)
    np.testing.assert_allclose(game.observed[1], [0.42, 0.58], rtol=0)
    sol = game.minimax()
    # closed form of a 2 x 2 game without saddle point: x_left = (d - c) / den
    den = 58.30 - 94.97 - 92.91 + 69.92
    assert sol.x[0] == pytest.approx((69.92 - 92.91) / den, rel=1e-9)
    assert sol.value == pytest.approx((58.30 * 69.92 - 94.97 * 92.91) / den, rel=1e-9)


def test_constant_sum_game_detected():
    A = np.array([[58.30, 94.97], [92.91, 69.92]])
    game = MatrixGame(A, 100.0 - A)  # the goalkeeper's saving probability
    assert game.kind == "constant_sum" and game.constant == pytest.approx(100.0)
    assert "duality_gap" in game.metric_names()
    zero = MatrixGame(A)
    np.testing.assert_allclose(game.equilibria(), zero.equilibria(), atol=1e-9)
    z = np.array([[0.7, 0.3, 0.1, 0.9]])
    # A + B constant: NashConv equals the zero-sum duality gap (DESIGN.md)
    m = game.metrics(z)
    assert m["nash_conv"][0] == pytest.approx(m["duality_gap"][0], rel=1e-12)


def test_one_by_n_game():
    # Bug report (issue 3): A = [[5,5,5]], B = [[1,3,3]].
    game = make_game("matrix:A=5 5 5,B=1 3 3")
    assert game.sizes == (1, 3)
    assert game.equilibrium_set.continuum is True
    # closed form: column player mixing columns 1, 2 is an equilibrium, distance 0
    z = np.array([1.0, 0.0, 0.4, 0.6])
    assert game.metrics(z)["nash_conv"][0] == pytest.approx(0.0, abs=1e-12)
    assert game.metrics(z)["distance_to_equilibrium"][0] == pytest.approx(0, abs=1e-9)


def test_inline_spec_and_arrays_agree():
    a = make_game("matrix:A=1 -1;-1 1")
    b = MatrixGame([[1, -1], [-1, 1]])
    np.testing.assert_array_equal(a.A, b.A)
    np.testing.assert_array_equal(a.B, -a.A)


# -- validation ---------------------------------------------------------------
@pytest.mark.parametrize(
    "A,B,message",
    [
        ([[1.0, float("nan")], [0, 1]], None, "row 0, column 1"),
        ([[1.0, 2], [3, float("-inf")]], None, "row 1, column 1"),
        ([[1.0, 2], [3]], None, "ragged: row 0 has 2 entries but row 1 has 1"),
        ([[1.0, 2]], [[1.0, 2], [3, 4]], r"A \(1, 2\) and B \(2, 2\)"),
        ([], None, "empty"),
    ],
)
def test_bad_payoffs(A, B, message):
    with pytest.raises(PayoffError, match=message):
        MatrixGame(A, B)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_csv_files(tmp_path):
    plain = write(tmp_path, "a.csv", "1,-1\n-1,1\n")
    game = make_game(f"matrix:file={plain}")
    np.testing.assert_array_equal(game.A, [[1, -1], [-1, 1]])
    assert game.kind == "zero_sum"

    labelled = write(tmp_path, "l.csv", "row,c1,c2\nr1,3,0\nr2,5,1\n")
    other = write(tmp_path, "b.csv", "3,5\n0,1\n")
    game = make_game(f"matrix:fileA={labelled},fileB={other}")
    assert game.row_labels == ["r1", "r2"] and game.column_labels == ["c1", "c2"]
    np.testing.assert_array_equal(game.B, [[3, 5], [0, 1]])
    assert game.kind == "general_sum"


@pytest.mark.parametrize(
    "text,message",
    [
        ("1,2\n3,nan\n", "line 2, column 2"),
        ("1,2\n3,abc\n", "'abc' at .* line 2, column 2 is not a number"),
        ("1,2\n3\n", "ragged: line 1 has 2 payoffs but line 2 has 1"),
        ("", "empty"),
        ("\n\n", "empty"),
        ("x,y\n", "no payoffs"),
    ],
)
def test_bad_csv(tmp_path, text, message):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(PayoffError, match=message):
        make_game(f"matrix:file={path}")


def test_csv_bimatrix_shape_mismatch_and_missing_file(tmp_path):
    a = write(tmp_path, "a.csv", "1,2\n3,4\n")
    b = write(tmp_path, "b.csv", "1,2,3\n3,4,5\n")
    with pytest.raises(PayoffError, match="same shape"):
        make_game(f"matrix:fileA={a},fileB={b}")
    with pytest.raises(DataError, match="cannot read"):
        make_game(f"matrix:file={tmp_path / 'missing.csv'}")


@pytest.mark.parametrize(
    "spec,message",
    [
        ("matrix", "exactly one"),
        ("matrix:name=rps,A=1 2", "exactly one"),
        ("matrix:name=chess", "unknown game name 'chess'"),
        ("matrix:fileA=a.csv", "together"),
        ("matrix:B=1 2", "needs A"),
        ("matrix:A=1 x;2 3", "'x' at row 0, column 1"),
    ],
)
def test_bad_specs(spec, message):
    with pytest.raises((SpecError, PayoffError), match=message):
        make_game(spec)


# -- field, Jacobian, value ---------------------------------------------------
def test_field_is_minus_each_players_payoff_gradient():
    # closed form: d/dx (x^T A y) = A y and d/dy (x^T B y) = B^T x
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    game = MatrixGame(A, B)
    z = game.project(rng.random((5, 7)))
    x, y = z[:, :3], z[:, 3:]
    np.testing.assert_allclose(game.field(z), np.hstack([-y @ A.T, -x @ B]), rtol=1e-14)
    np.testing.assert_allclose(
        game.value(z), np.einsum("bi,ij,bj->b", x, A, y), rtol=1e-14
    )
    # the analytic Jacobian equals central differences (truncation ~1e-10)
    np.testing.assert_allclose(
        game.jacobian(z), central_difference_jacobian(game.field, z), atol=1e-8
    )


# -- projection onto the simplex ----------------------------------------------
def slow_projection(v):
    """Independent reference: bisection on theta in sum(max(v - theta, 0)) = 1."""
    lo, hi = v.min() - 1.0, v.max()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.maximum(v - mid, 0).sum() > 1:
            lo = mid
        else:
            hi = mid
    return np.maximum(v - 0.5 * (lo + hi), 0)


def test_projection_matches_bisection_and_is_idempotent():
    rng = np.random.default_rng(1)
    v = 3.0 * rng.standard_normal((50, 5))
    p = project_to_simplex(v)
    expected = np.array([slow_projection(row) for row in v])
    np.testing.assert_allclose(p, expected, atol=1e-12)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(project_to_simplex(p), p, atol=1e-15)
    # closed form: a point already on the simplex and a uniform shift
    np.testing.assert_allclose(
        project_to_simplex([[0.2, 0.8]]), [[0.2, 0.8]], atol=1e-15
    )
    np.testing.assert_allclose(
        project_to_simplex([[5.0, 5.0, 5.0]]), [[1 / 3] * 3], atol=1e-15
    )


def test_game_projects_each_block():
    game = make_game("matrix:name=rps")
    z = np.array([[2.0, 0.0, 0.0, 0.5, 0.5, 0.5]])
    np.testing.assert_allclose(
        game.project(z), [[1, 0, 0, 1 / 3, 1 / 3, 1 / 3]], atol=1e-15
    )


# -- metrics ------------------------------------------------------------------
@pytest.mark.parametrize(
    "z,expected",
    [
        ([1, 0, 0] + [1 / 3] * 3, 1.0),
        ([1, 0, 0, 1, 0, 0], 2.0),
        ([0.5, 0.25, 0.25, 0.25, 0.5, 0.25], 0.5),
        ([1 / 3] * 6, 0.0),
    ],
)
def test_rps_nash_conv_sanity_values(z, expected):
    # Reference D, NashConv sanity values for rock-paper-scissors.
    m = make_game("matrix:name=rps").metrics(np.array(z))
    assert m["nash_conv"][0] == pytest.approx(expected, abs=1e-12)
    assert m["duality_gap"][0] == pytest.approx(expected, abs=1e-12)
    assert m["exploitability_row"][0] + m["exploitability_column"][0] == pytest.approx(
        expected, abs=1e-12
    )


def test_kl_and_distance_closed_forms():
    game = make_game("matrix:name=matching_pennies")
    z = np.array([[0.9, 0.1, 0.5, 0.5]])
    m = game.metrics(z)
    # KL((1/2,1/2) || (0.9,0.1)) = -1/2 log(4 * 0.09), closed form
    assert m["kl_to_equilibrium"][0] == pytest.approx(-0.5 * np.log(0.36), rel=1e-12)
    assert m["distance_to_equilibrium"][0] == pytest.approx(np.sqrt(0.32), rel=1e-12)
    # value x^T A y = 0 against the uniform column, and the field norm
    assert m["value"][0] == pytest.approx(0.0, abs=1e-15)
    assert m["grad_norm"][0] == pytest.approx(
        np.hypot(0.0, np.hypot(0.8, 0.8)), rel=1e-12
    )


def test_no_kl_metric_without_a_unique_interior_equilibrium():
    assert (
        "kl_to_equilibrium"
        not in make_game("matrix:name=prisoners_dilemma").metric_names()
    )
    seg = MatrixGame([[-3, 3], [-3, 5]], [[2, 7], [4, 2]])
    assert "kl_to_equilibrium" not in seg.metric_names()
    # the segment game: distance to the whole segment, not only its ends
    mid = np.array([1 / 7, 6 / 7, 1.0, 0.0])
    assert seg.metrics(mid)["distance_to_equilibrium"][0] == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_relative_metrics_do_not_depend_on_scale(scale):
    # Bug report (issue 3), scaled game: s*A, s*B.
    A = np.array([[3.0, 3], [2, 5], [0, 6]])
    B = np.array([[3.0, 2], [2, 6], [3, 1]])
    z = np.array([[0.2, 0.3, 0.5, 0.6, 0.4]])
    base = MatrixGame(A, B).metrics(z)
    scaled = MatrixGame(scale * A, scale * B).metrics(z)
    assert scaled["nash_conv_relative"][0] == pytest.approx(
        base["nash_conv_relative"][0], rel=1e-9
    )
    assert scaled["nash_conv"][0] == pytest.approx(
        scale * base["nash_conv"][0], rel=1e-9
    )
    assert scaled["distance_to_equilibrium"][0] == pytest.approx(
        base["distance_to_equilibrium"][0], rel=1e-9
    )


# -- the engine on matrix games -----------------------------------------------
def test_projected_gda_step_is_projection_of_gradient_step():
    # the generic gda rule plus MatrixGame.project: one step by hand
    game = make_game("matrix:name=matching_pennies")
    z0 = np.array([0.9, 0.1, 0.2, 0.8])
    res = simulate(game, make_rule("gda:lr=0.1"), steps=1, z0=z0)
    expected = project_to_simplex(
        np.vstack(
            [
                (z0 - 0.1 * game.field(z0[None]))[0, :2],
                (z0 - 0.1 * game.field(z0[None]))[0, 2:],
            ]
        )
    )
    np.testing.assert_allclose(res.z[0], expected.ravel(), atol=1e-15)


def test_projected_gda_average_approaches_equilibrium():
    # Online gradient descent has vanishing average regret, so in a zero-sum
    # game the time average approaches the equilibrium (Zinkevich 2003).
    game = make_game("matrix:name=matching_pennies")
    res = simulate(
        game,
        make_rule("gda:lr=0.05"),
        steps=4000,
        z0=[0.9, 0.1, 0.2, 0.8],
        average="uniform",
        record_every=4000,
    )
    assert np.all((res.z >= 0) & (res.z <= 1))
    np.testing.assert_allclose(res.z[0, :2].sum(), 1.0, atol=1e-12)
    assert res.final["nash_conv_avg"][0] < 0.05


# -- gamesim equilibria -------------------------------------------------------
def run_cli(argv, capsys):
    from gamesim.cli import equilibria as command

    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    return capsys.readouterr().out


def test_cli_penalty_kicks_json_shows_minimax_beside_observed(capsys):
    out = json.loads(
        run_cli(["equilibria", "--game", "matrix:name=penalty_kicks", "--json"], capsys)
    )
    assert out["kind"] == "zero_sum" and out["complete"] is True
    assert out["continuum"] is False
    # closed-form minimax (see test_penalty_kicks_...) and README frequencies
    den = 58.30 - 94.97 - 92.91 + 69.92
    assert out["minimax"]["row"][0] == pytest.approx((69.92 - 92.91) / den, rel=1e-9)
    assert out["observed"] == {"row": [0.40, 0.60], "column": [0.42, 0.58]}
    assert out["pure_equilibria"] == []


def test_cli_text_segment_case(capsys):
    text = run_cli(["equilibria", "--game", "matrix:A=-3 3;-3 5,B=2 7;4 2"], capsys)
    assert "continuum yes" in text
    assert "0.285714" in text  # 2/7, the far end of the segment (closed form)


def test_cli_text_penalty_kicks(capsys):
    text = run_cli(["equilibria", "--game", "matrix:name=penalty_kicks"], capsys)
    assert "minimax" in text and "observed" in text
    assert "kick left=0.4," in text  # observed 40% (data/README.md)


def test_cli_text_prints_rounding_noise_as_zero(capsys):
    # closed form: rock-paper-scissors has value 0 and both payoffs 0; the
    # solvers return them up to rounding (2.2e-16), which the text shows as 0
    for method in ("vertex_enumeration", "linprog", "lemke_howson"):
        text = run_cli(["equilibria", "--game", "matrix:name=rps", "--method",
                        method], capsys)
        assert "value 0\n" in text and "payoffs 0, 0\n" in text
        assert "e-" not in text, text
    # the JSON keeps the solver's float as it is
    out = json.loads(run_cli(["equilibria", "--game", "matrix:name=rps", "--json"],
                             capsys))
    assert out["minimax"]["value"] == make_game("matrix:name=rps").minimax().value


def test_cli_text_keeps_small_values_of_a_small_scale_game(capsys):
    # the tolerance follows the payoffs: diag(a, b) with a = 1e-15, b = 2e-15
    # has value ab / (a + b) = 6.66667e-16 and x = (b, a) / (a + b) (closed form)
    text = run_cli(["equilibria", "--game", "matrix:A=1e-15 0;0 2e-15"], capsys)
    assert "value 6.66667e-16" in text
    assert "row (0.666667, 0.333333)" in text


@pytest.mark.parametrize("zero_sum", [True, False])
def test_metrics_share_their_products_and_match_run_by_run_sums(zero_sum):
    # MatrixGame.metrics computes A y, B^T x and x^T A once for every measure;
    # each is checked here against plain sums over the entries, run by run
    rng = np.random.default_rng(11)
    A = rng.standard_normal((4, 6))
    B = -A if zero_sum else rng.standard_normal((4, 6))
    game = MatrixGame(A, B)
    z = np.hstack([rng.dirichlet(np.ones(4), 5), rng.dirichlet(np.ones(6), 5)])
    m = game.metrics(z)
    for r in range(5):
        x, y = z[r, :4], z[r, 4:]
        ay = [sum(A[i, j] * y[j] for j in range(6)) for i in range(4)]
        bx = [sum(B[i, j] * x[i] for i in range(4)) for j in range(6)]
        xa = [sum(x[i] * A[i, j] for i in range(4)) for j in range(6)]
        row_gain = max(ay) - sum(x[i] * ay[i] for i in range(4))
        col_gain = max(bx) - sum(y[j] * bx[j] for j in range(6))
        assert m["nash_conv"][r] == pytest.approx(row_gain + col_gain, rel=1e-12)
        assert m["value"][r] == pytest.approx(
            sum(xa[j] * y[j] for j in range(6)), rel=1e-12)
        assert m["grad_norm"][r] == pytest.approx(
            np.sqrt(sum(v * v for v in ay + bx)), rel=1e-12)
        if zero_sum:
            assert m["duality_gap"][r] == pytest.approx(max(ay) - min(xa), rel=1e-12)
        else:
            assert "duality_gap" not in m
