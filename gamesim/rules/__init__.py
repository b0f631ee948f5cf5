"""Update rules: how a player moves its parameters at each step.

Importing this package registers every built-in rule by name.
"""

from gamesim.rules.base import EmptyState, Oracle, UpdateRule
from gamesim.rules.competitive import CompetitiveGradientDescent
from gamesim.rules.consensus import ConsensusOptimization, SymplecticGradientAdjustment
from gamesim.rules.extragradient import Extragradient
from gamesim.rules.gradient import GDA, Adam, Momentum
from gamesim.rules.optimistic import OGDA, OptimisticAdam
from gamesim.rules.proximal import ProximalPoint

# Rules contributed by other modules register themselves on import.
# (one import line each; keep sorted)
import gamesim.rules.fictitious  # noqa: F401  (fp on differentiable and GAN games)
import gamesim.rules.learning  # noqa: F401  (fp, hedge, rm, ... on simplices)

__all__ = [
    "GDA",
    "OGDA",
    "Adam",
    "CompetitiveGradientDescent",
    "ConsensusOptimization",
    "EmptyState",
    "Extragradient",
    "Momentum",
    "OptimisticAdam",
    "Oracle",
    "ProximalPoint",
    "SymplecticGradientAdjustment",
    "UpdateRule",
]
