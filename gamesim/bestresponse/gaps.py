"""NashConv and the duality gap of differentiable and GAN games.

For a profile ``(X, Y)`` of (mixed) strategies, NashConv is the total gain
of the two best responses, ``sum_i max u_i(., opponent) - u_i(X, Y)``
(Lanctot et al. 2017). In a zero-sum game ``min_x max_y f`` it equals the
duality gap ``max_y' E f(X, y') - min_x' E f(x', Y)`` (Grnarova et al.
2019): the payoffs ``u_1 = -f`` and ``u_2 = f`` cancel, so no evaluation of
the profile itself is needed, only the two best responses. Both are 0
exactly at a Nash equilibrium (of the mixed extension when ``X`` and ``Y``
are mixtures).

When the players' own losses are not ``(f, -f)`` (a non-saturating
generator, a penalised discriminator), the two differ: NashConv uses each
player's own loss, and the duality gap is measured on the game's value
``f`` through its *minimax form*, the zero-sum game ``min_x max_y f`` that
the game provides with ``minimax_game()`` (the GAN with the minimax loss
and no penalties). This is the duality gap of Grnarova et al. (2019).

With an exact oracle the numbers are exact; with an estimated one
(:class:`~gamesim.bestresponse.oracles.InnerSteps`) they are lower bounds,
reported with the oracles' stated error.
"""

from __future__ import annotations

import numpy as np

from gamesim.bestresponse.mixtures import as_mixed, expected_profile_losses
from gamesim.bestresponse.oracles import (
    BestResponseOracle,
    ClosedForm,
    closed_form,
    default_oracle,
)
from gamesim.bestresponse.records import GapEstimate


def estimate_gap(game, first, second, oracle: BestResponseOracle | None = None,
                 starts=None) -> GapEstimate:
    """NashConv (and the duality gap of zero-sum games) of a profile.

    Parameters
    ----------
    game : Game
    first, second : ndarray or MixedStrategy
        The players' strategies: pure ``(B, k)`` or mixtures.
    oracle : BestResponseOracle, optional
        Default :func:`~gamesim.bestresponse.oracles.default_oracle`.
    starts : pair of ndarray, optional
        Where iterative oracles start; default each player's strategy
        (the mean of a mixture).

    Returns
    -------
    GapEstimate

    Examples
    --------
    Rock-paper-scissors, both on rock (reference D: NashConv 2):

    >>> import numpy as np
    >>> from gamesim import make_game
    >>> rps = make_game("matrix:name=rps")
    >>> rock = np.array([[1.0, 0.0, 0.0]])
    >>> estimate_gap(rps, rock, rock).nash_conv
    array([2.])
    """
    mixes = (as_mixed(first, game.sizes[0]), as_mixed(second, game.sizes[1]))
    oracle = default_oracle(game) if oracle is None else oracle
    if starts is None:
        starts = (mixes[0].mean(), mixes[1].mean())
    responses = tuple(
        oracle.best_response(game, i, mixes[1 - i], start=starts[i]) for i in (0, 1)
    )
    best = responses[0].value + responses[1].value
    if game.zero_sum:
        nash_conv = best
    else:
        payoffs = -expected_profile_losses(game, *mixes)
        nash_conv = best - payoffs.sum(axis=1)

    # a gain below zero is round-off (exact) or a weak estimate (a lower bound)
    nash_conv = np.maximum(nash_conv, 0.0)
    return GapEstimate(
        nash_conv=nash_conv,
        duality_gap=nash_conv if game.zero_sum else None,
        error=responses[0].error + responses[1].error,
        exact=responses[0].exact and responses[1].exact,
        responses=responses,
    )


def minimax_form(game):
    """The zero-sum game ``min_x max_y f`` with ``f = game.value``, or ``None``.

    The game itself when zero-sum, else ``game.minimax_game()`` when the
    game defines it.
    """
    if game.zero_sum:
        return game
    twin = getattr(game, "minimax_game", None)
    return twin() if callable(twin) else None


def has_player_losses(game) -> bool:
    """Whether each player's own loss can be evaluated (NashConv needs it)."""
    return bool(game.zero_sum or getattr(game, "simplex", False)
                or callable(getattr(game, "expected_losses", None)))


def gap_metric_names(game, suffix: str = "") -> list[str]:
    """The names :func:`gap_metrics` returns for ``game``."""
    names = []
    if has_player_losses(game):
        names.append("nash_conv" + suffix)
    if minimax_form(game) is not None:
        names.append("duality_gap" + suffix)
    return names


def gap_metrics(game, first, second, oracle: BestResponseOracle | None = None,
                suffix: str = "", starts=None) -> dict[str, np.ndarray]:
    """``nash_conv`` and ``duality_gap`` as metrics, names ending in ``suffix``.

    ``nash_conv`` needs each player's loss (:func:`has_player_losses`);
    ``duality_gap`` needs a minimax form (:func:`minimax_form`); a game with
    neither gets an empty dict. The stated errors of estimates stay in the
    :class:`GapEstimate` records (:func:`estimate_gap`): a history holds
    finite numbers only, and an error can be unknown (``inf``); how each
    number was obtained is given by :func:`gap_labels`. For the minimax
    form the oracle is the twin's default when ``oracle`` is a closed form
    the twin lacks.
    """
    out: dict[str, np.ndarray] = {}
    twin = minimax_form(game)
    if has_player_losses(game):
        gap = estimate_gap(game, first, second, oracle, starts)
        out["nash_conv" + suffix] = gap.nash_conv
        if twin is game:
            out["duality_gap" + suffix] = gap.duality_gap
    if twin is not None and twin is not game:
        if isinstance(oracle, ClosedForm) and closed_form(twin) is None:
            oracle = None
        out["duality_gap" + suffix] = estimate_gap(twin, first, second, oracle,
                                                   starts).duality_gap
    return out


def gap_labels(game) -> dict[str, str]:
    """How a game's ``nash_conv`` and ``duality_gap`` metrics are obtained.

    ``"exact"`` (closed forms, matrix games) or ``"estimated: ..."`` with
    the oracle's description, for reports. A game states its oracle with a
    ``gap_oracle`` attribute; games without one get an empty dict.

    Examples
    --------
    >>> from gamesim import make_game
    >>> gap_labels(make_game("dirac_bounded"))["duality_gap"]
    'exact (closed form)'
    """
    if getattr(game, "simplex", False):
        oracle = ClosedForm()
    else:
        oracle = getattr(game, "gap_oracle", None)
    if oracle is None:
        return {}
    if oracle.exact:
        text = f"exact ({oracle.describe()})"
    else:
        text = f"estimated: {oracle.describe()} (a lower bound)"
    return {name: text for name in gap_metric_names(game)}
