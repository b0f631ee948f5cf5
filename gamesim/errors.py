"""Exceptions raised for user errors.

Every error that a user can cause (a bad spec, a bad payoff file, a negative
step size, ...) raises a subclass of :class:`GamesimError`. The command line
turns these into one line on standard error and exit status 2; anything else
is a bug in gamesim and keeps its traceback.
"""


class GamesimError(ValueError):
    """Base class of every user error raised by gamesim."""


class SpecError(GamesimError):
    """A malformed or unknown game or rule specification."""


class PayoffError(GamesimError):
    """Payoffs that are not finite, empty, ragged or of mismatched shapes."""


class DataError(GamesimError):
    """A data file that is missing, empty, malformed or lacks a column."""


class ConfigError(GamesimError):
    """Bad run settings: steps, step sizes, shapes, output folders, files."""
