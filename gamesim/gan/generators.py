"""Generators: the minimising player of the GAN game, with analytic gradients.

A generator maps latent noise ``eps`` to samples ``x = G_theta(eps)`` in
``R^d``. Every generator here offers, batched over a leading run axis ``B``:

* ``n_params``, ``dim`` (``d``), ``latent_dim``;
* ``init_params(rng)``: a sensible starting vector ``(P,)``;
* ``latent(rng, m)``: ``m`` latent draws from an explicit numpy Generator;
  ``quasi_latent(m, seed)``: a low-discrepancy latent set (scrambled Sobol'
  points mapped through the normal quantile), used for the fixed evaluation
  sample so that measures are deterministic and nearly free of Monte Carlo
  noise;
* ``sample(params (B, P), latent (B or 1, M, k)) -> (B, M, d)``;
* ``vjp(params, latent, cot (B, M, d)) -> (B, P)``: the vector-Jacobian
  product ``sum_j cot_j . d x_j / d theta``, which is all the game needs to
  push the discriminator's input gradient back into the generator;
* ``weights(params, m) -> (B, M)`` or ``None`` and
  ``weights_vjp(params, m, cot (B, M)) -> (B, P)``: sample weights (mixture
  generators) and their vector-Jacobian product.

Three families:

:class:`AffineGenerator`
    ``x = m + L eps``, ``eps ~ N(0, I_d)``, ``L`` lower triangular: a
    Gaussian with mean ``m`` and full covariance ``L L^T`` (in 1-D a
    location-scale family). The entries of ``L`` are free (not
    log-transformed), so the map is linear in the parameters; ``L`` and
    ``L diag(+-1)`` give the same distribution.
:class:`MixtureGenerator`
    ``K`` Gaussian components with learnable means and lower-triangular
    scale factors, and weights ``pi = softmax(alpha)`` that are either
    learned (the default) or fixed equal. The discrete choice of component
    is never sampled: latent draw ``j`` is always pushed through component
    ``c = j mod K`` (fixed assignment), ``x_j = m_c + L_c eps_j``, which is
    reparameterised, and the component's probability enters as a *sample
    weight* ``w_j = pi_c M / M_c`` (``M_c`` the draws of component ``c``;
    the weights average 1). Every expectation under the generator is then
    the weighted mean over its draws,

        E_g h(x) = sum_c pi_c E h(m_c + L_c eps) ~ (1/M) sum_j w_j h(x_j),

    an unbiased estimate in which the component is summed out exactly (a
    stratified, Rao-Blackwellised estimate). Its gradient with respect to
    the means and scales is pathwise, and with respect to the logits
    ``d/d alpha_k = pi_k (E_k h - E_g h)``; no score-function (REINFORCE)
    term is needed. Generators expose the weights through
    :meth:`Generator.weights` (``None`` means equal weights) and their
    gradient through :meth:`Generator.weights_vjp`.
:class:`MLPGenerator`
    ``x = MLP(eps)`` with one or two ``tanh`` hidden layers and a linear
    output, ``eps ~ N(0, I_k)``.

Reference for the reparameterised gradient: D. Kingma, M. Welling (2014),
"Auto-Encoding Variational Bayes", ICLR.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from gamesim.errors import ConfigError
from gamesim.gan.mlp import MLP

__all__ = ["AffineGenerator", "MLPGenerator", "MixtureGenerator", "make_generator"]


class Generator:
    """Common helpers of the generators (latent noise)."""

    dim: int = 1
    latent_dim: int = 1
    n_params: int = 0

    def latent(self, rng: np.random.Generator, m: int) -> np.ndarray:
        """``m`` independent standard normal latent vectors, ``(m, k)``."""
        return rng.standard_normal((m, self.latent_dim))

    def quasi_latent(self, m: int, seed: int) -> np.ndarray:
        """``m`` low-discrepancy standard normal latent vectors, ``(m, k)``.

        Scrambled Sobol' points (seeded) mapped through the normal quantile.
        """
        return _normal_sobol(m, self.latent_dim, seed)

    def param_names(self) -> list[str]:
        """Names of the parameters, in order."""
        return [f"theta[{i}]" for i in range(self.n_params)]

    def weights(self, params: np.ndarray, m: int) -> np.ndarray | None:
        """Weights of ``m`` draws, averaging 1; ``None``: all equal."""
        return None

    def weights_vjp(self, params: np.ndarray, m: int, cot: np.ndarray):
        """``sum_j cot_j d w_j / d theta``; zero for equal weights."""
        return np.zeros(params.shape)


def _normal_sobol(m: int, k: int, seed: int) -> np.ndarray:
    sobol = stats.qmc.Sobol(d=k, scramble=True, seed=np.random.default_rng(seed))
    # Sobol' points are balanced in blocks of powers of two; draw the next
    # power and keep the first m (balance is then approximate)
    u = sobol.random(2 ** math.ceil(math.log2(max(m, 2))))[:m]
    return stats.norm.ppf(u)


class MixtureGenerator(Generator):
    """A mixture of ``K`` Gaussians in ``R^d``.

    Parameters
    ----------
    dim : int
        Output dimension ``d``.
    components : int
        Number of components ``K``.
    weights : {"learned", "equal"}
        Learn the mixture weights ``pi = softmax(alpha)`` or fix them to
        ``1/K``.

    Notes
    -----
    Parameters: the ``K`` logits ``alpha`` (learned weights only), then
    component by component the mean ``m_c`` (``d`` values) and the lower
    triangle of ``L_c`` row by row (``d (d + 1) / 2`` values). Latent draw
    ``j`` uses component ``j mod K`` and carries the weight
    ``pi_c M / M_c`` (see the module docstring).

    Examples
    --------
    >>> g = MixtureGenerator(dim=1, components=2, weights="equal")
    >>> theta = np.array([[-1.0, 0.1, 2.0, 0.2]])   # m1, L1, m2, L2
    >>> g.sample(theta, np.zeros((1, 4, 1)))[0, :, 0]
    array([-1.,  2., -1.,  2.])
    """

    def __init__(self, dim: int = 1, components: int = 2, weights: str = "learned"):
        if int(dim) < 1 or int(components) < 1:
            raise ConfigError(
                f"mixture generator: dim and components must be >= 1, "
                f"got {dim}, {components}"
            )
        if weights not in ("learned", "equal"):
            raise ConfigError(
                f"mixture generator: weights must be 'learned' or 'equal', "
                f"got {weights!r}"
            )
        self.dim = int(dim)
        self.latent_dim = self.dim
        self.components = int(components)
        self.learned = weights == "learned" and self.components > 1
        self.n_logits = self.components if self.learned else 0
        self.rows, self.cols = np.tril_indices(self.dim)
        self.block = self.dim + len(self.rows)
        self.n_params = self.n_logits + self.components * self.block

    # -- parameters --------------------------------------------------------------
    def unpack(self, params):
        """Means ``(B, K, d)`` and scale factors ``(B, K, d, d)``."""
        body = params[..., self.n_logits:]
        blocks = body.reshape(body.shape[:-1] + (self.components, self.block))
        means = blocks[..., : self.dim]
        factors = np.zeros(blocks.shape[:-1] + (self.dim, self.dim))
        factors[..., self.rows, self.cols] = blocks[..., self.dim :]
        return means, factors

    def pack(self, means, factors, logits=None):
        """Inverse of :meth:`unpack` (upper triangles are ignored).

        ``logits`` default to zeros (equal weights) when they are learned.
        """
        tri = factors[..., self.rows, self.cols]
        blocks = np.concatenate([means, tri], axis=-1)
        body = blocks.reshape(blocks.shape[:-2] + (-1,))
        if not self.learned:
            return body
        if logits is None:
            logits = np.zeros(body.shape[:-1] + (self.components,))
        return np.concatenate([logits, body], axis=-1)

    def mixture_weights(self, params) -> np.ndarray:
        """``pi = softmax(alpha)``, shape ``(B, K)`` (``1/K`` if fixed)."""
        if not self.learned:
            return np.full(params.shape[:-1] + (self.components,),
                           1.0 / self.components)
        alpha = params[..., : self.components]
        alpha = alpha - alpha.max(axis=-1, keepdims=True)
        e = np.exp(alpha)
        return e / e.sum(axis=-1, keepdims=True)

    def init_params(self, rng: np.random.Generator | None = None) -> np.ndarray:
        """Components whose mixture has mean 0 and covariance near ``I``.

        Equal weights; the means are spread deterministically (normal
        quantiles in 1-D, points on a circle of radius 1 in 2-D, random
        from ``rng`` in higher dimension) so that they carry half of the
        variance, and each component has scale ``sqrt(1/2) I``. With one
        component this is the standard normal. ``rng`` is only used for
        ``d > 2``.
        """
        k, d = self.components, self.dim
        if k == 1:
            return self.pack(np.zeros((1, d)), np.eye(d)[None])
        if d == 1:
            u = stats.norm.ppf((np.arange(k) + 0.5) / k)
            means = (u / np.sqrt(np.mean(u**2)) * np.sqrt(0.5))[:, None]
        elif d == 2:
            angle = 2 * np.pi * np.arange(k) / k + np.pi / 4
            means = np.stack([np.cos(angle), np.sin(angle)], axis=1)
        else:
            rng = rng if rng is not None else np.random.default_rng(0)
            means = rng.standard_normal((k, d)) * np.sqrt(0.5)
        factors = np.broadcast_to(np.sqrt(0.5) * np.eye(d), (k, d, d))
        return self.pack(means, factors)

    def param_names(self) -> list[str]:
        names = [f"logit{c}" for c in range(self.n_logits)]
        for c in range(self.components):
            names += [f"mean{c}[{i}]" for i in range(self.dim)]
            names += [f"scale{c}[{r},{s}]" for r, s in zip(self.rows, self.cols)]
        return names

    def affine_image(self, params, scale, shift) -> np.ndarray:
        """Parameters of ``x -> scale * x + shift`` applied to the samples.

        ``scale`` and ``shift`` have shape ``(d,)``; the means map to
        ``scale m + shift`` and the factors to ``diag(scale) L``.
        """
        params = np.atleast_2d(params)
        means, factors = self.unpack(params)
        logits = params[:, : self.n_logits] if self.learned else None
        return self.pack(means * scale + shift, factors * np.asarray(scale)[:, None],
                         logits)

    # -- latent noise: fixed component assignment j mod K ------------------------
    def assignment(self, m: int) -> np.ndarray:
        """Component of each of ``m`` latent draws: ``j mod K``."""
        return np.arange(m) % self.components

    def quasi_latent(self, m: int, seed: int) -> np.ndarray:
        """Low-discrepancy latents, balanced within every component.

        Each component receives the same ``ceil(m / K)`` Sobol' points, so
        its part of the evaluation sample is itself low-discrepancy.
        """
        per = -(-m // self.components)
        base = _normal_sobol(per, self.dim, seed)
        return np.repeat(base, self.components, axis=0)[:m]

    # -- sampling and its vector-Jacobian product ---------------------------------
    def sample(self, params: np.ndarray, latent: np.ndarray) -> np.ndarray:
        """``x_j = m_c + L_c eps_j`` with ``c = j mod K``; ``(B, M, d)``."""
        means, factors = self.unpack(params)
        comp = self.assignment(latent.shape[-2])
        return means[:, comp, :] + np.einsum(
            "bmij,bmj->bmi", factors[:, comp], np.broadcast_to(
                latent, (params.shape[0],) + latent.shape[-2:])
        )

    def vjp(self, params, latent, cot) -> np.ndarray:
        """``sum_j cot_j . d x_j / d theta``, shape ``(B, P)``."""
        comp = self.assignment(latent.shape[-2])
        onehot = np.eye(self.components)[comp]  # (M, K)
        eps = np.broadcast_to(latent, cot.shape[:2] + latent.shape[-1:])
        g_means = np.einsum("mk,bmd->bkd", onehot, cot)
        g_factors = np.einsum("mk,bmi,bmj->bkij", onehot, cot, eps)
        return self.pack(g_means, g_factors, np.zeros(cot.shape[:1] + (
            self.components,)))

    def _counts(self, m: int) -> np.ndarray:
        return np.bincount(self.assignment(m), minlength=self.components)

    def weights(self, params: np.ndarray, m: int) -> np.ndarray | None:
        """``w_j = pi_c M / M_c`` for draw ``j`` of component ``c``.

        ``None`` when the weights are fixed equal and ``M`` is a multiple
        of ``K`` (every weight is then 1).
        """
        counts = self._counts(m)
        if not self.learned and np.all(counts == counts[0]):
            return None
        pi = self.mixture_weights(params)
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(counts > 0, m / np.maximum(counts, 1), 0.0)
        return (pi * per)[:, self.assignment(m)]

    def weights_vjp(self, params: np.ndarray, m: int, cot: np.ndarray):
        """``sum_j cot_j d w_j / d theta`` (only the logits have a share).

        With ``S_c = (M / M_c) sum_{j in c} cot_j``:
        ``d/d alpha_k = pi_k (S_k - sum_c pi_c S_c)``.
        """
        out = np.zeros(params.shape)
        if not self.learned:
            return out
        counts = self._counts(m)
        onehot = np.eye(self.components)[self.assignment(m)]
        per = m / np.maximum(counts, 1)
        s = np.einsum("bm,mk->bk", cot, onehot) * per
        pi = self.mixture_weights(params)
        out[:, : self.components] = pi * (s - np.sum(pi * s, axis=1, keepdims=True))
        return out

    def log_density(self, params: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Exact ``log p_g(x)`` of the mixture, ``x (B, N, d) -> (B, N)``.

        Components with a singular factor have no density; their points get
        ``-inf`` elsewhere (a warning-free ``log 0``).
        """
        means, factors = self.unpack(params)
        diff = x[:, :, None, :] - means[:, None, :, :]  # (B, N, K, d)
        logs = []
        for c in range(self.components):
            fac = factors[:, c]
            diag = np.abs(np.diagonal(fac, axis1=-2, axis2=-1))
            with np.errstate(divide="ignore"):
                logdet = np.sum(np.log(diag), axis=-1)
            sol = _solve_lower(fac, diff[:, :, c, :])
            quad = np.sum(sol**2, axis=-1)
            logs.append(
                -0.5 * quad - logdet[:, None] - 0.5 * self.dim * math.log(2 * math.pi)
            )
        stacked = np.stack(logs, axis=-1)
        with np.errstate(divide="ignore"):
            log_pi = np.log(self.mixture_weights(params))[:, None, :]
        return np.logaddexp.reduce(stacked + log_pi, axis=-1)


def _solve_lower(fac: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``L u = rhs`` for each run, ``fac (B, d, d)``, ``rhs (B, N, d)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.empty_like(rhs)
        for i in range(rhs.shape[-1]):
            acc = rhs[..., i] - np.einsum("bj,bnj->bn", fac[:, i, :i], out[..., :i])
            out[..., i] = acc / fac[:, i, i][:, None]
    return out


class AffineGenerator(MixtureGenerator):
    """A Gaussian generator ``x = m + L eps`` (one mixture component).

    In 1-D the parameters are ``(m, s)`` and ``x = m + s eps``; in 2-D they
    are ``(m1, m2, L11, L21, L22)`` and the covariance is ``L L^T``.

    Examples
    --------
    >>> g = AffineGenerator(dim=1)
    >>> g.sample(np.array([[3.0, 2.0]]), np.array([[[0.5]]]))[0, 0, 0]
    np.float64(4.0)
    """

    def __init__(self, dim: int = 1):
        super().__init__(dim=dim, components=1, weights="equal")

    def param_names(self) -> list[str]:
        return [n.replace("mean0", "mean").replace("scale0", "scale")
                for n in super().param_names()]


class MLPGenerator(Generator):
    """A multilayer perceptron generator ``x = MLP(eps)``.

    Parameters
    ----------
    dim : int
        Output dimension ``d``.
    hidden : int or tuple of int
        Hidden widths: one layer (``16``) or two (``(16, 16)``).
    latent_dim : int, optional
        Latent dimension ``k`` (default ``d``).
    """

    def __init__(self, dim: int = 1, hidden=(16,), latent_dim: int | None = None):
        hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        if not 1 <= len(hidden) <= 2 or min(hidden) < 1:
            raise ConfigError(
                f"MLP generator: one or two hidden layers of width >= 1, "
                f"got {hidden}"
            )
        self.dim = int(dim)
        self.latent_dim = int(latent_dim or dim)
        self.net = MLP(self.latent_dim, hidden, self.dim)
        self.n_params = self.net.n_params

    def init_params(self, rng: np.random.Generator | None = None) -> np.ndarray:
        """LeCun-normal weights from ``rng`` (seed 0 if None), zero biases."""
        rng = rng if rng is not None else np.random.default_rng(0)
        return self.net.init_params(rng)

    def param_names(self) -> list[str]:
        return self.net.names()

    def affine_image(self, params, scale, shift) -> np.ndarray:
        """Parameters of ``x -> scale * x + shift`` applied to the outputs
        (the output layer's rows are scaled and its bias mapped)."""
        params = np.array(np.atleast_2d(params), dtype=float)
        w_out, b_out = self.net.unpack(params)[-1]
        w_out *= np.asarray(scale)[:, None]
        b_out *= scale
        b_out += shift
        return params

    def sample(self, params, latent) -> np.ndarray:
        """``MLP(eps)`` for each latent row, ``(B, M, d)``."""
        out, _ = self.net.forward(params, latent)
        return out

    def vjp(self, params, latent, cot) -> np.ndarray:
        """``sum_j cot_j . d x_j / d theta``, shape ``(B, P)``."""
        _, acts = self.net.forward(params, latent)
        grad, _ = self.net.backward(params, acts, cot, want_x=False)
        return grad


def make_generator(kind: str, dim: int, *, components: int = 3,
                   weights: str = "learned", hidden=(16,),
                   latent_dim: int | None = None):
    """Build a generator by name: ``affine``, ``mixture`` or ``mlp``."""
    if kind == "affine":
        return AffineGenerator(dim)
    if kind == "mixture":
        return MixtureGenerator(dim, components, weights)
    if kind == "mlp":
        return MLPGenerator(dim, hidden, latent_dim)
    raise ConfigError(
        f"unknown generator {kind!r} (known: affine, mixture, mlp)"
    )
