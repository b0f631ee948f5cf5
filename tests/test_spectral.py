"""Tests of gamesim.spectral: Jacobians, update operators, rates, regions, CLI.

Expected values come from ../shared/reference-cases.md (sections A and B,
named "reference A"/"reference B"), from closed forms derived in the
docstrings of the tests, or from an independent computation named in the
test (the engine's own trajectory for measured rates).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from gamesim import make_game, make_rule, simulate
from gamesim.cli import main
from gamesim.engine import Schedule
from gamesim.games.base import Game
from gamesim.games.custom import CustomGame
from gamesim.spectral import (
    analyze,
    compare_rates,
    field_jacobian,
    fit_rate,
    linearise_update,
    max_stable_step,
    mode_coefficients,
    operator_matrix,
    plot_stability_region,
    predicted_vs_measured,
    scan_step_sizes,
    spectrum,
    split_jacobian,
    stability_region,
)
from gamesim.spectral.closed_forms import mode_radius

XY = "bilinear"  # f(x, y) = x y, reference A


def ref_rule(name: str, eta: float):
    return make_rule(f"{name}:lr={eta}")


# -- reference A: spectral radii on x y
REFERENCE_A = [
    # (case, rule, schedule, eta, rho from reference A, closed form of reference A)
    ("A simultaneous GDA", "gda", "simultaneous", 0.1, 1.00498756211,
     lambda h: math.sqrt(1 + h * h)),
    ("A simultaneous GDA", "gda", "simultaneous", 0.5, 1.11803398875,
     lambda h: math.sqrt(1 + h * h)),
    ("A alternating GDA", "gda", "alternating", 0.1, 1.0, lambda h: 1.0),
    ("A alternating GDA", "gda", "alternating", 0.5, 1.0, lambda h: 1.0),
    ("A extragradient", "eg", "simultaneous", 0.1, 0.995037687728,
     lambda h: math.sqrt(1 - h * h + h**4)),
    ("A extragradient", "eg", "simultaneous", 0.5, 0.901387818866,
     lambda h: math.sqrt(1 - h * h + h**4)),
    ("A optimistic GDA", "ogda", "simultaneous", 0.1, 0.994936153005, None),
    ("A optimistic GDA (double root)", "ogda", "simultaneous", 0.5, 0.707106781187,
     None),
    ("A proximal point", "pp", "simultaneous", 0.1, 0.995037190210,
     lambda h: 1 / math.sqrt(1 + h * h)),
    ("A proximal point", "pp", "simultaneous", 0.5, 0.894427191000,
     lambda h: 1 / math.sqrt(1 + h * h)),
    ("A consensus gamma=1", "consensus", "simultaneous", 0.1, 0.905538513814,
     lambda h: math.sqrt((1 - h) ** 2 + h * h)),
    ("A consensus gamma=1", "consensus", "simultaneous", 0.5, 0.707106781187,
     lambda h: math.sqrt((1 - h) ** 2 + h * h)),
    # reference A: "CGD equals proximal point, SGA (lambda = 1) equals consensus"
    ("A CGD = proximal point", "cgd", "simultaneous", 0.1, 0.995037190210, None),
    ("A CGD = proximal point", "cgd", "simultaneous", 0.5, 0.894427191000, None),
    ("A SGA = consensus", "sga", "simultaneous", 0.1, 0.905538513814, None),
    ("A SGA = consensus", "sga", "simultaneous", 0.5, 0.707106781187, None),
]


@pytest.mark.parametrize("case,rule,schedule,eta,expected,closed", REFERENCE_A,
                         ids=[f"{c[0]} eta={c[3]}" for c in REFERENCE_A])
def test_reference_a_spectral_radius(case, rule, schedule, eta, expected, closed):
    """Reference A: rho of the update on x y, from z0 = (1, 1), eta 0.1 and 0.5.

    The table gives 12 significant digits: tolerance 1e-9. Both the reported
    radius and the radius of the engine step linearised on its full state
    must match.
    """
    report = analyze(make_game(XY), ref_rule(rule, eta), schedule, step_scan=False)
    assert report.spectral_radius == pytest.approx(expected, abs=1e-9), case
    assert report.operator.spectral_radius == pytest.approx(expected, abs=1e-9), case
    if closed is not None:  # the closed-form column of reference A
        assert report.spectral_radius == pytest.approx(closed(eta), abs=1e-12), case


def test_reference_a_ogda_characteristic_polynomial():
    """Reference A: OGDA radius = largest root of l^2 - (1 - 2ih) l - ih = 0."""
    for h in (0.1, 0.5):
        roots = np.roots([1.0, -(1 - 2j * h), -1j * h])
        report = analyze(make_game(XY), ref_rule("ogda", h), step_scan=False)
        assert report.spectral_radius == pytest.approx(np.abs(roots).max(), abs=1e-8)


def test_ogda_double_root_at_half_is_exact():
    """Reference A: OGDA at eta = 1/2 on x y has the double root (1 - i) / 2.

    The discriminant (1 - i)^2 + 2i is exactly 0, so the closed form gives
    rho = 1/sqrt(2) to rounding, where an eigenvalue solver on the defective
    companion matrix alone is only good to ~sqrt(eps). The report states an
    accuracy at least as large as its actual error, and the engine
    linearisation (clusters merged) agrees to 1e-9.
    """
    a1, a0 = mode_coefficients(make_rule("ogda:lr=0.5"), 0.5j, 0.5)
    assert a1 * a1 - 4 * a0 == 0
    report = analyze(make_game(XY), ref_rule("ogda", 0.5), step_scan=False)
    exact = 1 / math.sqrt(2)
    assert abs(report.spectral_radius - exact) <= 1e-15
    assert report.radius_method == "closed form per eigenvalue"
    assert report.radius_accuracy >= abs(report.spectral_radius - exact)
    op = report.operator
    assert op.matrix.shape == (4, 4)  # full state: (z, previous field)
    assert abs(op.spectral_radius - exact) <= max(1e-9, op.spectrum.radius_accuracy)
    assert abs(op.spectral_radius - exact) <= 1e-9
    assert op.spectrum.merged >= 1


def test_ogda_companion_form_on_full_state():
    """Rules with memory: OGDA's state is (z, xi_{t-1}); closed form
    [[I - 2 eta J, eta I], [J, 0]] (module closed_forms), on a 5 x 5 game."""
    game = make_game("bilinear:n=5,seed=0")
    op = linearise_update(game, make_rule("ogda:lr=0.2"))
    assert op.labels[10:] == tuple(f"previous[{j}]" for j in range(10))
    expected = operator_matrix(make_rule("ogda"), game.M, 0.2, game)
    np.testing.assert_allclose(op.matrix, expected, rtol=0, atol=1e-12)


def test_momentum_companion_form_on_full_state():
    """Heavy ball z+ = z - eta xi + beta (z - z_prev) on state (z, velocity):
    [[I - eta J, beta I], [-eta J, beta I]]; modes r^2 - (1 - w + beta) r +
    beta = 0 (derived from the rule's equation)."""
    game = make_game("bilinear:n=5,seed=0")
    rule = make_rule("momentum:lr=0.2,beta=-0.4")
    op = linearise_update(game, rule)
    assert op.labels[10:] == tuple(f"velocity[{j}]" for j in range(10))
    np.testing.assert_allclose(op.matrix, operator_matrix(rule, game.M, 0.2, game),
                               rtol=0, atol=1e-12)
    lam = np.linalg.eigvals(game.M)
    polys = [np.roots([1.0, -(1 - 0.2 * v - 0.4), -0.4]) for v in lam]
    expected = max(np.abs(p).max() for p in polys)
    assert op.spectral_radius == pytest.approx(expected, abs=1e-10)


def test_alternating_schedules_closed_forms():
    """Alternating GDA on x^T A y (derived by hand from the two half-steps):

    generator first:      [[I, -h A], [h A^T, I - h^2 A^T A]]
    discriminator first:  [[I - h^2 A A^T, -h A], [h A^T, I]]
    generator first, 2 discriminator steps: [[I, -h A], [2h A^T, I - 2h^2 A^T A]]
    """
    game = make_game("bilinear:n=3,seed=1")
    A, h = game.A, 0.3
    eye = np.eye(3)
    cases = {
        Schedule("alternating"):
            np.block([[eye, -h * A], [h * A.T, eye - h * h * A.T @ A]]),
        Schedule("alternating", order="discriminator_first"):
            np.block([[eye - h * h * A @ A.T, -h * A], [h * A.T, eye]]),
        Schedule("alternating", d_steps=2):
            np.block([[eye, -h * A], [2 * h * A.T, eye - 2 * h * h * A.T @ A]]),
    }
    for schedule, expected in cases.items():
        op = linearise_update(game, make_rule(f"gda:lr={h}"), schedule)
        np.testing.assert_allclose(op.matrix, expected, rtol=0, atol=1e-12,
                                   err_msg=schedule.describe())


def test_alternating_gda_diverges_beyond_two():
    """Alternating GDA on x y: T = [[1, -h], [h, 1 - h^2]], det 1, trace
    2 - h^2; for h > 2 the roots are real with product 1 (closed form)."""
    h = 2.5
    report = analyze(make_game(XY), ref_rule("gda", h), "alternating", step_scan=False)
    t = 2 - h * h
    expected = abs(t / 2) + math.sqrt(t * t / 4 - 1)
    assert report.spectral_radius == pytest.approx(expected, abs=1e-10)
    assert report.verdict == "diverges"
    marginal = analyze(make_game(XY), ref_rule("gda", 0.5), "alternating",
                       step_scan=False)
    assert marginal.verdict == "marginal"  # reference A: orbits, never converges


def test_two_time_scales_against_closed_form_operator():
    """Extragradient with eta_x = 0.2, eta_y = 0.6: I - E J + E J E J."""
    game = make_game("quadratic:n=2,seed=3,mu=0.2")
    rule = make_rule("eg:lr=0.2")
    op = linearise_update(game, rule, lr=(0.2, 0.6))
    lr = np.repeat([0.2, 0.6], game.sizes)
    np.testing.assert_allclose(op.matrix, operator_matrix(rule, game.M, lr, game),
                               rtol=0, atol=1e-12)
    report = analyze(game, rule, lr=(0.2, 0.6), step_scan=False)
    assert report.radius_method == "closed-form operator"
    assert report.spectral_radius == pytest.approx(op.spectral_radius, abs=1e-10)


@pytest.mark.parametrize("spec", ["gda:lr=0.3", "eg:lr=0.3", "ogda:lr=0.3",
                                  "momentum:lr=0.3,beta=0.5", "pp:lr=0.3",
                                  "consensus:lr=0.3,gamma=0.5", "sga:lr=0.3",
                                  "cgd:lr=0.3"])
def test_engine_linearisation_matches_closed_forms_on_dirac(spec):
    """On the (non-affine) Dirac-GAN with R1 0.3 the engine step, linearised
    by central differences, has the spectrum of the closed-form operator of
    module closed_forms, to its stated accuracy (truncation ~1e-10)."""
    game = make_game("dirac:r1=0.3")
    rule = make_rule(spec)
    op = linearise_update(game, rule)
    J = game.jacobian(np.zeros((1, 2)))[0]
    closed = spectrum(operator_matrix(rule, J, rule.lr, game))
    assert op.matrix_error < 1e-8
    assert op.spectral_radius == pytest.approx(closed.spectral_radius, abs=1e-8)


# -- reference B: Dirac-GAN eigenvalues
def _sorted(values):
    values = np.asarray(values, dtype=complex)
    return values[np.lexsort((values.imag, values.real))]


def r1_closed_form(gamma: float, slope: float) -> np.ndarray:
    """Reference B: eigenvalues of J_v, -gamma/2 +- sqrt(gamma^2/4 - f'(0)^2)."""
    root = np.sqrt(complex(gamma * gamma / 4 - slope * slope))
    return _sorted([-gamma / 2 + root, -gamma / 2 - root])


@pytest.mark.parametrize("spec,expected_v,tol", [
    ("dirac", [0.5j, -0.5j], 1e-12),                              # standard: +-0.5i
    ("dirac:loss=wgan", [1j, -1j], 1e-12),                        # WGAN: +-1i
    ("dirac:r1=0.3", [-0.15 + 0.476970j, -0.15 - 0.476970j], 5e-7),  # 6 digits given
    ("dirac:r1=1", [-0.5, -0.5], 1e-9),                           # double root
], ids=["B standard", "B WGAN", "B R1 gamma=0.3", "B R1 gamma=1 (double)"])
def test_reference_b_dirac_eigenvalues(spec, expected_v, tol):
    """Reference B: eigenvalues at (0, 0) of the Jacobian of Mescheder's
    update direction v = -xi; those of gamesim's descent field are -v's."""
    jac = field_jacobian(make_game(spec))
    assert jac.method == "analytic"
    got_v = _sorted(jac.update_direction_eigenvalues)
    np.testing.assert_allclose(got_v, _sorted(expected_v), rtol=0, atol=tol)
    # eig(J_v) = -eig(J_xi)
    np.testing.assert_allclose(_sorted(jac.eigenvalues), _sorted(-np.array(expected_v)),
                               rtol=0, atol=tol)


@pytest.mark.parametrize("gamma", [0.1, 0.5, 0.8, 1.5, 2.0, 4.0])
def test_reference_b_r1_closed_form_other_gammas(gamma):
    """Reference B closed form for gamma not in its table (standard loss,
    f'(0) = 1/2): -gamma/2 +- sqrt(gamma^2/4 - 1/4)."""
    jac = field_jacobian(make_game(f"dirac:r1={gamma}"))
    np.testing.assert_allclose(_sorted(jac.update_direction_eigenvalues),
                               r1_closed_form(gamma, 0.5), rtol=0, atol=1e-12)


@pytest.mark.parametrize("gamma", [0.5, 2.0, 3.0])
def test_reference_b_wgan_r1_closed_form(gamma):
    """Reference B closed form with the linear critic, f'(0) = 1."""
    jac = field_jacobian(make_game(f"dirac:loss=wgan,r1={gamma}"))
    np.testing.assert_allclose(_sorted(jac.update_direction_eigenvalues),
                               r1_closed_form(gamma, 1.0), rtol=0, atol=1e-12)


def test_dirac_symmetric_and_antisymmetric_parts():
    """Descent field of reference B plus R1: J(0) = [[0, -1/2], [1/2, gamma]],
    so S = diag(0, gamma) (potential) and A = [[0, -1/2], [1/2, 0]]
    (Hamiltonian)."""
    jac = field_jacobian(make_game("dirac:r1=0.3"))
    np.testing.assert_allclose(jac.symmetric, [[0, 0], [0, 0.3]], atol=1e-15)
    np.testing.assert_allclose(jac.antisymmetric, [[0, -0.5], [0.5, 0]], atol=1e-15)
    S, A = split_jacobian(jac.matrix)
    np.testing.assert_allclose(S + A, jac.matrix, atol=0)


# -- Jacobian methods
class CubicGame(Game):
    """f(x, y) = x^3/3 + x y - y^2/2: xi = (x^2 + y, y - x), complex-safe."""

    sizes = (1, 1)
    name = "cubic"

    def field(self, z, noise=None):
        x, y = z[:, 0], z[:, 1]
        return np.stack([x * x + y, y - x], axis=1)

    def value(self, z):
        x, y = z[:, 0], z[:, 1]
        return x**3 / 3 + x * y - y * y / 2


class AbsGame(CubicGame):
    """xi = (|x| x + y, y - x): not complex-analytic (abs)."""

    def field(self, z, noise=None):
        x, y = z[:, 0], z[:, 1]
        return np.stack([np.abs(x) * x + y, y - x], axis=1)


def test_complex_step_jacobian_is_exact():
    """Closed form: J(a, b) = [[2a, 1], [-1, 1]]."""
    jac = field_jacobian(CubicGame(), point=[0.7, -0.2])
    assert jac.method == "complex_step"
    np.testing.assert_allclose(jac.matrix, [[1.4, 1.0], [-1.0, 1.0]], rtol=0,
                               atol=1e-14)


def test_non_analytic_field_falls_back_to_central_differences():
    """abs() breaks the complex step (it would give d(|x| x)/dx = |x| instead of
    2|x|); the check must catch it. Closed form J[0, 0] = 2 |a|."""
    jac = field_jacobian(AbsGame(), point=[-0.7, 0.3])
    assert jac.method == "central_difference"
    np.testing.assert_allclose(jac.matrix, [[1.4, 1.0], [-1.0, 1.0]], rtol=0,
                               atol=max(jac.accuracy, 1e-12) * 10)
    assert jac.accuracy < 1e-8


def test_central_differences_on_custom_game_match_analytic_dirac():
    """A CustomGame with the Dirac-GAN's losses and gradients (reference B
    field) against DiracGAN's analytic Jacobian, away from equilibrium."""
    def sig(t):
        return 1 / (1 + math.exp(-t))

    game = CustomGame(
        lambda x, y: -math.log(2) - math.log1p(math.exp(y[0] * x[0])),
        sizes=(1, 1),
        grad_x=lambda x, y: [-y[0] * sig(y[0] * x[0])],
        grad_y=lambda x, y: [x[0] * sig(y[0] * x[0])],
    )
    point = [0.4, -0.7]
    jac = field_jacobian(game, point)
    assert jac.method == "central_difference"
    expected = make_game("dirac").jacobian(np.array([point]))[0]
    np.testing.assert_allclose(jac.matrix, expected, rtol=0,
                               atol=max(10 * jac.accuracy, 1e-12))
    assert jac.accuracy < 1e-8


def test_field_jacobian_needs_a_fixed_point_only_for_the_operator():
    game = make_game("dirac:r1=0.3")
    field_jacobian(game, point=[1.0, 1.0])  # any point: fine
    with pytest.raises(Exception, match="not a fixed point"):
        linearise_update(game, make_rule("gda"), point=[1.0, 1.0])


# -- spectrum with defective eigenvalues
def test_spectrum_merges_a_perturbed_jordan_block():
    """A Jordan block [[a, 1], [0, a]] (+ rounding-size perturbation) has
    the double eigenvalue a; eigenvalue solvers split it by ~sqrt(eps)."""
    a = 0.3 + 0.4j
    M = np.array([[a, 1.0], [1e-16, a]])
    s = spectrum(M)
    assert s.merged == 1
    np.testing.assert_allclose(s.values, [a, a], rtol=0, atol=1e-14)
    distinct = spectrum(np.diag([0.5, 0.5 + 1e-3]))
    assert distinct.merged == 0


# -- Adam, non-differentiable rules, learning rules
def test_adam_without_preconditioner_is_not_implemented():
    game = make_game("dirac:r1=0.3")
    for name in ("adam", "oadam"):
        with pytest.raises(NotImplementedError, match=name):
            analyze(game, make_rule(name), step_scan=False)


def test_frozen_preconditioner_adam_closed_form():
    """Frozen-preconditioner Adam on state (z, m), P = diag(1/D) (derived in
    gamesim.spectral.adapters): [[I - eta (1-b1) P J, -eta b1 P],
    [(1-b1) J, b1 I]]; its spectrum equals that of the engine stand-in."""
    game = make_game("dirac:r1=0.3")
    eta, b1, D = 0.01, 0.9, 0.05
    J = game.jacobian(np.zeros((1, 2)))[0]
    P = np.eye(2) / D
    expected = np.block([[np.eye(2) - eta * (1 - b1) * P @ J, -eta * b1 * P],
                         [(1 - b1) * J, b1 * np.eye(2)]])
    op = linearise_update(game, make_rule(f"adam:lr={eta},beta1={b1}"),
                          preconditioner=D)
    np.testing.assert_allclose(_sorted(op.eigenvalues),
                               _sorted(np.linalg.eigvals(expected)), atol=1e-9)


def test_sga_without_alignment_offset_is_not_implemented():
    with pytest.raises(NotImplementedError, match="sga"):
        analyze(make_game(XY), make_rule("sga:eps=0"), step_scan=False)


@pytest.mark.parametrize("name", ["fp", "rm", "hedge"])
def test_non_differentiable_learning_rules_raise(name):
    """Learning rules whose step (with its state) has a kink at the
    equilibrium of rock-paper-scissors: no linearisation, NotImplementedError
    naming the rule."""
    with pytest.raises(NotImplementedError, match=name):
        analyze(make_game("matrix:name=rps"), make_rule(name), step_scan=False)


def test_projected_gda_on_rps_spirals_out():
    """Projected GDA on rock-paper-scissors at the uniform equilibrium: on the
    simplex's tangent space J has eigenvalues +-i sqrt(3) (the RPS matrix is
    antisymmetric with eigenvalues +-i sqrt 3), so rho = sqrt(1 + 3 h^2)
    (closed form, as reference A's sqrt(1 + h^2))."""
    h = 0.1
    report = analyze(make_game("matrix:name=rps"), ref_rule("gda", h), step_scan=False)
    assert report.spectral_radius == pytest.approx(math.sqrt(1 + 3 * h * h), abs=1e-9)
    assert report.verdict == "diverges"


def test_stochastic_games_are_not_implemented():
    class Noisy(CubicGame):
        stochastic = True

    with pytest.raises(NotImplementedError, match="stochastic"):
        field_jacobian(Noisy(), point=[0.0, 0.0])


# -- largest stable step
def test_gda_max_step_closed_form_and_scan_agree():
    """Dirac-GAN R1 0.3: eigenvalues 0.15 +- 0.477i of J (reference B), so
    eta_max = 2 Re l / |l|^2 = 0.3 / 0.25 = 1.2 (closed form)."""
    game = make_game("dirac:r1=0.3")
    bound = max_stable_step(game, make_rule("gda"))
    assert bound.method == "closed form"
    assert bound.eta_max == pytest.approx(1.2, abs=1e-12)
    lam = field_jacobian(game).eigenvalues
    gda = make_rule("gda")

    def radius(eta):
        return float(np.max(mode_radius(gda, lam, eta))), 0.0

    scanned = scan_step_sizes(radius, (1e-3, 1e3))
    assert scanned.eta_max == pytest.approx(1.2, rel=1e-10)


def test_ogda_and_eg_max_step_on_xy():
    """x y: EG contracts iff |1 - ih - h^2|^2 = 1 - h^2 + h^4 < 1, i.e. h < 1.
    OGDA (roots of r^2 + a1 r + a0, a1 = -(1 - 2ih), a0 = -ih): by the
    Schur-Cohn test |a0| < 1 and |a1 - a0 conj(a1)| < 1 - |a0|^2, i.e.
    (1 - 2h^2)^2 + h^2 < (1 - h^2)^2, i.e. h < 1/sqrt(3) (derived by hand)."""
    eg = analyze(make_game(XY), ref_rule("eg", 0.1)).step_size
    assert eg.eta_max == pytest.approx(1.0, rel=1e-9)
    ogda = analyze(make_game(XY), ref_rule("ogda", 0.1)).step_size
    assert ogda.eta_max == pytest.approx(1 / math.sqrt(3), rel=1e-9)
    pp = analyze(make_game(XY), ref_rule("pp", 0.1)).step_size
    assert pp.eta_max == math.inf  # |1 / (1 + ih)| < 1 for every h > 0
    gda = analyze(make_game(XY), ref_rule("gda", 0.1)).step_size
    assert gda.eta_max == 0.0 and gda.intervals == ()  # sqrt(1 + h^2) > 1


# -- stability regions
def test_stability_region_of_gda_is_the_unit_disc_around_one():
    """GDA's mode is r = 1 - w: the region is |1 - w| < 1 (closed form)."""
    re, im, rho = stability_region("gda", 0.1, (-1, 3, -2, 2), resolution=81)
    w = re[None, :] + 1j * im[:, None]
    np.testing.assert_allclose(rho, np.abs(1 - w), rtol=0, atol=1e-14)


def test_plot_stability_region_places_the_scaled_eigenvalues():
    import matplotlib

    matplotlib.use("Agg")
    lam = field_jacobian(make_game("dirac:r1=0.3")).eigenvalues
    fig = plot_stability_region(make_rule("ogda:lr=0.5"), lam, 0.5)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Re(η λ)" and ax.get_ylabel() == "Im(η λ)"
    assert ax.get_legend() is not None
    plotted = np.concatenate([line.get_xdata() + 1j * line.get_ydata()
                              for line in ax.lines if line.get_marker() in "ox"])
    np.testing.assert_allclose(_sorted(plotted), _sorted(0.5 * lam), atol=1e-15)
    with pytest.raises(NotImplementedError, match="adam"):
        plot_stability_region("adam", lam, 0.5)


# -- predicted against measured
def test_fit_rate_recovers_a_geometric_sequence():
    """Synthetic history 3 * 0.97^t (closed form): slope log 0.97; values at
    or below the floor (0 after underflow) are ignored."""
    t = np.arange(0, 400, 4)
    values = 3 * 0.97 ** t.astype(float)
    values[-5:] = 0.0
    history = pd.DataFrame({"run": 0, "step": t, "distance_to_equilibrium": values})
    fit = fit_rate(history)
    assert fit.rate == pytest.approx(0.97, rel=1e-12)
    comparison = compare_rates(0.97, history)
    assert comparison.relative_error < 1e-10 and comparison.agrees()


# Rules that converge on each game (chosen step sizes); see the docstring of
# test_rules_that_do_not_converge for the others.
CONVERGING = {
    "bilinear:n=5,seed=0": [
        ("eg:lr=0.7", "simultaneous"),
        ("ogda:lr=0.4", "simultaneous"),
        ("ogda:lr=0.5", "alternating"),
        ("pp:lr=3.0", "simultaneous"),
        ("consensus:lr=0.5", "simultaneous"),
        ("sga:lr=0.5", "simultaneous"),
        ("cgd:lr=3.0", "simultaneous"),
        ("momentum:lr=1.0,beta=-0.3", "alternating"),
    ],
    "dirac:r1=0.3": [
        ("gda:lr=0.5", "simultaneous"),
        ("gda:lr=0.5", "alternating"),
        ("gda:lr=0.3", Schedule("alternating", order="discriminator_first",
                                d_steps=3)),
        ("momentum:lr=0.3,beta=0.3", "simultaneous"),
        ("momentum:lr=0.5,beta=-0.3", "alternating"),
        ("eg:lr=0.7", "simultaneous"),
        ("ogda:lr=0.4", "simultaneous"),
        ("ogda:lr=0.4", "alternating"),
        ("pp:lr=0.7", "simultaneous"),
        ("consensus:lr=0.5", "simultaneous"),
        ("sga:lr=0.5", "simultaneous"),
        ("cgd:lr=1.0", "simultaneous"),
    ],
}
RATE_CASES = [(g, r, s) for g, cases in CONVERGING.items() for r, s in cases]


@pytest.mark.parametrize("game_spec,rule_spec,schedule", RATE_CASES,
                         ids=[f"{g}-{r}-{s if isinstance(s, str) else s.describe()}"
                              for g, r, s in RATE_CASES])
def test_measured_rate_agrees_with_spectral_radius(game_spec, rule_spec, schedule):
    """Issue 5: the log-linear rate of a long run's distance_to_equilibrium
    (engine trajectory from the game's start, tail half) agrees with the
    predicted spectral radius to 1% relative in log rate. The run lasts 40
    predicted decades of decay, so that the slowest mode dominates the tail
    and the tail spans many periods of the distance's oscillation."""
    game = make_game(game_spec)
    rule = make_rule(rule_spec)
    report = analyze(game, rule, schedule, step_scan=False)
    assert report.stable
    steps = int(40 * report.steps_per_decade) + 1
    _, result, comparison = predicted_vs_measured(game, rule, steps, schedule)
    assert result.status[0] == "max_steps"
    assert comparison.relative_error < 0.01, (comparison.predicted,
                                              comparison.measured.rate)


def test_rules_that_do_not_converge():
    """Excluded from the rate test, with the analysis saying why:
    simultaneous GDA and simultaneous heavy-ball momentum diverge on the
    bilinear game (every Re lambda = 0); alternating GDA keeps a bounded
    orbit (reference A: radius 1); Adam-type rules have no linear rate near
    the fixed point (NotImplementedError without a frozen preconditioner).
    The runs confirm: the diverging ones grow at the predicted rate (1%)."""
    game = make_game("bilinear:n=5,seed=0")
    for spec in ("gda:lr=0.3", "momentum:lr=0.1,beta=0.5"):
        report = analyze(game, make_rule(spec), step_scan=False)
        assert report.verdict == "diverges"
        result = simulate(game, make_rule(spec), 400)
        growth = compare_rates(report, result)
        assert growth.relative_error < 0.01, spec
    orbit = analyze(game, make_rule("gda:lr=0.3"), "alternating", step_scan=False)
    assert orbit.verdict == "marginal"


# -- command line
def test_cli_analyze_json(capsys):
    code = main(["analyze", "--game", "bilinear", "--rule", "ogda:lr=0.5", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("game", "rule", "schedule", "point", "jacobian_eigenvalues",
                "spectral_radius", "predicted_rate", "max_stable_step", "stable"):
        assert key in out
    assert out["spectral_radius"] == pytest.approx(0.707106781187, abs=1e-9)  # ref A
    assert out["max_stable_step"] == pytest.approx(1 / math.sqrt(3), rel=1e-9)
    assert out["stable"] is True
    eig = sorted((v["real"], v["imag"]) for v in out["jacobian_eigenvalues"])
    assert eig == [(0.0, -1.0), (0.0, 1.0)]  # J of x y: +-i


def test_cli_analyze_text_and_schedule(capsys):
    code = main(["analyze", "--game", "dirac:r1=0.3", "--rule",
                 "gda:lr=0.3,schedule=alternating", "--no-scan"])
    assert code == 0
    text = capsys.readouterr().out
    assert "spectral radius" in text and "alternating" in text


def test_cli_analyze_errors(capsys):
    assert main(["analyze", "--game", "dirac", "--rule", "adam"]) == 2
    assert "adam" in capsys.readouterr().err
    assert main(["analyze", "--game", "dirac", "--rule", "gda",
                 "--point", "1,1"]) == 2
    assert "not a fixed point" in capsys.readouterr().err
    assert main(["analyze", "--game", "dirac", "--rule", "gda",
                 "--point", "1,x"]) == 2
