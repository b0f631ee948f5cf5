"""Reference section B of ../shared/reference-cases.md: the Dirac-GAN."""

import numpy as np
import pytest

from gamesim import make_game, make_rule, simulate
from gamesim.games import central_difference_jacobian


def test_reference_B_simultaneous_gd_trajectory():
    # reference B table: simultaneous GD, step 0.1, from (theta, psi) = (1, 1)
    res = simulate(make_game("dirac"), make_rule("gda:lr=0.1"), 10, record_every=1)
    h = res.history.set_index("step")
    expected = {1: (1.07311, 0.926894, 0.730006), 2: (1.14077, 0.848557, 0.724722),
                10: (1.43881, 0.155970, 0.555868)}
    for k, (theta, psi, d) in expected.items():
        # six significant digits in the table
        assert h.loc[k, "generator[0]"] == pytest.approx(theta, abs=6e-6)
        assert h.loc[k, "discriminator[0]"] == pytest.approx(psi, abs=6e-7)
        assert h.loc[k, "d_fake"] == pytest.approx(d, abs=6e-7)


def test_reference_B_qualitative_behaviour():
    # reference B: simultaneous GD never converges (||z|| grows slowly);
    # alternating GD stays on a bounded orbit; with R1 gamma = 1 it converges
    # and D(theta) -> 1/2.
    rule = make_rule("gda:lr=0.1")
    sim = simulate(make_game("dirac"), rule, 3000, record_every=100)
    d = sim.history["distance_to_equilibrium"].to_numpy()
    assert d[-1] > d[0] and np.all(np.diff(d[::5]) > 0)

    alt = simulate(make_game("dirac"), rule, 3000, record_every=100,
                   schedule="alternating")
    d = alt.history["distance_to_equilibrium"].to_numpy()
    assert d.max() < 1.2 * d[0] and d.min() > 0.8 * d[0]

    r1 = simulate(make_game("dirac:r1=1"), rule, 3000, tol=1e-8)
    assert r1.status[0] == "converged"
    assert r1.final["d_fake"][0] == pytest.approx(0.5, abs=1e-8)
    assert r1.final["discriminator_gap"][0] < 1e-8


@pytest.mark.parametrize("loss,r1,expected", [
    # reference B: eigenvalues of the Jacobian of v = -xi at (0, 0)
    ("standard", 0.0, [0.5j, -0.5j]),
    ("wgan", 0.0, [1j, -1j]),
    ("standard", 0.3, [-0.15 + 0.476970j, -0.15 - 0.476970j]),
    ("standard", 1.0, [-0.5, -0.5]),
])
def test_reference_B_jacobian_eigenvalues(loss, r1, expected):
    game = make_game(f"dirac:loss={loss},r1={r1}")
    J = game.jacobian(np.zeros((1, 2)))[0]
    eig = np.sort_complex(np.linalg.eigvals(-J))
    # six significant digits in the table; the gamma = 1 double root is
    # defective, so its eigenvalues are only accurate to sqrt(machine eps)
    np.testing.assert_allclose(eig, np.sort_complex(np.array(expected)), atol=2e-6)


@pytest.mark.parametrize("loss", ["standard", "nonsaturating", "wgan"])
def test_dirac_analytic_jacobian_matches_finite_differences(loss):
    game = make_game(f"dirac:loss={loss},r1=0.4")
    z = np.array([[0.7, -1.3], [-0.2, 0.5]])
    # central differences: error O(h^2) ~ 1e-10 at the default step
    np.testing.assert_allclose(game.jacobian(z),
                               central_difference_jacobian(game.field, z),
                               rtol=0, atol=1e-8)


def test_dirac_field_is_gradient_of_value():
    # the generator's field is d V / d theta and the discriminator's is
    # -d V / d psi (+ R1) for the zero-sum losses: checked by differences
    for loss in ("standard", "wgan"):
        game = make_game(f"dirac:loss={loss}")
        z = np.array([[0.3, 0.8]])
        h = 1e-6
        dv_theta = (game.value(z + [[h, 0]]) - game.value(z - [[h, 0]])) / (2 * h)
        dv_psi = (game.value(z + [[0, h]]) - game.value(z - [[0, h]])) / (2 * h)
        np.testing.assert_allclose(game.field(z)[0], [dv_theta[0], -dv_psi[0]],
                                   atol=1e-8)


def test_dirac_value_at_equilibrium_is_minus_log_4():
    # Goodfellow et al. (2014): at D = 1/2 the value is -log 4
    game = make_game("dirac")
    assert game.value(np.zeros((1, 2)))[0] == pytest.approx(-np.log(4), abs=1e-15)


def test_dirac_unknown_loss_is_named():
    from gamesim import ConfigError

    with pytest.raises(ConfigError, match="unknown loss 'hinge'"):
        make_game("dirac:loss=hinge")
