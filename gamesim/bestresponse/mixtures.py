"""Mixed strategies over a player's parameters, and payoffs against them.

A :class:`MixedStrategy` is a finite mixture of parameter vectors (its
*atoms*) with weights, one mixture per run: the output of fictitious play
(the uniform or exponentially weighted mixture of past strategies) and the
opponent a best response answers. A pure strategy is a mixture with one
atom.

Expected losses against a mixture are weighted sums over its atoms,
evaluated in one batched call of the game on the joint vectors
``(own, atom_j)``. This needs each player's loss at a joint vector:
:func:`player_losses` reads it from the game (``expected_losses`` when the
game defines it, ``(f, -f)`` for zero-sum games, the payoff matrices of a
matrix game).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gamesim.errors import ConfigError


class MixedStrategy(NamedTuple):
    """A finite mixture of one player's parameter vectors, per run.

    Attributes
    ----------
    atoms : ndarray, shape (B, m, k)
        ``m`` parameter vectors of length ``k`` for each of ``B`` runs.
    weights : ndarray, shape (B, m)
        Non-negative weights summing to 1 in each run.

    Examples
    --------
    >>> import numpy as np
    >>> mix = MixedStrategy(np.array([[[1.0], [3.0]]]), np.array([[0.25, 0.75]]))
    >>> mix.mean()
    array([[2.5]])
    """

    atoms: np.ndarray
    weights: np.ndarray

    @classmethod
    def pure(cls, params) -> MixedStrategy:
        """The mixture with one atom, ``params`` of shape ``(B, k)``."""
        params = np.atleast_2d(np.asarray(params, dtype=float))
        return cls(params[:, None, :], np.ones((params.shape[0], 1)))

    @property
    def runs(self) -> int:
        """Number of runs ``B``."""
        return self.atoms.shape[0]

    @property
    def size(self) -> int:
        """Number of atoms ``m``."""
        return self.atoms.shape[1]

    def mean(self) -> np.ndarray:
        """The weighted mean of the atoms, ``(B, k)`` (the averaged strategy)."""
        return np.einsum("bm,bmk->bk", self.weights, self.atoms)

    def merged(self) -> MixedStrategy:
        """The same mixture with equal atoms merged (their weights added).

        Fictitious play often replays a few strategies many times (the ends
        of an interval); merging them makes each evaluation cheaper. Runs with
        fewer distinct atoms are padded with zero-weight copies.
        """
        parts = []
        for atoms, weights in zip(self.atoms, self.weights):
            unique, inverse = np.unique(atoms, axis=0, return_inverse=True)
            parts.append((unique, np.bincount(inverse.ravel(), weights,
                                              minlength=len(unique))))
        size = max(len(u) for u, _ in parts)
        if size == self.size:
            return self
        atoms = np.empty((self.runs, size, self.atoms.shape[2]))
        weights = np.zeros((self.runs, size))
        for b, (unique, w) in enumerate(parts):
            atoms[b, :len(unique)] = unique
            atoms[b, len(unique):] = unique[0]
            weights[b, :len(unique)] = w
        return MixedStrategy(atoms, weights)

    def replay(self, count: int, rngs) -> MixedStrategy:
        """``count`` atoms drawn by weight, with replacement, one set per run.

        Run ``b`` draws from ``rngs[b]``; the sample, with equal weights, is
        an unbiased stand-in for the mixture in any expectation.
        """
        picks = np.stack([rng.choice(self.size, size=count, p=w / w.sum())
                          for rng, w in zip(rngs, self.weights)])
        atoms = np.take_along_axis(self.atoms, picks[:, :, None], axis=1)
        return MixedStrategy(atoms, np.full(picks.shape, 1.0 / count))

    def thinned(self, count: int) -> MixedStrategy:
        """At most ``count`` atoms at evenly spaced quantiles of the weights.

        A deterministic, stratified summary of a long mixture: atom ``i`` of
        the result is the one whose cumulative weight first reaches
        ``(i + 1/2) / count``; the result has equal weights.
        """
        if self.size <= count:
            return self
        cumulative = np.cumsum(self.weights, axis=1)
        levels = (np.arange(count) + 0.5) / count
        picks = np.stack([np.minimum(np.searchsorted(c / c[-1], levels), self.size - 1)
                          for c in cumulative])
        atoms = np.take_along_axis(self.atoms, picks[:, :, None], axis=1)
        return MixedStrategy(atoms, np.full(picks.shape, 1.0 / count))

    def quadratic_mean(self, M: np.ndarray) -> np.ndarray:
        """``E[a^T M a]`` over the mixture, ``(B,)``."""
        return np.einsum("bm,bmi,ij,bmj->b", self.weights, self.atoms, M, self.atoms)


def as_mixed(strategy, k: int | None = None) -> MixedStrategy:
    """View a pure strategy ``(B, k)`` or ``(k,)`` or a mixture as a mixture.

    Raises
    ------
    ConfigError
        If the shapes do not fit ``k`` parameters or the weights are not a
        probability vector in every run.
    """
    if isinstance(strategy, MixedStrategy):
        mix = MixedStrategy(np.asarray(strategy.atoms, dtype=float),
                            np.asarray(strategy.weights, dtype=float))
        if mix.atoms.ndim != 3 or mix.weights.shape != mix.atoms.shape[:2]:
            raise ConfigError(
                f"mixed strategy: atoms {mix.atoms.shape} and weights "
                f"{mix.weights.shape} do not match (expected (B, m, k) and (B, m))"
            )
        total = mix.weights.sum(axis=1)
        if np.any(mix.weights < 0) or not np.allclose(total, 1.0, rtol=0, atol=1e-9):
            raise ConfigError("mixed strategy: weights must be >= 0 and sum to 1")
    else:
        mix = MixedStrategy.pure(strategy)
    if k is not None and mix.atoms.shape[2] != k:
        raise ConfigError(
            f"strategy has {mix.atoms.shape[2]} parameters; this player has {k}"
        )
    return mix


def player_losses(game, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each player's loss at the joint vectors ``z`` (B, n): ``(loss_1, loss_2)``.

    Raises
    ------
    NotImplementedError
        For a game that is not zero-sum and does not define
        ``expected_losses``.
    """
    own = getattr(game, "expected_losses", None)
    if own is not None:
        return own(z)
    if getattr(game, "simplex", False):
        # matrix games: both players maximise x^T A y and x^T B y
        x, y = game.split(z)
        return (-np.einsum("bi,ij,bj->b", x, game.A, y),
                -np.einsum("bi,ij,bj->b", x, game.B, y))
    if game.zero_sum:
        f = np.asarray(game.value(z), dtype=float)
        return f, -f
    raise NotImplementedError(
        f"game {game.name!r} is not zero-sum and does not say each player's "
        "loss (expected_losses); its best responses cannot be evaluated"
    )


def joint_rows(game, player: int, own: np.ndarray, atoms: np.ndarray) -> np.ndarray:
    """Joint vectors ``(own_b, atom_bj)`` for every run ``b`` and atom ``j``.

    Parameters
    ----------
    own : ndarray, shape (B, k_player)
    atoms : ndarray, shape (B, m, k_opponent)

    Returns
    -------
    ndarray, shape (B * m, n), run-major (the ``m`` rows of run 0 first).
    """
    B, m = atoms.shape[:2]
    mine = np.broadcast_to(own[:, None, :], (B, m, own.shape[-1]))
    parts = (mine, atoms) if player == 0 else (atoms, mine)
    return np.concatenate(parts, axis=2).reshape(B * m, game.n)


def expected_loss(game, player: int, own: np.ndarray,
                  opponent: MixedStrategy) -> np.ndarray:
    """``E_j loss_player(own, opponent_j)`` per run, ``(B,)``."""
    rows = joint_rows(game, player, own, opponent.atoms)
    loss = player_losses(game, rows)[player].reshape(opponent.weights.shape)
    return np.sum(opponent.weights * loss, axis=1)


def expected_gradient(game, player: int, own: np.ndarray, opponent: MixedStrategy,
                      noise=None) -> np.ndarray:
    """Gradient of the expected loss w.r.t. the player's parameters, ``(B, k)``.

    The game's field at each joint vector ``(own, opponent_j)``, own block,
    weighted over the atoms. ``noise`` (one generator per run) is handed to
    a stochastic game's field, each run's generator serving its own rows.
    """
    rows = joint_rows(game, player, own, opponent.atoms)
    if noise is not None and game.stochastic:
        m = opponent.size
        g = game.field(rows, [rng for rng in noise for _ in range(m)])
    else:
        g = game.field(rows)
    block = g[:, game.slices[player]].reshape(opponent.atoms.shape[:2] + (-1,))
    return np.einsum("bm,bmk->bk", opponent.weights, block)


def candidate_losses(game, player: int, candidates: np.ndarray,
                     atoms: np.ndarray) -> np.ndarray:
    """Loss of each candidate strategy against each atom, ``(B, m, c)``.

    Parameters
    ----------
    candidates : ndarray, shape (c, k)
        Strategies of ``player`` (shared by every run).
    atoms : ndarray, shape (B, m, k_opponent)
    """
    B, m = atoms.shape[:2]
    out = np.empty((B, m, len(candidates)))
    for i, candidate in enumerate(candidates):
        own = np.broadcast_to(candidate, (B, len(candidate)))
        rows = joint_rows(game, player, own, atoms)
        out[:, :, i] = player_losses(game, rows)[player].reshape(B, m)
    return out


def best_candidate(player: int, candidates: np.ndarray, weights: np.ndarray,
                   losses: np.ndarray):
    """The best of finitely many candidates against a mixture, exactly.

    For a player whose best response always lies among ``candidates`` (the
    ends of an interval when its loss is concave), the expected loss of each
    is linear in the mixture: ``weights @ losses``.

    Parameters
    ----------
    weights : ndarray, shape (B, m)
        The opponent mixture's weights.
    losses : ndarray, shape (B, m, c)
        :func:`candidate_losses` against the mixture's atoms.

    Returns
    -------
    BestResponse
        Ties go to the first candidate.
    """
    from gamesim.bestresponse.records import BestResponse

    expected = np.einsum("bm,bmc->bc", weights, losses)
    pick = np.argmin(expected, axis=1)
    value = -expected[np.arange(len(pick)), pick]
    return BestResponse(player, candidates[pick], value, np.zeros(len(pick)), True,
                        "closed form (best of the candidate strategies)")


def expected_profile_losses(game, first: MixedStrategy, second: MixedStrategy,
                            ) -> np.ndarray:
    """``E loss_i`` with both players mixing independently, ``(B, 2)``.

    Costs one loss evaluation per pair of atoms (``m_1 m_2`` per run); zero-sum
    estimators avoid it because the two payoffs cancel.
    """
    total = np.zeros((first.runs, 2))
    for i in range(first.size):
        own = first.atoms[:, i, :]
        rows = joint_rows(game, 0, own, second.atoms)
        losses = player_losses(game, rows)
        for p in (0, 1):
            per_atom = losses[p].reshape(second.weights.shape)
            total[:, p] += first.weights[:, i] * np.sum(second.weights * per_atom,
                                                        axis=1)
    return total
