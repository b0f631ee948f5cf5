"""The Jacobian of the simultaneous gradient field, its spectrum and its parts.

Sign convention
---------------
gamesim's field ``xi`` is the *descent* field: each player's gradient of its
own loss, so that gradient descent-ascent is ``z - eta xi(z)``. Everything in
:mod:`gamesim.spectral` reports the Jacobian ``J = d xi / d z`` of that field
and its eigenvalues ``lambda``; a local equilibrium is stable for small steps
when every ``Re lambda > 0``. Mescheder et al. (2017, 2018) write the update
*direction* ``v = -xi``, whose Jacobian is ``-J`` with eigenvalues
``-lambda`` (stable when ``Re < 0``):
:attr:`FieldJacobian.update_direction_eigenvalues` gives those.

Decomposition
-------------
``J = S + A`` with ``S = (J + J^T) / 2`` symmetric (the *potential* part,
which gradient descent on a function would have alone) and
``A = (J - J^T) / 2`` antisymmetric (the *Hamiltonian* part, which makes
the dynamics rotate); see Balduzzi et al. (2018), "The Mechanics of
n-Player Differentiable Games", ICML.

How the Jacobian is obtained (``method="auto"``)
------------------------------------------------
1. ``analytic`` when the game overrides :meth:`Game.jacobian` (bilinear,
   quadratic, matrix games, the Dirac-GAN): exact up to rounding.
2. ``complex_step`` when the field accepts complex input: ``J e_j =
   Im xi(z + i h e_j) / h`` with ``h = 1e-20``, exact up to rounding (no
   subtraction). It is used only after a check against central differences,
   because a field that calls ``abs``, ``max`` or compares numbers is not
   complex-analytic and would give a wrong derivative.
3. ``central_difference`` otherwise: step ``1e-5 max(1, |z_j|)``, error
   about ``1e-10`` relative for smooth fields, estimated by comparison with
   the step doubled and reported as :attr:`FieldJacobian.accuracy`.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np

from gamesim.errors import ConfigError
from gamesim.games.base import Game, as_batch
from gamesim.spectral.spectrum import EPS, Spectrum, spectrum

logger = logging.getLogger(__name__)

METHODS = ("auto", "analytic", "complex_step", "central_difference")


@dataclass(frozen=True)
class FieldJacobian:
    """The Jacobian ``J = d xi / d z`` of the descent field at one point.

    Attributes
    ----------
    point : ndarray, shape (n,)
        Where the Jacobian was taken.
    matrix : ndarray, shape (n, n)
        ``J[i, j] = d xi_i / d z_j``.
    method : str
        ``analytic``, ``complex_step`` or ``central_difference``.
    accuracy : float
        Estimated largest absolute error of an entry.
    spectrum : Spectrum
        Eigenvalues of ``J`` with their estimated errors.
    """

    point: np.ndarray
    matrix: np.ndarray
    method: str
    accuracy: float
    spectrum: Spectrum

    @property
    def eigenvalues(self) -> np.ndarray:
        """Eigenvalues of the descent-field Jacobian ``J``."""
        return self.spectrum.values

    @property
    def update_direction_eigenvalues(self) -> np.ndarray:
        """Eigenvalues of ``d v / d z`` for Mescheder's ``v = -xi``."""
        return 0.0 - self.spectrum.values  # 0.0 - keeps +0.0 real parts

    @property
    def symmetric(self) -> np.ndarray:
        """The potential part ``S = (J + J^T) / 2``."""
        return 0.5 * (self.matrix + self.matrix.T)

    @property
    def antisymmetric(self) -> np.ndarray:
        """The Hamiltonian part ``A = (J - J^T) / 2``."""
        return 0.5 * (self.matrix - self.matrix.T)

    @property
    def is_normal(self) -> bool:
        """Whether ``J J^T = J^T J`` (to the accuracy of ``J``)."""
        return is_normal(self.matrix, self.accuracy)


def split_jacobian(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Split ``J`` into its symmetric and antisymmetric parts ``(S, A)``.

    Examples
    --------
    >>> S, A = split_jacobian([[0.0, -0.5], [0.5, 0.3]])  # Dirac-GAN, R1 0.3
    >>> S.tolist(), A.tolist()
    ([[0.0, 0.0], [0.0, 0.3]], [[0.0, -0.5], [0.5, 0.0]])
    """
    J = np.asarray(matrix, dtype=float)
    return 0.5 * (J + J.T), 0.5 * (J - J.T)


def is_normal(matrix, accuracy: float = 0.0) -> bool:
    """Whether ``J J^T = J^T J`` to within rounding and ``accuracy``."""
    J = np.asarray(matrix, dtype=float)
    scale = max(1.0, float(np.linalg.norm(J)))
    defect = float(np.linalg.norm(J @ J.T - J.T @ J))
    return defect <= (1e-12 + 4.0 * accuracy) * scale**2


def equilibrium_point(game, point=None) -> np.ndarray:
    """The point to analyse: ``point`` if given, else a known equilibrium.

    Without ``point`` the game's first known equilibrium is used; a game
    that knows none gets a root of its field found by ``scipy.optimize.root``
    from its initial point (logged), or a :class:`ConfigError`.
    """
    if point is not None:
        z = as_batch(point, game.n)
        if z.shape[0] != 1:
            raise ConfigError(f"expected one point of {game.n} parameters, "
                              f"got {z.shape[0]}")
        if not np.all(np.isfinite(z)):
            raise ConfigError("the point has non-finite entries")
        return z[0].copy()
    known = game.equilibria()
    if known is not None:
        return np.atleast_2d(np.asarray(known, dtype=float))[0].copy()

    from scipy.optimize import root

    z0 = np.asarray(game.initial_point(), dtype=float)
    sol = root(lambda z: game.field(z[None, :])[0], z0, tol=1e-13)
    residual = float(np.linalg.norm(game.field(sol.x[None, :])[0]))
    if not sol.success or residual > 1e-9 * max(1.0, float(np.linalg.norm(sol.x))):
        raise ConfigError(
            f"game {game.name!r} knows no equilibrium and no root of its field "
            f"was found from its initial point (residual {residual:.3g}); "
            "give the point to analyse"
        )
    logger.info("analysing the root %s of the field of %s", sol.x, game.name)
    return sol.x


def _check_deterministic(game):
    if game.stochastic:
        raise NotImplementedError(
            f"spectral analysis of the stochastic game {game.name!r}: the field "
            "changes with every minibatch; use its deterministic (full-batch) "
            "variant"
        )


def field_jacobian(game, point=None, method: str = "auto") -> FieldJacobian:
    """The Jacobian of the descent field ``xi`` at a point, with its spectrum.

    Parameters
    ----------
    game : Game
        A deterministic differentiable game.
    point : array_like, shape (n,), optional
        Where to differentiate (default: the game's first known equilibrium).
    method : {"auto", "analytic", "complex_step", "central_difference"}
        How to differentiate (see the module docstring).

    Returns
    -------
    FieldJacobian

    Examples
    --------
    >>> from gamesim import make_game
    >>> jac = field_jacobian(make_game("dirac:loss=wgan"))
    >>> jac.eigenvalues.tolist(), jac.update_direction_eigenvalues.tolist()
    ([1j, -1j], [-1j, 1j])
    """
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r} (known: {', '.join(METHODS)})")
    _check_deterministic(game)
    z = equilibrium_point(game, point)
    has_analytic = type(game).jacobian is not Game.jacobian
    if method == "analytic" and not has_analytic:
        raise ConfigError(f"game {game.name!r} has no analytic Jacobian")

    if method in ("auto", "analytic") and has_analytic:
        J = np.array(game.jacobian(z[None, :])[0], dtype=float)
        used, accuracy = "analytic", 4.0 * EPS * max(1.0, float(np.abs(J).max()))
    else:
        J, accuracy = central_jacobian(game.field, z)
        used = "central_difference"
        if method in ("auto", "complex_step"):
            J_cs = complex_step_jacobian(game.field, z)
            agrees = J_cs is not None and np.max(np.abs(J_cs - J)) <= (
                100.0 * accuracy + 1e-7 * max(1.0, float(np.abs(J).max())))
            if agrees:
                J, used = J_cs, "complex_step"
                accuracy = 4.0 * EPS * max(1.0, float(np.abs(J).max()))
            elif method == "complex_step":
                raise ConfigError(
                    f"the field of {game.name!r} does not support complex-step "
                    "differentiation (it rejects complex input or is not "
                    "complex-analytic)"
                )
            else:
                logger.info("complex step unavailable for %s; central differences",
                            game.name)
    if not np.all(np.isfinite(J)):
        raise ConfigError(f"the Jacobian of {game.name!r} at {z} is not finite")
    return FieldJacobian(z, J, used, float(accuracy), spectrum(J, accuracy))


def central_jacobian(field, z: np.ndarray, rel_step: float = 1e-5):
    """Central-difference Jacobian of ``field`` at ``z`` and its error.

    The error is estimated by comparing steps ``h`` and ``2 h``: the
    truncation error of the central difference is ``O(h^2)``, so the
    difference of the two estimates is about three times the error of the
    first.

    Returns
    -------
    (ndarray, float)
        The Jacobian ``(m, n)`` and the estimated largest entry error.
    """
    n = z.size
    h = rel_step * np.maximum(1.0, np.abs(z))
    eye = np.eye(n) * h
    rows = np.concatenate([z + eye, z - eye, z + 2 * eye, z - 2 * eye])
    out = field(rows)
    up, down, up2, down2 = np.split(out, 4)
    J1 = ((up - down) / (2.0 * h[:, None])).T
    J2 = ((up2 - down2) / (4.0 * h[:, None])).T
    scale = max(1.0, float(np.abs(J1).max()))
    error = float(np.max(np.abs(J1 - J2))) / 3.0 + 4.0 * EPS * scale / rel_step
    return J1, error


def complex_step_jacobian(field, z: np.ndarray, step: float = 1e-20):
    """Complex-step Jacobian ``Im field(z + i h e_j) / h``, or ``None``.

    ``None`` when the field rejects complex input or drops the imaginary
    part. The caller must still check the result against finite
    differences: a field that is not complex-analytic (``abs``, ``max``,
    comparisons) returns a complex array with a wrong imaginary part.
    """
    n = z.size
    rows = z[None, :] + 1j * step * np.eye(n)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                out = np.asarray(field(rows))
    except (TypeError, ValueError, AttributeError):
        return None
    if not np.iscomplexobj(out) or out.shape[0] != n:
        return None
    J = (out.imag / step).T
    return J if np.all(np.isfinite(J)) else None
