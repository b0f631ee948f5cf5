"""Schedules: the order in which the players move (an engine concern)."""

from __future__ import annotations

from dataclasses import dataclass

from gamesim.errors import ConfigError

KINDS = ("simultaneous", "alternating")
ORDERS = ("generator_first", "discriminator_first")

#: spec keys that configure the engine rather than the rule
ENGINE_KEYS = ("schedule", "order", "d_steps", "lr_d")


@dataclass(frozen=True)
class Schedule:
    """How the two players take turns.

    Parameters
    ----------
    kind : {"simultaneous", "alternating"}
        Simultaneous: both players move from the same point. Alternating:
        one player moves, then the other answers the new point.
    order : {"generator_first", "discriminator_first"}
        Who moves first when alternating (generator, i.e. the first player,
        by default).
    d_steps : int
        Discriminator (second player) steps per generator step. With
        ``kind="alternating"`` they are taken in a row after (or before) the
        generator's step; with ``kind="simultaneous"`` the discriminator
        first takes ``d_steps - 1`` steps alone, then both move together.

    Examples
    --------
    >>> Schedule("alternating", d_steps=5).moves()
    ['x', 'y', 'y', 'y', 'y', 'y']
    """

    kind: str = "simultaneous"
    order: str = "generator_first"
    d_steps: int = 1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ConfigError(
                f"unknown schedule {self.kind!r} (known: {', '.join(KINDS)})"
            )
        if self.order not in ORDERS:
            raise ConfigError(
                f"unknown order {self.order!r} (known: {', '.join(ORDERS)})"
            )
        if not isinstance(self.d_steps, int) or isinstance(self.d_steps, bool) or \
                self.d_steps < 1:
            raise ConfigError(f"d_steps must be an integer >= 1, got {self.d_steps!r}")

    @property
    def is_plain_simultaneous(self) -> bool:
        """One simultaneous move per step."""
        return self.kind == "simultaneous" and self.d_steps == 1

    def moves(self) -> list[str]:
        """The moves of one engine step: 'x', 'y' or 'xy' (simultaneous)."""
        if self.kind == "simultaneous":
            return ["y"] * (self.d_steps - 1) + ["xy"]
        d = ["y"] * self.d_steps
        return ["x"] + d if self.order == "generator_first" else d + ["x"]

    def describe(self) -> str:
        """Short text for tables and reports."""
        text = self.kind
        if self.kind == "alternating" and self.order != "generator_first":
            text += f" ({self.order.replace('_', ' ')})"
        if self.d_steps > 1:
            text += f", {self.d_steps} discriminator steps"
        return text


def as_schedule(schedule) -> Schedule:
    """Accept a :class:`Schedule` or its kind as a string."""
    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, str):
        return Schedule(schedule)
    raise ConfigError(f"schedule must be a Schedule or a name, got {schedule!r}")
