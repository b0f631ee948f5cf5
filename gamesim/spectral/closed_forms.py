"""Closed forms of the linearised gradient rules.

At a fixed point ``z*`` of the field (``xi(z*) = 0``) with Jacobian ``J`` and
step-size matrix ``E = diag(eta)``, each gradient rule under the plain
simultaneous schedule is, to first order, a linear map on its full state
(reference ``../shared/reference-cases.md`` section A gives its radius on
``x y``):

==========  ========================================  ======================
rule        linearised step                           state
==========  ========================================  ======================
gda         ``I - E J``                               ``z``
eg          ``I - E J + E J E J``                     ``z``
pp          ``(I + E J)^{-1}`` (affine field), else   ``z``
            ``sum_{j <= K} (-E J)^j`` (K inner steps)
ogda        ``[[I - 2 E J, E], [J, 0]]``              ``(z, xi_{t-1})``
momentum    ``[[I - E J, beta I], [-E J, beta I]]``   ``(z, velocity)``
consensus   ``I - E (J + gamma J^T J)``               ``z``
sga         ``I - E (J + lam A^T J)``                 ``z``
cgd         ``I - (I + E J_o)^{-1} E J``              ``z``
==========  ========================================  ======================

Here ``A = (J - J^T) / 2`` and ``J_o`` is ``J`` without its diagonal
blocks. The second-order terms of consensus, SGA and CGD (derivatives of
``J`` times ``xi``) vanish at a fixed point. SGA's alignment sign is ``+1``
near a fixed point because the alignment there is ``eps > 0``.

When every step size is the same ``eta`` and the linear map is a function of
``J`` alone, its eigenvalues follow from those of ``J``: for each eigenvalue
``lambda`` of ``J`` and ``w = eta lambda`` the *mode* of the rule is a root
``r`` of a polynomial whose coefficients depend on ``w``
(:func:`mode_coefficients`):

==========  ======================================================
gda         ``r = 1 - w``
eg          ``r = 1 - w + w^2``
pp          ``r = 1 / (1 + w)`` (affine field), else ``sum_{j<=K} (-w)^j``
ogda        ``r^2 - (1 - 2 w) r - w = 0``
momentum    ``r^2 - (1 - w + beta) r + beta = 0``
consensus   ``r = 1 - w - (gamma / eta) |w|^2``   (``J`` normal)
sga         ``r = 1 - w + i lam Im(w) w / eta``   (``J`` normal)
cgd         ``r = 1 / (1 + w)``                   (``J`` has no diagonal blocks)
==========  ======================================================

The roots of a quadratic are computed from its coefficients in closed form;
a double root (optimistic GDA at ``eta = 1/2`` on ``x y``: discriminant
``(1 - i)^2 + 2 i = 0``) then comes out exactly instead of with the
``sqrt(eps)`` error of an eigenvalue solver applied to a defective matrix.
Adam and optimistic Adam have no closed form here (see
:mod:`gamesim.spectral.adapters`).
"""

from __future__ import annotations

import numpy as np

#: rules whose linearisation this module knows
MODE_RULES = ("gda", "eg", "pp", "ogda", "momentum", "consensus", "sga", "cgd")


def _pp_is_exact(game) -> bool:
    """Whether the engine's proximal step is solved exactly (affine field)."""
    return bool(game is None or (game.linear_field and not game.constrained))


def mode_coefficients(rule, w, eta: float, game=None) -> tuple:
    """Coefficients ``(a_1, ..., a_d)`` of ``r^d + a_1 r^{d-1} + ... + a_d``.

    Parameters
    ----------
    rule : UpdateRule
        One of :data:`MODE_RULES`.
    w : complex or ndarray of complex
        ``eta * lambda`` for eigenvalues ``lambda`` of ``J``.
    eta : float
        The step size (consensus and SGA depend on it beyond ``w``).
    game : Game, optional
        Decides the proximal-point variant (exact when the field is affine;
        default exact).

    Returns
    -------
    tuple of ndarray
        One coefficient array per power, broadcast like ``w``.

    Examples
    --------
    >>> from gamesim import make_rule
    >>> a1, a0 = mode_coefficients(make_rule("ogda:lr=0.5"), 0.5j, 0.5)
    >>> complex(a1 * a1 - 4 * a0)  # zero discriminant: the double root
    0j
    """
    w = np.asarray(w, dtype=complex)
    name = rule.name
    if name == "gda":
        return (-(1.0 - w),)
    if name == "eg":
        return (-(1.0 - w + w * w),)
    if name == "pp":
        if _pp_is_exact(game):
            return (-1.0 / (1.0 + w),)
        total = np.ones_like(w)
        power = np.ones_like(w)
        for _ in range(int(rule.inner_steps)):
            power = -w * power
            total = total + power
        return (-total,)
    if name == "ogda":
        return (-(1.0 - 2.0 * w), -w)
    if name == "momentum":
        beta = float(rule.beta)
        return (-(1.0 - w + beta), np.full_like(w, beta))
    if name == "consensus":
        return (-(1.0 - w - (rule.gamma / eta) * np.abs(w) ** 2),)
    if name == "sga":
        return (-(1.0 - w + 1j * rule.lam * w.imag * w / eta),)
    if name == "cgd":
        return (-1.0 / (1.0 + w),)
    raise NotImplementedError(
        f"rule {name!r}: its linearisation is not a function of eta * lambda "
        f"(closed forms exist for {', '.join(MODE_RULES)})"
    )


def mode_roots(coefficients) -> np.ndarray:
    """Roots of the monic polynomials of :func:`mode_coefficients`.

    Returns an array with a leading axis of length the degree (1 or 2).
    Quadratics use the closed form with the cancellation-free choice of
    sign; a zero discriminant gives the double root ``-a_1 / 2`` exactly.
    """
    coefficients = [np.asarray(c, dtype=complex) for c in coefficients]
    if len(coefficients) == 1:
        return -coefficients[0][None]
    if len(coefficients) != 2:
        raise ValueError("mode polynomials have degree 1 or 2")
    a1, a0 = np.broadcast_arrays(*coefficients)
    root = np.sqrt(a1 * a1 - 4.0 * a0)
    # pick the sign that adds magnitudes: q = -(a1 + s sqrt(d)) / 2
    sign = np.where((a1.conj() * root).real >= 0, 1.0, -1.0)
    q = -0.5 * (a1 + sign * root)
    with np.errstate(divide="ignore", invalid="ignore"):
        other = np.where(q != 0, a0 / np.where(q != 0, q, 1.0), 0.0)
    return np.stack([q, other])


def mode_radius(rule, eigenvalues, eta: float, game=None) -> np.ndarray:
    """Largest modulus of the rule's modes for each eigenvalue of ``J``."""
    lam = np.asarray(eigenvalues, dtype=complex)
    roots = mode_roots(mode_coefficients(rule, eta * lam, eta, game))
    return np.max(np.abs(roots), axis=0)


def mode_form_applies(rule, game, J: np.ndarray, accuracy: float = 0.0):
    """Whether the rule's modes are functions of ``eta * lambda`` on this game.

    Returns ``(True, "")`` or ``(False, reason)``. The caller must also
    ensure one rule and one step size for both players and the plain
    simultaneous schedule.
    """
    from gamesim.spectral.jacobian import is_normal

    name = rule.name
    if name not in MODE_RULES:
        return False, f"no closed form for rule {name!r}"
    if game is not None and game.constrained:
        return False, "the game is constrained (projected steps)"
    if name in ("consensus", "sga") and not is_normal(J, accuracy):
        return False, f"{name}: J is not normal (J J^T != J^T J)"
    if name == "cgd":
        k = game.sizes[0]
        diagonal = max(np.abs(J[:k, :k]).max(initial=0.0),
                       np.abs(J[k:, k:]).max(initial=0.0))
        if diagonal > 4.0 * accuracy + 1e-14 * max(1.0, np.abs(J).max()):
            return False, "cgd: J has non-zero diagonal blocks"
    return True, ""


def operator_matrix(rule, J: np.ndarray, lr, game=None) -> np.ndarray:
    """The closed-form linearised step of one rule on its full state.

    Parameters
    ----------
    rule : UpdateRule
        One of :data:`MODE_RULES`, used by both players.
    J : ndarray, shape (n, n)
        Jacobian of the descent field at the fixed point.
    lr : float or array_like, shape (n,)
        Step size of each coordinate (two time-scales allowed).
    game : Game, optional
        Gives the players' sizes (for CGD) and the proximal variant.

    Returns
    -------
    ndarray
        ``(n, n)`` for rules without memory, ``(2n, 2n)`` for OGDA
        (state ``(z, xi_{t-1})``) and momentum (state ``(z, velocity)``).
    """
    n = J.shape[0]
    eye = np.eye(n)
    E = np.diag(np.broadcast_to(np.asarray(lr, dtype=float), (n,)))
    EJ = E @ J
    name = rule.name
    if name == "gda":
        return eye - EJ
    if name == "eg":
        return eye - EJ + EJ @ EJ
    if name == "pp":
        if _pp_is_exact(game):
            return np.linalg.inv(eye + EJ)
        total, power = eye.copy(), eye.copy()
        for _ in range(int(rule.inner_steps)):
            power = -EJ @ power
            total = total + power
        return total
    if name == "ogda":
        return np.block([[eye - 2.0 * EJ, E], [J, np.zeros((n, n))]])
    if name == "momentum":
        beta = float(rule.beta)
        return np.block([[eye - EJ, beta * eye], [-EJ, beta * eye]])
    if name == "consensus":
        return eye - E @ (J + rule.gamma * J.T @ J)
    if name == "sga":
        A = 0.5 * (J - J.T)
        return eye - E @ (J + rule.lam * A.T @ J)
    if name == "cgd":
        k = game.sizes[0] if game is not None else n // 2
        off = J.copy()
        off[:k, :k] = 0.0
        off[k:, k:] = 0.0
        return eye - np.linalg.solve(eye + E @ off, EJ)
    raise NotImplementedError(
        f"rule {name!r}: no closed-form linearisation (known: "
        f"{', '.join(MODE_RULES)})"
    )


def gda_max_step(eigenvalues) -> float:
    """Largest stable step of simultaneous GDA: ``min 2 Re lambda / |lambda|^2``.

    ``|1 - eta lambda| < 1`` if and only if ``eta < 2 Re lambda / |lambda|^2``;
    0 when some eigenvalue has ``Re lambda <= 0`` (no step is stable).
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    if lam.size == 0 or np.any(lam.real <= 0):
        return 0.0
    return float(np.min(2.0 * lam.real / np.abs(lam) ** 2))
