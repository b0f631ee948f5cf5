"""Numerically stable elementary functions shared across gamesim."""

from __future__ import annotations

import numpy as np


def softplus(t):
    """``log(1 + exp(t))`` without overflow; keeps the dtype of ``t``.

    Examples
    --------
    >>> float(softplus(800.0)), float(softplus(-800.0))
    (800.0, 0.0)
    """
    t = np.asarray(t)
    return np.logaddexp(np.zeros((), dtype=t.dtype), t)


def log_sigmoid(t):
    """``log sigmoid(t) = -softplus(-t)``, never ``log(sigmoid(t))``.

    Examples
    --------
    >>> float(log_sigmoid(-800.0))
    -800.0
    """
    return -softplus(-np.asarray(t))
