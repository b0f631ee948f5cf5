"""The engine that runs players against each other (see :func:`simulate`)."""

from gamesim.engine.core import STATUSES, Progress, RunResult, simulate
from gamesim.engine.players import Player, resolve_players
from gamesim.engine.schedule import ENGINE_KEYS, Schedule
from gamesim.engine.setup import parse_rule_specs

__all__ = [
    "ENGINE_KEYS",
    "STATUSES",
    "Player",
    "Progress",
    "RunResult",
    "Schedule",
    "parse_rule_specs",
    "resolve_players",
    "simulate",
]
