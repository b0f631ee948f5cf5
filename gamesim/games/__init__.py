"""Games: differentiable two-player games and finite matrix games.

Importing this package registers every built-in game by name.
"""

from gamesim.games.base import Game, central_difference_jacobian, distance_to_set
from gamesim.games.bilinear import BilinearGame, QuadraticGame
from gamesim.games.custom import CustomGame
from gamesim.games.dirac import DiracGAN

# Games contributed by other modules register themselves on import.
# (one import line each; keep sorted)
import gamesim.gan  # noqa: F401  (registers "gan" and "gaussian")
import gamesim.games.bounded  # noqa: F401  (bilinear/quadratic/dirac_bounded)
import gamesim.games.bounded_gaussian  # noqa: F401  (registers "gaussian_bounded")
import gamesim.games.matrix  # noqa: F401  (registers "matrix")

__all__ = [
    "BilinearGame",
    "CustomGame",
    "DiracGAN",
    "Game",
    "QuadraticGame",
    "central_difference_jacobian",
    "distance_to_set",
]
