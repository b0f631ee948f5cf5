"""One call that explains a rule's local behaviour on a game: :func:`analyze`.

The spectral radius reported is taken, in this order of preference, from

1. the rule's *modes* (``closed form per eigenvalue``): for one rule with
   one step size under the simultaneous schedule, on an unconstrained game,
   each eigenvalue ``lambda`` of ``J`` gives the roots of a polynomial in
   ``w = eta lambda`` (:mod:`gamesim.spectral.closed_forms`); exact double
   roots stay exact;
2. the rule's *closed-form operator matrix* on its full state, when the
   modes do not apply (two time-scales, consensus or SGA on a non-normal
   ``J``, CGD with diagonal blocks);
3. the *engine step linearised* numerically (:mod:`gamesim.spectral.operator`)
   for every other case: alternating schedules, several discriminator steps,
   mixed rules, frozen-preconditioner Adam, rules registered later.

The engine linearisation is always computed too and compared with 1 or 2; a
disagreement beyond the two accuracies is logged as a warning and listed in
the report's ``notes`` (it would mean a rule and its closed form differ).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from gamesim.engine.players import resolve_players, step_sizes
from gamesim.engine.schedule import Schedule, as_schedule
from gamesim.errors import ConfigError
from gamesim.spectral.closed_forms import (
    MODE_RULES,
    gda_max_step,
    mode_form_applies,
    mode_radius,
    operator_matrix,
)
from gamesim.spectral.jacobian import FieldJacobian, field_jacobian
from gamesim.spectral.operator import UpdateOperator, linearise_update
from gamesim.spectral.spectrum import spectrum
from gamesim.spectral.stability import (
    MIN_MARGIN,
    StepSizeBound,
    is_stable,
    scan_step_sizes,
)

logger = logging.getLogger(__name__)

CONVENTION = (
    "J is the Jacobian of gamesim's descent field xi (each player's gradient "
    "of its own loss); Mescheder et al.'s update direction v = -xi has "
    "eigenvalues -lambda"
)


@dataclass(frozen=True)
class SpectralReport:
    """Why a rule converges, cycles or diverges near a fixed point.

    Attributes
    ----------
    game : Game
        The game analysed.
    players : tuple of Player
        The players and their rules (as given, before any stand-in).
    schedule : Schedule
        The schedule.
    jacobian : FieldJacobian
        ``J = d xi / d z`` at the fixed point, its spectrum and parts.
    operator : UpdateOperator
        The engine step linearised on the full state.
    spectral_radius : float
        The local rate per engine step (see the module docstring for where
        it comes from).
    radius_accuracy : float
        Estimated error of :attr:`spectral_radius`.
    radius_method : str
        ``closed form per eigenvalue``, ``closed-form operator`` or
        ``engine step linearised``.
    step_size : StepSizeBound or None
        The largest stable step size (``None`` if not computed).
    notes : tuple of str
        Caveats found during the analysis.
    """

    game: object
    players: tuple
    schedule: Schedule
    jacobian: FieldJacobian
    operator: UpdateOperator
    spectral_radius: float
    radius_accuracy: float
    radius_method: str
    step_size: StepSizeBound | None = None
    notes: tuple = field(default_factory=tuple)

    @property
    def rate(self) -> float:
        """Predicted factor by which the error shrinks per engine step."""
        return self.spectral_radius

    @property
    def rate_per_evaluation(self) -> float:
        """The rate per field evaluation (extragradient spends two a step)."""
        return self.spectral_radius ** (1.0 / self.operator.evaluations)

    @property
    def stable(self) -> bool:
        """Whether the fixed point attracts (radius below 1 beyond accuracy)."""
        return is_stable(self.spectral_radius, self.radius_accuracy)

    @property
    def verdict(self) -> str:
        """``converges``, ``marginal`` (rotates, to first order) or ``diverges``."""
        if self.stable:
            return "converges"
        margin = max(MIN_MARGIN, 10.0 * self.radius_accuracy)
        return "marginal" if self.spectral_radius <= 1.0 + margin else "diverges"

    @property
    def steps_per_decade(self) -> float:
        """Engine steps to shrink the error tenfold (``inf`` unless stable)."""
        if not self.stable:
            return math.inf
        return math.log(10.0) / -math.log(self.spectral_radius)

    def to_dict(self) -> dict:
        """A JSON-ready summary (what ``gamesim analyze --json`` prints)."""
        game = self.game
        point = self.jacobian.point
        return {
            "game": game.name,
            "rule": {p.name: p.rule.spec() for p in self.players},
            "schedule": self.schedule.describe(),
            "point": {name: point[s].tolist()
                      for name, s in zip(game.players, game.slices)},
            "convention": CONVENTION,
            "jacobian_method": self.jacobian.method,
            "jacobian_accuracy": self.jacobian.accuracy,
            "jacobian_eigenvalues": complex_list(self.jacobian.eigenvalues),
            "update_direction_eigenvalues": complex_list(
                self.jacobian.update_direction_eigenvalues),
            "symmetric_part_eigenvalues": np.linalg.eigvalsh(
                self.jacobian.symmetric).tolist(),
            "antisymmetric_part_norm": float(np.linalg.norm(
                self.jacobian.antisymmetric, 2)),
            "update_operator_state": list(self.operator.labels),
            "update_operator_eigenvalues": complex_list(self.operator.eigenvalues),
            "spectral_radius": self.spectral_radius,
            "spectral_radius_accuracy": self.radius_accuracy,
            "spectral_radius_method": self.radius_method,
            "predicted_rate": {
                "per_step": self.rate,
                "per_evaluation": self.rate_per_evaluation,
                "steps_per_decade": _json_number(self.steps_per_decade),
            },
            "max_stable_step": None if self.step_size is None
            else _json_number(self.step_size.eta_max),
            "max_stable_step_detail": None if self.step_size is None
            else self.step_size.to_dict(),
            "stable": self.stable,
            "verdict": self.verdict,
            "notes": list(self.notes),
        }


def complex_list(values) -> list:
    """Complex numbers as ``{"real": .., "imag": ..}`` for JSON."""
    return [{"real": float(v.real), "imag": float(v.imag)}
            for v in np.asarray(values, dtype=complex)]


def _json_number(v):
    v = float(v)
    return v if math.isfinite(v) else str(v)


class _Context:
    """What an analysis needs at every step size: game, players, J."""

    def __init__(self, game, rules, schedule, point, lr, preconditioner):
        self.game = game
        self.schedule = as_schedule(schedule)
        self.players = resolve_players(game, rules)
        self.jacobian = field_jacobian(game, point)
        self.point = self.jacobian.point
        self.preconditioner = preconditioner
        lr_arr = step_sizes(game, self.players, lr, 1)
        per_player = [float(np.ravel(np.broadcast_to(lr_arr, (1, game.n)))[s.start])
                      for s in game.slices]
        self.eta = per_player[0]
        self.ratio = per_player[1] / per_player[0]
        rx, ry = self.players[0].rule, self.players[1].rule
        self.same_rule = rx == ry or (type(rx) is type(ry) and _same_but_lr(rx, ry))
        self.rule = rx
        # one rule object with a pair of step sizes keeps joint rules runnable
        self.rules = rx if self.same_rule else {p.name: p.rule for p in self.players}
        self.closed = (self.same_rule and self.schedule.is_plain_simultaneous
                       and rx.name in MODE_RULES and not game.constrained)
        self.modes, self.mode_reason = False, ""
        if self.closed and self.ratio == 1.0:
            self.modes, self.mode_reason = mode_form_applies(
                rx, game, self.jacobian.matrix, self.jacobian.accuracy)

    def lr(self, eta: float):
        return (eta, eta * self.ratio)

    def operator(self, eta: float) -> UpdateOperator:
        return linearise_update(self.game, self.rules, self.schedule, self.point,
                                self.lr(eta), self.preconditioner)

    def closed_radius(self, eta: float):
        """``(rho, accuracy, method)`` from a closed form, or ``None``."""
        if self.modes:
            return (*self._mode_radius(eta), "closed form per eigenvalue")
        if self.closed:
            lr = np.repeat([eta, eta * self.ratio], self.game.sizes)
            T = operator_matrix(self.rule, self.jacobian.matrix, lr, self.game)
            s = spectrum(T, self.jacobian.accuracy * max(1.0, eta))
            return s.spectral_radius, s.radius_accuracy, "closed-form operator"
        return None

    def _mode_radius(self, eta: float):
        lam = self.jacobian.spectrum.values
        acc = self.jacobian.spectrum.accuracy
        rho = float(np.max(mode_radius(self.rule, lam, eta, self.game)))
        # how far rho moves when each eigenvalue moves by its accuracy
        worst = 0.0
        for direction in (1.0, -1.0, 1j, -1j):
            moved = mode_radius(self.rule, lam + direction * acc, eta, self.game)
            worst = max(worst, abs(float(np.max(moved)) - rho))
        return rho, worst

    def radius(self, eta: float):
        """``(rho, accuracy)`` at generator step ``eta``: best method available."""
        closed = self.closed_radius(eta)
        if closed is not None:
            return closed[0], closed[1]
        s = self.operator(eta).spectrum
        return s.spectral_radius, s.radius_accuracy


def _same_but_lr(a, b) -> bool:
    from dataclasses import replace

    return replace(b, lr=a.lr) == a


def analyze(game, rules, schedule="simultaneous", point=None, lr=None,
            preconditioner=None, step_scan: bool = True,
            eta_range=None) -> SpectralReport:
    """Spectral analysis of rules on a game at a fixed point.

    Parameters
    ----------
    game : Game
        A deterministic differentiable game.
    rules : UpdateRule, pair or dict
        The players' rules, as for :func:`gamesim.engine.simulate`.
    schedule : str or Schedule
        The engine schedule (alternating order, discriminator steps).
    point : array_like, shape (n,), optional
        The fixed point (default: the game's first known equilibrium).
    lr : float, pair or array, optional
        Step sizes overriding the rules' own.
    preconditioner : float or array_like, optional
        Adam's frozen ``sqrt(v_hat) + eps`` (required for ``adam``/``oadam``).
    step_scan : bool
        Whether to find the largest stable step size.
    eta_range : (float, float), optional
        Step sizes to scan (default ``1e-3`` to ``1e3`` over the largest
        ``|lambda|``).

    Returns
    -------
    SpectralReport

    Examples
    --------
    >>> from gamesim import make_game, make_rule
    >>> report = analyze(make_game("bilinear"), make_rule("eg:lr=0.5"))
    >>> round(report.spectral_radius, 12), report.verdict
    (0.901387818866, 'converges')
    >>> round(report.step_size.eta_max, 9)  # |1 - ih - h^2| < 1 iff h < 1
    1.0
    """
    ctx = _Context(game, rules, schedule, point, lr, preconditioner)
    notes = []

    # -- the engine step linearised, and the closed form where one exists ---------
    operator = ctx.operator(ctx.eta)
    closed = ctx.closed_radius(ctx.eta)
    if closed is None:
        rho, accuracy, method = (operator.spectral_radius,
                                 operator.spectrum.radius_accuracy,
                                 "engine step linearised")
    else:
        rho, accuracy, method = closed
        gap = abs(rho - operator.spectral_radius)
        allowed = 10.0 * (accuracy + operator.spectrum.radius_accuracy) + 1e-9
        if gap > allowed:
            text = (f"the closed form ({rho:.12g}) and the linearised engine step "
                    f"({operator.spectral_radius:.12g}) disagree by {gap:.3g}")
            logger.warning(text)
            notes.append(text)
    if ctx.closed and not ctx.modes and ctx.mode_reason:
        notes.append(f"no per-eigenvalue closed form: {ctx.mode_reason}")
    kernel = int(np.sum(np.abs(ctx.jacobian.eigenvalues)
                        <= 10.0 * ctx.jacobian.spectrum.accuracy))
    if kernel and not game.constrained:
        notes.append(
            f"J has {kernel} zero eigenvalue(s): the equilibria are not isolated "
            "and the update keeps a unit eigenvalue along them, so the radius is "
            "1 even when the distance to the equilibrium set shrinks")
    if any(p.rule.name in ("adam", "oadam") for p in ctx.players):
        notes.append("Adam-type rules: frozen-preconditioner linearisation "
                     "(sqrt(v_hat) + eps held fixed, no bias correction)")
    if game.constrained:
        notes.append("constrained game: the step is linearised through the "
                     "projection, valid where the projection is locally affine "
                     "(an equilibrium in the interior of the feasible set); "
                     "directions off the feasible set get eigenvalue 0")

    # -- the largest stable step ------------------------------------------------------
    bound = None
    if step_scan:
        bound = _step_bound(ctx, eta_range)
    return SpectralReport(
        game=game, players=ctx.players, schedule=ctx.schedule, jacobian=ctx.jacobian,
        operator=operator, spectral_radius=float(rho), radius_accuracy=float(accuracy),
        radius_method=method, step_size=bound, notes=tuple(notes),
    )


def _step_bound(ctx: _Context, eta_range) -> StepSizeBound:
    if ctx.modes and ctx.rule.name == "gda":
        eta_max = gda_max_step(ctx.jacobian.eigenvalues)
        intervals = ((0.0, eta_max),) if eta_max > 0 else ()
        return StepSizeBound(eta_max, "closed form", intervals, (0.0, math.inf))
    if eta_range is None:
        scale = float(np.max(np.abs(ctx.jacobian.eigenvalues), initial=0.0))
        if scale <= 0.0:
            raise ConfigError(f"the Jacobian of {ctx.game.name!r} is zero at "
                              f"{ctx.point.tolist()}: no step size scale")
        eta_range = (1e-3 / scale, 1e3 / scale)
    return scan_step_sizes(ctx.radius, eta_range, ratio=ctx.ratio)


def max_stable_step(game, rules, schedule="simultaneous", point=None, lr=None,
                    preconditioner=None, eta_range=None) -> StepSizeBound:
    """The largest stable step size (see :mod:`gamesim.spectral.stability`).

    Examples
    --------
    >>> from gamesim import make_game, make_rule
    >>> bound = max_stable_step(make_game("dirac:r1=0.3"), make_rule("gda"))
    >>> bound.method, round(bound.eta_max, 12)  # 2 Re l / |l|^2 = 0.3 / 0.25
    ('closed form', 1.2)
    """
    ctx = _Context(game, rules, schedule, point, lr, preconditioner)
    return _step_bound(ctx, eta_range)
