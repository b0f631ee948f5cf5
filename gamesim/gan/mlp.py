"""A small multilayer perceptron with analytic gradients, batched over runs.

Shared by the MLP generator and the MLP discriminator. The network maps
``x`` (``n_in`` values) through ``tanh`` hidden layers to a linear output::

    h_0 = x,   h_l = tanh(W_l h_{l-1} + b_l)   (l = 1..L),
    out = W_o h_L + b_o.

Parameters of one network are a flat vector (each layer's ``W`` row-major,
then its ``b``); a batch of networks is a ``(B, P)`` array, one row per run,
and inputs have shape ``(B, M, n_in)`` (or ``(1, M, n_in)``, shared by every
run).

Besides the usual reverse pass (:meth:`MLP.backward`) it offers the one
second-order quantity gradient penalties need (:meth:`MLP.input_grad_vjp`):
the parameter gradient of the directional input derivative
``sum_j grad_x out(x_j) . v_j`` of a scalar output. It differentiates, in
reverse, the forward-mode tangent program

    hdot_0 = v,   adot_l = W_l hdot_{l-1},   hdot_l = (1 - h_l^2) adot_l,
    outdot = W_o hdot_L,

which is exact ("double backpropagation" written out by hand).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MLP"]


class MLP:
    """A ``tanh`` multilayer perceptron with a linear output layer.

    Parameters
    ----------
    n_in, n_out : int
        Input and output sizes.
    hidden : tuple of int
        Widths of the hidden layers (one or two in gamesim's models).
    """

    def __init__(self, n_in: int, hidden: tuple, n_out: int):
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self.hidden = tuple(int(h) for h in hidden)
        widths = (self.n_in,) + self.hidden + (self.n_out,)
        self.shapes = [(widths[i + 1], widths[i]) for i in range(len(widths) - 1)]
        self.n_params = sum(o * i + o for o, i in self.shapes)

    # -- parameters --------------------------------------------------------------
    def unpack(self, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``(W (B, out, in), b (B, out))`` of each layer."""
        layers, k = [], 0
        batch = params.shape[:-1]
        for o, i in self.shapes:
            w = params[..., k : k + o * i].reshape(batch + (o, i))
            k += o * i
            b = params[..., k : k + o]
            k += o
            layers.append((w, b))
        return layers

    def pack(self, grads: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Inverse of :meth:`unpack` for per-layer gradients."""
        parts = []
        for gw, gb in grads:
            parts.append(gw.reshape(gw.shape[:-2] + (-1,)))
            parts.append(gb)
        return np.concatenate(parts, axis=-1)

    def init_params(self, rng: np.random.Generator, out_scale: float = 1.0):
        """LeCun-normal weights (variance ``1 / fan_in``), zero biases.

        ``out_scale`` multiplies the output layer's weights (0 gives a network
        whose output is 0 everywhere while its hidden layers are random).
        """
        grads = []
        for n, (o, i) in enumerate(self.shapes):
            w = rng.standard_normal((o, i)) / np.sqrt(i)
            if n == len(self.shapes) - 1:
                w = w * out_scale
            grads.append((w, np.zeros(o)))
        return self.pack(grads)

    def names(self, prefix: str = "") -> list[str]:
        """Readable names of the parameters, e.g. ``W1[0,1]``, ``b2[0]``."""
        out = []
        for n, (o, i) in enumerate(self.shapes, start=1):
            tag = "o" if n == len(self.shapes) else str(n)
            out += [f"{prefix}W{tag}[{r},{c}]" for r in range(o) for c in range(i)]
            out += [f"{prefix}b{tag}[{r}]" for r in range(o)]
        return out

    # -- forward and reverse passes -----------------------------------------------
    def forward(self, params: np.ndarray, x: np.ndarray):
        """Outputs ``(B, M, n_out)`` and the activations ``[h_0, ..., h_L]``."""
        layers = self.unpack(params)
        acts = [x]
        h = x
        for w, b in layers[:-1]:
            h = np.tanh(np.einsum("bmi,boi->bmo", h, w) + b[:, None, :])
            acts.append(h)
        w, b = layers[-1]
        out = np.einsum("bmi,boi->bmo", h, w) + b[:, None, :]
        return out, acts

    def backward(self, params, acts, cot: np.ndarray, want_x: bool = True):
        """Reverse pass from the output cotangent ``cot`` (B, M, n_out).

        Returns
        -------
        grad_params : ndarray, shape (B, P)
            ``sum_j cot_j . d out(x_j) / d params``.
        grad_x : ndarray, shape (B, M, n_in), or None
            ``cot_j . d out(x_j) / d x_j`` for each sample.
        """
        layers = self.unpack(params)
        grads = [None] * len(layers)
        a_bar = cot
        for n in range(len(layers) - 1, -1, -1):
            w, _ = layers[n]
            h_prev = acts[n]
            gw = np.einsum("bmo,bmi->boi", a_bar, np.broadcast_to(
                h_prev, a_bar.shape[:2] + h_prev.shape[2:]))
            grads[n] = (gw, a_bar.sum(axis=1))
            if n == 0 and not want_x:
                break
            h_bar = np.einsum("bmo,boi->bmi", a_bar, w)
            if n > 0:
                a_bar = h_bar * (1.0 - h_prev**2)
        return self.pack(grads), (h_bar if want_x else None)

    def input_grad_vjp(self, params, acts, v: np.ndarray) -> np.ndarray:
        """``grad_params sum_j (grad_x out(x_j) . v_j)`` for a scalar output.

        Parameters
        ----------
        params : ndarray, shape (B, P)
        acts : list of ndarray
            Activations from :meth:`forward` at the samples ``x_j``.
        v : ndarray, shape (B, M, n_in)
            One direction per sample (weights folded in).

        Returns
        -------
        ndarray, shape (B, P)
        """
        layers = self.unpack(params)
        n_layers = len(layers)
        shape = v.shape[:2]

        # forward-mode tangents hdot_l along v
        hdots = [v]
        adots = [None]
        for n in range(n_layers - 1):
            w, _ = layers[n]
            adot = np.einsum("bmi,boi->bmo", hdots[-1], w)
            adots.append(adot)
            hdots.append((1.0 - acts[n + 1] ** 2) * adot)

        # reverse pass of outdot = W_o hdot_L (weights 1 per sample)
        w_out, _ = layers[-1]
        grads = [None] * n_layers
        grads[-1] = (
            np.broadcast_to(hdots[-1].sum(axis=1)[:, None, :], w_out.shape).copy(),
            np.zeros(w_out.shape[:2]),
        )
        hdot_bar = np.broadcast_to(w_out[:, 0, None, :], shape + (w_out.shape[2],))
        h_bar = np.zeros_like(hdot_bar)
        for n in range(n_layers - 2, -1, -1):
            w, _ = layers[n]
            h = acts[n + 1]
            s = 1.0 - h**2
            adot_bar = hdot_bar * s
            h_bar = h_bar + hdot_bar * adots[n + 1] * (-2.0 * h)
            a_bar = h_bar * s
            h_prev = np.broadcast_to(acts[n], shape + acts[n].shape[2:])
            gw = np.einsum("bmo,bmi->boi", adot_bar, hdots[n])
            gw = gw + np.einsum("bmo,bmi->boi", a_bar, h_prev)
            grads[n] = (gw, a_bar.sum(axis=1))
            hdot_bar = np.einsum("bmo,boi->bmi", adot_bar, w)
            h_bar = np.einsum("bmo,boi->bmi", a_bar, w)
        return self.pack(grads)
