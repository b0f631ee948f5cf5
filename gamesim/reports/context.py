"""What a report says besides the results: the game, its equilibrium, versions."""

from __future__ import annotations

import math
import platform
import sys
from dataclasses import dataclass
from importlib import metadata

import numpy as np
import pandas as pd

#: packages whose versions every report lists
PACKAGES = ("gamesim", "numpy", "scipy", "pandas", "matplotlib")

LOG4 = math.log(4.0)


def package_versions() -> dict[str, str]:
    """Versions of Python, gamesim and the scientific stack.

    Examples
    --------
    >>> sorted(package_versions())
    ['gamesim', 'matplotlib', 'numpy', 'pandas', 'platform', 'python', 'scipy']
    """
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            module = sys.modules.get(name) or __import__(name)
            out[name] = str(getattr(module, "__version__", "unknown"))
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class GameDescription:
    """How a report describes a game.

    Attributes
    ----------
    spec : str
        The game spec of the comparison.
    summary : str
        One line from :meth:`Game.describe`.
    players : str
        The players and their parameter counts.
    equilibrium : str
        What the equilibrium is and where it comes from.
    equilibria : pandas.DataFrame or None
        The equilibrium points (one row each), when a short list exists.
    """

    spec: str
    summary: str
    players: str
    equilibrium: str
    equilibria: pd.DataFrame | None


def describe_game(spec: str, game) -> GameDescription:
    """Describe a game and its equilibrium for a report.

    Matrix games give the equilibria computed by
    :func:`gamesim.equilibria.solve` (with the method and whether the list
    is complete); GAN games the ideal equilibrium of Goodfellow et al.
    (2014); other games the equilibria they know.

    Examples
    --------
    >>> from gamesim import make_game
    >>> d = describe_game("dirac", make_game("dirac"))
    >>> d.equilibria.to_dict("records")
    [{'generator[0]': 0.0, 'discriminator[0]': 0.0}]
    """
    players = ", ".join(f"{p} ({k} parameter{'s' if k != 1 else ''})"
                        for p, k in zip(game.players, game.sizes))
    summary = game.describe()
    if hasattr(game, "equilibrium_set"):
        text, table = _matrix_equilibria(game)
    elif hasattr(game, "dataset") and hasattr(game, "generated"):
        text, table = _gan_equilibrium(game), None
    else:
        text, table = _known_equilibria(game)
    return GameDescription(spec, summary, players, text, table)


def _known_equilibria(game):
    eq = game.equilibria()
    if eq is None:
        text = ("No equilibrium is known in closed form for this game; the "
                "verdicts rest on the gradient norm (zero at every stationary "
                "point).")
        return text, None
    eq = np.atleast_2d(np.asarray(eq, dtype=float))
    names = game.param_names()
    kind = "zero-sum" if game.zero_sum else "general-sum"
    head = (f"Known equilibrium of this {kind} game (the point where the field "
            f"vanishes); distances are measured to it." if len(eq) == 1 else
            f"{len(eq)} known equilibria; distances are measured to the nearest.")
    if game.n > 12:
        return head + f" It has {game.n} coordinates (not listed).", None
    return head, pd.DataFrame(eq[:10], columns=names)


def _gan_equilibrium(game) -> str:
    ds = game.dataset
    cols = ", ".join(ds.columns)
    units = " (standardised columns: each of mean 0 and standard deviation 1)" \
        if ds.standardized else ""
    return (
        f"The data: {ds.n} rows of {cols} from {ds.source}{units}. No equilibrium "
        "is known in closed form for a finite sample and these model families. "
        "At the ideal equilibrium the generator reproduces the data distribution, "
        "the optimal discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x)) "
        "equals 1/2 everywhere and the game's value is -log 4 = "
        f"{-LOG4:.4f} (Goodfellow et al. 2014, Theorem 1). The report checks the "
        "D(x) = 1/2 condition through d_real, d_fake and discriminator_gap, and "
        "how close the generator is to the data through jsd (nats) and the "
        "distance between the samples."
        + (" The duality gap max_D V - min_G V is estimated by "
           f"{game.gap_oracle.steps} inner gradient steps per player "
           "(gamesim.bestresponse.InnerSteps): a lower bound of the true gap."
           if getattr(game, "gap_oracle", None) is not None else "")
    )


def _matrix_equilibria(game):
    eq = game.equilibrium_set
    m, n = game.sizes
    row_labels = game.row_labels or [str(k) for k in range(m)]
    column_labels = game.column_labels or [str(k) for k in range(n)]
    rows = []
    for k, profile in enumerate(eq.profiles[:10]):
        row = {"equilibrium": k + 1}
        for label, p in zip(row_labels, profile[:m]):
            row[f"row: {label}"] = float(p)
        for label, p in zip(column_labels, profile[m:]):
            row[f"column: {label}"] = float(p)
        if eq.payoffs is not None:
            row["payoff row"] = float(eq.payoffs[k][0])
            row["payoff column"] = float(eq.payoffs[k][1])
        rows.append(row)
    listed = "every extreme equilibrium" if eq.complete else "one equilibrium"
    more = ""
    if eq.continuum:
        more = " The set of equilibria is a continuum (segments between these)."
    if len(eq.profiles) > 10:
        more += f" The first 10 of {len(eq.profiles)} are listed."
    text = (f"Equilibria computed by gamesim.equilibria ({eq.method.replace('_', ' ')}"
            f", {listed}).{more} Mixed strategies give each action's probability; "
            "both players maximise their payoff.")
    return text, pd.DataFrame(rows)
