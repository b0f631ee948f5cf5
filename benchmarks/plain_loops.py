"""Hand-written numpy loops: the baselines the engine is measured against.

Each loop does the arithmetic of one update rule on one game the way a
user would write it without gamesim: no validation, no statuses, no
history. They work on a single run (1-D vectors) and on a batch (arrays
with a leading run axis) alike.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.special import expit


# -- bilinear game x^T A y (x minimises, y maximises) -------------------------
def gda_bilinear(A, x, y, lr: float, steps: int):
    """Simultaneous GDA: ``x <- x - lr A y``, ``y <- y + lr A^T x``."""
    At = A.T
    for _ in range(steps):
        x, y = x - lr * (y @ At), y + lr * (x @ A)
    return x, y


def eg_bilinear(A, x, y, lr: float, steps: int):
    """Extragradient: a GDA look-ahead, then a step with its gradients."""
    At = A.T
    for _ in range(steps):
        xh, yh = x - lr * (y @ At), y + lr * (x @ A)
        x, y = x - lr * (yh @ At), y + lr * (xh @ A)
    return x, y


# -- Dirac-GAN, standard loss: V = -log 2 - softplus(theta psi) ---------------
def gda_dirac(theta, psi, lr: float, steps: int):
    """Simultaneous GDA on the Dirac-GAN (Mescheder et al. 2018)."""
    for _ in range(steps):
        s = expit(theta * psi)
        theta, psi = theta + lr * psi * s, psi - lr * theta * s
    return theta, psi


def eg_dirac(theta, psi, lr: float, steps: int):
    """Extragradient on the Dirac-GAN."""
    for _ in range(steps):
        s = expit(theta * psi)
        th, ph = theta + lr * psi * s, psi - lr * theta * s
        s = expit(th * ph)
        theta, psi = theta + lr * ph * s, psi - lr * th * s
    return theta, psi


# -- zero-sum matrix games (row player maximises x^T A y) ---------------------
def fictitious_play(A, x, y, steps: int):
    """Simultaneous fictitious play from pure ``x``, ``y`` (one-hot rows).

    Both players best-respond to the opponent's cumulative play; returns
    the empirical frequencies. Ties go to the lowest index.
    """
    single = x.ndim == 1
    x, y = np.atleast_2d(x), np.atleast_2d(y)
    rows = np.arange(x.shape[0])
    count_x, count_y = x.copy(), y.copy()
    payoff_x, payoff_y = y @ A.T, -(x @ A)
    for _ in range(steps):
        i, j = np.argmax(payoff_x, axis=1), np.argmax(payoff_y, axis=1)
        count_x[rows, i] += 1.0
        count_y[rows, j] += 1.0
        payoff_x += A[:, j].T
        payoff_y -= A[i, :]
    freq_x = count_x / (steps + 1)
    freq_y = count_y / (steps + 1)
    return (freq_x[0], freq_y[0]) if single else (freq_x, freq_y)


def hedge(A, x, y, lr: float, steps: int):
    """Multiplicative weights for both players of a zero-sum game."""
    At = A.T
    lx, ly = np.log(x), np.log(y)
    for _ in range(steps):
        lx = lx + lr * (y @ At)
        ly = ly - lr * (x @ A)
        lx -= lx.max(axis=-1, keepdims=True)
        ly -= ly.max(axis=-1, keepdims=True)
        x, y = np.exp(lx), np.exp(ly)
        x /= x.sum(axis=-1, keepdims=True)
        y /= y.sum(axis=-1, keepdims=True)
    return x, y


# -- the machine's matrix-multiply rate ----------------------------------------
def matmul_rate(rows: int, inner: int, cols: int, seconds: float = 0.5) -> float:
    """Best measured rate (flop/s) of ``(rows, inner) @ (inner, cols)``."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((rows, inner))
    b = rng.standard_normal((inner, cols))
    flops = 2.0 * rows * inner * cols
    best = float("inf")
    a @ b
    deadline = time.perf_counter() + seconds
    while True:
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
        if time.perf_counter() > deadline:
            return flops / best
