"""The update-rule interface.

An update rule is a small immutable value built from its hyperparameters
(a frozen dataclass). All that changes during a run lives in a *state*, a
``NamedTuple`` of arrays with the run axis first, created by :meth:`init` and
returned anew by every step; nothing is mutated in place.

Two kinds of rule exist:

* *local* rules (``joint = False``) map the field at the current point to a
  step, coordinate block by coordinate block: :meth:`UpdateRule.update`.
  They can be given to one player only, mixed with another rule for the
  other player, and run under every schedule (simultaneous, alternating,
  k discriminator steps).
* *joint* rules (``joint = True``) need the joint field at other points or
  its Jacobian (extragradient, proximal point, consensus optimisation,
  symplectic gradient adjustment, competitive gradient descent). They receive
  an :class:`Oracle` and must be used by both players with the simultaneous
  schedule.

Step sizes are not read from ``self.lr`` inside a step: the engine passes an
array ``lr`` broadcastable to ``z`` (per coordinate and per run), built from
each player's ``lr`` so that two time-scales and per-run step sizes work for
every rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from gamesim.errors import ConfigError


class EmptyState(NamedTuple):
    """State of a rule without memory."""


class Oracle:
    """What a joint rule may ask of the game during a step.

    Parameters
    ----------
    game : Game
        The game being played.
    noise : sequence of numpy.random.Generator or None
        One generator per run, for stochastic games.
    rngs : sequence of numpy.random.Generator or None
        One generator per run for rules that draw random numbers (random
        tie-breaking, sampling); seeded from the run's seed by the engine.
    """

    __slots__ = ("game", "noise", "rngs", "field", "project")

    def __init__(self, game, noise=None, rngs=None):
        self.game = game
        self.noise = noise
        self.rngs = rngs
        if game.stochastic:
            self.field = lambda z: game.field(z, noise)
        else:
            self.field = game.field
        self.project = game.project if game.constrained else _identity

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """Jacobian of the field at ``z``, shape ``(B, n, n)``."""
        return self.game.jacobian(z, self.noise)


def _identity(z):
    return z


@dataclass(frozen=True)
class UpdateRule:
    """Base class of update rules.

    Parameters
    ----------
    lr : float
        Step size ``eta`` (> 0).
    """

    lr: float = 0.1

    name: ClassVar[str] = "rule"
    joint: ClassVar[bool] = False
    #: field evaluations per step (extragradient spends two)
    evaluations: ClassVar[int] = 1
    #: averaging the engine turns on by default ("uniform" for fictitious play)
    averaging: ClassVar[str | None] = None
    #: whether the rule needs a constrained (simplex) game
    needs_simplex: ClassVar[bool] = False
    #: whether the rule draws random numbers; the engine then calls
    #: ``init(z, rngs)`` with one generator per run, derived from the run's
    #: seed, so a batch draws the same numbers as its runs one by one
    uses_rng: ClassVar[bool] = False
    #: documented behaviour on f(x, y) = x y from (1, 1) at the default step
    #: with the simultaneous schedule: "converges", "diverges", "cycles"
    #: (bounded, no convergence), "neighbourhood" (stalls at a distance of the
    #: order of the step size) or None (not a rule for unconstrained games);
    #: the conformance suite checks it
    bilinear_behaviour: ClassVar[str | None] = None

    def __post_init__(self):
        check_positive(self.name, "lr", self.lr)

    # -- the interface -------------------------------------------------------
    def for_game(self, game) -> "UpdateRule":
        """The rule to run on ``game`` (default: this rule).

        A rule whose algorithm depends on the kind of game (fictitious play
        on a matrix game or on a differentiable game) returns the variant
        that fits; the engine calls this once, before the run.
        """
        return self

    def init(self, z: np.ndarray) -> Any:
        """The initial state for parameters ``z`` of shape ``(B, k)``."""
        return EmptyState()

    def update(self, g: np.ndarray, z: np.ndarray, state: Any, lr) -> tuple:
        """One step of a local rule from the field ``g`` at ``z``.

        Returns ``(z_new, state_new)``; neither input is modified.
        """
        raise NotImplementedError(
            f"rule {self.name!r} is joint: it needs the oracle (use step)"
        )

    def step(self, z: np.ndarray, state: Any, oracle: Oracle, lr) -> tuple:
        """One simultaneous step on the joint vector ``z``.

        The default evaluates the field once, calls :meth:`update` and
        projects onto the feasible set of constrained games.
        """
        z_new, state = self.update(oracle.field(z), z, state, lr)
        return oracle.project(z_new), state

    def run(self, z: np.ndarray, state: Any, oracle: Oracle, lr, steps: int,
            total: np.ndarray | None = None) -> tuple:
        """``steps`` simultaneous steps in a row (the engine's inner loop).

        Adds every new iterate into ``total`` (in place) when it is given:
        the running sum behind the uniform average. The default calls
        :meth:`step` ``steps`` times; a rule with a compiled loop
        (:mod:`gamesim.kernels`) overrides it, with the same numbers.
        """
        for _ in range(steps):
            z, state = self.step(z, state, oracle, lr)
            if total is not None:
                total += z
        return z, state

    def hyperparameters(self) -> dict[str, Any]:
        """The rule's hyperparameters by name."""
        from dataclasses import fields

        return {f.name: getattr(self, f.name) for f in fields(self)}

    def spec(self) -> str:
        """The spec string that rebuilds this rule."""
        from gamesim.specs import Spec

        return str(Spec(self.name, self.hyperparameters()))


def check_positive(rule: str, key: str, value, *, allow_zero: bool = False):
    """Raise :class:`ConfigError` unless ``value`` is a finite positive number."""
    try:
        if isinstance(value, bool):  # true/false in a spec is no step size
            raise TypeError
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{rule}: {key} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(f"{rule}: {key} must be finite and {bound}, got {value!r}")


def check_number(owner: str, key: str, value) -> float:
    """``value`` as a float, or :class:`ConfigError` unless finite and numeric.

    Examples
    --------
    >>> check_number("dirac", "theta0", 2)
    2.0
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v):
        raise ConfigError(f"{owner}: {key} must be a finite number, got {value!r}")
    return v


def check_integer(owner: str, key: str, value, low: int = 0) -> int:
    """``value`` as an int, or :class:`ConfigError` unless an integer >= ``low``."""
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or value < low):
        raise ConfigError(
            f"{owner}: {key} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_in_range(rule: str, key: str, value, low: float, high: float):
    """Raise :class:`ConfigError` unless ``low <= value < high`` and finite."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{rule}: {key} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and low <= v < high):
        raise ConfigError(f"{rule}: {key} must lie in [{low}, {high}), got {value!r}")
