"""The Gaussian location game with a bounded generator (``gaussian_bounded``).

The game of :class:`~gamesim.gan.gaussian.GaussianGame` (data ``N(m, 1)``,
generator ``N(theta, 1)``, discriminator ``sigmoid(a + b x)``) with
``theta`` in ``[m - R, m + R]``; the discriminator is free. The optimal
discriminator ``sigmoid(a* + b* x)``, ``a* = (theta^2 - m^2)/2``,
``b* = m - theta``, answers one generator exactly; a mixture of generators
is answered by Newton's method on the concave logistic objective, to
round-off. The generator's loss is concave (standard) or convex
(non-saturating) in ``theta``, so its answer is the better end of the
interval or a bisection.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from gamesim.bestresponse.mixtures import MixedStrategy, as_mixed, expected_loss
from gamesim.bestresponse.records import BestResponse
from gamesim.errors import ConfigError
from gamesim.games.bounded import ExactGapMetrics, check_bound, interval_player
from gamesim.numerics import softplus
from gamesim.gan.gaussian import GaussianGame
from gamesim.registry import register_game

#: Newton iterations for the discriminator's answer to a mixture
NEWTON_STEPS = 60


@register_game("gaussian_bounded")
class BoundedGaussianGame(ExactGapMetrics, GaussianGame):
    """Gaussian location GAN with the generator's mean in ``[m - R, m + R]``.

    Parameters
    ----------
    mean, loss, theta0, a0, b0 : see :class:`~gamesim.gan.gaussian.GaussianGame`
    bound : float
        ``R`` (default 2); the discriminator ``(a, b)`` is unbounded.

    Notes
    -----
    Against a discriminator ``(a, b)`` the generator's loss is monotone in
    ``theta`` (``V`` falls as ``b theta`` grows), so the bound is what makes
    its best response, and the duality gap, finite. The discriminator's
    answer to one generator is the closed form ``(a*, b*)``; to a mixture,
    Newton's method on the concave logistic objective, run until half the
    squared Newton decrement (the stated error) is below the round-off of
    the loss.
    """

    def __init__(self, mean: float = 0.0, loss: str = "standard",
                 theta0: float | None = None, a0: float = 0.0, b0: float = 0.0,
                 bound: float = 2.0):
        super().__init__(mean=mean, loss=loss, theta0=theta0, a0=a0, b0=b0)
        self.bound = check_bound("gaussian_bounded", bound)
        if abs(self._z0[0] - self.mean) > self.bound:
            raise ConfigError(
                f"gaussian_bounded: theta0 = {self._z0[0]:g} lies outside "
                f"[{self.mean - self.bound:g}, {self.mean + self.bound:g}]")
        self.constrained = True
        self.name = self.name.replace("gaussian:", "gaussian_bounded:") + \
            f",bound={self.bound:g}"

    def project(self, z):
        out = np.array(z, dtype=float)
        out[:, 0] = np.clip(out[:, 0], self.mean - self.bound, self.mean + self.bound)
        return out

    def minimax_game(self) -> BoundedGaussianGame:
        """The zero-sum game on this game's value (the standard loss)."""
        theta0, a0, b0 = self._z0
        return BoundedGaussianGame(mean=self.mean, loss="standard", theta0=theta0,
                                   a0=a0, b0=b0, bound=self.bound)

    def bounds(self, player: int):
        """Bounds for scipy: the generator's interval; none for (a, b)."""
        if player == 0:
            return [(self.mean - self.bound, self.mean + self.bound)]
        return None

    def best_response(self, player: int, opponent, start=None) -> BestResponse:
        """Exact best response to a mixture of the opponent's parameters.

        ``start``, the discriminator's current ``(a, b)``, warm-starts
        Newton's method; by default it starts from the optimal discriminator
        of the mixture's mean generator.
        """
        opponent = as_mixed(opponent, self.sizes[1 - player])
        if player == 0:
            return interval_player(self, 0, opponent, self.mean - self.bound,
                                    self.mean + self.bound)
        return self._discriminator_response(opponent.merged(), start)

    def best_response_candidates(self, player: int) -> np.ndarray | None:
        """The ends of the generator's interval (standard loss), else ``None``."""
        if player == 0 and self.loss == "standard":
            return np.array([[self.mean - self.bound], [self.mean + self.bound]])
        return None

    def _discriminator_response(self, mix: MixedStrategy, start) -> BestResponse:
        ab = self.optimal_discriminator(mix.mean()[:, 0])
        if mix.size == 1:
            value = -expected_loss(self, 1, ab, mix)
            return BestResponse(1, ab, value, np.zeros(len(ab)), True,
                                "closed form (optimal discriminator)")

        if start is not None:
            ab = np.array(np.atleast_2d(start), dtype=float)
        # Damped Newton on L_D(a, b), which is convex; stop when half the
        # squared Newton decrement, an estimate of L_D - min L_D, is below
        # the round-off of L_D itself.
        loss, grad, hess = self._discriminator_model(ab, mix)
        for _ in range(NEWTON_STEPS):
            step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
            error = np.maximum(0.5 * np.sum(grad * step, axis=1), 0.0)
            if np.all(error <= 1e-15 * np.maximum(1.0, np.abs(loss))):
                break
            t = np.ones(len(ab))
            for _ in range(40):  # backtracking line search (Armijo)
                trial = ab - t[:, None] * step
                model = self._discriminator_model(trial, mix)
                worse = model[0] > loss - 0.5 * t * error + 1e-15 * np.abs(loss)
                if not worse.any():
                    break
                t = np.where(worse, 0.5 * t, t)
            ab, (loss, grad, hess) = trial, model
        return BestResponse(1, ab, -loss, error, True,
                            "Newton's method on the concave logistic objective")

    def _discriminator_model(self, ab, mix: MixedStrategy):
        """``L_D``, its gradient and Hessian in ``(a, b)`` against a mixture.

        ``L_D = E_data softplus(-t) + E_g softplus(t)``, ``t = a + b x``,
        averaged over the mixture's generators (one quadrature call).
        """
        B, m = mix.weights.shape
        rows = np.concatenate([
            mix.atoms[:, :, :1],
            np.broadcast_to(ab[:, None, :], (B, m, 2))], axis=2).reshape(B * m, 3)

        def curve(t):
            return expit(t) * expit(-t)

        real, fake = self._expect(rows, [
            lambda t, x: softplus(-t), lambda t, x: softplus(t),
            lambda t, x: expit(-t), lambda t, x: expit(-t) * x,
            lambda t, x: expit(t), lambda t, x: expit(t) * x,
            lambda t, x: curve(t), lambda t, x: curve(t) * x,
            lambda t, x: curve(t) * x * x,
        ])
        w = mix.weights.reshape(B * m)

        def mean(values):
            return np.sum((w * values).reshape(B, m), axis=1)

        loss = mean(real[0] + fake[1])
        grad = np.stack([mean(-real[2] + fake[4]), mean(-real[3] + fake[5])], axis=1)
        h = [mean(real[k] + fake[k]) for k in (6, 7, 8)]
        hess = np.stack([np.stack([h[0], h[1]], 1), np.stack([h[1], h[2]], 1)], 1)
        return loss, grad, hess
