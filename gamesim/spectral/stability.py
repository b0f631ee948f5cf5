"""Step sizes and regions of stability.

The largest stable step
-----------------------
For a fixed game, rules and schedule, the spectral radius ``rho(eta)`` of the
linearised step is a function of the step size. The step is *stable*
(locally convergent) where ``rho(eta) < 1``. :func:`max_stable_step` gives:

* the closed form ``min 2 Re lambda / |lambda|^2`` for simultaneous GDA
  (every ``Re lambda > 0``; 0 otherwise);
* otherwise a scan of ``rho`` on a geometric grid of step sizes (20 per
  decade, from ``1e-3 / |lambda|_max`` to ``1e3 / |lambda|_max`` by
  default), followed by bisection on ``rho(eta) = 1`` at the upper end of
  each stable interval, to a relative ``1e-12``.

With two time-scales the ratio of the players' steps is kept and the
generator's step is reported. ``rho`` is taken as 1 (*marginal*, not
stable) when it is within its own accuracy (at least ``1e-12``) of 1.

Stability regions
-----------------
When each mode of a rule is a root of a polynomial whose coefficients depend
on ``w = eta lambda`` only (:mod:`gamesim.spectral.closed_forms`), the rule
contracts mode ``lambda`` if and only if ``w`` lies in the rule's *stability
region* ``{w : max |roots| < 1}`` of the complex plane.
:func:`plot_stability_region` draws it with the game's ``eta lambda``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gamesim.errors import ConfigError
from gamesim.spectral.closed_forms import MODE_RULES, mode_coefficients, mode_roots

logger = logging.getLogger(__name__)

MIN_MARGIN = 1e-12


@dataclass(frozen=True)
class StepSizeBound:
    """The largest step size for which the linearised step is stable.

    Attributes
    ----------
    eta_max : float
        Supremum of the stable step sizes of the generator found (``inf``:
        stable up to the top of the scanned range; 0: stable nowhere).
    method : str
        ``closed form`` or ``scan and bisection``.
    intervals : tuple of (float, float)
        The stable intervals found (open at their ends).
    eta_range : tuple of (float, float)
        The scanned range (``(0, inf)`` for the closed form).
    ratio : float
        The discriminator's step divided by the generator's, kept fixed.
    """

    eta_max: float
    method: str
    intervals: tuple
    eta_range: tuple
    ratio: float = 1.0

    def to_dict(self) -> dict:
        """A JSON-ready summary (``inf`` as the string ``"inf"``)."""
        return {
            "eta_max": _json_number(self.eta_max),
            "method": self.method,
            "intervals": [[_json_number(a), _json_number(b)]
                          for a, b in self.intervals],
            "eta_range": [_json_number(a) for a in self.eta_range],
            "ratio": self.ratio,
        }


def _json_number(v):
    v = float(v)
    return v if math.isfinite(v) else str(v)


def is_stable(rho: float, accuracy: float = 0.0) -> bool:
    """``rho < 1`` by more than its accuracy (and at least ``1e-12``)."""
    return bool(rho < 1.0 - max(MIN_MARGIN, 10.0 * accuracy))


def scan_step_sizes(radius: Callable[[float], tuple], eta_range: tuple,
                    per_decade: int = 20, ratio: float = 1.0) -> StepSizeBound:
    """Find the stable step sizes of ``radius(eta) -> (rho, accuracy)``.

    Parameters
    ----------
    radius : callable
        Spectral radius and its accuracy at step size ``eta``.
    eta_range : (float, float)
        Smallest and largest step to scan (``0 < low < high``).
    per_decade : int
        Grid points per factor 10.
    ratio : float
        Recorded in the result (time-scale ratio).

    Returns
    -------
    StepSizeBound
    """
    low, high = (float(v) for v in eta_range)
    if not (0 < low < high and math.isfinite(high)):
        raise ConfigError(f"eta_range must satisfy 0 < low < high, got {eta_range}")
    count = max(2, math.ceil(per_decade * math.log10(high / low)) + 1)
    grid = np.geomspace(low, high, count)
    stable = np.array([is_stable(*radius(eta)) for eta in grid])

    # -- stable runs of the grid, their ends refined by bisection ----------------
    intervals = []
    i = 0
    while i < count:
        if not stable[i]:
            i += 1
            continue
        j = i
        while j + 1 < count and stable[j + 1]:
            j += 1
        start = 0.0 if i == 0 else _boundary(radius, grid[i - 1], grid[i])
        end = math.inf if j == count - 1 else _boundary(radius, grid[j], grid[j + 1])
        intervals.append((start, end))
        i = j + 1
    eta_max = intervals[-1][1] if intervals else 0.0
    return StepSizeBound(eta_max, "scan and bisection", tuple(intervals),
                         (low, high), ratio)


def _boundary(radius, a: float, b: float) -> float:
    """Bisect (geometrically) between steps of opposite stability."""
    stable_a = is_stable(*radius(a))
    for _ in range(200):
        if b / a - 1.0 < 1e-12:
            break
        mid = math.sqrt(a * b)
        if is_stable(*radius(mid)) == stable_a:
            a = mid
        else:
            b = mid
    return math.sqrt(a * b)


# -- stability regions ------------------------------------------------------------
def _as_rule(rule):
    if isinstance(rule, str):
        from gamesim.registry import make_rule

        return make_rule(rule)
    return rule


def stability_region(rule, eta: float, extent=(-1.0, 3.0, -2.0, 2.0),
                     resolution: int = 401, game=None):
    """Spectral radius of a rule's mode on a grid of ``w = eta lambda``.

    Parameters
    ----------
    rule : UpdateRule or str
        A rule of :data:`~gamesim.spectral.closed_forms.MODE_RULES`.
    eta : float
        The step size (consensus and SGA depend on it beyond ``w``).
    extent : (re_min, re_max, im_min, im_max)
        The rectangle of the ``w`` plane.
    resolution : int
        Grid points per axis.
    game : Game, optional
        Selects the proximal-point variant (exact for affine fields).

    Returns
    -------
    (re, im, rho) : ndarrays
        Axes of the grid and the radius ``max |r|`` at each point, shape
        ``(len(im), len(re))``; the region is ``rho < 1``.
    """
    rule = _as_rule(rule)
    if rule.name not in MODE_RULES:
        raise NotImplementedError(
            f"rule {rule.name!r}: its linearisation is not a function of "
            f"eta * lambda, so it has no stability region in that plane "
            f"(known: {', '.join(MODE_RULES)})"
        )
    re = np.linspace(extent[0], extent[1], resolution)
    im = np.linspace(extent[2], extent[3], resolution)
    w = re[None, :] + 1j * im[:, None]
    with np.errstate(all="ignore"):
        roots = mode_roots(mode_coefficients(rule, w, float(eta), game))
        rho = np.max(np.abs(roots), axis=0)
    return re, im, np.where(np.isfinite(rho), rho, np.inf)


#: when the region is exact for the rule (see closed_forms.mode_form_applies)
_CAVEATS = {
    "consensus": "\n(region exact when J is normal)",
    "sga": "\n(region exact when J is normal)",
    "cgd": "\n(region exact when J has no diagonal blocks)",
}


def _describe(rule) -> str:
    """The rule's spec without its step size (the plot states ``eta``)."""
    from gamesim.specs import Spec

    params = {k: v for k, v in rule.hyperparameters().items() if k != "lr"}
    return str(Spec(rule.name, params))


def plot_stability_region(rule, eigenvalues, eta: float, ax=None, game=None,
                          extent=None):
    """Draw a rule's stability region with the scaled eigenvalues ``eta lambda``.

    Parameters
    ----------
    rule : UpdateRule or str
        A rule whose modes depend on ``eta lambda`` only (gda, eg, pp, ogda,
        momentum, consensus, sga, cgd; simultaneous schedule, one step size).
        For consensus and SGA the region is exact when ``J`` is normal, for
        CGD when ``J`` has no diagonal blocks.
    eigenvalues : array_like of complex
        Eigenvalues ``lambda`` of the descent-field Jacobian ``J``.
    eta : float
        The step size.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    game : Game, optional
        Selects the proximal-point variant.
    extent : (re_min, re_max, im_min, im_max), optional
        Default: the region around the origin and every ``eta lambda``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_stability_region("eg:lr=0.5", [1j, -1j], 0.5)
    >>> fig.axes[0].get_xlabel()
    'Re(η λ)'
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rule = _as_rule(rule)
    w = float(eta) * np.asarray(eigenvalues, dtype=complex).ravel()
    if extent is None:
        reach = float(np.max(np.abs(w.imag), initial=0.0)) + 0.5
        extent = (min(-1.0, float(np.min(w.real, initial=0.0)) - 0.5),
                  max(3.0, float(np.max(w.real, initial=0.0)) + 0.5),
                  -max(2.0, reach), max(2.0, reach))
    re, im, rho = stability_region(rule, eta, extent, game=game)

    if ax is None:
        fig = Figure(figsize=(5.5, 5.0))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    inside = (rho < 1.0).astype(float)
    ax.contourf(re, im, inside, levels=[0.5, 1.5], colors=["0.82"], hatches=["//"])
    ax.contour(re, im, rho, levels=[1.0], colors="black", linewidths=1.2)
    ax.axhline(0.0, color="0.5", linewidth=0.6)
    ax.axvline(0.0, color="0.5", linewidth=0.6)

    rho_w = np.max(np.abs(mode_roots(mode_coefficients(rule, w, float(eta), game))),
                   axis=0) if w.size else np.zeros(0)
    inner = rho_w < 1.0
    ax.plot(w.real[inner], w.imag[inner], "o", color="black", markersize=6,
            linestyle="none")
    ax.plot(w.real[~inner], w.imag[~inner], "x", color="black", markersize=8,
            markeredgewidth=1.8, linestyle="none")

    ax.set_xlabel("Re(η λ)")
    ax.set_ylabel("Im(η λ)")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_title(f"stability region of {_describe(rule)} (η = {eta:g})")
    ax.legend(
        handles=[
            Patch(facecolor="0.82", edgecolor="black", hatch="//",
                  label="contractive: spectral radius < 1"),
            Line2D([], [], color="black", linewidth=1.2, label="boundary ρ = 1"),
            Line2D([], [], marker="o", color="black", linestyle="none",
                   label="η λ, contracted"),
            Line2D([], [], marker="x", color="black", linestyle="none",
                   markeredgewidth=1.8, label="η λ, not contracted"),
        ],
        title="λ: eigenvalues of J = ∂ξ/∂z" + _CAVEATS.get(rule.name, ""),
        title_fontsize="small",
        loc="upper right", fontsize="small", framealpha=0.9,
    )
    return fig
