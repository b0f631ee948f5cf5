"""Players, their rules and the step function the engine loops over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from gamesim.errors import ConfigError
from gamesim.rules.base import Oracle, UpdateRule
from gamesim.engine.schedule import Schedule

_ALIASES = {
    0: ("generator", "row", "x", "player1", "min"),
    1: ("discriminator", "column", "col", "y", "player2", "max"),
}


@dataclass(frozen=True)
class Player:
    """A player: its name, its slice of the joint vector and its update rule."""

    name: str
    index: int
    size: int
    rule: UpdateRule


def player_index(game, key) -> int:
    """Resolve a player given by index, by the game's name or by an alias."""
    if isinstance(key, (int, np.integer)) and key in (0, 1):
        return int(key)
    if isinstance(key, str):
        low = key.strip().lower()
        for i, name in enumerate(game.players):
            if low == name.lower() or low in _ALIASES[i]:
                return i
    raise ConfigError(
        f"unknown player {key!r}: this game's players are "
        f"{game.players[0]!r} and {game.players[1]!r}"
    )


def resolve_players(game, rules) -> tuple[Player, Player]:
    """Turn one rule, a pair, or a ``{player: rule}`` dict into two players."""
    if isinstance(rules, UpdateRule):
        pair = [rules, rules]
    elif isinstance(rules, dict):
        pair = [None, None]
        for key, rule in rules.items():
            pair[player_index(game, key)] = rule
        missing = [game.players[i] for i in (0, 1) if pair[i] is None]
        if missing:
            raise ConfigError(
                f"no update rule given for player(s) {', '.join(missing)}")
    elif isinstance(rules, (list, tuple)) and len(rules) == 2:
        pair = list(rules)
    else:
        raise ConfigError(
            "rules must be an UpdateRule, a pair of rules or a dict "
            f"{{player: rule}}, got {type(rules).__name__}"
        )
    for i, rule in enumerate(pair):
        if not isinstance(rule, UpdateRule):
            raise ConfigError(f"not an update rule: {rule!r}")
        pair[i] = rule = rule.for_game(game)
        if rule.needs_simplex and not getattr(game, "simplex", False):
            raise ConfigError(
                f"rule {rule.name!r} acts on mixed strategies and needs a matrix "
                f"game; {game.name!r} is not one"
            )
    return tuple(
        Player(game.players[i], i, game.sizes[i], pair[i]) for i in (0, 1)
    )


def step_sizes(game, players, lr, batch: int):
    """Per-coordinate (and per-run) step sizes.

    ``lr`` overrides the rules' own step sizes: a scalar (both players), a
    tuple ``(lr_x, lr_y)`` (two time-scales), a 1-D array of one value per
    run, or an array of shape ``(runs, 2)``. A tuple is always a pair of
    players and a list or array always per run, so a batch of two runs is
    not ambiguous. Returns a float when every coordinate and run share one step
    size, else an array broadcastable to ``(runs, n)``.
    """
    sizes = game.sizes
    if lr is None:
        per_player = np.array([[players[0].rule.lr, players[1].rule.lr]], dtype=float)
    else:
        try:
            arr = np.asarray(lr, dtype=float)
        except (TypeError, ValueError):
            raise ConfigError(f"lr must be a number or an array of numbers, "
                              f"got {lr!r}") from None
        pair = isinstance(lr, tuple)
        if arr.ndim == 0:
            per_player = np.full((1, 2), float(arr))
        elif arr.shape == (2,) and pair:
            per_player = arr[None, :]
        elif arr.shape == (batch,):
            per_player = np.repeat(arr[:, None], 2, axis=1)
        elif arr.shape == (batch, 2):
            per_player = arr
        else:
            raise ConfigError(
                f"lr has shape {arr.shape}; expected a scalar, a pair (lr_x, "
                f"lr_y), one value per run ({batch},) or ({batch}, 2)"
            )
    if not np.all(np.isfinite(per_player)) or np.any(per_player <= 0):
        raise ConfigError(
            f"step sizes must be finite and > 0, got {per_player.tolist()}")
    if np.all(per_player == per_player.flat[0]):
        return float(per_player.flat[0])
    return np.concatenate(
        [np.repeat(per_player[:, :1], sizes[0], axis=1),
         np.repeat(per_player[:, 1:], sizes[1], axis=1)], axis=1)


class Stepper:
    """The function ``(z, state) -> (z, state)`` for one engine step.

    Built once per run from the players' rules and the schedule so that the
    loop itself does no dispatching. :meth:`advance` takes several steps in
    one call, the engine's inner loop between two checks, adding each new
    iterate into ``total`` when given (the uniform average's running sum).
    """

    def __init__(self, game, players, schedule: Schedule, lr, oracle: Oracle):
        self.game = game
        rx, ry = players[0].rule, players[1].rule
        same = rx == ry
        joint = rx.joint or ry.joint
        if joint and not (same and schedule.is_plain_simultaneous):
            names = rx.name if same else f"{rx.name} and {ry.name}"
            raise NotImplementedError(
                f"{names}: joint rules (those that need the joint field or its "
                "Jacobian) run only with the same rule for both players and the "
                f"plain simultaneous schedule, not {schedule.describe()!r}"
            )
        self.lr = lr
        self.oracle = oracle
        # rules with a measurable state (fictitious play's mixture) may add
        # metrics to every record and outputs to the result
        self.state_metrics = self.extras = None
        if same and schedule.is_plain_simultaneous:
            self.state_metrics = getattr(rx, "state_metrics", None)
            self.extras = getattr(rx, "extras", None)
            self.init = lambda z: self._init_rule(rx, z)
            self.step, self.advance = self._joint_step(rx)
            self.evaluations = rx.evaluations
        else:
            self._rules = (rx, ry)
            self._moves = schedule.moves()
            self.init = self._block_init
            self.step = self._block_step
            self.advance = self._block_advance
            self.evaluations = len(self._moves)

    def _joint_step(self, rule) -> tuple[Callable, Callable]:
        oracle, lr = self.oracle, self.lr
        rule_step, rule_run = rule.step, rule.run

        def step(z, state):
            return rule_step(z, state, oracle, lr)

        def advance(z, state, steps: int, total=None):
            return rule_run(z, state, oracle, lr, steps, total)

        return step, advance

    def _block_advance(self, z, state, steps: int, total=None):
        step = self._block_step
        for _ in range(steps):
            z, state = step(z, state)
            if total is not None:
                total += z
        return z, state

    def _init_rule(self, rule, z):
        if rule.uses_rng:
            return rule.init(z, self.oracle.rngs)
        return rule.init(z)

    def _block_init(self, z):
        sx, sy = self.game.slices
        return (self._init_rule(self._rules[0], z[:, sx]),
                self._init_rule(self._rules[1], z[:, sy]))

    def _lr_block(self, i):
        if np.ndim(self.lr) == 0:
            return self.lr
        return self.lr[:, self.game.slices[i]]

    def _block_step(self, z, state) -> tuple[np.ndarray, Any]:
        field, project = self.oracle.field, self.oracle.project
        slices = self.game.slices
        states = list(state)
        for move in self._moves:
            g = field(z)
            z = z.copy()
            for i, key in enumerate("xy"):
                if key in move:
                    s = slices[i]
                    z[:, s], states[i] = self._rules[i].update(
                        g[:, s], z[:, s], states[i], self._lr_block(i)
                    )
            z = project(z)
        return z, tuple(states)
