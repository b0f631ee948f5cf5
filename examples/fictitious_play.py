"""Fictitious play in matching pennies and in Shapley's game.

Brown (1951) proposed fictitious play: each round, each player
best-responds to the empirical frequencies of the other's past actions.
Robinson (1951) proved that the frequencies converge to the equilibrium in
every two-player zero-sum game, matching pennies included (slowly: NashConv
falls like T^(-1/2) here). Shapley (1964, "Some topics in two-person
games") gave a 3 x 3 general-sum game where they do not: from an
off-diagonal start the frequencies circle the uniform equilibrium along a
triangle, each lap longer than the last, and NashConv stays near 0.29.

Run it with ``python examples/fictitious_play.py [--out DIR]``: it prints
NashConv of the frequencies at T = 10, 100, 1000 next to reference D
(shared/reference-cases.md) and writes two figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from gamesim import make_game, make_rule, simulate
from gamesim.reports import convergence_figure, simplex_figure

#: T -> NashConv of the frequencies in matching pennies (reference D)
MATCHING_PENNIES = {10: 0.4, 100: 0.14, 1000: 0.044}


def frequencies(game, z0, rounds: int) -> pd.DataFrame:
    """Simultaneous fictitious play for ``rounds`` rounds from the pure ``z0``.

    Round 1 is ``z0``; each later round is one engine step. Every round is
    recorded; the frequencies are the running means of the pure profiles.
    """
    res = simulate(game, make_rule("fp"), rounds - 1, z0=z0, record_every=1)
    h = res.history
    names = game.param_names()
    played = h[names].to_numpy(dtype=float)
    freq = np.cumsum(played, axis=0) / np.arange(1, len(h) + 1)[:, None]
    out = pd.DataFrame(freq, columns=names)
    out["round"] = h["step"].to_numpy() + 1
    out["nash_conv"] = h["nash_conv_avg"].to_numpy()
    out["seed"] = 0
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples-out/fictitious-play",
                        help="folder for the figures")
    parser.add_argument("--rounds", type=int, default=3000)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    pennies = frequencies(make_game("matrix:name=matching_pennies"), [1, 0, 1, 0],
                          max(args.rounds, 1000))
    shapley_game = make_game("matrix:name=shapley")
    shapley = frequencies(shapley_game, [1, 0, 0, 0, 1, 0], args.rounds)

    found = {}
    print("matching pennies, NashConv of the frequencies (reference D)")
    for T, expected in MATCHING_PENNIES.items():
        found[T] = float(pennies.loc[pennies["round"] == T, "nash_conv"].iloc[0])
        print(f"  T = {T:>5}: {found[T]:.6g}   (reference {expected})")
    late = shapley[shapley["round"] > args.rounds // 2]["nash_conv"]
    print(f"Shapley's game, NashConv of the frequencies over rounds "
          f"{args.rounds // 2 + 1}-{args.rounds}: {late.min():.3f} to {late.max():.3f}")

    both = pd.concat([pennies.assign(game="matching pennies"),
                      shapley.assign(game="Shapley's game")], ignore_index=True)
    fig = convergence_figure(both, "nash_conv", "game", step_column="round",
                             title="fictitious play: NashConv of the frequencies")
    ax = fig.axes[0]
    ax.set_xscale("log")
    ax.set_xlabel("round T (log scale)")
    fig.savefig(out / "nash_conv.png", dpi=110)
    path = shapley.rename(columns={"round": "step"}).assign(rule="fictitious play")
    fig = simplex_figure(shapley_game, path, "rule")
    fig.suptitle("Shapley's game: the frequencies of fictitious play circle the "
                 "equilibrium", fontsize="medium")
    fig.savefig(out / "shapley_simplex.png", dpi=110)
    print(f"wrote {out / 'nash_conv.png'} and {out / 'shapley_simplex.png'}")
    return {"matching_pennies": found,
            "shapley_late_min": float(late.min()),
            "shapley_late_max": float(late.max())}


if __name__ == "__main__":
    main()
