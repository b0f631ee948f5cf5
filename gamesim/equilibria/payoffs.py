"""Payoff matrices: validation, kinds of games and scale-free normalisation.

Every solver and measure of :mod:`gamesim.equilibria` first passes its
payoffs through :func:`as_bimatrix`, so that bad input fails in one place
with a message naming the entry, and every tolerance is taken relative to
the *payoff range* (the largest entry minus the smallest). Multiplying all
payoffs by ``1e-12`` or ``1e12``, or adding a constant, changes no decision
made here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gamesim.errors import PayoffError

#: Relative tolerance of every "is this a best response" decision.
RTOL = 1e-9


def payoff_matrix(data: Any, name: str = "A") -> np.ndarray:
    """Convert payoffs to a finite 2-D float array or raise :class:`PayoffError`.

    Parameters
    ----------
    data : array_like
        A nested sequence (one inner sequence per row) or an array.
    name : str
        How the matrix is called in error messages.

    Raises
    ------
    PayoffError
        If the matrix is empty, ragged, not two-dimensional, or holds an
        entry that is not a finite number (the message names its row and
        column, counted from 0).
    """
    if isinstance(data, np.ndarray):
        rows = data
    else:
        rows = list(data) if _is_sequence(data) else data
        if _is_sequence(rows) and rows and all(_is_sequence(r) for r in rows):
            lengths = [len(r) for r in rows]
            if len(set(lengths)) > 1:
                bad = next(i for i, k in enumerate(lengths) if k != lengths[0])
                raise PayoffError(
                    f"payoff matrix {name} is ragged: row 0 has {lengths[0]} "
                    f"entries but row {bad} has {lengths[bad]}"
                )
    try:
        arr = np.array(rows, dtype=float)
    except (TypeError, ValueError):
        _raise_non_numeric(rows, name)
    if arr.size == 0:
        raise PayoffError(f"payoff matrix {name} is empty (shape {arr.shape})")
    if arr.ndim != 2:
        raise PayoffError(
            f"payoff matrix {name} must be two-dimensional (rows x columns), got "
            f"shape {arr.shape}; write a single row as [[a, b, ...]]"
        )
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise PayoffError(
            f"payoff matrix {name} has a non-finite entry {arr[i, j]} at row {i}, "
            f"column {j} (rows and columns counted from 0)"
        )
    return arr


def _is_sequence(obj) -> bool:
    return isinstance(obj, (list, tuple, np.ndarray))


def _raise_non_numeric(rows, name: str):
    for i, row in enumerate(rows if _is_sequence(rows) else [rows]):
        for j, entry in enumerate(row if _is_sequence(row) else [row]):
            try:
                float(entry)
            except (TypeError, ValueError):
                raise PayoffError(
                    f"payoff matrix {name} has a non-numeric entry {entry!r} at "
                    f"row {i}, column {j} (rows and columns counted from 0)"
                ) from None
    raise PayoffError(f"payoff matrix {name} could not be read as numbers")


def as_bimatrix(A: Any, B: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Validate a game given as ``A`` (zero-sum) or ``(A, B)`` (bimatrix).

    ``A`` holds the row player's payoffs and ``B`` the column player's; both
    players maximise. With ``B`` omitted the game is zero-sum, ``B = -A``.

    Raises
    ------
    PayoffError
        See :func:`payoff_matrix`; also when ``A`` and ``B`` differ in shape.
    """
    A = payoff_matrix(A, "A")
    if B is None:
        return A, -A
    B = payoff_matrix(B, "B")
    if A.shape != B.shape:
        raise PayoffError(
            f"payoff matrices A and B must have the same shape, got A {A.shape} "
            f"and B {B.shape}"
        )
    return A, B


def payoff_range(M: np.ndarray) -> float:
    """Largest minus smallest entry (0 for a constant matrix)."""
    return float(np.max(M) - np.min(M))


def payoff_scale(A: np.ndarray, B: np.ndarray) -> float:
    """The scale that makes tolerances relative: the larger payoff range.

    For a game whose payoffs are all constant the scale falls back to the
    size of the entries (or 1 for all-zero payoffs), so that rounding
    differences are still judged relative to the numbers involved.
    """
    scale = max(payoff_range(A), payoff_range(B))
    if scale > 0:
        return scale
    size = max(float(np.max(np.abs(A))), float(np.max(np.abs(B))))
    return size if size > 0 else 1.0


def tolerance(A: np.ndarray, B: np.ndarray, rtol: float = RTOL) -> float:
    """Absolute tolerance for payoff comparisons: ``rtol`` times the range.

    A rounding allowance of a few ulps of the largest entry is added, so
    that a game with huge payoffs but a tiny range is not judged by
    rounding noise.
    """
    size = max(float(np.max(np.abs(A))), float(np.max(np.abs(B))))
    return rtol * payoff_scale(A, B) + 64 * np.finfo(float).eps * size


def normalised(M: np.ndarray, offset: float = 1.0) -> np.ndarray:
    """Positive affine image of ``M`` with entries in ``[offset, offset + 1]``.

    A player's best responses do not change under a positive affine map of
    its own payoffs, so solvers work on these matrices: the answers do not
    depend on the scale or the level of the payoffs. A constant matrix maps
    to ``offset + 1`` everywhere.
    """
    low = float(np.min(M))
    width = payoff_range(M)
    if width == 0 or not math.isfinite(width):
        return np.full(M.shape, offset + 1.0)
    return (M - low) / width + offset


def constant_sum(A: np.ndarray, B: np.ndarray, rtol: float = RTOL) -> float | None:
    """The constant ``c`` if ``A + B = c`` everywhere (within tolerance), else None.

    ``c = 0`` means the game is zero-sum.
    """
    total = A + B
    c = float(np.mean(total))
    if np.max(np.abs(total - c)) <= tolerance(A, B, rtol):
        scale = payoff_scale(A, B)
        return 0.0 if abs(c) <= rtol * scale else c
    return None
