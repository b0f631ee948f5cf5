"""gamesim: simulate learning in games, built around the GAN as a game.

The generator and the discriminator are players with pluggable update rules;
the engine runs them against each other and measures, at every recorded
step, the distance to Nash equilibrium and to the D(x) = 1/2 condition.

Quick start::

    from gamesim import make_game, make_rule, simulate
    result = simulate(make_game("bilinear"), make_rule("eg:lr=0.1"), steps=1000)
    result.history        # pandas DataFrame, one row per recorded step
"""

import logging

from gamesim.engine import RunResult, Schedule, parse_rule_specs, simulate
from gamesim.errors import (
    ConfigError,
    DataError,
    GamesimError,
    PayoffError,
    SpecError,
)
from gamesim.registry import game_names, make_game, make_rule, rule_names

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "ConfigError",
    "DataError",
    "GamesimError",
    "PayoffError",
    "RunResult",
    "Schedule",
    "SpecError",
    "game_names",
    "make_game",
    "make_rule",
    "parse_rule_specs",
    "rule_names",
    "simulate",
]
