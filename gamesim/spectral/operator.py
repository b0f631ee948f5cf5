"""The linearised update operator of the engine's actual step, on its full state.

Any rule under any schedule defines, through the engine's
:class:`~gamesim.engine.players.Stepper`, a map ``(z, s) -> (z', s')`` on the
joint parameters and the rules' memory (momentum's velocity, optimistic
GDA's previous field, the frozen-preconditioner Adam's first moment). This
module flattens that full state into one vector ``u`` and differentiates the
map at the fixed point ``u* = (z*, s*)`` by central differences, giving the
matrix ``T`` with ``u_{t+1} - u* ~ T (u_t - u*)``. Its spectral radius is
the local rate per engine step.

Procedure
---------
1. Resolve the players' rules (Adam-type rules are replaced by their
   frozen-preconditioner stand-ins, see :mod:`gamesim.spectral.adapters`).
2. Take one engine step from ``z*`` to fill the memory (optimistic GDA's
   ``previous`` is ``None`` before the first step); check that ``(z*, s*)``
   is a fixed point of the step.
3. Differentiate: columns ``(F(u* + h e_j) - F(u* - h e_j)) / (2 h)`` for
   all ``j`` in one batch of runs. For games with an affine field the step
   map is affine and the result is exact up to rounding (``h = 1e-3``);
   otherwise ``h = 1e-5 max(1, |u*_j|)`` and the error, ``O(h^2)``, is
   estimated from the same columns with the step doubled.
4. Check differentiability: the forward and backward one-sided derivatives
   must agree. A rule whose step has a kink at the fixed point (a best
   response, a maximum) raises ``NotImplementedError`` naming the rule, as
   does a rule whose state keeps changing at the fixed point in a way that
   changes the linearisation (step counters of bias corrections).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from gamesim.engine.players import Player, Stepper, resolve_players, step_sizes
from gamesim.engine.schedule import Schedule, as_schedule
from gamesim.errors import ConfigError
from gamesim.rules.base import Oracle
from gamesim.spectral.adapters import frozen_rule
from gamesim.spectral.jacobian import _check_deterministic, equilibrium_point
from gamesim.spectral.spectrum import EPS, Spectrum, spectrum

logger = logging.getLogger(__name__)

#: rules linearised through a frozen-preconditioner stand-in
ADAM_RULES = ("adam", "oadam")


@dataclass(frozen=True)
class UpdateOperator:
    """The linearised engine step at a fixed point.

    Attributes
    ----------
    matrix : ndarray, shape (N, N)
        ``T`` on the flattened full state ``u = (z, memory)``.
    labels : tuple of str
        Name of each coordinate of ``u`` (parameters first, then memory,
        e.g. ``velocity[0]`` or ``discriminator.previous[0]``).
    spectrum : Spectrum
        Eigenvalues of ``T`` with their estimated errors.
    matrix_error : float
        Estimated largest error of an entry of ``T``.
    point : ndarray, shape (n,)
        The fixed point ``z*``.
    players : tuple of Player
        The players as analysed (Adam-type rules replaced by stand-ins).
    schedule : Schedule
        The schedule of the engine step.
    evaluations : int
        Field evaluations per engine step.
    """

    matrix: np.ndarray
    labels: tuple
    spectrum: Spectrum
    matrix_error: float
    point: np.ndarray
    players: tuple
    schedule: Schedule
    evaluations: int

    @property
    def eigenvalues(self) -> np.ndarray:
        """Eigenvalues of ``T``, largest modulus first."""
        return self.spectrum.values

    @property
    def spectral_radius(self) -> float:
        """``max |eigenvalue of T|``: the local rate per engine step."""
        return self.spectrum.spectral_radius


def analysed_players(game, rules, preconditioner=None) -> tuple[Player, Player]:
    """Resolve the players and swap in differentiable stand-ins where needed.

    Parameters
    ----------
    game : Game
        The game.
    rules : UpdateRule, pair or dict
        As for :func:`gamesim.engine.simulate`.
    preconditioner : float or array_like, shape (n,), optional
        Adam's frozen denominator ``sqrt(v_hat) + eps`` per coordinate of
        the joint vector. Required for ``adam`` and ``oadam``.

    Raises
    ------
    NotImplementedError
        For Adam-type rules without a preconditioner, for rules that declare
        ``differentiable = False``, and for SGA with alignment but
        ``eps = 0`` (the sign of its adjustment is undetermined at a fixed
        point, where the alignment is exactly 0).
    """
    players = resolve_players(game, rules)
    out = []
    for p in players:
        rule = p.rule
        if rule.name in ADAM_RULES:
            if preconditioner is None:
                raise NotImplementedError(
                    f"rule {rule.name!r} near a fixed point: the gradients vanish, "
                    "so Adam's step m / (sqrt(v) + eps) has derivative 1 / eps and "
                    "no meaningful linearisation; give the frozen preconditioner "
                    "sqrt(v_hat) + eps (e.g. from a run) for the frozen-"
                    "preconditioner linearisation"
                )
            part = np.asarray(preconditioner, dtype=float)
            if part.ndim:
                if part.shape != (game.n,):
                    raise ConfigError(f"preconditioner has shape {part.shape}; "
                                      f"expected a number or ({game.n},)")
                part = part[game.slices[p.index]]
            rule = frozen_rule(rule, part, p.size, p.index)
        elif getattr(rule, "differentiable", True) is False:
            raise NotImplementedError(
                f"rule {rule.name!r} is not a differentiable map; it has no "
                "linearisation"
            )
        elif rule.name == "sga" and rule.align and rule.eps == 0:
            raise NotImplementedError(
                "rule 'sga' with align=True and eps=0: at a fixed point the "
                "alignment is 0 and the sign of lambda flips with the direction "
                "of the perturbation, so the step is not differentiable there"
            )
        out.append(Player(p.name, p.index, p.size, rule))
    return tuple(out)


def rule_names(players) -> str:
    """The rules of the players, for messages (``ogda`` or ``adam and gda``)."""
    a, b = players[0].rule, players[1].rule
    return repr(a.name) if a == b or a.name == b.name else f"{a.name!r} and {b.name!r}"


# -- flattening the engine state ---------------------------------------------------
def _is_leaf(value, runs: int = 1) -> bool:
    """A per-run float array: ``(runs, k)`` or ``(runs,)``."""
    return (isinstance(value, np.ndarray) and value.ndim in (1, 2)
            and value.shape[0] == runs and np.issubdtype(value.dtype, np.inexact))


def _flatten(state, label: str, out: list, statics: list, players=None,
             runs: int = 1):
    """Collect ``(label, (runs, k) array)`` for every variable leaf of ``state``.

    Everything else (``None``, step counters, integer arrays) is collected in
    ``statics``. A top-level pair of states is labelled by player names.
    """
    if _is_leaf(state, runs):
        out.append((label, state.reshape(runs, -1)))
    elif isinstance(state, tuple) and hasattr(state, "_fields"):
        for name, child in zip(state._fields, state):
            _flatten(child, f"{label}.{name}" if label else name, out, statics,
                     runs=runs)
    elif isinstance(state, (tuple, list)):
        names = players if players and len(players) == len(state) else None
        for i, child in enumerate(state):
            sub = names[i] if names else f"{label}[{i}]"
            _flatten(child, f"{label}.{sub}" if label and names else sub, out,
                     statics, runs=runs)
    else:
        statics.append((label, state))


def _rebuild(template, columns):
    """``template`` with each variable leaf replaced by the next of ``columns``."""
    if _is_leaf(template):
        block = next(columns)
        return block if template.ndim == 2 else block[:, 0]
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*[_rebuild(c, columns) for c in template])
    if isinstance(template, tuple):
        return tuple(_rebuild(c, columns) for c in template)
    if isinstance(template, list):
        return [_rebuild(c, columns) for c in template]
    return template


def _same_statics(a: list, b: list) -> bool:
    if len(a) != len(b):
        return False
    for (_, x), (_, y) in zip(a, b):
        if x is None or y is None:
            if (x is None) != (y is None):
                return False
        elif not np.array_equal(np.asarray(x), np.asarray(y)):
            return False
    return True


class StepMap:
    """The engine step as a batched map on flattened full states.

    Parameters
    ----------
    game : Game
        A deterministic game.
    players : tuple of Player
        From :func:`analysed_players`.
    schedule : Schedule
        The engine schedule.
    lr : float or array_like, optional
        Step sizes overriding the rules' own (as for ``simulate``).
    point : ndarray, shape (n,)
        The fixed point ``z*``.
    """

    def __init__(self, game, players, schedule, lr, point):
        self.game = game
        self.players = players
        self.n = game.n
        self.stepper = Stepper(game, players, schedule,
                               step_sizes(game, players, lr, 1), Oracle(game))
        z = point[None, :]

        # one step from z* fills the memory; a second one tests stationarity
        _, state1 = self.stepper.step(z, self.stepper.init(z))
        self.templates = [state1]
        _, state2 = self.stepper.step(z, state1)
        leaves, statics1 = [], []
        _flatten(state1, "", leaves, statics1, list(game.players))
        statics2: list = []
        _flatten(state2, "", [], statics2, list(game.players))
        if not _same_statics(statics1, statics2):
            self.templates.append(state2)
        self.sizes = [a.shape[1] for _, a in leaves]
        self.labels = tuple(game.param_names()) + tuple(
            f"{label}[{j}]" for label, a in leaves for j in range(a.shape[1]))
        self.u_star = np.concatenate([point] + [a[0] for _, a in leaves])

    def __call__(self, rows: np.ndarray, template: int = 0) -> np.ndarray:
        """Apply the engine step to each row ``u`` of ``rows``, shape (R, N)."""
        z = rows[:, :self.n]
        cuts = np.cumsum([self.n] + self.sizes)
        blocks = [rows[:, a:b] for a, b in pairwise(cuts)]
        state = _rebuild(self.templates[template], iter(blocks))
        z_new, state_new = self.stepper.step(z, state)
        leaves: list = []
        _flatten(state_new, "", leaves, [], list(self.game.players), rows.shape[0])
        sizes = [a.shape[1] for _, a in leaves]
        if sizes != self.sizes:
            raise NotImplementedError(
                f"rule {rule_names(self.players)}: its memory changes shape "
                "between steps; it cannot be flattened for linearisation"
            )
        return np.concatenate([z_new] + [a for _, a in leaves], axis=1)


def _differentiate(F, u: np.ndarray, rel_step: float, template: int):
    """Central-difference matrix of ``F`` at ``u``, its error, and a kink test."""
    N = u.size
    h = rel_step * np.maximum(1.0, np.abs(u))
    eye = np.diag(h)
    rows = np.concatenate([u[None, :], u + eye, u - eye, u + 2 * eye, u - 2 * eye])
    with np.errstate(all="ignore"):
        out = F(rows, template)
    f0 = out[0]
    up, down, up2, down2 = np.split(out[1:], 4)
    T = ((up - down) / (2.0 * h[:, None])).T
    T2 = ((up2 - down2) / (4.0 * h[:, None])).T
    scale = max(1.0, float(np.abs(T).max()))
    rounding = 4.0 * EPS * float(np.abs(out).max()) / float(h.min())
    error = float(np.max(np.abs(T - T2))) / 3.0 + rounding
    forward = ((up - f0) / h[:, None]).T
    backward = ((f0 - down) / h[:, None]).T
    kink = float(np.max(np.abs(forward - backward))) / scale
    return f0, T, error, kink, N


def linearise_update(game, rules, schedule="simultaneous", point=None, lr=None,
                     preconditioner=None) -> UpdateOperator:
    """Linearise the engine's step at a fixed point, on the full state.

    Parameters
    ----------
    game : Game
        A deterministic game.
    rules : UpdateRule, pair or dict
        The players' rules, as for :func:`gamesim.engine.simulate`.
    schedule : str or Schedule
        ``"simultaneous"``, ``"alternating"`` or a :class:`Schedule`
        (order, discriminator steps).
    point : array_like, shape (n,), optional
        The fixed point (default: the game's first known equilibrium).
    lr : float, pair or array, optional
        Step sizes overriding the rules' own (two time-scales: a pair).
    preconditioner : float or array_like, optional
        Adam's frozen ``sqrt(v_hat) + eps`` (required for Adam-type rules).

    Returns
    -------
    UpdateOperator

    Examples
    --------
    >>> from gamesim import make_game, make_rule
    >>> op = linearise_update(make_game("bilinear"), make_rule("ogda:lr=0.1"))
    >>> op.labels, round(op.spectral_radius, 9)
    (('generator[0]', 'discriminator[0]', 'previous[0]', 'previous[1]'), 0.994936153)
    """
    _check_deterministic(game)
    schedule = as_schedule(schedule)
    z_star = equilibrium_point(game, point)
    check_fixed_point(game, z_star)
    players = analysed_players(game, rules, preconditioner)
    F = StepMap(game, players, schedule, lr, z_star)
    affine = game.linear_field and not game.constrained
    rel_step = 1e-3 if affine else 1e-5

    # -- differentiate at the fixed point (each memory template) -------------------
    results = [_differentiate(F, F.u_star, rel_step, k)
               for k in range(len(F.templates))]
    f0, T, error, kink, _ = results[0]
    if kink > 1e-3:
        raise NotImplementedError(
            f"rule {rule_names(players)} on {game.name!r}: the step (with its "
            "state) is not "
            f"differentiable at {z_star.tolist()} (one-sided derivatives differ "
            f"by {kink:.2g} relative); it has no linearisation there"
        )
    moved = float(np.max(np.abs(f0 - F.u_star)))
    if moved > 1e-8 * max(1.0, float(np.abs(F.u_star).max())):
        raise NotImplementedError(
            f"rule {rule_names(players)}: the equilibrium {z_star.tolist()} of "
            f"{game.name!r} is not a fixed point of its step (it moves by "
            f"{moved:.3g}); it has no linearisation there"
        )
    if len(results) > 1:
        drift = float(np.max(np.abs(results[1][1] - T)))
        if drift > 10.0 * (error + results[1][2]):
            raise NotImplementedError(
                f"rule {rule_names(players)}: its state keeps changing at the "
                "fixed point (a step counter) and so does its linearisation; "
                "there is no time-invariant update operator"
            )
    return UpdateOperator(
        matrix=T, labels=F.labels, spectrum=spectrum(T, error), matrix_error=error,
        point=z_star, players=players, schedule=schedule,
        evaluations=F.stepper.evaluations,
    )


def check_fixed_point(game, z: np.ndarray, rtol: float = 1e-8):
    """Raise :class:`ConfigError` unless ``z`` is a fixed point of the field.

    The test is the natural residual ``|P(z - xi(z)) - z|`` (``P`` the
    projection of constrained games, the identity otherwise), which is 0 at
    an equilibrium of a constrained game even where ``xi != 0``.
    """
    zb = z[None, :]
    step = zb - game.field(zb)
    if game.constrained:
        step = game.project(step)
    residual = float(np.max(np.abs(step - zb)))
    if not np.isfinite(residual) or residual > rtol * max(1.0, float(np.abs(z).max())):
        raise ConfigError(
            f"{z.tolist()} is not a fixed point of {game.name!r}: the field's "
            f"residual there is {residual:.3g}; linearise at an equilibrium"
        )
