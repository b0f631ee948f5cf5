"""Compiled inner loops, used where numba is installed.

Some rules take many cheap steps whose cost in numpy is the overhead of
a dozen calls per step rather than arithmetic: fictitious play on a matrix
game adds one row of a payoff table to each player's cumulative payoffs
and takes an argmax. For them this module holds loops compiled with numba
(``pip install gamesim[fast]``; the ``test`` and ``bench`` extras include
it) that run a whole chunk of steps in one call.

A kernel does the same floating-point operations, in the same order, as the
rule's numpy step, so the numbers are identical bit for bit with or without
numba (``tests/test_kernels.py`` checks it); only the time differs. Without
numba, or with the environment variable ``GAMESIM_JIT=0`` (read when a
kernel is first asked for), or after :func:`set_enabled` ``(False)``, the
rules take their numpy steps.

Compiled code is cached on disk next to this module (numba's own cache,
keyed on the source and the machine), or in numba's user-wide cache where
the package folder is read-only; the first call in a fresh installation
compiles it, about a second.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

__all__ = ["enabled", "fictitious_play", "set_enabled", "set_threads",
           "split_runs", "threads", "MIN_WORK_PER_THREAD", "TIE_TOLERANCE"]

logger = logging.getLogger(__name__)

_ENABLED: bool | None = None
_THREADS: int | None = None
_COMPILED: dict[str, Callable] = {}
_POOL = None
_POOL_LOCK = threading.Lock()

#: element operations below which a call stays on one thread (starting
#: threads costs tens of microseconds)
MIN_WORK_PER_THREAD = 200_000

#: relative tolerance of ties between cumulative payoffs (as in the numpy
#: step of :func:`gamesim.rules.learning.best_response`)
TIE_TOLERANCE = 1e-12


def set_enabled(flag: bool) -> None:
    """Use the compiled kernels (``True``, where numba imports) or the numpy
    steps (``False``)."""
    global _ENABLED
    _ENABLED = bool(flag) and _numba_imports()


def enabled() -> bool:
    """Whether compiled kernels are used (numba importable and not disabled)."""
    global _ENABLED
    if _ENABLED is None:
        wanted = os.environ.get("GAMESIM_JIT", "1").strip().lower() not in (
            "0", "false", "no", "off")
        _ENABLED = wanted and _numba_imports()
    return _ENABLED


def _numba_imports() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError as exc:
        logger.info("numba unavailable (%s): rules take their numpy steps", exc)
        return False
    return True


def set_threads(count: int | None) -> None:
    """Threads a compiled call may split its runs over (``None``: the cores).

    The runs of a batch are independent, so the numbers do not depend on
    the count. Workers of :class:`gamesim.compare.ProcessExecutor` use 1
    unless ``GAMESIM_THREADS`` is set (the sweep already spreads over the
    cores); Dask workers are not limited, set ``GAMESIM_THREADS`` in their
    environment to avoid oversubscribing their machines.
    """
    global _THREADS
    if count is not None and (isinstance(count, bool)
                              or not isinstance(count, (int, np.integer))
                              or count < 1):
        raise ValueError(f"threads must be an integer >= 1 or None, got {count!r}")
    _THREADS = None if count is None else int(count)


def threads() -> int:
    """Threads a compiled call may use: :func:`set_threads`, the environment
    variable ``GAMESIM_THREADS``, or the cores this process may use."""
    if _THREADS is not None:
        return _THREADS
    env = os.environ.get("GAMESIM_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _forget_pool() -> None:
    """In a forked child: the parent's threads are gone, start a new pool."""
    global _POOL, _POOL_LOCK
    _POOL = None
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _pool(count: int) -> ThreadPoolExecutor:
    """A pool of at least ``count`` threads (a larger one replaces it)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL._max_workers < count:
            old, _POOL = _POOL, ThreadPoolExecutor(
                max_workers=max(2, count), thread_name_prefix="gamesim-kernel")
            if old is not None:
                old.shutdown(wait=False)
        return _POOL


def split_runs(kernel: Callable, shared: tuple, per_run: tuple, args: tuple,
               work: float) -> None:
    """``kernel(*shared, *per_run, *args)`` over blocks of runs, in threads.

    ``per_run`` arrays have the runs on their first axis and are updated in
    place by the kernel, each block independently (the kernels release the
    GIL); ``work`` is the call's element operations, which decides how many
    threads are worth starting.
    """
    runs = len(per_run[0])
    count = min(threads(), runs, max(1, int(work // MIN_WORK_PER_THREAD)))
    if count <= 1:
        kernel(*shared, *per_run, *args)
        return
    edges = np.linspace(0, runs, count + 1).astype(int)
    pool = _pool(count)
    futures = [
        pool.submit(kernel, *shared, *(a[lo:hi] for a in per_run), *args)
        for lo, hi in zip(edges[:-1], edges[1:])]
    for future in futures:
        future.result()


def _jit(function: Callable) -> Callable:
    """``function`` compiled in nopython mode, cached on disk where possible."""
    import numba

    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError as exc:  # no writable cache location
        logger.debug("numba cache unavailable (%s); compiling in memory", exc)
        return numba.njit(nogil=True)(function)


def _largest(values):
    """The largest entry of a finite vector.

    Four independent running maxima, merged at the end, instead of one
    chain of comparisons: the maximum does not depend on the order of the
    comparisons, and the four chains overlap in the processor's pipeline.
    """
    n = values.shape[0]
    hi0 = hi1 = hi2 = hi3 = -np.inf
    k = 0
    while k + 4 <= n:
        v0 = values[k]
        v1 = values[k + 1]
        v2 = values[k + 2]
        v3 = values[k + 3]
        hi0 = v0 if v0 > hi0 else hi0
        hi1 = v1 if v1 > hi1 else hi1
        hi2 = v2 if v2 > hi2 else hi2
        hi3 = v3 if v3 > hi3 else hi3
        k += 4
    while k < n:
        v0 = values[k]
        hi0 = v0 if v0 > hi0 else hi0
        k += 1
    return max(max(hi0, hi1), max(hi2, hi3))


def _largest_magnitude(values):
    """The largest absolute value of a vector."""
    big = 0.0
    for k in range(values.shape[0]):
        a = abs(values[k])
        big = a if a > big else big
    return big


def _best_after_adding(payoff, row, row_magnitude, bound):
    """Add ``row`` to ``payoff`` in place; the lowest best index, and a bound.

    The answer is the numpy step's: the lowest index whose entry is within
    ``TIE_TOLERANCE`` times the largest magnitude ``big`` of the best entry.
    ``big`` costs a pass of its own, and only matters for entries in a band
    of width about ``1e-12 |best|`` below the best, so it is computed only
    when an entry falls in that band: with ``|best| <= big <= bound``, an
    entry at or above ``best - |best| tol`` is tied for sure and one below
    ``best - bound tol`` is not (floating-point rounding is monotone, so the
    comparisons agree with the exact threshold).

    ``bound`` is an upper bound of the magnitudes before the addition; the
    one returned holds after it (``bound + row_magnitude``, rounded up, with
    ``row_magnitude = max |row|``).
    """
    n = payoff.shape[0]
    for k in range(n):
        payoff[k] += row[k]
    best = _largest(payoff)
    bound = (bound + row_magnitude) * (1.0 + 1e-15)
    surely_tied = best - abs(best) * TIE_TOLERANCE
    never_tied = best - bound * TIE_TOLERANCE
    threshold = np.nan
    for k in range(n):
        value = payoff[k]
        if value >= never_tied:
            if value >= surely_tied:
                return k, bound
            if threshold != threshold:  # NaN: not computed yet
                threshold = best - _largest_magnitude(payoff) * TIE_TOLERANCE
            if value >= threshold:
                return k, bound
    return 0, bound


def _fictitious_play(at, b, at_magnitude, b_magnitude, payoff, choice, total,
                     steps):
    """``steps`` rounds of fictitious play for every run, in place.

    Parameters
    ----------
    at, b : ndarray, shapes (n, m) and (m, n)
        ``A^T`` and ``B`` (C-contiguous): row ``j`` of ``at`` is the row
        player's payoff vector against column ``j``, row ``i`` of ``b`` the
        column player's against row ``i``.
    at_magnitude, b_magnitude : ndarray, shapes (n,) and (m,)
        The largest absolute value of each row of ``at`` and ``b``.
    payoff : ndarray, shape (runs, m + n)
        Cumulative payoffs of the pure strategies; updated.
    choice : ndarray of int, shape (runs, 2)
        The pure profile ``(i, j)`` last played; updated.
    total : ndarray, shape (runs, m + n)
        Running sum of the played one-hot profiles; each round adds 1 at
        ``i`` and at ``m + j`` (the engine's uniform average).
    steps : int
        Rounds to play.
    """
    m = b.shape[0]
    for r in range(payoff.shape[0]):
        i = choice[r, 0]
        j = choice[r, 1]
        px = payoff[r, :m]
        py = payoff[r, m:]
        bound_x = _largest_magnitude(px)
        bound_y = _largest_magnitude(py)
        for _ in range(steps):
            i_next, bound_x = _best_after_adding(px, at[j], at_magnitude[j],
                                                 bound_x)
            j, bound_y = _best_after_adding(py, b[i], b_magnitude[i], bound_y)
            i = i_next
            total[r, i] += 1.0
            total[r, m + j] += 1.0
        choice[r, 0] = i
        choice[r, 1] = j


def fictitious_play() -> Callable | None:
    """The compiled fictitious-play loop, or ``None`` without numba.

    Signature ``(at, b, at_magnitude, b_magnitude, payoff, choice, total,
    steps) -> None``: ``steps`` rounds for every run, updating ``payoff``
    (cumulative payoffs, ``(runs, m + n)``), ``choice`` (the pure profile
    last played, ``(runs, 2)``) and ``total`` (the running sum of the
    played profiles) in place, from ``at = A^T``, ``b = B`` and their rows'
    largest magnitudes. :func:`split_runs` spreads the runs over threads.
    """
    if not enabled():
        return None
    if "fp" not in _COMPILED:
        from numba.extending import register_jitable

        # the helpers become callable from compiled code (they stay the same
        # Python functions, so the module imports without numba)
        for helper in (_largest, _largest_magnitude, _best_after_adding):
            register_jitable(helper)
        _COMPILED["fp"] = _jit(_fictitious_play)
    return _COMPILED["fp"]

