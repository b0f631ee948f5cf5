"""Best responses, NashConv and the duality gap beyond matrix games.

* :mod:`~gamesim.bestresponse.mixtures`: :class:`MixedStrategy`, a finite
  mixture of one player's parameter vectors (what fictitious play outputs),
  and expected losses against it.
* :mod:`~gamesim.bestresponse.oracles`: best-response oracles, exact
  (:class:`ClosedForm`) or estimated (:class:`InnerSteps`,
  :class:`ScipyMinimize`), each answer a :class:`BestResponse` record that
  says which.
* :mod:`~gamesim.bestresponse.gaps`: :func:`estimate_gap`, NashConv and the
  duality gap of a (mixed) profile from two best responses;
  :func:`gap_metrics` turns them into metrics (on the game's minimax form
  for the duality gap of a non-zero-sum game).
* :mod:`~gamesim.bestresponse.scalar`: exact answers of one-parameter
  players on an interval (bisection, interval ends).

The games with closed-form best responses live in
:mod:`gamesim.games.bounded`; fictitious play on differentiable and GAN
games in :mod:`gamesim.rules.fictitious`.
"""

from gamesim.bestresponse.gaps import (
    estimate_gap,
    gap_labels,
    gap_metric_names,
    gap_metrics,
    minimax_form,
)
from gamesim.bestresponse.mixtures import MixedStrategy, as_mixed, player_losses
from gamesim.bestresponse.oracles import (
    DEFAULT_INNER_LR,
    DEFAULT_INNER_STEPS,
    BestResponseOracle,
    ClosedForm,
    InnerSteps,
    ScipyMinimize,
    closed_form,
    default_oracle,
)
from gamesim.bestresponse.records import BestResponse, GapEstimate

__all__ = [
    "DEFAULT_INNER_LR",
    "DEFAULT_INNER_STEPS",
    "BestResponse",
    "BestResponseOracle",
    "ClosedForm",
    "GapEstimate",
    "InnerSteps",
    "MixedStrategy",
    "ScipyMinimize",
    "as_mixed",
    "closed_form",
    "default_oracle",
    "estimate_gap",
    "gap_labels",
    "gap_metric_names",
    "gap_metrics",
    "minimax_form",
    "player_losses",
]
