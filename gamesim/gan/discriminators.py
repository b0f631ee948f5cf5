"""Discriminators: the maximising player of the GAN game, with analytic
gradients.

A discriminator outputs a logit (or a critic value) ``f_phi(x)``. Every
discriminator here offers, batched over a leading run axis ``B``:

* ``n_params``, ``dim``; ``init_params(rng)``;
* ``logit(params (B, Q), x (B or 1, N, d)) -> (B, N)``;
* ``grad_params(params, x, w (B, N)) -> (B, Q)``:
  ``sum_j w_j grad_phi f(x_j)``, the gradient of a weighted loss;
* ``grad_x(params, x) -> (B, N, d)``: ``grad_x f`` at each sample, which
  drives the generator and the penalties;
* ``penalty_grad(params, x, v (B, N, d)) -> (B, Q)``:
  ``sum_j grad_phi (grad_x f(x_j) . v_j)``, the mixed second derivative
  that the gradient of an input-gradient penalty (R1, R2, WGAN-GP) needs:
  ``grad_phi (1/2)||grad_x f||^2 = penalty_grad`` with ``v = grad_x f``;
* ``at(params, x)``: the same four quantities from one evaluation (the
  game uses this to share the forward pass), and ``prepare(x)`` to compute
  the parameter-free part for inputs that never change (the data).

Two families:

:class:`FeatureLogistic`
    Logistic regression on fixed features, ``f(x) = c + w . phi(x)``, with
    ``phi`` one of

    * ``linear``: ``phi(x) = x``;
    * ``quadratic``: ``x`` and the products ``x_i x_j`` (``i <= j``), so the
      discriminator sees means and covariances and nothing else;
    * ``fourier``: random Fourier features
      ``sqrt(2/F) cos(Omega x + beta)``, ``Omega ~ N(0, I / bandwidth^2)``,
      ``beta ~ U(0, 2 pi)``, drawn once from a seed. Their inner products
      approximate a Gaussian kernel of that bandwidth (Rahimi and Recht
      2007), so the discriminator can tell any two distributions apart at
      that scale, while its logit stays linear in its parameters.

:class:`MLPDiscriminator`
    A ``tanh`` multilayer perceptron with one or two hidden layers and a
    linear scalar output.

References
----------
A. Rahimi, B. Recht (2007), "Random Features for Large-Scale Kernel
Machines", NeurIPS.
"""

from __future__ import annotations

import numpy as np

from gamesim.errors import ConfigError
from gamesim.gan.mlp import MLP

__all__ = ["FeatureLogistic", "MLPDiscriminator", "make_discriminator"]

FEATURES = ("linear", "quadratic", "fourier")


class _Evaluated:
    """One-shot derivatives through :meth:`at` (shared by the discriminators).

    Each discriminator's ``at(params, x)`` evaluates it once and gives its
    logit and derivatives on demand; these methods are the one-call forms.
    """

    def logit(self, params: np.ndarray, x) -> np.ndarray:
        """The logit ``f(x)``, shape ``(B, N)``."""
        return self.at(params, x).logit

    def grad_params(self, params, x, weights) -> np.ndarray:
        """``sum_j w_j grad_params f(x_j)``, shape ``(B, n_params)``."""
        return self.at(params, x).grad_params(weights)

    def grad_x(self, params, x) -> np.ndarray:
        """``grad_x f(x)``, shape ``(B, N, d)``."""
        return self.at(params, x).grad_x()

    def penalty_grad(self, params, x, v) -> np.ndarray:
        """``sum_j grad_params (grad_x f(x_j) . v_j)`` (for R1, R2 and GP)."""
        return self.at(params, x).penalty_grad(v)


class FeatureLogistic(_Evaluated):
    """Logistic regression ``f(x) = c + w . phi(x)`` on fixed features.

    Parameters
    ----------
    dim : int
        Input dimension ``d``.
    features : str or tuple of str
        The feature map ``phi``: ``linear``, ``quadratic`` or ``fourier``
        (see the module docstring), or several joined by ``+`` and
        concatenated, e.g. ``quadratic+fourier`` (a global quadratic pull
        plus local detail).
    n_features : int
        Number ``F`` of random Fourier features (``fourier`` only).
    bandwidth : float
        Length scale of the random Fourier features (``fourier`` only).
    seed : int
        Seed of the random frequencies and phases (``fourier`` only).

    Notes
    -----
    Parameters: ``(c, w_1, ..., w_F)``. The logit is linear in them, so the
    discriminator's cross-entropy loss is convex in its parameters.

    Examples
    --------
    >>> D = FeatureLogistic(dim=1, features="linear")
    >>> D.logit(np.array([[0.5, 2.0]]), np.array([[[1.0], [-1.0]]]))
    array([[ 2.5, -1.5]])
    """

    def __init__(self, dim: int = 1, features="fourier",
                 n_features: int = 64, bandwidth: float = 0.5, seed: int = 0):
        kinds = _feature_kinds(features)
        self.dim = int(dim)
        self.kinds = kinds
        self.features = "+".join(kinds)
        self.pairs = np.array(np.triu_indices(self.dim)).T
        sizes = []
        for kind in kinds:
            if kind == "linear":
                sizes.append(self.dim)
            elif kind == "quadratic":
                sizes.append(self.dim + len(self.pairs))
            else:
                if int(n_features) < 1 or not float(bandwidth) > 0:
                    raise ConfigError(
                        "fourier features: n_features >= 1 and bandwidth > 0 "
                        f"needed, got {n_features}, {bandwidth}"
                    )
                rng = np.random.default_rng(seed)
                self.bandwidth = float(bandwidth)
                self.omega = (rng.standard_normal((int(n_features), self.dim))
                              / bandwidth)
                self.phase = rng.uniform(0.0, 2 * np.pi, int(n_features))
                self.amp = np.sqrt(2.0 / int(n_features))
                sizes.append(int(n_features))
        self.n_features = sum(sizes)
        self.n_params = 1 + self.n_features

    def init_params(self, rng=None) -> np.ndarray:
        """All zeros: ``D(x) = 1/2`` everywhere."""
        return np.zeros(self.n_params)

    def param_names(self) -> list[str]:
        return ["bias"] + [f"w[{i}]" for i in range(self.n_features)]

    # -- the feature map and its Jacobian --------------------------------------
    def prepare(self, x: np.ndarray) -> Features:
        """The features of ``x`` (independent of the parameters), for reuse."""
        return Features(self, x)

    def phi(self, x: np.ndarray) -> np.ndarray:
        """Features ``(..., N, F)`` of inputs ``(..., N, d)``."""
        return Features(self, x).phi

    def jac(self, x: np.ndarray) -> np.ndarray:
        """``d phi / d x``, shape ``(..., N, F, d)``."""
        return Features(self, x).jac

    # -- the interface ------------------------------------------------------
    def at(self, params: np.ndarray, x) -> _LogisticAt:
        """The discriminator at ``params`` evaluated on ``x`` (array or
        :class:`Features`), with its derivatives on demand."""
        feats = x if isinstance(x, Features) else Features(self, x)
        return _LogisticAt(params, feats)



class Features:
    """Features ``phi(x)`` of fixed inputs, and their Jacobian on demand.

    Computed once for data that do not change (the full batch of real
    samples) and shared by every step. The Jacobian is kept in factored
    form where it has one: for Fourier features
    ``d phi_k / dx = -amp sin(omega_k . x + beta_k) omega_k``, so only the
    sines are stored.
    """

    def __init__(self, owner: FeatureLogistic, x: np.ndarray):
        self.owner = owner
        self.x = x
        self._sin = None
        self._quad_jac = None
        self._jac = None
        parts = []
        for kind in owner.kinds:
            if kind == "linear":
                parts.append(x)
            elif kind == "quadratic":
                pairs = owner.pairs
                parts += [x, x[..., pairs[:, 0]] * x[..., pairs[:, 1]]]
            else:
                self._arg = x @ owner.omega.T + owner.phase
                parts.append(owner.amp * np.cos(self._arg))
        self.phi = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)

    @property
    def sin(self) -> np.ndarray:
        """``-amp sin(omega . x + beta)``, shape ``(..., N, F_fourier)``."""
        if self._sin is None:
            self._sin = -self.owner.amp * np.sin(self._arg)
        return self._sin

    @property
    def quad_jac(self) -> np.ndarray:
        """Jacobian of the quadratic block, shape ``(..., N, F_quad, d)``."""
        if self._quad_jac is None:
            self._quad_jac = self._jacobian("quadratic")
        return self._quad_jac

    @property
    def jac(self) -> np.ndarray:
        """``d phi / d x`` in full, shape ``(..., N, F, d)``."""
        if self._jac is None:
            parts = [self._jacobian(kind) for kind in self.owner.kinds]
            self._jac = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-2)
        return self._jac

    def _jacobian(self, kind: str) -> np.ndarray:
        owner, x = self.owner, self.x
        d = owner.dim
        eye = np.eye(d)
        lin = np.broadcast_to(eye, x.shape[:-1] + (d, d))
        if kind == "linear":
            return lin
        if kind == "quadratic":
            i, j = owner.pairs[:, 0], owner.pairs[:, 1]
            # d(x_i x_j)/dx_k = x_j [i == k] + x_i [j == k]
            prods = x[..., j, None] * eye[i] + x[..., i, None] * eye[j]
            return np.concatenate([lin, prods], axis=-2)
        return self.sin[..., None] * owner.omega


def _feature_kinds(features) -> tuple[str, ...]:
    """Parse ``"fourier"``, ``"quadratic+fourier"`` or a tuple of kinds."""
    if isinstance(features, str):
        kinds = tuple(k.strip() for k in features.replace(";", "+").split("+"))
    else:
        kinds = tuple(features)
    bad = [k for k in kinds if k not in FEATURES]
    if not kinds or bad or len(set(kinds)) != len(kinds):
        raise ConfigError(
            f"unknown or repeated discriminator features {features!r} (known: "
            f"{', '.join(FEATURES)}, combined with '+', e.g. quadratic+fourier)"
        )
    return kinds


class _LogisticAt:
    """A feature-logistic discriminator at given parameters and inputs.

    Products with the features use matrix multiplication broadcast over the
    run axis (the shared data carry a run axis of length 1).
    """

    def __init__(self, params, feats: Features):
        self.params = params
        self.feats = feats
        w = params[:, 1:]
        self.logit = params[:, None, 0] + np.matmul(feats.phi, w[:, :, None])[..., 0]

    def _blocks(self):
        """(kind, slice of w) for each block of features."""
        owner, start = self.feats.owner, 0
        for kind in owner.kinds:
            size = {"linear": owner.dim,
                    "quadratic": owner.dim + len(owner.pairs)}.get(
                kind, getattr(owner, "omega", np.empty((0,))).shape[0])
            yield kind, slice(start, start + size)
            start += size

    def grad_params(self, weights):
        feats = np.matmul(weights[:, None, :], self.feats.phi)[:, 0, :]
        return np.concatenate([weights.sum(axis=1, keepdims=True), feats], axis=1)

    def grad_x(self):
        x = self.feats.x
        w = self.params[:, 1:]
        out = np.zeros((w.shape[0],) + x.shape[1:])
        for kind, part in self._blocks():
            wk = w[:, part]
            if kind == "linear":
                out += wk[:, None, :]
            elif kind == "quadratic":
                out += np.einsum("bnfd,bf->bnd", _runs(self.feats.quad_jac, w), wk)
            else:
                out += (self.feats.sin * wk[:, None, :]) @ self.feats.owner.omega
        return out

    def penalty_grad(self, v):
        parts = [np.zeros((v.shape[0], 1))]
        for kind, _ in self._blocks():
            if kind == "linear":
                parts.append(v.sum(axis=1))
            elif kind == "quadratic":
                jac = _runs(self.feats.quad_jac, self.params)
                parts.append(np.einsum("bnfd,bnd->bf", jac, v))
            else:
                proj = v @ self.feats.owner.omega.T
                parts.append(np.sum(self.feats.sin * proj, axis=1))
        return np.concatenate(parts, axis=1)


class MLPDiscriminator(_Evaluated):
    """A ``tanh`` multilayer perceptron discriminator with a scalar logit.

    Parameters
    ----------
    dim : int
        Input dimension ``d``.
    hidden : int or tuple of int
        One (``16``) or two (``(16, 16)``) hidden layers.

    Notes
    -----
    Its initial parameters (:meth:`init_params`) have random hidden layers
    and a zero output layer, so ``D(x) = 1/2`` everywhere at the start.
    """

    def __init__(self, dim: int = 1, hidden=(16,)):
        hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        if not 1 <= len(hidden) <= 2 or min(hidden) < 1:
            raise ConfigError(
                f"MLP discriminator: one or two hidden layers of width >= 1, "
                f"got {hidden}"
            )
        self.dim = int(dim)
        self.net = MLP(self.dim, hidden, 1)
        self.n_params = self.net.n_params

    def init_params(self, rng=None) -> np.ndarray:
        """LeCun-normal hidden layers from ``rng``, zero output layer."""
        rng = rng if rng is not None else np.random.default_rng(0)
        return self.net.init_params(rng, out_scale=0.0)

    def param_names(self) -> list[str]:
        return self.net.names()

    def prepare(self, x: np.ndarray) -> np.ndarray:
        """Nothing to precompute without the parameters: ``x`` itself."""
        return x

    def at(self, params: np.ndarray, x: np.ndarray) -> _MLPAt:
        """The network at ``params`` evaluated on ``x``, derivatives on demand."""
        return _MLPAt(self.net, params, x)



class _MLPAt:
    """An MLP discriminator at given parameters and inputs (one forward pass)."""

    def __init__(self, net: MLP, params, x):
        self.net, self.params = net, params
        out, self.acts = net.forward(params, x)
        self.logit = out[..., 0]

    def grad_params(self, weights):
        grad, _ = self.net.backward(self.params, self.acts, weights[..., None],
                                    want_x=False)
        return grad

    def grad_x(self):
        ones = np.ones(self.logit.shape + (1,))
        _, gx = self.net.backward(self.params, self.acts, ones)
        return gx

    def penalty_grad(self, v):
        return self.net.input_grad_vjp(self.params, self.acts, v)


def _runs(arr: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Broadcast an array computed from shared inputs to the run axis."""
    return np.broadcast_to(arr, (params.shape[0],) + arr.shape[1:])


def make_discriminator(kind: str, dim: int, *, hidden=(16,), n_features: int = 64,
                       bandwidth: float = 0.5, seed: int = 0):
    """Build a discriminator by name: linear, quadratic, fourier or mlp."""
    if kind == "mlp":
        return MLPDiscriminator(dim, hidden)
    try:
        _feature_kinds(kind)
    except ConfigError:
        raise ConfigError(
            f"unknown discriminator {kind!r} (known: {', '.join(FEATURES)}, "
            "combinations such as quadratic+fourier, and mlp)"
        ) from None
    return FeatureLogistic(dim, kind, n_features, bandwidth, seed)
